"""Puts a candidate on the running Rasa server and takes it back (``PUT /model``).

``models.json`` in the trainer directory remembers the active model and the
one before it, so a rollback is one call. Models are never deleted here. The
server keeps the model until it restarts; ``make run`` starts with
``models/shoe-shop.tar.gz`` again (docs/trainer.md).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import requests

from shop.config import settings
from trainer.workspace import Workspace, log_change

_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _auth(token: str) -> tuple[dict[str, str], dict[str, str]]:
    """As console.rasa_client: a JWT as a Bearer header, another token as ``?token=``."""
    if not token:
        return {}, {}
    if _JWT.fullmatch(token):
        return {"Authorization": f"Bearer {token}"}, {}
    return {}, {"token": token}


class ActivationError(RuntimeError):
    """The server did not take the model; the message says why."""


def _state_path(ws: Workspace) -> Path:
    return ws.trainer_dir / "models.json"


def read_state(ws: Workspace) -> dict[str, Any]:
    """``{"active", "previous", "history"}``; the live model counts as active at first."""
    path = _state_path(ws)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    live = str(ws.live_model) if ws.live_model.exists() else None
    return {"active": live, "previous": None, "history": []}


def _write_state(ws: Workspace, state: dict[str, Any]) -> None:
    path = _state_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def load_on_server(model: Path, *, rasa_url: str | None = None, token: str | None = None) -> None:
    """Asks the Rasa server to replace its model (blocks until it has loaded it)."""
    url = (rasa_url or settings.rasa_url).rstrip("/")
    token = settings.rasa_token if token is None else token
    headers, params = _auth(token)
    try:
        response = requests.put(
            f"{url}/model",
            json={"model_file": str(model.resolve())},
            headers=headers,
            params=params,
            timeout=300,
        )
    except requests.RequestException as error:
        raise ActivationError(f"Rasa 服务器连不上 ({url}): {error}") from error
    if response.status_code != 204:
        raise ActivationError(
            f"Rasa 服务器拒绝了模型 ({response.status_code}): {response.text[:500]}"
        )


def server_model(*, rasa_url: str | None = None) -> str | None:
    """The model file name the server reports in ``GET /status`` (None when unreachable)."""
    url = (rasa_url or settings.rasa_url).rstrip("/")
    headers, params = _auth(settings.rasa_token)
    try:
        answer = requests.get(f"{url}/status", params=params, headers=headers, timeout=10)
        return answer.json().get("model_file")
    except (requests.RequestException, ValueError):
        return None


def report_path(model: Path) -> Path:
    """The comparison report of a model (written by ``trainer.evaluation.compare``)."""
    return model.parent / f"{model.name.removesuffix('.tar.gz')}.report" / "report.json"


def activate(
    ws: Workspace, *, model: Path, user: str, rasa_url: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Loads ``model`` on the server; the model it replaces becomes the rollback target.

    Refuses a model without a comparison report unless ``force``.
    """
    if not model.exists():
        raise ActivationError(f"模型文件不存在: {model}")
    if not force and not report_path(model).exists():
        raise ActivationError("请先比较 (compare) 候选模型和当前模型，再上线")
    state = read_state(ws)
    load_on_server(model, rasa_url=rasa_url)
    if state.get("active") != str(model):
        state["previous"] = state.get("active")
    state["active"] = str(model)
    state["history"] = [*state.get("history", []), {"time": time.time(), "model": str(model)}][-50:]
    _write_state(ws, state)
    log_change(ws, user=user, action="activate", model=str(model), previous=state["previous"])
    return state


def rollback(ws: Workspace, *, user: str, rasa_url: str | None = None) -> dict[str, Any]:
    """Puts the previous model back; rolling back again returns to the undone one."""
    state = read_state(ws)
    previous = state.get("previous")
    if not previous or not Path(previous).exists():
        raise ActivationError("没有可以回滚到的上一个模型")
    load_on_server(Path(previous), rasa_url=rasa_url)
    state["previous"], state["active"] = state.get("active"), previous
    state["history"] = [*state.get("history", []), {"time": time.time(), "model": previous}][-50:]
    _write_state(ws, state)
    log_change(ws, user=user, action="rollback", model=previous, undone=state["previous"])
    return state

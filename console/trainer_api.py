"""The trainers' page and JSON API under ``/console/trainer`` and ``/console/api/trainer``.

Every API route needs the ``trainer`` role (:func:`console.auth.requires`).
Quick work (inbox, segmentation, saving an example) runs in a worker thread;
validation, training and comparison run as ``python -m trainer ... --job ID``
subprocesses (:mod:`trainer.runner`) whose progress the page polls
(``GET /jobs/<id>``). The library is the :mod:`trainer` package; ``request.app.ctx.trainer_ws`` (a
:class:`trainer.workspace.Workspace`, tests set one) picks the project.
Protocol: docs/trainer.md.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.auth import Staff, authenticate, requires
from console.http import error
from console.pages import _HEADERS, PAGE_DIR
from shop.lexicon import INBOX_REASON_LABELS, INTENT_LABELS
from trainer import activation, inbox, jobs, nlu_files, runner, segment, training
from trainer.workspace import Workspace, add_flag, read_log

JOB_KINDS = {"validate", "train", "compare"}
PNG_NAMES = {"confusion_heldout.png", "confusion_shared_eval.png"}
API = "/console/api/trainer"


def _ws(request: Request) -> Workspace:
    ws = getattr(request.app.ctx, "trainer_ws", None)
    if ws is None:
        ws = request.app.ctx.trainer_ws = Workspace.from_settings()
    return ws


async def _who(request: Request) -> str:
    staff: Staff | None = await authenticate(request)
    return staff.username if staff else "?"


def _body(request: Request) -> dict[str, Any]:
    return request.json if isinstance(request.json, dict) else {}


def _refused(exc: Exception) -> HTTPResponse:
    return error("refused", 400, message=str(exc))


def _inbox(ws: Workspace, threshold: float, include_handled: bool, days: float) -> dict[str, Any]:
    groups = inbox.build_inbox(
        ws,
        threshold=threshold,
        known_texts=nlu_files.known_keys(ws),
        include_handled=include_handled,
        days=days,
    )
    return {
        "groups": [g.to_dict() for g in groups[:200]],
        "total": len(groups),
        "intents": [i for i in nlu_files.trainable_intents(ws) if i not in {"nlu_fallback"}],
        "entities": nlu_files.domain_names(ws, "entities"),
        "intent_labels": INTENT_LABELS,
        "reason_labels": INBOX_REASON_LABELS,
    }


async def page(_: Request) -> HTTPResponse:
    return await response.file(
        PAGE_DIR / "trainer.html",
        mime_type="text/html; charset=utf-8",
        headers=dict(_HEADERS),
    )


@requires("trainer")
async def get_inbox(request: Request) -> HTTPResponse:
    try:
        threshold = float(request.args.get("threshold", inbox.LOW_CONFIDENCE))
        days = float(request.args.get("days", inbox.DAYS))
    except ValueError:
        return error("bad_request", 400)
    include = request.args.get("all") == "1"
    data = await asyncio.to_thread(_inbox, _ws(request), threshold, include, days)
    return response.json(data)


@requires("trainer")
async def post_segment(request: Request) -> HTTPResponse:
    body = _body(request)
    text, entities = str(body.get("text") or "")[:300], body.get("entities") or []
    ws = _ws(request)
    tokens = await asyncio.to_thread(segment.segment, ws, text)
    try:
        warnings = segment.boundary_warnings(tokens, list(entities))
    except (KeyError, TypeError, ValueError):
        return error("bad_request", 400)
    return response.json({"tokens": tokens, "warnings": warnings})


@requires("trainer")
async def post_annotate(request: Request) -> HTTPResponse:
    body, user = _body(request), await _who(request)
    try:
        change = await asyncio.to_thread(
            lambda: nlu_files.add_example(
                _ws(request),
                intent=str(body.get("intent") or ""),
                text=str(body.get("text") or ""),
                entities=list(body.get("entities") or []),
                user=user,
                source=dict(body.get("source") or {}),
            )
        )
    except (nlu_files.AnnotationError, KeyError, TypeError, ValueError) as exc:
        return _refused(exc)
    return response.json(change)


@requires("trainer")
async def post_discard(request: Request) -> HTTPResponse:
    body, user = _body(request), await _who(request)
    text = str(body.get("text") or "").strip()
    if not text:
        return error("bad_request", 400)
    change = await asyncio.to_thread(
        lambda: nlu_files.discard(
            _ws(request), text=text, user=user, reason=str(body.get("reason") or "")
        )
    )
    return response.json(change)


@requires("trainer")
async def post_word(request: Request) -> HTTPResponse:
    word, user = str(_body(request).get("word") or ""), await _who(request)
    try:
        change = await asyncio.to_thread(
            lambda: segment.add_word(_ws(request), word=word, user=user)
        )
    except ValueError as exc:
        return _refused(exc)
    return response.json(change)


@requires("trainer")
async def post_job(request: Request) -> HTTPResponse:
    body, ws = _body(request), _ws(request)
    kind, name = str(body.get("kind") or ""), body.get("candidate")
    if kind not in JOB_KINDS:
        return error("bad_request", 400)
    if kind == "compare":
        try:
            training.candidate(ws, str(name))
        except KeyError:
            return error("not_found", 404)
    if runner.running(ws, kind):
        return error("job_running", 409)
    job_id = runner.spawn(ws, await _who(request), kind, name)
    return response.json({"id": job_id}, status=202)


@requires("trainer")
async def get_job(request: Request, job_id: str) -> HTTPResponse:
    status = jobs.read_job(_ws(request), job_id)
    return response.json(status) if status else error("not_found", 404)


@requires("trainer")
async def get_candidates(request: Request) -> HTTPResponse:
    ws = _ws(request)
    return response.json(
        {
            "candidates": training.list_candidates(ws),
            "models": activation.read_state(ws),
            "jobs": jobs.list_jobs(ws, limit=5),
            "intent_labels": INTENT_LABELS,
        }
    )


@requires("trainer")
async def get_report(request: Request, name: str) -> HTTPResponse:
    ws = _ws(request)
    try:
        model = Path(training.candidate(ws, name)["model"])
    except KeyError:
        return error("not_found", 404)
    path = activation.report_path(model)
    if not path.exists():
        return error("not_found", 404)
    return await response.file(path, mime_type="application/json")


@requires("trainer")
async def get_image(request: Request, name: str, image: str) -> HTTPResponse:
    ws = _ws(request)
    try:
        model = Path(training.candidate(ws, name)["model"])
    except KeyError:
        return error("not_found", 404)
    path = activation.report_path(model).parent / image
    if image not in PNG_NAMES or not path.exists():
        return error("not_found", 404)
    return await response.file(path, mime_type="image/png")


@requires("trainer")
async def post_activate(request: Request) -> HTTPResponse:
    ws, user = _ws(request), await _who(request)
    try:
        model = Path(training.candidate(ws, str(_body(request).get("candidate")))["model"])
    except KeyError:
        return error("not_found", 404)
    try:
        state = await asyncio.to_thread(
            lambda: activation.activate(
                ws, model=model, user=user, rasa_url=getattr(request.app.ctx, "rasa_url", None)
            )
        )
    except activation.ActivationError as exc:
        return _refused(exc)
    return response.json(state)


@requires("trainer")
async def post_rollback(request: Request) -> HTTPResponse:
    ws, user = _ws(request), await _who(request)
    try:
        state = await asyncio.to_thread(
            lambda: activation.rollback(
                ws, user=user, rasa_url=getattr(request.app.ctx, "rasa_url", None)
            )
        )
    except activation.ActivationError as exc:
        return _refused(exc)
    return response.json(state)


@requires("agent")
async def post_flag(request: Request) -> HTTPResponse:
    """An agent flags a buyer message the assistant misunderstood (for the inbox)."""
    body, user = _body(request), await _who(request)
    cid = str(body.get("conversation_id") or "").strip()
    if not cid or len(cid) > 200:
        return error("bad_request", 400)
    try:
        record = await asyncio.to_thread(
            lambda: add_flag(
                _ws(request),
                conversation_id=cid,
                user=user,
                message_id=str(body.get("message_id") or "")[:100],
                text=str(body.get("text") or ""),
                note=str(body.get("note") or ""),
            )
        )
    except ValueError:
        return error("bad_request", 400)
    return response.json(record, status=201)


@requires("trainer")
async def get_log(request: Request) -> HTTPResponse:
    records = read_log(_ws(request), limit=200)
    return response.json({"changes": list(reversed(records))})


ROUTES: list[tuple[str, str, Any, bool]] = [
    ("GET", "/console/trainer", page, True),
    ("GET", f"{API}/inbox", get_inbox, False),
    ("POST", f"{API}/segment", post_segment, False),
    ("POST", f"{API}/annotate", post_annotate, False),
    ("POST", f"{API}/discard", post_discard, False),
    ("POST", f"{API}/dictionary", post_word, False),
    ("POST", f"{API}/jobs", post_job, False),
    ("GET", f"{API}/jobs/<job_id:str>", get_job, False),
    ("GET", f"{API}/candidates", get_candidates, False),
    ("GET", f"{API}/candidates/<name:str>/report", get_report, False),
    ("GET", f"{API}/candidates/<name:str>/<image:str>", get_image, False),
    ("POST", f"{API}/activate", post_activate, False),
    ("POST", f"{API}/rollback", post_rollback, False),
    ("POST", "/console/api/flags", post_flag, False),
    ("GET", f"{API}/log", get_log, False),
]


def trainer_blueprint() -> Blueprint:
    """The trainer page and its API (:data:`ROUTES`)."""
    bp = Blueprint("console_trainer")
    for method, uri, handler, loose_slash in ROUTES:
        bp.add_route(handler, uri, methods=[method], strict_slashes=False if loose_slash else None)
    return bp

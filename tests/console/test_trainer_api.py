"""The trainers' API on the real console app: role, inbox, annotate, dictionary, refusals.

Works on a temporary copy of the project data (``Workspace.from_settings`` is
replaced), never on the repository's ``data/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from tests.console.conftest import HEADERS
from tests.trainer.conftest import CONVERSATIONS, copy_project, save_conversations
from trainer.workspace import Workspace, read_log

Login = Callable[[str], Awaitable[aiohttp.ClientSession]]
API = "/console/api/trainer"


@pytest.fixture()
def trainer_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    copy_project(tmp_path / "project")
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "jddc_buyer_turns.tsv").write_text(
        "text\tintent\tsession_id\n评测集里的一句话呀\tinform\ts\n", encoding="utf-8"
    )
    ws = Workspace(
        tmp_path / "project",
        tmp_path / "trainer",
        tmp_path / "candidates",
        tmp_path / "eval",
        f"sqlite:///{tmp_path / 'tracker.db'}",
    )
    save_conversations(ws.tracker_db_url, CONVERSATIONS)
    monkeypatch.setattr(Workspace, "from_settings", classmethod(lambda cls: ws))
    return ws


async def test_only_trainers_and_the_page(
    console: str, login: Login, trainer_ws: Workspace
) -> None:
    agent = await login("agent1")
    async with agent.get(f"{console}{API}/inbox") as resp:
        assert resp.status == 403
    async with agent.get(f"{console}/console/trainer") as resp:
        assert resp.status == 200  # the page itself is public; its data is not
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]


async def test_inbox_annotate_and_log(console: str, login: Login, trainer_ws: Workspace) -> None:
    trainer = await login("trainer")
    async with trainer.get(f"{console}{API}/inbox") as resp:
        data = await resp.json()
    assert data["groups"][0]["key"] == "这鞋子咋回事啊" and data["groups"][0]["count"] == 2
    assert "ask_material" in data["intents"] and "EXTERNAL_agent_closed" not in data["intents"]
    assert "color" in data["entities"]
    body = {
        "text": "這鞋子咋回事啊！！😡",
        "intent": "complain",
        "source": {"conversation_id": "b"},
    }
    async with trainer.post(f"{console}{API}/annotate", json=body) as resp:
        assert resp.status == 403  # no X-Console header
    async with trainer.post(f"{console}{API}/annotate", json=body, headers=HEADERS) as resp:
        change = await resp.json()
        assert resp.status == 200, change
    assert change["example"] == "这鞋子咋回事啊！！😡" and change["user"] == "trainer"
    assert "这鞋子咋回事啊！！😡" in (trainer_ws.project_dir / change["file"]).read_text("utf-8")
    async with trainer.post(f"{console}{API}/annotate", json=body, headers=HEADERS) as resp:
        assert resp.status == 400
        assert "已经有这个例句" in (await resp.json())["message"]
    evil = {"text": "评测集里的一句话呀", "intent": "inform"}
    async with trainer.post(f"{console}{API}/annotate", json=evil, headers=HEADERS) as resp:
        assert "评测集" in (await resp.json())["message"]
    async with trainer.get(f"{console}{API}/inbox") as resp:
        assert "这鞋子咋回事啊" not in {g["key"] for g in (await resp.json())["groups"]}
    async with trainer.get(f"{console}{API}/log") as resp:
        changes = (await resp.json())["changes"]
    assert changes[0]["action"] == "annotate" and changes[0]["user"] == "trainer"


async def test_segment_and_dictionary(console: str, login: Login, trainer_ws: Workspace) -> None:
    trainer = await login("trainer")
    body = {
        "text": "奶茶色高帮鞋是真皮的吗",
        "entities": [{"start": 0, "end": 3, "entity": "color"}],
    }
    async with trainer.post(f"{console}{API}/segment", json=body, headers=HEADERS) as resp:
        seg = await resp.json()
    assert seg["warnings"][0]["tokens"] == ["奶茶", "色高"]
    word = {"word": "奶茶色"}
    async with trainer.post(f"{console}{API}/dictionary", json=word, headers=HEADERS) as resp:
        assert resp.status == 200
    async with trainer.post(f"{console}{API}/dictionary", json=word, headers=HEADERS) as resp:
        assert resp.status == 400
    assert read_log(trainer_ws)[-1]["word"] == "奶茶色"
    async with trainer.post(f"{console}{API}/segment", json=body, headers=HEADERS) as resp:
        assert (await resp.json())["warnings"] == []


async def test_jobs_models_and_refusals(console: str, login: Login, trainer_ws: Workspace) -> None:
    trainer = await login("trainer")
    post = {"headers": HEADERS}
    async with trainer.post(f"{console}{API}/jobs", json={"kind": "rm"}, **post) as resp:
        assert resp.status == 400
    bad = {"kind": "compare", "candidate": "../../etc"}
    async with trainer.post(f"{console}{API}/jobs", json=bad, **post) as resp:
        assert resp.status == 404
    async with trainer.get(f"{console}{API}/jobs/nope-1") as resp:
        assert resp.status == 404
    async with trainer.get(f"{console}{API}/candidates") as resp:
        data = await resp.json()
    assert data["candidates"] == [] and data["models"]["previous"] is None
    async with trainer.post(f"{console}{API}/activate", json={"candidate": "cand-1"}, **post) as r:
        assert r.status == 404
    async with trainer.post(f"{console}{API}/rollback", **post) as resp:
        assert resp.status == 400
        assert "没有可以回滚" in (await resp.json())["message"]
    async with trainer.get(f"{console}{API}/candidates/cand-1/..%2Freport.json") as resp:
        assert resp.status == 404


async def test_agents_flag_messages_for_the_inbox(
    console: str, login: Login, trainer_ws: Workspace
) -> None:
    agent = await login("agent1")
    flag = {"conversation_id": "conv-c", "text": "能再便宜个五块不", "note": "其实在问优惠券"}
    async with agent.post(f"{console}/console/api/flags", json=flag, headers=HEADERS) as resp:
        assert resp.status == 201
    async with agent.post(f"{console}/console/api/flags", json={"conversation_id": "c"},
                          headers=HEADERS) as resp:  # fmt: skip
        assert resp.status == 400
    trainer = await login("trainer")
    async with trainer.get(f"{console}{API}/inbox") as resp:
        groups = {g["key"]: g for g in (await resp.json())["groups"]}
    assert groups["能再便宜个五块不"]["reasons"] == ["flagged"]
    assert read_log(trainer_ws)[-1]["user"] == "agent1"


async def test_a_job_runs_as_a_subprocess_and_reports_failure(
    console: str, login: Login, trainer_ws: Workspace
) -> None:
    """The console starts ``python -m trainer compare --job``; a broken model fails the job."""
    import asyncio
    import json

    trainer_ws.candidates_dir.mkdir(parents=True)
    model = trainer_ws.candidates_dir / "cand-20260101-000000.tar.gz"
    model.write_bytes(b"not a model")
    manifest = {"name": "cand-20260101-000000", "model": str(model), "user": "t", "created": "x"}
    (trainer_ws.candidates_dir / "cand-20260101-000000.json").write_text(json.dumps(manifest))
    trainer = await login("trainer")
    body = {"kind": "compare", "candidate": "cand-20260101-000000"}
    async with trainer.post(f"{console}{API}/jobs", json=body, headers=HEADERS) as resp:
        assert resp.status == 202
        job_id = (await resp.json())["id"]
    async with trainer.post(f"{console}{API}/jobs", json=body, headers=HEADERS) as resp:
        assert resp.status == 409  # one at a time
    status: dict = {}
    for _ in range(180):
        async with trainer.get(f"{console}{API}/jobs/{job_id}") as resp:
            status = await resp.json() if resp.status == 200 else {}
        if status.get("state") in {"done", "failed"}:
            break
        await asyncio.sleep(1)
    assert status["state"] == "failed" and status["user"] == "trainer"
    assert status["error"]

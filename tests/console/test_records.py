"""Conversation records: search filters at their edges, pagination, masked streamed
exports and the access log, through the store and the real console app."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console import records
from console.records_store import Filters, InvalidFilterError
from shop.db.models import RecordAccess
from shop.db.session import session_scope
from tests.console.conftest import Client
from tests.console.records_data import ADDRESS, PHONE, at, bot, sample, store, user

ORDER = "2026010506679357"  # B005's
Login = Callable[[str], Awaitable[Client]]


@pytest.fixture()
def tracker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shop_db: None) -> Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    store(engine, sample(ORDER))
    monkeypatch.setattr(records, "tracker_engine", lambda: engine)
    return engine


def ids(**args: str) -> list[str]:
    found = records.search(Filters.parse(args), 1, 20)
    return [c["conversation_id"] for c in found["conversations"]]


def test_every_conversation_latest_first(tracker: Engine) -> None:
    found = records.search(Filters(), 1, 20)
    assert found["total"] == 3
    rows = {c["conversation_id"]: c for c in found["conversations"]}
    assert list(rows) == ["guest-2", "guest-1", "buyer-B005"]
    b005 = rows["buyer-B005"]
    assert (b005["buyer_name"], b005["handled_by"], b005["handled_by_label"]) == (
        "陈静",
        "agent",
        "人工客服",
    )
    assert b005["intents"][0] == {"intent": "request_return", "label": "要退货"}
    assert rows["guest-1"]["handled_by"] == "assistant"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"from": "2026-11-05", "to": "2026-11-05"}, ["guest-1"]),  # 00:00:00 and 23:59:59
        ({"from": "2026-11-06"}, ["guest-2"]),  # the day starts at 00:00:00 shop time
        ({"to": "2026-11-04"}, ["buyer-B005"]),
        ({"from": "2026-11-07"}, []),
        ({"buyer": "B005"}, ["buyer-B005"]),
        ({"buyer": "b005"}, ["buyer-B005"]),
        ({"buyer": "陈静"}, ["buyer-B005"]),
        ({"buyer": "9448"}, ["buyer-B005"]),  # the phone's last four digits
        ({"buyer": "陈"}, []),  # no partial names
        ({"order": ORDER}, ["guest-2", "buyer-B005"]),  # typed, and its buyer's conversation
        ({"order": ORDER, "buyer": "B005"}, ["buyer-B005"]),
        ({"order": "2099999999999999"}, []),
        ({"intent": "greet"}, ["guest-1"]),
        ({"handled_by": "agent"}, ["buyer-B005"]),
        ({"handled_by": "assistant"}, ["guest-2", "guest-1"]),
        ({"q": "退货"}, ["buyer-B005"]),  # Chinese, stored as \\uXXXX
        ({"q": "小美"}, ["buyer-B005"]),  # what the agent said
        ({"q": "100%"}, []),  # LIKE wildcards are literal
        ({"q": "在的亲", "handled_by": "assistant"}, ["guest-1"]),
    ],
)
def test_filters(tracker: Engine, args: dict[str, str], expected: list[str]) -> None:
    assert ids(**args) == expected


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-11-06", "to": "2026-11-05"}, "to"),
        ({"from": "2026-13-01"}, "from"),
        ({"handled_by": "robot"}, "handled_by"),
        ({"order": "12;--"}, "order"),
        ({"intent": "a b"}, "intent"),
        ({"q": "字" * 51}, "q"),
    ],
)
def test_bad_filters(args: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidFilterError) as caught:
        Filters.parse(args)
    assert caught.value.field == field


def test_pagination(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shop_db: None) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}", future=True)
    store(engine, {f"c{i:02}": [user("在吗", "greet", at(1, 8, i))] for i in range(25)})
    monkeypatch.setattr(records, "tracker_engine", lambda: engine)
    pages = [records.search(Filters(), n, 10) for n in (1, 2, 3, 4)]
    assert [p["pages"] for p in pages] == [3, 3, 3, 3]
    shown = [[c["conversation_id"] for c in p["conversations"]] for p in pages]
    assert [len(s) for s in shown] == [10, 10, 5, 0]
    assert shown[0][0] == "c24" and shown[2][-1] == "c00"
    assert len({cid for s in shown for cid in s}) == 25


async def test_agents_and_owners_search_view_and_export_masked(
    console: str, login: Login, tracker: Engine
) -> None:
    for name in ("agent1", "owner"):
        http = await login(name)
        async with http.get(f"{console}/console/api/records?buyer=B005") as resp:
            assert resp.status == 200
            body = await resp.json()
        assert body["total"] == 1 and body["filters"] == {"buyer": "B005"}
    async with http.get(f"{console}/console/api/records/conversation?id=buyer-B005") as resp:
        detail = await resp.json()
    texts = [m["text"] for m in detail["messages"]]
    assert "点了「确认提交」" in texts and "/affirm" not in json.dumps(detail, ensure_ascii=False)
    async with http.get(f"{console}/console/api/records/export?format=csv&to=2026-11-30") as resp:
        assert resp.status == 200
        assert "attachment" in resp.headers["Content-Disposition"]
        assert resp.headers.get("Transfer-Encoding") == "chunked"  # streamed
        text = (await resp.read()).decode("utf-8")
    assert text.startswith("\ufeffconversation_id,buyer_id,handled_by,time,who")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["conversation_id"] for r in rows} == {"buyer-B005", "guest-1", "guest-2"}
    assert PHONE not in text and "138****5678" in text
    assert "文三路" not in text and "[地址已隐藏]" in text
    async with http.get(f"{console}/console/api/records/export?format=json&buyer=B005") as resp:
        exported = json.loads(await resp.read())
    assert exported["count"] == 1 and exported["filters"] == {"buyer": "B005"}
    dumped = json.dumps(exported, ensure_ascii=False)
    assert PHONE not in dumped and ADDRESS not in dumped
    async with http.get(f"{console}/console/api/records/access-log") as resp:
        log = (await resp.json())["entries"]
    assert [e["action"] for e in log][:3] == ["export", "export", "view"]
    assert log[0]["format"] == "json" and log[1]["filters"] == {"to": "2026-11-30"}
    with session_scope() as session:
        rows_ = session.execute(sa.select(RecordAccess).order_by(RecordAccess.id)).scalars().all()
        seen = [(r.username, r.action, r.conversation_id, r.result_count) for r in rows_]
    assert seen == [
        ("agent1", "search", None, 1), ("owner", "search", None, 1),
        ("owner", "view", "buyer-B005", None), ("owner", "export", None, 3),
        ("owner", "export", None, 1),
    ]  # fmt: skip


async def test_roles_and_bad_requests(console: str, login: Login, tracker: Engine) -> None:
    trainer = await login("trainer")
    for path in ("/console/api/records", "/console/api/records/export"):
        async with trainer.get(console + path) as resp:
            assert resp.status == 403
    async with trainer.get(f"{console}/console/records") as resp:
        assert resp.status == 403
    agent = await login("agent1")
    async with agent.get(f"{console}/console/api/records/access-log") as resp:
        assert resp.status == 403
    async with agent.get(f"{console}/console/api/records?from=2026-11-09&to=2026-11-01") as resp:
        assert (resp.status, await resp.json()) == (400, {"error": "invalid", "field": "to"})
    async with agent.get(f"{console}/console/api/records/export?format=xml") as resp:
        assert resp.status == 400
    async with agent.get(f"{console}/console/api/records/conversation?id=nobody") as resp:
        assert resp.status == 404
    async with agent.get(f"{console}/console/records?order={ORDER}") as resp:
        page = await resp.text()
    assert resp.status == 200 and 'id="records-total">2<' in page and "陈静" in page
    async with agent.get(f"{console}/console/records/conversation?id=buyer-B005") as resp:
        page = await resp.text()
    assert "点了「确认提交」" in page and "客服小美" in page


def test_an_agent_message_counts_as_handled_by_an_agent(tracker: Engine) -> None:
    store(
        tracker, {"guest-3": [user("你好", "greet", at(7)), bot("我来", at(7, 11), agent="阿杰")]}
    )
    assert ids(handled_by="agent") == ["guest-3", "buyer-B005"]

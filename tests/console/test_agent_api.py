"""The agents' API against the real app and database with a fake Rasa: the exact
events sent to Rasa, queue and assignment, replies, hand-back, close, release
(export: test_export.py; quick replies and photos: test_agent_extras.py)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
import pytest

from shop.db.models import Escalation, Photo
from shop.db.session import session_scope
from tests.console.conftest import HEADERS, JOINED, WELCOME, FakeRasa

Login = Callable[[str], Awaitable[aiohttp.ClientSession]]
API = "/console/api"


async def call(
    session: aiohttp.ClientSession, console: str, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    async with session.request(method, f"{console}{API}{path}", json=body, headers=HEADERS) as r:
        text = await r.text()
        return r.status, json.loads(text) if text and r.content_type == "application/json" else text


PAUSE = {"event": "pause"}


def joined(name: str, agent_id: int) -> dict[str, Any]:
    text = JOINED.replace("{agent_name}", name)
    return {"event": "bot", "text": text, "metadata": {"agent_name": name, "agent_id": agent_id}}


def row(escalation_id: int) -> Escalation:
    with session_scope() as session:
        found = session.get(Escalation, escalation_id)
        assert found is not None
        return found


async def go(session: aiohttp.ClientSession, console: str, presence: str) -> dict[str, Any]:
    """Switches the agent to ``presence`` (online / away / offline)."""
    status, body = await call(session, console, "PUT", "/presence", {"status": presence})
    assert status == 200, body
    return body


async def test_the_queue_poll_of_an_online_agent_auto_assigns_with_a_joined_message(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
    staff: dict[str, int],
) -> None:
    urgent = escalation("c-urgent", priority=1, buyer_id="B005")
    normal = escalation("c-normal")
    third = escalation("c-third", priority=3)
    rasa.add(
        "c-urgent",
        {"event": "user", "text": "转人工"},
        {"event": "pause"},
        {"event": "user", "text": "在吗"},
        {"event": "user", "text": "快点"},
    )
    agent1 = await login("agent1")
    await go(agent1, console, "online")
    status, body = await call(agent1, console, "GET", "/queue")
    assert status == 200
    assert [e["id"] for e in body["mine"]] == [urgent, normal]  # max_open 2
    assert [e["id"] for e in body["waiting"]] == [third]
    assert body["others"] == []
    first = body["mine"][0]
    assert first["buyer_name"] == "陈静" and first["agent"] == {
        "username": "agent1",
        "display_name": "AGENT1",
    }
    assert first["unread"] == 0  # the joined message counts as the agent's
    assert first["last_buyer_message_at"] is not None
    agent = {"open": 0, "max_open": 2, "left": 0}
    assert body["agents"] == [
        {**agent, "username": "agent1", "display_name": "AGENT1", "online": True, "open": 2,
         "status": "online"},
        {**agent, "username": "agent2", "display_name": "AGENT2", "online": False,
         "status": "offline"},
    ]  # fmt: skip
    assert body["me"] == body["agents"][0] and body["buyer_left_minutes"] == 15
    assert not first["buyer_left"] and first["buyer_seen_at"].endswith("+08:00")
    pushes = [c for c in rasa.calls if c[0] == "events"]
    assert pushes == [
        ("events", cid, {"events": [PAUSE, joined("AGENT1", staff["agent1"])], "push": True})
        for cid in ("c-urgent", "c-normal")
    ]
    rasa.add("c-urgent", {"event": "user", "text": "还在吗"})
    status, body = await call(agent1, console, "GET", "/queue")
    assert body["mine"][0]["unread"] == 1
    assert len([c for c in rasa.calls if c[0] == "events"]) == 2  # nothing new to assign
    agent2 = await login("agent2")
    status, body = await call(agent2, console, "GET", "/queue")
    assert body["mine"] == [] and body["me"]["status"] == "offline"  # logged in: not online
    await go(agent2, console, "online")
    status, body = await call(agent2, console, "GET", "/queue")
    assert [e["id"] for e in body["mine"]] == [third]
    assert [e["id"] for e in body["others"]] == [urgent, normal]


async def test_claim_pushes_joined_and_refuses_a_second_claimer(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
    staff: dict[str, int],
) -> None:
    first, second, third = escalation("c1"), escalation("c2"), escalation("c3")
    agent1, agent2 = await login("agent1"), await login("agent2")
    status, body = await call(agent2, console, "POST", f"/escalations/{first}/claim")
    assert status == 200
    assert body["status"] == "assigned" and body["agent"]["username"] == "agent2"
    assert body["assigned_at"] and body["waiting_seconds"] >= 0
    assert rasa.calls == [
        ("events", "c1", {"events": [PAUSE, joined("AGENT2", staff["agent2"])], "push": True})
    ]
    assert await call(agent1, console, "POST", f"/escalations/{first}/claim") == (
        409,
        {"error": "already_claimed"},
    )
    status, _ = await call(agent2, console, "POST", f"/escalations/{first}/claim")
    assert status == 200 and len(rasa.calls) == 1  # already theirs: no second message
    await call(agent2, console, "POST", f"/escalations/{second}/claim")
    assert await call(agent2, console, "POST", f"/escalations/{third}/claim") == (
        409,
        {"error": "agent_full"},
    )
    assert await call(agent2, console, "POST", "/escalations/999/claim") == (
        404,
        {"error": "not_found"},
    )


async def test_detail_messages_context_and_suggestion(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
    staff: dict[str, int],
) -> None:
    esc = escalation("buyer-B005", buyer_id="B005", order_id="2026010506679357")
    with session_scope() as session:
        session.add(
            Photo(
                id="a" * 32,
                conversation_id="buyer-B005",
                buyer_id="B005",
                content_type="image/png",
                size_bytes=10,
                width=1,
                height=1,
                sha256="0" * 64,
                storage_path="2026/12/x.png",
                created_at=datetime(2026, 12, 1, 9, 0),
            )
        )
    rasa.add(
        "buyer-B005",
        {
            "event": "user",
            "text": "转人工",
            "parse_data": {"intent": {"name": "request_human", "confidence": 0.97}},
        },
        {
            "event": "bot",
            "text": "正在为您转接",
            "data": {"buttons": [{"title": "好", "payload": "/affirm"}]},
        },
        {"event": "pause"},
        {"event": "action", "name": "action_listen"},
        {"event": "pause"},  # the console pauses again when the agent joins: shown once
        {"event": "user", "text": '/send_photo{"photo_id":"' + "a" * 32 + '"}'},
        {
            "event": "user",
            "text": "EXTERNAL: EXTERNAL_agent_handback",
            "metadata": {"is_external": True},
        },
        {"event": "bot", "text": "您好", "metadata": {"agent_name": "AGENT1", "agent_id": 1}},
        {"event": "resume"},
        {"event": "user", "text": "谢谢你"},
    )
    rasa.parse_result = {"intent": {"name": "thank", "confidence": 0.93}}
    agent = await login("agent1")
    status, body = await call(agent, console, "GET", f"/escalations/{esc}")
    assert status == 200
    assert body["escalation"]["id"] == esc and body["escalation"]["unread"] == 1
    assert [(m["who"], m["text"]) for m in body["messages"]] == [
        ("buyer", "转人工"),
        ("bot", "正在为您转接"),
        ("system", "机器人已暂停（转人工）"),
        ("buyer", ""),
        ("system", "客服交还机器人"),
        ("agent", "您好"),
        ("system", "机器人已恢复"),
        ("buyer", "谢谢你"),
    ]
    first, bot, _, photo, _, reply = body["messages"][:6]
    assert (first["intent"], first["intent_label"], first["confidence"]) == (
        "request_human",
        "要求人工",
        0.97,
    )
    assert first["time"].endswith("+08:00")
    assert bot["buttons"] == [{"title": "好"}]  # titles only: staff never see a payload
    assert photo["photo_id"] == "a" * 32
    assert reply["agent_name"] == "AGENT1"
    assert body["buyer"] == {"id": "B005", "name": "陈静", "phone": "157****9448"}
    assert {o["id"] for o in body["orders"]} == {"2026010506679357", "2026020112025729"}
    assert all("****" in o["recipient_phone"] for o in body["orders"])
    assert body["photos"][0]["url"] == f"{API}/photos/{'a' * 32}"
    assert body["suggestions"] == [
        {"text": WELCOME, "intent": "thank", "confidence": 0.93, "source": "rule"}
    ]
    assert ("parse", "", "谢谢你") in rasa.calls
    rasa.parse_result = {"intent": {"name": "greet", "confidence": 0.99}}
    again = (await call(agent, console, "GET", f"/escalations/{esc}"))[1]["suggestions"]
    assert again == body["suggestions"]  # kept per buyer message: the page polls
    assert [c for c in rasa.calls if c[0] == "parse"] == [("parse", "", "谢谢你")]
    assert await call(agent, console, "GET", "/escalations/999") == (404, {"error": "not_found"})
    rasa.down = True
    assert await call(agent, console, "GET", f"/escalations/{esc}") == (
        502,
        {"error": "rasa_unavailable"},
    )


async def test_reply_only_by_the_assigned_agent_with_exact_event(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
    staff: dict[str, int],
) -> None:
    esc = escalation("c-reply")
    agent1, agent2 = await login("agent1"), await login("agent2")
    path = f"/escalations/{esc}/reply"
    assert await call(agent1, console, "POST", path, {"text": "您好"}) == (
        409,
        {"error": "not_assigned"},
    )
    await call(agent1, console, "POST", f"/escalations/{esc}/claim")
    rasa.calls.clear()
    for bad in [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 1001}, {"text": 5}]:
        status, body = await call(agent1, console, "POST", path, bad)
        assert (status, body["error"]) == (400, "invalid")
    assert await call(agent2, console, "POST", path, {"text": "我来"}) == (
        409,
        {"error": "not_assigned"},
    )
    rasa.down = True
    assert (await call(agent1, console, "POST", path, {"text": "您好"}))[0] == 502
    assert row(esc).first_reply_at is None
    rasa.down = False
    assert await call(agent1, console, "POST", path, {"text": " 您好，我看一下订单 "}) == (
        200,
        {"ok": True},
    )
    event = {
        "event": "bot",
        "text": "您好，我看一下订单",
        "metadata": {"agent_name": "AGENT1", "agent_id": staff["agent1"]},
    }
    assert rasa.calls == [("events", "c-reply", {"events": [event], "push": True})]
    first = row(esc).first_reply_at
    assert first is not None
    await call(agent1, console, "POST", path, {"text": "好了"})
    assert row(esc).first_reply_at == first


@pytest.mark.parametrize(
    ("action", "body", "intent", "outcome"),
    [
        ("handback", None, "EXTERNAL_agent_handback", "handed_back"),
        ("close", {"note": "已补发"}, "EXTERNAL_agent_closed", "closed"),
    ],
)
async def test_handback_and_close_resume_then_trigger_the_intent(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
    staff: dict[str, int],
    action: str,
    body: Any,
    intent: str,
    outcome: str,
) -> None:
    esc = escalation("c-done")
    agent1, agent2 = await login("agent1"), await login("agent2")
    await call(agent1, console, "POST", f"/escalations/{esc}/claim")
    path = f"/escalations/{esc}/{action}"
    assert (await call(agent2, console, "POST", path, body))[0] == 409
    if action == "close":
        for bad in [{}, {"note": ""}, {"note": "x" * 501}]:
            assert (await call(agent1, console, "POST", path, bad))[0] == 400
    rasa.calls.clear()
    rasa.down = True
    assert (await call(agent1, console, "POST", path, body))[0] == 502
    assert row(esc).status == "assigned"
    rasa.down = False
    status, answer = await call(agent1, console, "POST", path, body)
    assert status == 200
    assert (answer["status"], answer["outcome"]) == ("resolved", outcome)
    resume = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    assert rasa.calls == [
        ("events", "c-done", {"events": resume, "push": False}),
        ("trigger_intent", "c-done", intent),
    ]
    saved = row(esc)
    assert saved.resolved_at is not None and saved.outcome == outcome
    assert saved.resolution_note == (body or {}).get("note")
    assert (await call(agent1, console, "POST", path, body))[0] == 409


async def test_release_returns_to_the_queue_not_straight_back_to_the_same_agent(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
    staff: dict[str, int],
) -> None:
    esc = escalation("c-rel")
    agent1, agent2 = await login("agent1"), await login("agent2")
    await go(agent1, console, "online")
    await call(agent1, console, "POST", f"/escalations/{esc}/claim")
    assert (await call(agent2, console, "POST", f"/escalations/{esc}/release"))[0] == 409
    status, body = await call(agent1, console, "POST", f"/escalations/{esc}/release")
    assert status == 200 and body["status"] == "waiting" and body["agent"] is None
    _, queue = await call(agent1, console, "GET", "/queue")
    assert [e["id"] for e in queue["waiting"]] == [esc]
    await go(agent2, console, "online")
    _, queue = await call(agent2, console, "GET", "/queue")
    assert [e["id"] for e in queue["mine"]] == [esc]

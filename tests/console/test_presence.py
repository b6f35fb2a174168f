"""Agent presence (在线 / 离开 / 离线) and buyers who left (已离开) through the agents' API,
and the owner's quick replies (API and page)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp
from sqlalchemy import update

from shop.clock import shop_now
from shop.db.escalations.queue import BUYER_LEFT_AFTER
from shop.db.models import Escalation
from shop.db.session import session_scope
from tests.console.conftest import HEADERS, FakeRasa
from tests.console.test_agent_api import call, go

Login = Callable[[str], Awaitable[aiohttp.ClientSession]]


def buyer_left(*escalation_ids: int) -> None:
    """The buyers of these escalations last wrote exactly the threshold ago."""
    with session_scope() as session:
        session.execute(
            update(Escalation)
            .where(Escalation.id.in_(escalation_ids))
            .values(buyer_seen_at=shop_now() - BUYER_LEFT_AFTER)
        )


async def test_logging_in_is_not_being_online_and_the_switch_is_kept(
    console: str, login: Login, escalation: Callable[..., int]
) -> None:
    esc = escalation("c-new")
    agent1 = await login("agent1")
    status, me = await call(agent1, console, "GET", "/presence")
    assert (status, me["status"], me["online"]) == (200, "offline", False)
    _, queue = await call(agent1, console, "GET", "/queue")
    assert [e["id"] for e in queue["waiting"]] == [esc] and queue["mine"] == []
    for bad in [{}, {"status": "busy"}, {"status": 1}]:
        assert await call(agent1, console, "PUT", "/presence", bad) == (
            400,
            {"error": "invalid", "field": "status"},
        )
    assert (await go(agent1, console, "away"))["online"] is False
    _, queue = await call(agent1, console, "GET", "/queue")
    assert queue["mine"] == [] and queue["me"]["status"] == "away"
    assert (await go(agent1, console, "online"))["online"] is True
    _, queue = await call(agent1, console, "GET", "/queue")
    assert [e["id"] for e in queue["mine"]] == [esc]
    again = await login("agent1")  # a new session keeps the switch
    assert (await call(again, console, "GET", "/presence"))[1]["status"] == "online"
    async with agent1.put(f"{console}/console/api/presence", json={"status": "away"}) as resp:
        assert resp.status == 403  # no X-Console header


async def test_an_offline_agent_gets_nothing_and_a_claim_is_still_theirs_to_make(
    console: str, login: Login, escalation: Callable[..., int]
) -> None:
    esc = escalation("c-off")
    agent1 = await login("agent1")
    await go(agent1, console, "offline")
    for _ in range(2):
        _, queue = await call(agent1, console, "GET", "/queue")
        assert queue["mine"] == []
    status, body = await call(agent1, console, "POST", f"/escalations/{esc}/claim")
    assert status == 200 and body["agent"]["username"] == "agent1"


async def test_conversations_whose_buyers_left_are_marked_not_counted_and_not_assigned(
    console: str, login: Login, rasa: FakeRasa, escalation: Callable[..., int]
) -> None:
    """agent1 (max 2) holds two conversations whose buyers left: a new buyer still gets in.
    A waiting one whose buyer left is listed last, marked, and not assigned."""
    held = [escalation(f"c-held-{n}") for n in range(2)]
    agent1 = await login("agent1")
    for esc in held:
        await call(agent1, console, "POST", f"/escalations/{esc}/claim")
    full = escalation("c-full")
    status, body = await call(agent1, console, "POST", f"/escalations/{full}/claim")
    assert (status, body) == (409, {"error": "agent_full"})
    stale = escalation("c-stale", created_at=shop_now() - timedelta(hours=1))
    buyer_left(*held, stale)
    new = escalation("c-new")
    await go(agent1, console, "online")
    _, queue = await call(agent1, console, "GET", "/queue")
    mine = {e["id"]: e["buyer_left"] for e in queue["mine"]}
    assert mine == {held[0]: True, held[1]: True, full: False, new: False}
    assert [(e["id"], e["buyer_left"]) for e in queue["waiting"]] == [(stale, True)]
    assert (queue["me"]["open"], queue["me"]["left"], queue["me"]["max_open"]) == (2, 2, 2)
    status, body = await call(agent1, console, "POST", f"/escalations/{stale}/claim")
    assert status == 200 and body["buyer_left"] is True  # 已离开: claimable at the limit
    reply = {"text": "您好，看到您的留言了，回来后直接回复我就行"}
    assert await call(agent1, console, "POST", f"/escalations/{stale}/reply", reply) == (
        200,
        {"ok": True},
    )


async def test_one_online_agent_with_stale_conversations_gets_the_new_buyer_in_one_poll(
    console: str, login: Login, rasa: FakeRasa, escalation: Callable[..., int]
) -> None:
    stale = [
        escalation(f"c-stale-{n}", created_at=shop_now() - timedelta(hours=1)) for n in range(3)
    ]
    buyer_left(*stale)
    agent1 = await login("agent1")
    await go(agent1, console, "online")
    _, queue = await call(agent1, console, "GET", "/queue")
    assert queue["mine"] == [] and len(queue["waiting"]) == 3  # logging in: no stale ones
    new = escalation("c-fresh")
    _, queue = await call(agent1, console, "GET", "/queue")
    assert [e["id"] for e in queue["mine"]] == [new]
    assert [c[1] for c in rasa.calls if c[0] == "events"] == ["c-fresh"]  # joined message


async def test_the_owner_edits_the_shops_quick_replies(
    console: str, login: Login, client: Callable[[], aiohttp.ClientSession]
) -> None:
    owner, agent1 = await login("owner"), await login("agent1")
    path = "/owner/quick-replies"
    status, made = await call(owner, console, "POST", path, {"title": "运费险", "text": "有运费险"})
    assert status == 201 and made["title"] == "运费险"
    rid = made["id"]
    assert (await call(owner, console, "PUT", f"{path}/{rid}", {"title": "运费险", "text": "赔"}))[
        0
    ] == 200
    assert [r["text"] for r in (await call(agent1, console, "GET", "/quick-replies"))[1]] == ["赔"]
    assert (await call(agent1, console, "GET", path))[0] == 403
    assert (await call(owner, console, "POST", path, {"title": "", "text": "x"}))[0] == 400
    assert (await call(owner, console, "DELETE", f"{path}/{rid}"))[0] == 204
    assert (await call(owner, console, "DELETE", f"{path}/{rid}"))[0] == 404
    async with owner.get(f"{console}/console/quick-replies") as resp:
        assert resp.status == 200 and "快捷回复" in await resp.text()
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    async with agent1.get(f"{console}/console/quick-replies") as resp:
        assert resp.status == 403
    async with client().get(
        f"{console}/console/quick-replies", allow_redirects=False, headers=HEADERS
    ) as resp:
        assert resp.status in (302, 303, 307) and resp.headers["Location"] == "/console"

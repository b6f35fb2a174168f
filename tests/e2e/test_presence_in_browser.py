"""Presence and fair assignment against the real servers, in Chromium: an agent who is
离线 gets nothing; switched to 在线 with stale conversations (buyers who left) in the
queue, a new buyer is told they are first and is assigned within one queue poll; the
stale ones stay waiting, marked 已离开; the assistant's answer is offered as a suggestion
and the demo's quick replies are there.

Screenshots go to var/screenshots/presence-*.png.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from shop.clock import shop_now
from tests.e2e.conftest import Servers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AGENT, PASSWORD = "agent1", "demo1234"  # demo staff, created by the servers fixture
POLL = 2.0  # seconds between the console's queue polls (queue.js)
SLOW = 30_000  # ms


def _sql(servers: Servers, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(servers.database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _close_open(servers: Servers) -> None:
    _sql(
        servers,
        "UPDATE escalations SET status = 'resolved', outcome = 'closed',"
        " resolution_note = 'closed by the e2e presence test' WHERE status != 'resolved'",
    )


@pytest.fixture()
def quiet_shop(servers: Servers) -> Iterator[list[str]]:
    """No open escalations but three whose buyers left 30 minutes ago; agent1 离线.
    Yields the stale conversation ids; afterwards everything is closed and agent1 离线."""
    _close_open(servers)
    _sql(servers, "UPDATE staff_users SET presence = 'offline' WHERE username = :u", u=AGENT)
    stale = [f"stale-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    long_ago = shop_now().replace(microsecond=0) - timedelta(minutes=30)
    for cid in stale:
        _sql(
            servers,
            "INSERT INTO escalations (conversation_id, reason, priority, summary, status,"
            " created_at, buyer_seen_at) VALUES (:c, 'request_human', 2, '', 'waiting', :t, :t)",
            c=cid,
            t=long_ago,
        )
    yield stale
    _close_open(servers)
    _sql(
        servers,
        "UPDATE staff_users SET presence = 'offline', last_seen_at = NULL WHERE username = :u",
        u=AGENT,
    )


@pytest.fixture()
def agent(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()  # before quiet_shop's teardown: no poll after it


def _shot(page: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"presence-{step}.png"))


def _ask_for_a_person(servers: Servers) -> tuple[str, str, int]:
    """A new REST buyer asks for a person: (conversation id, what they read, escalation id)."""
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    said = servers.texts(sender, "转人工")
    rows = _sql(servers, "SELECT id FROM escalations WHERE conversation_id = :c", c=sender)
    assert len(rows) == 1, (said, rows)
    return sender, said, rows[0][0]


def _status(servers: Servers, escalation_id: int) -> tuple[str, str | None]:
    rows = _sql(
        servers,
        "SELECT e.status, s.username FROM escalations e"
        " LEFT JOIN staff_users s ON s.id = e.agent_id WHERE e.id = :i",
        i=escalation_id,
    )
    return rows[0][0], rows[0][1]


def _assigned_within(servers: Servers, escalation_id: int, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if _status(servers, escalation_id) == ("assigned", AGENT):
            return time.monotonic() - start
        time.sleep(0.1)
    pytest.fail(f"escalation {escalation_id} not assigned within {seconds}s")


def test_offline_gets_nothing_online_gets_the_new_buyer_in_one_poll(
    servers: Servers, quiet_shop: list[str], agent: Any
) -> None:
    agent.goto(f"{servers.console_url}/console/")
    agent.locator("#login-username").fill(AGENT)
    agent.locator("#login-password").fill(PASSWORD)
    agent.locator("#login-submit").click()
    switch = agent.locator("#presence-switch")
    offline = switch.locator("[data-presence='offline']")
    expect(offline).to_have_attribute("aria-checked", "true")  # logging in is not online
    stale = agent.locator("#queue-waiting .queue-item.buyer-left")
    expect(stale).to_have_count(3)
    expect(stale.first.locator(".left-badge")).to_have_text("已离开")

    first, said, first_id = _ask_for_a_person(servers)
    assert "暂时没有客服在线" in said, said  # an offline agent does not count
    expect(agent.locator(f"#queue-waiting .queue-item[data-conversation='{first}']")).to_be_visible(
        timeout=SLOW
    )
    time.sleep(3 * POLL)  # three more polls of an offline agent
    assert _status(servers, first_id) == ("waiting", None)
    expect(agent.locator("#queue-mine .queue-item")).to_have_count(0)
    _shot(agent, "1-offline")

    switch.locator("[data-presence='online']").click()
    expect(switch.locator("[data-presence='online']")).to_have_attribute("aria-checked", "true")
    _assigned_within(servers, first_id, POLL + 2)
    expect(agent.locator(f"#queue-mine .queue-item[data-conversation='{first}']")).to_be_visible()
    time.sleep(POLL)
    assert all(
        _sql(servers, "SELECT status FROM escalations WHERE conversation_id = :c", c=c)
        == [("waiting",)]
        for c in quiet_shop
    )  # going online hands over no stale conversation

    second, said, second_id = _ask_for_a_person(servers)
    assert "排在第1位" in said and "3分钟" in said, said  # the stale ones are not ahead
    waited = _assigned_within(servers, second_id, POLL + 1.5)
    assert waited <= POLL + 1.5
    expect(agent.locator(f"#queue-mine .queue-item[data-conversation='{second}']")).to_be_visible()
    expect(stale).to_have_count(3)
    _shot(agent, "2-online")

    # The buyer writes while the agent has the conversation; the assistant's own answer
    # (predicted by Rasa, answered from the shop's policy) is offered to the agent.
    assert servers.chat(first, "几点前下单当天发货") == []
    agent.locator(f"#queue-mine .queue-item[data-conversation='{first}']").click()
    chip = agent.locator("#suggestion-chips .chip")
    expect(chip.first).to_be_visible(timeout=SLOW)
    assert "16:00" in (chip.first.get_attribute("title") or "")
    chip.first.click()
    assert "16:00" in agent.locator("#reply").input_value()
    agent.locator("#tab-quick").click()  # the demo's quick replies (console.staff demo)
    for title in ("退货地址", "发货时间", "尺码建议", "运费险"):
        expect(agent.locator("#quick-list .quick-title").filter(has_text=title)).to_have_count(1)
    _shot(agent, "3-suggestion")

    switch.locator("[data-presence='offline']").click()
    expect(offline).to_have_attribute("aria-checked", "true")
    third, said, third_id = _ask_for_a_person(servers)
    assert "暂时没有客服在线" in said, said
    time.sleep(3 * POLL)
    assert _status(servers, third_id) == ("waiting", None)
    _shot(agent, "4-offline-again")
    assert agent.errors == []


def test_the_owner_edits_the_quick_replies_agents_use(servers: Servers, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 860}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{servers.console_url}/console/quick-replies")
        expect(page.locator("#login-form")).to_be_visible()  # no session: the login first
        page.locator("#login-username").fill("owner")
        page.locator("#login-password").fill(PASSWORD)
        page.locator("#login-submit").click()
        page.wait_for_url("**/console/owner**")
        page.goto(f"{servers.console_url}/console/quick-replies")
        titles = page.locator("#admin-list .quick-title")
        for title in ("退货地址", "发货时间", "尺码建议", "运费险"):
            expect(titles.filter(has_text=title)).to_have_count(1)
        page.locator("#admin-title").fill("鞋盒破损")
        page.locator("#admin-text").fill("抱歉亲，鞋盒在运输中压坏了，我们给您补寄一个新鞋盒。")
        page.locator("#admin-save").click()
        added = page.locator("#admin-list .quick-item").filter(has_text="鞋盒破损")
        expect(added).to_have_count(1)
        added.get_by_role("button", name="编辑").click()
        page.locator("#admin-text").fill("抱歉亲，我们马上给您补寄新鞋盒。")
        page.locator("#admin-save").click()
        expect(added).to_contain_text("马上给您补寄")
        _shot(page, "5-owner-quick-replies")
        remove = added.get_by_role("button", name="删除")
        remove.click()
        added.get_by_role("button", name="确认删除").click()
        expect(added).to_have_count(0)
        assert errors == []
    finally:
        context.close()

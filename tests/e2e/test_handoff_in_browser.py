"""A whole takeover in two browsers against the real servers: a buyer asks for a person
in the widget, an agent logs in to the console, takes the conversation, replies, the
buyer sees the reply, the agent hands back and the assistant answers again.

Screenshots of both pages at each step go to var/screenshots/handoff-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from shop.identity import issue_token
from tests.e2e.conftest import Servers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
BUYER = "B013"  # 马超: two orders; no other end-to-end test uses him
AGENT, PASSWORD = "agent1", "demo1234"  # demo staff, created by the servers fixture
REPLY = "您好，我是小美，请问鞋子有什么问题？"
SLOW = 30_000  # ms: the assistant's answers


def _sql(servers: Servers, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(servers.database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture()
def console_ready(servers: Servers) -> Iterator[None]:
    """Escalations earlier tests left open are closed, so that automatic assignment
    does not fill agent1 with them; agent1 is offline afterwards. (The demo staff
    come from the servers fixture: python -m console.staff demo --if-missing.)"""
    _sql(
        servers,
        "UPDATE escalations SET status = 'resolved', outcome = 'closed',"
        " resolution_note = 'closed by the e2e console test' WHERE status != 'resolved'",
    )
    yield
    _sql(servers, "UPDATE staff_users SET last_seen_at = NULL WHERE username = :u", u=AGENT)


@pytest.fixture()
def new_page(browser: Any) -> Iterator[Any]:
    """new_page(width, height) -> a page in a fresh context; all closed afterwards
    (before ``console_ready`` marks the agent offline: no poll after that)."""
    contexts: list[Any] = []

    def make(width: int, height: int) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield make
    for context in contexts:
        context.close()


def _shot(buyer: Any, agent: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    buyer.screenshot(path=str(SCREENSHOTS / f"handoff-{step}-buyer.png"))
    agent.screenshot(path=str(SCREENSHOTS / f"handoff-{step}-agent.png"))


def _buyer_says(page: Any, message: str) -> None:
    page.locator(".scw-input").fill(message)
    page.locator(".scw-input").press("Enter")


def _claim(agent: Any, conversation_id: str) -> None:
    """Takes the conversation. The queue poll assigns waiting conversations to the
    least-loaded online agent at once, so it usually arrives in 我的会话: then the
    agent releases it (it is not assigned back to them for a while) and claims it."""
    entry = agent.locator(f".queue-item[data-conversation='{conversation_id}']")
    expect(entry).to_have_count(1, timeout=SLOW)
    if agent.locator(f"#queue-mine .queue-item[data-conversation='{conversation_id}']").count():
        entry.click()
        expect(agent.locator("#chat-status")).to_have_text("由我接待中")
        agent.locator("#act-release").click()
    waiting = agent.locator(f"#queue-waiting .queue-item[data-conversation='{conversation_id}']")
    expect(waiting).to_be_visible()
    waiting.locator(".claim").click()
    expect(agent.locator("#chat-status")).to_have_text("由我接待中")
    mine = agent.locator(f"#queue-mine .queue-item[data-conversation='{conversation_id}']")
    expect(mine).to_be_visible()


def test_a_buyer_is_taken_over_by_an_agent_and_handed_back(
    servers: Servers, console_ready: None, new_page: Any
) -> None:
    buyer = new_page(414, 860)
    buyer.goto(
        f"{servers.rasa_url}/webhooks/socketio/webchat/demo.html?buyer_token={issue_token(BUYER)}"
    )
    buyer.locator(".scw-launcher").click()
    buyer.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=SLOW
    )
    _buyer_says(buyer, "我要转人工")
    bot = buyer.locator(".scw-bot .scw-bubble")
    expect(bot.filter(has_text="转接人工客服")).to_have_count(1, timeout=SLOW)
    rows = _sql(
        servers,
        "SELECT conversation_id FROM escalations WHERE buyer_id = :b AND status = 'waiting'",
        b=BUYER,
    )
    assert len(rows) == 1, rows
    conversation_id = rows[0][0]

    agent = new_page(1280, 800)
    agent.goto(f"{servers.console_url}/console/")
    expect(agent.locator("#login-form")).to_be_visible()
    _shot(buyer, agent, "1-asked")
    agent.locator("#login-username").fill(AGENT)
    agent.locator("#login-password").fill(PASSWORD)
    agent.locator("#login-submit").click()
    expect(agent.locator("#me")).to_contain_text("小美")
    expect(agent.locator(f".queue-item[data-conversation='{conversation_id}']")).to_have_count(
        1, timeout=SLOW
    )
    _shot(buyer, agent, "2-queue")

    _claim(agent, conversation_id)
    history = agent.locator("#messages")
    expect(history.locator(".msg-buyer").filter(has_text="我要转人工")).to_have_count(1)
    expect(history.locator(".msg-bot").filter(has_text="转接人工客服")).to_have_count(1)
    expect(agent.locator("#panel-buyer")).to_contain_text(BUYER)
    _shot(buyer, agent, "3-claimed")

    agent.locator("#reply").fill(REPLY)
    agent.locator("#reply").press("Enter")
    expect(history.locator(".msg-agent").filter(has_text=REPLY)).to_have_count(1, timeout=SLOW)
    from_agent = buyer.locator(".scw-bot").filter(has_text=REPLY)
    expect(from_agent).to_have_count(1, timeout=SLOW)
    expect(from_agent.locator(".scw-agent")).to_contain_text("小美")
    _shot(buyer, agent, "4-replied")

    agent.locator("#act-handback").click()
    expect(agent.locator("#chat-status")).to_have_text("已交还机器人", timeout=SLOW)
    expect(bot.filter(has_text="继续为您服务")).to_have_count(1, timeout=SLOW)
    _buyer_says(buyer, "退货政策是什么")
    expect(bot.filter(has_text="无理由退换").first).to_be_visible(timeout=SLOW)
    answer = history.locator(".msg-bot").filter(has_text="无理由退换").first
    expect(answer).to_be_visible(timeout=SLOW)  # the agent sees the assistant answer
    _shot(buyer, agent, "5-handed-back")

    outcome = _sql(
        servers,
        "SELECT status, outcome FROM escalations WHERE conversation_id = :c",
        c=conversation_id,
    )
    assert [tuple(row) for row in outcome] == [("resolved", "handed_back")]
    assert servers.tracker(conversation_id)["paused"] is False
    assert buyer.dialogs == [] and agent.dialogs == []


def test_without_login_the_console_shows_the_login_form_and_the_api_says_401(
    servers: Servers, new_page: Any
) -> None:
    page = new_page(1024, 768)
    page.goto(f"{servers.console_url}/console/")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#console-view")).to_be_hidden()
    statuses = page.evaluate(
        """async () => [
            (await fetch('/console/api/queue')).status,
            (await fetch('/console/api/escalations/1')).status,
            (await fetch('/console/api/escalations/1/claim',
                {method: 'POST', headers: {'X-Console': '1'}})).status,
        ]"""
    )
    assert statuses == [401, 401, 401]
    page.locator("#login-username").fill(AGENT)
    page.locator("#login-password").fill("wrong-password")
    page.locator("#login-submit").click()
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "handoff-login-refused.png"))
    for path in ("/console/api/me", "/console/api/queue", "/console/api/quick-replies"):
        assert requests.get(f"{servers.console_url}{path}", timeout=10).status_code == 401

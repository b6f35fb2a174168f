"""What an agent reads, in Chromium against the real servers: a guest clicks a button
the assistant offered and asks for a person; in the agent console the transcript shows
the button's title (never its payload), the queue card and the handoff summary are
Chinese sentences without ``EXTERNAL`` or slash payloads, the pause shows once, and
the hand-back is one grey note. So is the CSV export.

Screenshots: var/screenshots/transcript-agent.png (the end), transcript-agent-top.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import Servers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AGENT, PASSWORD = "agent1", "demo1234"  # demo staff, created by the servers fixture
SLOW = 30_000  # ms: the assistant's answers
PAYLOAD = re.compile(r"/[a-z_]+|\{\"")  # a slash payload or its JSON


def _sql(servers: Servers, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(servers.database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture()
def pages(browser: Any, servers: Servers) -> Iterator[Any]:
    """pages(width, height) -> a page in a fresh context. Open escalations of earlier
    tests are closed first; agent1 is offline afterwards."""
    _sql(
        servers,
        "UPDATE escalations SET status = 'resolved', outcome = 'closed',"
        " resolution_note = 'closed by the e2e transcript test' WHERE status != 'resolved'",
    )
    contexts: list[Any] = []

    def make(width: int, height: int) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    _sql(servers, "UPDATE staff_users SET last_seen_at = NULL WHERE username = :u", u=AGENT)


def _say(page: Any, message: str) -> None:
    page.locator(".scw-input").fill(message)
    page.locator(".scw-input").press("Enter")


def _open_as_agent(agent: Any, conversation_id: str) -> None:
    """Opens the conversation: from 我的会话 if it was assigned, else 接入 from the queue."""
    entry = agent.locator(f".queue-item[data-conversation='{conversation_id}']")
    expect(entry).to_have_count(1, timeout=SLOW)
    waiting = agent.locator(f"#queue-waiting .queue-item[data-conversation='{conversation_id}']")
    if waiting.count():
        waiting.locator(".claim").click()
    else:
        entry.click()
    expect(agent.locator("#chat-status")).to_have_text("由我接待中")


def _no_codes(shown: str) -> None:
    assert "EXTERNAL" not in shown, shown
    assert not PAYLOAD.search(shown), shown
    for code in ("意图", "request_human", "=", "stuck:", "quality:"):
        assert code not in shown, shown


def test_the_agent_reads_titles_and_chinese_summaries_not_payloads(
    servers: Servers, pages: Any
) -> None:
    buyer = pages(414, 860)
    buyer.goto(f"{servers.console_url}/")  # the shop front: no product page, so buttons
    buyer.locator(".scw-launcher").click()
    buyer.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=SLOW
    )
    groups = buyer.locator(".scw-replies")
    before = groups.count()
    _say(buyer, "跑鞋选多大")  # a kind without a name: its shoes as buttons
    expect(groups).to_have_count(before + 1, timeout=SLOW)
    offered = groups.last.locator(".scw-reply").first
    title = offered.inner_text().strip()
    assert title and not title.startswith("/")
    bubbles = "document.querySelectorAll('.scw-bot .scw-bubble').length"
    answered = buyer.evaluate(f"() => {bubbles}")
    offered.click()
    buyer.wait_for_function(f"() => {bubbles} > {answered}", timeout=SLOW)
    bot = buyer.locator(".scw-bot .scw-bubble")
    _say(buyer, "我要转人工")
    expect(bot.filter(has_text="转接人工客服")).to_have_count(1, timeout=SLOW)
    rows = _sql(
        servers,
        "SELECT conversation_id, summary FROM escalations"
        " WHERE status = 'waiting' AND buyer_id IS NULL ORDER BY id DESC",
    )
    assert rows, "no escalation was queued"
    conversation_id, stored = rows[0]
    _no_codes(stored)
    assert stored.startswith("买家要求人工"), stored
    assert "「我要转人工」" in stored and "「跑鞋选多大」" in stored, stored

    agent = pages(1280, 860)
    agent.goto(f"{servers.console_url}/console/")
    agent.locator("#login-username").fill(AGENT)
    agent.locator("#login-password").fill(PASSWORD)
    agent.locator("#login-submit").click()
    expect(agent.locator("#me")).to_contain_text("小美")
    card = agent.locator(f".queue-item[data-conversation='{conversation_id}']")
    expect(card).to_have_count(1, timeout=SLOW)
    escalation_id = card.get_attribute("data-id")
    expect(card.locator(".queue-reason")).to_have_text("买家要求人工")
    expect(card.locator(".queue-summary")).to_have_text(re.compile(r"^买家要求人工；"))
    _no_codes(card.inner_text())

    _open_as_agent(agent, conversation_id)
    history = agent.locator("#messages")
    clicked = history.locator(".msg-buyer .msg-click")
    expect(clicked).to_have_text(f"点了「{title}」", timeout=SLOW)
    expect(history.locator(".msg-buyer").filter(has_text="我要转人工")).to_have_count(1)
    expect(history.locator(".msg-system").filter(has_text="机器人已暂停（转人工）")).to_have_count(
        1
    )
    summary = agent.locator("#chat-summary")
    expect(summary).to_contain_text("买家要求人工")
    _no_codes(summary.inner_text())
    _no_codes(history.inner_text())

    agent.locator("#act-handback").click()
    expect(agent.locator("#chat-status")).to_have_text("已交还机器人", timeout=SLOW)
    note = history.locator(".msg-system").filter(has_text="客服交还机器人")
    expect(note).to_have_count(1, timeout=SLOW)
    expect(history.locator(".msg-bot").filter(has_text="继续为您服务")).to_have_count(
        1, timeout=SLOW
    )
    expect(history.locator(".msg-system").filter(has_text="机器人已暂停（转人工）")).to_have_count(
        1
    )
    _no_codes(history.inner_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    agent.screenshot(path=str(SCREENSHOTS / "transcript-agent.png"))
    history.evaluate("box => { box.scrollTop = 0; }")
    agent.screenshot(path=str(SCREENSHOTS / "transcript-agent-top.png"))

    exported = agent.evaluate(
        "id => fetch(`/console/api/escalations/${id}/export?format=csv`).then(r => r.text())",
        escalation_id,
    )
    assert f"点了「{title}」" in exported and "客服交还机器人" in exported
    assert "EXTERNAL" not in exported and not PAYLOAD.search(exported)

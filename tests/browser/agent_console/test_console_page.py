"""The agent console page (console/static/console/) in Chromium against a fake API
(fake_console.py here): login, the live queue, claiming, the history,
replying. Screenshots go to var/screenshots/console-*.png."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.browser.agent_console.conftest import SAMPLE, FakeConsole, login, shot

INJECTION = '<img src=x onerror=alert(1)><script>alert("xss")</script><b>粗</b>'


def item(page: Any, eid: int, section: str = "waiting") -> Any:
    return page.locator(f"#queue-{section} .queue-item[data-id='{eid}']")


def test_logged_out_shows_the_login_form_and_logs_in_and_out(
    agent_page: Any, console: FakeConsole
) -> None:
    page = agent_page(console, user="")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#console-view")).to_be_hidden()
    status = page.evaluate("() => fetch('/console/api/queue').then(r => r.status)")
    assert status == 401
    login(page, "agent1", "wrong")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误")
    shot(page, "login-error")
    login(page)
    expect(page.locator("#console-view")).to_be_visible()
    expect(page.locator("#me")).to_contain_text("小美")
    expect(page.locator("#agents")).to_contain_text("小美")
    page.reload()  # the cookie keeps the agent logged in
    expect(page.locator("#console-view")).to_be_visible()
    page.locator("#logout").click()
    expect(page.locator("#login-view")).to_be_visible()
    posts = [r for r in console.log() if r["method"] != "GET"]
    assert all(r["x_console"] == "1" for r in posts), posts
    assert page.errors == []


def test_queue_claim_history_reply(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    eid = console.add(**SAMPLE)
    entry = item(page, eid)
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("紧急")
    expect(entry).to_contain_text("投诉")
    expect(entry).to_contain_text("王**")
    expect(entry).to_contain_text("订单 D1001")
    expect(entry).to_contain_text("1分35秒")
    expect(entry).to_contain_text("2 条未读")
    expect(entry).to_contain_text("鞋子开胶")
    shot(page, "queue")

    entry.locator(".claim").click()
    expect(item(page, eid, "mine")).to_be_visible()
    expect(page.locator("#chat-status")).to_have_text("由我接待中")
    messages = page.locator("#messages")
    expect(messages.locator(".msg-buyer").first).to_contain_text("我要转人工")
    expect(messages.locator(".msg-buyer").first).to_contain_text("要求人工 0.97")
    expect(messages.locator(".msg-buttons")).to_contain_text("订单 D1001")
    expect(messages.locator(".msg-click")).to_have_text("点了「订单 D1001」")
    expect(messages.locator(".card")).to_contain_text("顺丰速运")
    expect(messages.locator(".msg-system").first).to_contain_text("已转人工")
    expect(messages.locator(".msg-system").last).to_contain_text("客服 小美 已接入")
    expect(page.locator("#panel-buyer")).to_contain_text("138****9448")
    expect(page.locator("#panel-buyer")).to_contain_text("已签收")
    expect(page.locator("#panel-buyer")).to_contain_text("RT0001")
    expect(page.locator("#panel-buyer")).to_contain_text("质量问题")
    expect(page.locator("#panel-buyer")).to_contain_text("已申请")
    thumb = messages.locator(".photo-thumb img")
    expect(thumb).to_have_attribute("src", "/console/api/photos/ph1")
    page.wait_for_function("() => document.querySelector('.photo-thumb img').naturalWidth > 0")
    thumb.click()
    expect(page.locator("#photo-dialog")).to_be_visible()
    page.locator("#photo-close").click()
    expect(page.locator("#photo-dialog")).to_be_hidden()

    reply = page.locator("#reply")
    reply.fill("您好，我是小美")
    reply.press("Shift+Enter")
    reply.type("请问鞋子有什么问题？")
    assert reply.input_value() == "您好，我是小美\n请问鞋子有什么问题？"
    reply.press("Enter")
    agent_msg = messages.locator(".msg-agent")
    expect(agent_msg).to_have_count(1)
    expect(agent_msg).to_contain_text("客服 小美")
    expect(agent_msg.locator(".msg-bubble")).to_have_text("您好，我是小美\n请问鞋子有什么问题？")
    expect(reply).to_have_value("")
    shot(page, "conversation")
    sent = [r for r in console.log() if r["path"].endswith(f"/{eid}/reply")]
    assert json.loads(sent[0]["body"]) == {"text": "您好，我是小美\n请问鞋子有什么问题？"}
    assert sent[0]["x_console"] == "1"
    assert page.errors == []


def test_enter_does_not_send_while_an_ime_composes(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    eid = console.add(buyer_name="李**", summary="问尺码")
    item(page, eid).locator(".claim").click()
    expect(page.locator("#reply")).to_be_enabled()
    page.locator("#reply").fill("ni hao")
    page.evaluate(
        """() => {
        const box = document.getElementById('reply');
        box.dispatchEvent(new KeyboardEvent('keydown',
            {key: 'Enter', isComposing: true, bubbles: true, cancelable: true}));
        box.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
        box.dispatchEvent(new KeyboardEvent('keydown',
            {key: 'Enter', bubbles: true, cancelable: true}));
        box.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true}));
    }"""
    )
    page.wait_for_timeout(500)
    assert not [r for r in console.log() if r["path"].endswith(f"/{eid}/reply")]
    expect(page.locator("#reply")).to_have_value("ni hao")

    page.locator("#reply").fill("长" * 1001)
    expect(page.locator("#reply-count")).to_have_text("1001/1000")
    expect(page.locator("#send")).to_be_disabled()
    page.locator("#reply").press("Enter")
    expect(page.locator(".notice-error")).to_contain_text("最多 1000 字")
    page.locator("#reply").fill("   ")
    expect(page.locator("#send")).to_be_disabled()
    assert not [r for r in console.log() if r["path"].endswith(f"/{eid}/reply")]


def test_suggestions_insert_at_the_cursor(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    eid = console.add(**{**SAMPLE, "buyer_name": "赵**"})
    expect(page.locator("#suggestions")).to_be_hidden()
    item(page, eid).click()  # a waiting conversation can be read before claiming
    expect(page.locator("#chat-status")).to_have_text("等待接入")
    expect(page.locator("#reply")).to_be_disabled()
    expect(page.locator("#suggestions")).to_be_hidden()
    page.locator("#act-claim").click()
    chip = page.locator("#suggestion-chips .chip")
    expect(chip).to_have_text("您好，七天无理由退货，运费由买家承担。")
    expect(page.locator("#suggestions")).to_contain_text("助手建议")
    reply = page.locator("#reply")
    reply.fill("AB")
    page.evaluate("() => document.getElementById('reply').setSelectionRange(1, 1)")
    chip.click()
    expect(reply).to_have_value("A您好，七天无理由退货，运费由买家承担。B")


def test_a_claim_someone_else_won_says_so(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    eid = console.add(buyer_name="钱**")
    entry = item(page, eid)
    expect(entry).to_be_visible()
    console.control(f"/escalations/{eid}/assign", {"username": "agent2"})
    page.route(
        f"**/escalations/{eid}/claim",
        lambda route: route.fulfill(
            status=409, content_type="application/json", body='{"error": "already_claimed"}'
        ),
    )
    entry.locator(".claim").click()
    expect(page.locator(".notice-error")).to_have_text("已被其他客服接入")
    others = item(page, eid, "others")
    expect(others).to_contain_text("接待客服：小王")
    others.click()
    expect(page.locator("#chat-status")).to_have_text("由 小王 接待中")
    expect(page.locator("#reply")).to_be_disabled()
    expect(page.locator("#act-handback")).to_be_hidden()
    shot(page, "claimed-by-other")


def test_automatic_assignment_opens_the_conversation(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    expect(page.locator("#console-view")).to_be_visible()
    page.wait_for_timeout(2500)  # past the first poll
    console.control("/auto-assign", {"on": True})
    try:
        eid = console.add(buyer_name="孙**", reason="delivery_problem")
        expect(item(page, eid, "mine")).to_be_visible()
        expect(page.locator(".notice-info")).to_contain_text("新会话已分配给您")
        expect(page.locator("#chat-buyer")).to_have_text("孙**")
    finally:
        console.control("/auto-assign", {"on": False})


def test_buyer_text_and_summary_stay_text(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    eid = console.add(
        buyer_name=INJECTION,
        summary=INJECTION,
        messages=[{"who": "buyer", "text": INJECTION, "time": 1767261000}],
    )
    item(page, eid).locator(".claim").click()
    expect(page.locator(".msg-buyer .msg-bubble")).to_have_text(INJECTION)
    expect(page.locator("#chat-summary")).to_have_text(INJECTION)
    assert page.locator("#console-view img[src='x'], #console-view b").count() == 0
    assert page.errors == []

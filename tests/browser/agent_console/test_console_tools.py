"""The agent console page's tools against the fake API: quick replies, hand back,
close, release, export, the scroll position, errors, and the tablet layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.agent_console.conftest import SAMPLE, FakeConsole, login, shot


def claim(page: Any, console: FakeConsole, **fields: Any) -> int:
    eid = console.add(**{**SAMPLE, **fields})
    page.locator(f"#queue-waiting .queue-item[data-id='{eid}'] .claim").click()
    expect(page.locator("#chat-status")).to_have_text("由我接待中")
    return eid


def changes(console: FakeConsole) -> list[dict[str, Any]]:
    return [r for r in console.log() if r["method"] != "GET"]


def test_quick_replies_insert_add_edit_delete(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    claim(page, console)
    page.locator("#reply").fill("请问")
    page.locator("#toggle-quick").click()
    quick = page.locator("#quick-list .quick-item")
    expect(quick).to_have_count(1)
    quick.locator(".quick-use").click()
    expect(page.locator("#reply")).to_have_value("请问您好！")

    page.locator("#quick-title").fill("退货地址")
    page.locator("#quick-text").fill("请寄回：浙江省温州市鹿城区步云路8号")
    page.locator("#quick-save").click()
    expect(quick).to_have_count(2)
    expect(quick.nth(1)).to_contain_text("退货地址")
    quick.nth(1).get_by_role("button", name="编辑").click()
    expect(page.locator("#quick-form-title")).to_have_text("编辑快捷回复")
    page.locator("#quick-text").fill("请寄回：步云路8号 售后部")
    page.locator("#quick-save").click()
    expect(quick.nth(1)).to_contain_text("售后部")
    shot(page, "quick-replies")
    delete = quick.nth(0).get_by_role("button", name="删除")
    delete.click()
    expect(delete).to_have_text("确认删除")
    delete.click()
    expect(quick).to_have_count(1)
    made = [(r["method"], r["path"], r["x_console"]) for r in changes(console)]
    assert ("POST", "/console/api/quick-replies", "1") in made
    assert ("PUT", "/console/api/quick-replies/2", "1") in made
    assert ("DELETE", "/console/api/quick-replies/1", "1") in made


def test_hand_back_close_release_and_export(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console)
    first = claim(page, console, buyer_name="周**")
    page.locator("#act-handback").click()
    expect(page.locator("#chat-status")).to_have_text("已交还机器人")
    expect(page.locator("#reply")).to_be_disabled()
    expect(page.locator("#act-close")).to_be_hidden()
    expect(page.locator("#messages .msg-note").last).to_contain_text("已交还机器人")

    second = claim(page, console, buyer_name="吴**")
    page.locator("#act-close").click()
    expect(page.locator("#close-dialog")).to_be_visible()
    page.locator("#close-confirm").click()
    expect(page.locator("#close-error")).to_have_text("请填写处理结果备注")
    page.locator("#close-note").fill("已补发鞋带，买家满意")
    shot(page, "close-dialog")
    page.locator("#close-confirm").click()
    expect(page.locator("#chat-status")).to_have_text("已结束会话")

    third = claim(page, console, buyer_name="郑**")
    page.locator("#act-release").click()
    expect(page.locator("#chat-status")).to_have_text("等待接入")
    expect(page.locator(f"#queue-waiting .queue-item[data-id='{third}']")).to_be_visible()

    with page.expect_download() as info:
        page.locator("#act-export-csv").click()
    assert info.value.suggested_filename == f"conversation-{third}.csv"
    with page.expect_download() as info:
        page.locator("#act-export-json").click()
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert exported["messages"][0]["text"] == "我要转人工"

    by_path = {r["path"]: r for r in changes(console)}
    assert by_path[f"/console/api/escalations/{first}/handback"]["x_console"] == "1"
    note = json.loads(by_path[f"/console/api/escalations/{second}/close"]["body"])
    assert note == {"note": "已补发鞋带，买家满意"}
    assert by_path[f"/console/api/escalations/{third}/release"]["x_console"] == "1"
    assert page.errors == []


def test_history_keeps_the_scroll_position_unless_at_the_bottom(
    agent_page: Any, console: FakeConsole
) -> None:
    page = agent_page(console)
    many = [{"who": "buyer", "text": f"第{i}条消息", "time": 1767261000 + i} for i in range(60)]
    eid = claim(page, console, messages=many)
    box = page.locator("#messages")
    expect(box.locator(".msg")).to_have_count(61)
    at_bottom = "e => e.scrollHeight - e.scrollTop - e.clientHeight < 45"
    assert box.evaluate(at_bottom)
    console.buyer_says(eid, "新消息一")
    expect(box.locator(".msg").last).to_contain_text("新消息一")
    page.wait_for_timeout(200)
    assert box.evaluate(at_bottom)  # followed the new message
    box.evaluate("e => { e.scrollTop = 100; }")
    console.buyer_says(eid, "新消息二")
    expect(box.locator(".msg").last).to_contain_text("新消息二")
    page.wait_for_timeout(1700)  # one more refresh
    assert box.evaluate("e => e.scrollTop") == 100


def test_errors_network_expired_login_and_no_agent_role(
    agent_page: Any, console: FakeConsole
) -> None:
    page = agent_page(console)
    expect(page.locator("#console-view")).to_be_visible()
    page.route("**/console/api/queue", lambda route: route.abort())
    expect(page.locator("#connection")).to_have_text("与服务器的连接中断，正在重试…")
    shot(page, "offline")
    page.unroute("**/console/api/queue")
    expect(page.locator("#connection")).to_be_hidden(timeout=6000)

    page.context.clear_cookies()  # the session ends (expired, or logged out elsewhere)
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text("登录已过期，请重新登录")

    login(page, "trainer")  # not an agent: sent to the trainer page, no permission error
    page.wait_for_url("**/console/trainer")
    assert page.locator(".notice-error").count() == 0
    page.context.clear_cookies()
    page.route(
        "**/console/api/me",
        lambda route: route.fulfill(status=500, body="boom", content_type="text/plain"),
    )
    page.goto(f"{console.base}/console/")
    expect(page.locator("#login-error")).to_contain_text("服务器出错（500）")


def test_tablet_width_is_usable(agent_page: Any, console: FakeConsole) -> None:
    page = agent_page(console, width=820, height=1180)
    claim(page, console)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    side = page.locator("#side")
    assert side.bounding_box()["x"] >= 820  # a closed drawer, off screen
    page.locator("#act-side").click()
    expect(side).to_have_class("side-pane open")
    page.wait_for_timeout(400)
    assert side.bounding_box()["x"] < 820
    expect(page.locator("#panel-buyer")).to_contain_text("138****9448")
    shot(page, "tablet-side")
    page.locator("#side-close").click()
    page.wait_for_timeout(400)
    page.locator("#reply").fill("好的")
    page.locator("#send").click()
    expect(page.locator(".msg-agent")).to_have_count(1)
    shot(page, "tablet")

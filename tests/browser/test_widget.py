"""The buyers' chat widget (channels/static/widget.js) in Chromium, against the
fake socket.io channel of fake_server.py. Screenshots go to var/screenshots/."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import FakeServer, Watched

INJECTION = '<img src=x onerror=alert(1)> <script>alert("xss")</script> & <b>粗体</b>'


def open_chat(w: Watched, server: FakeServer, token: str | None = "tok-B005") -> Page:
    page = w.page
    page.goto(server.demo_url(token))
    page.locator(".scw-launcher").click()
    expect(page.locator(".scw-panel")).to_be_visible()
    wait_session(page)
    return page


def wait_session(page: Page) -> str:
    """The session id the widget stored after session_confirm."""
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=10_000
    )
    return str(
        page.evaluate(
            "() => JSON.parse(localStorage.getItem("
            "Object.keys(localStorage).find(k => k.endsWith(':session'))))"
        )
    )


def say(page: Page, text: str) -> None:
    page.locator(".scw-input").fill(text)
    page.locator(".scw-input").press("Enter")


def bot_bubbles(page: Page) -> Any:
    return page.locator(".scw-bot .scw-bubble")


def user_bubbles(page: Page) -> Any:
    return page.locator(".scw-user .scw-bubble")


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        """() => {
          const log = document.querySelector('.scw-log');
          const panel = document.querySelector('.scw-panel');
          return {doc: document.documentElement.scrollWidth, view: window.innerWidth,
                  log: log.scrollWidth, logClient: log.clientWidth,
                  panel: panel.scrollWidth, panelClient: panel.clientWidth};
        }"""
    )
    assert widths["doc"] <= widths["view"], widths
    assert widths["log"] <= widths["logClient"], widths
    assert widths["panel"] <= widths["panelClient"], widths


def assert_only_server_requests(w: Watched, server: FakeServer) -> None:
    outside = [u for u in w.requests if not u.startswith((server.base + "/", "data:"))]
    assert outside == []


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 375, 812), ("desktop", 1280, 800)])
def test_layout_and_screenshots(
    make_page: Any, server: FakeServer, screenshots: Path, name: str, width: int, height: int
) -> None:
    w = make_page(width, height)
    w.page.goto(server.demo_url())
    launcher = w.page.locator(".scw-launcher")
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert box and box["x"] + box["width"] > width - 40 and box["y"] + box["height"] > height - 40
    w.page.screenshot(path=str(screenshots / f"{name}-closed.png"))

    page = open_chat(w, server)
    expect(page.locator(".scw-title")).to_have_text("步云鞋业 · 在线客服")
    expect(page.locator(".scw-empty")).to_contain_text("欢迎光临步云鞋业")
    page.screenshot(path=str(screenshots / f"{name}-empty.png"))
    say(page, "你好，有42码吗？")
    expect(bot_bubbles(page)).to_have_count(1)
    say(page, "推荐一双鞋")
    expect(page.locator(".scw-reply")).to_have_count(2)
    say(page, "看看卡片")
    expect(page.locator(".scw-card")).to_have_count(4)

    panel = page.locator(".scw-panel").bounding_box()
    assert panel
    if name == "phone":
        assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, width, height)
        expect(launcher).to_be_hidden()
    else:
        assert 370 <= panel["width"] <= 390 and 590 <= panel["height"] <= 610
        assert panel["x"] + panel["width"] <= width and panel["y"] + panel["height"] <= height
    assert_no_horizontal_scroll(page)

    page.locator(".scw-log").evaluate("el => { el.scrollTop = 0; }")
    page.screenshot(path=str(screenshots / f"{name}-top.png"))
    page.locator(".scw-log").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.screenshot(path=str(screenshots / f"{name}-cards.png"))
    assert_only_server_requests(w, server)
    assert w.errors == []


def test_enter_sends_with_session_and_metadata(make_page: Any, server: FakeServer) -> None:
    w = make_page()
    page = open_chat(w, server, token="tok-enter")
    session_id = wait_session(page)
    requests = [r for r in server.received("session_request") if r["buyer_token"] == "tok-enter"]
    assert requests == [{"session_id": None, "buyer_token": "tok-enter"}]

    before = len(server.received("user_uttered"))
    say(page, "你好")
    expect(user_bubbles(page)).to_have_text(["你好"])
    expect(page.locator(".scw-input")).to_have_value("")
    expect(bot_bubbles(page).last).to_have_text("您好，这里是步云鞋业客服。\n您说的是：你好")
    # pre-wrap keeps the newline on screen: two lines
    assert "\n" in bot_bubbles(page).last.inner_text()
    got = server.wait_received("user_uttered", before + 1)[before:]
    assert got == [
        {
            "message": "你好",
            "session_id": session_id,
            "metadata": {"buyer_token": "tok-enter", "product_id": "P003"},
        }
    ]

    # The send button too; Shift+Enter is a newline, not a send.
    page.locator(".scw-input").fill("第一行")
    page.locator(".scw-input").press("Shift+Enter")
    page.locator(".scw-input").type("第二行")
    expect(page.locator(".scw-input")).to_have_value("第一行\n第二行")
    page.locator(".scw-send").click()
    expect(user_bubbles(page).last).to_have_text("第一行\n第二行")
    got = server.wait_received("user_uttered", before + 2)
    assert got[before + 1]["message"] == "第一行\n第二行"


def test_typing_indicator(make_page: Any, server: FakeServer) -> None:
    page = open_chat(make_page(), server)
    typing = page.locator(".scw-typing")
    expect(typing).to_be_hidden()
    say(page, "慢慢回答")
    expect(typing).to_be_visible()
    expect(typing).to_contain_text("对方正在输入")
    expect(bot_bubbles(page)).to_have_count(1, timeout=5000)
    expect(typing).to_be_hidden()


def test_quick_reply_sends_payload_shows_title(make_page: Any, server: FakeServer) -> None:
    w = make_page()
    page = open_chat(w, server)
    say(page, "推荐一双鞋")
    buttons = page.locator(".scw-reply")
    expect(buttons).to_have_text(["跑步鞋", "商务皮鞋"])
    before = len(server.received("user_uttered"))
    buttons.first.click()
    expect(user_bubbles(page).last).to_have_text("跑步鞋")
    expect(bot_bubbles(page).last).to_have_text('已收到按钮：/ask_category{"category": "跑步鞋"}')
    got = server.wait_received("user_uttered", before + 1)[before]
    assert got["message"] == '/ask_category{"category": "跑步鞋"}'
    assert got["metadata"] == {"buyer_token": "tok-B005", "product_id": "P003"}
    expect(page.locator(".scw-reply")).to_have_count(0)  # used up once the buyer answered


def test_ime_composition_enter_does_not_send(make_page: Any, server: FakeServer) -> None:
    page = open_chat(make_page(), server)
    box = page.locator(".scw-input")
    box.fill("xie")
    before = len(server.received("user_uttered"))
    enter = (
        "(el, init) => el.dispatchEvent(new KeyboardEvent('keydown', Object.assign("
        "{key: 'Enter', code: 'Enter', bubbles: true, cancelable: true}, init)))"
    )
    box.dispatch_event("compositionstart", {"data": ""})
    box.evaluate(enter, {"isComposing": True, "keyCode": 229})
    box.evaluate(enter, {"isComposing": True})
    box.evaluate(enter, {})  # between compositionstart and compositionend
    box.evaluate("el => { el.value = '鞋'; }")
    box.dispatch_event("compositionend", {"data": "鞋"})
    box.evaluate(enter, {"keyCode": 229})  # Safari: the Enter that ended the composition
    page.wait_for_timeout(300)
    expect(user_bubbles(page)).to_have_count(0)
    expect(box).to_have_value("鞋")
    assert len(server.received("user_uttered")) == before

    box.press("Enter")  # a real Enter after the composition sends
    expect(user_bubbles(page)).to_have_text(["鞋"])
    assert server.wait_received("user_uttered", before + 1)[before]["message"] == "鞋"


def test_html_is_shown_as_text(make_page: Any, server: FakeServer, screenshots: Path) -> None:
    w = make_page()
    page = open_chat(w, server)
    say(page, INJECTION)  # the buyer's own text
    expect(user_bubbles(page).first).to_have_text(INJECTION)
    say(page, "注入测试")
    expect(page.locator(".scw-reply")).to_have_count(1)
    expect(bot_bubbles(page).first).to_have_text(
        "您好，这里是步云鞋业客服。\n您说的是：" + INJECTION
    )
    expect(bot_bubbles(page).nth(1)).to_have_text(INJECTION)
    expect(page.locator(".scw-card-title")).to_have_text(INJECTION)
    expect(page.locator(".scw-reply")).to_have_text(INJECTION)
    page.wait_for_timeout(300)
    log = page.locator(".scw-log")
    assert log.locator("script, b, iframe, object").count() == 0
    assert log.locator("img").count() == 0  # javascript: images dropped, no <img src=x>
    assert log.locator("a").count() == 0  # javascript: link dropped
    assert w.dialogs == []
    assert w.errors == []
    page.screenshot(path=str(screenshots / "injection.png"))


def test_cards_and_image_render(make_page: Any, server: FakeServer) -> None:
    w = make_page()
    page = open_chat(w, server)
    say(page, "发张图片")
    image = page.locator(".scw-bot img.scw-image")
    expect(image).to_have_attribute("src", f"{server.base}/webchat/demo-shoe.svg")
    page.wait_for_function("() => document.querySelector('.scw-image').naturalWidth > 0")

    say(page, "看看卡片")
    cards = page.locator(".scw-card")
    expect(cards).to_have_count(4)
    product, order, ret, sizes = (cards.nth(i) for i in range(4))
    expect(product.locator(".scw-card-title")).to_have_text("城市牛津皮鞋")
    expect(product.locator(".scw-price")).to_have_text("¥599.00")
    expect(product).to_contain_text("偏小半码，建议拍大半码")
    expect(product.locator("a")).to_have_attribute("href", f"{server.base}/webchat/demo.html")
    expect(product.locator("a")).to_have_attribute("target", "_blank")
    expect(product.locator("img")).to_have_attribute("src", f"{server.base}/webchat/demo-shoe.svg")

    expect(order.locator(".scw-card-title")).to_have_text("订单 D20240501001")
    expect(order.locator(".scw-status")).to_have_text("已发货")
    expect(order).to_contain_text("城市牛津皮鞋 42码 ×1")
    expect(order).to_contain_text("顺丰速运")
    expect(order).to_contain_text("SF1234567890")
    expect(order.locator(".scw-events li")).to_have_count(2)
    expect(order.locator(".scw-events li").first).to_contain_text("上海浦东转运中心")

    expect(ret.locator(".scw-card-title")).to_have_text("退货单 R20240510007")
    expect(ret.locator(".scw-status")).to_have_text("待寄回")
    expect(ret).to_contain_text("请在7天内把鞋寄回")

    expect(sizes.locator(".scw-card-title")).to_have_text("城市牛津皮鞋 尺码表")
    expect(sizes.locator("tbody tr")).to_have_count(3)
    expect(sizes.locator("tr.scw-recommended td")).to_have_text(["42", "260"])

    # Unknown types: the text fallback, or nothing at all.
    expect(bot_bubbles(page).last).to_have_text("未知卡片的文字说明")
    assert "script" not in page.locator(".scw-log").inner_text()
    assert_only_server_requests(w, server)


def test_reload_keeps_transcript_and_session(make_page: Any, server: FakeServer) -> None:
    w = make_page(375, 812)
    page = open_chat(w, server, token="tok-reload")
    session_id = wait_session(page)
    say(page, "你好")
    expect(bot_bubbles(page)).to_have_count(1)
    say(page, "推荐一双鞋")
    expect(page.locator(".scw-reply")).to_have_count(2)
    transcript = page.locator(".scw-log").inner_text()

    page.reload()
    expect(page.locator(".scw-panel")).to_be_visible()  # stays open
    expect(user_bubbles(page)).to_have_text(["你好", "推荐一双鞋"])
    expect(page.locator(".scw-reply")).to_have_count(2)  # still unanswered
    assert page.locator(".scw-log").inner_text() == transcript
    deadline = time.monotonic() + 10
    while True:
        mine = [r for r in server.received("session_request") if r["buyer_token"] == "tok-reload"]
        if len(mine) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [r["session_id"] for r in mine] == [None, session_id]
    before = len(server.received("user_uttered"))
    page.locator(".scw-reply").last.click()
    expect(user_bubbles(page).last).to_have_text("商务皮鞋")
    assert server.wait_received("user_uttered", before + 1)[before]["session_id"] == session_id


def test_expired_session_is_renewed_and_message_resent(
    make_page: Any, own_server: FakeServer
) -> None:
    page = open_chat(make_page(), own_server)
    old = wait_session(page)
    say(page, "你好")
    expect(bot_bubbles(page)).to_have_count(1)
    say(page, "会话失效了吗")  # the fake server answers error no_session once
    expect(bot_bubbles(page).last).to_contain_text("您说的是：会话失效了吗")
    new = wait_session(page)
    assert new != old
    sent = own_server.received("user_uttered")
    assert [m["message"] for m in sent] == ["你好", "会话失效了吗", "会话失效了吗"]
    assert sent[-1]["session_id"] == new
    assert [r["session_id"] for r in own_server.received("session_request")] == [None, None]
    # The transcript of the dead session is dropped; the resent message stays.
    expect(user_bubbles(page)).to_have_text(["会话失效了吗"])


def test_offline_banner_and_queued_message(
    make_page: Any, own_server: FakeServer, screenshots: Path
) -> None:
    w = make_page(375, 812)
    page = open_chat(w, own_server)
    session_id = wait_session(page)
    banner = page.locator(".scw-banner")
    say(page, "你好")
    expect(bot_bubbles(page)).to_have_count(1)
    expect(banner).to_be_hidden()

    own_server.stop()
    expect(banner).to_be_visible(timeout=5000)
    expect(banner).to_have_text("网络已断开，正在重连…")
    say(page, "断网时发的消息")
    say(page, "第二条")
    pending = page.locator(".scw-user.scw-pending")
    expect(pending).to_have_count(2)
    expect(pending.locator(".scw-note")).to_have_text(["未发送，网络恢复后自动发送"] * 2)
    page.screenshot(path=str(screenshots / "phone-offline.png"))

    own_server.start()
    expect(banner).to_be_hidden(timeout=15_000)
    expect(pending).to_have_count(0)
    expect(bot_bubbles(page).last).to_contain_text("您说的是：第二条")
    expect(bot_bubbles(page).nth(1)).to_contain_text("您说的是：断网时发的消息")
    sent = own_server.received("user_uttered")
    assert [m["message"] for m in sent] == ["你好", "断网时发的消息", "第二条"]
    assert sent[-1]["session_id"] == session_id
    assert own_server.received("session_request")[-1]["session_id"] == session_id


def test_init_api(make_page: Any, server: FakeServer) -> None:
    w = make_page()
    page = w.page
    page.goto(server.demo_url(token=None))
    page.evaluate(
        "s => { ShopChat.init({server: s, shopName: '测试鞋店', buyerToken: 'tok-api',"
        " productId: 'P001'}); ShopChat.open(); }",
        server.base,
    )
    expect(page.locator(".scw-root")).to_have_count(1)
    expect(page.locator(".scw-title")).to_have_text("测试鞋店 · 在线客服")
    wait_session(page)
    before = len(server.received("user_uttered"))
    say(page, "你好")
    expect(bot_bubbles(page)).to_have_count(1)
    got = server.wait_received("user_uttered", before + 1)[before]
    assert got["metadata"] == {"buyer_token": "tok-api", "product_id": "P001"}


def test_another_buyer_does_not_see_the_transcript(make_page: Any, server: FakeServer) -> None:
    w = make_page()
    page = open_chat(w, server, token="tok-buyer-a")
    first = wait_session(page)
    say(page, "我的订单到哪了")
    expect(bot_bubbles(page)).to_have_count(1)

    page.goto(server.demo_url("tok-buyer-b"))  # same browser, another buyer logged in
    expect(page.locator(".scw-panel")).to_be_visible()
    expect(page.locator(".scw-empty")).to_be_visible()
    expect(page.locator(".scw-msg")).to_have_count(0)
    page.wait_for_function(
        "s => Object.keys(localStorage).some(k => k.endsWith(':session')"
        " && JSON.parse(localStorage.getItem(k)) !== s)",
        arg=first,
    )
    assert "我的订单到哪了" not in page.evaluate("() => JSON.stringify(localStorage)")
    mine = [r for r in server.received("session_request") if r["buyer_token"] == "tok-buyer-b"]
    assert mine == [{"session_id": None, "buyer_token": "tok-buyer-b"}]

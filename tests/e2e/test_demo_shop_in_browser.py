"""The demo shop (console, its own origin) with the real widget and assistant, in
headless Chromium: a guest asks for a size on a product page, a demo buyer asks
where the order is, on desktop and on a 375-px phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import expect

from tests.e2e.conftest import Servers

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BUYER = "B009"  # 周杰: one completed order; no other end-to-end test uses him
BUYER_ORDER = "2026090227383761"


def _page(browser: Any, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def _open_chat(page: Any) -> None:
    page.locator(".scw-launcher").click()
    expect(page.locator(".scw-panel")).to_be_visible()
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=15_000
    )


def _say(page: Any, text: str) -> None:
    page.locator(".scw-input").fill(text)
    page.locator(".scw-input").press("Enter")


def _bot(page: Any, text: str) -> Any:
    return page.locator(".scw-bot .scw-bubble").filter(has_text=text)


def _answer(page: Any) -> Any:
    """The bot messages after the buyer's latest message."""
    return page.locator(
        "xpath=//div[contains(@class,' scw-user')][last()]"
        "/following-sibling::div[contains(@class,' scw-bot')]"
    )


def _switch(page: Any, label: str) -> None:
    with page.expect_navigation():
        page.locator("#demo-buyer").select_option(label=label)


def _ask_size(page: Any) -> None:
    _say(page, "脚长25.5厘米，穿多大码？")
    shape = page.locator(".scw-reply", has_text="正常脚")
    expect(shape).to_be_visible(timeout=30_000)
    shape.click()
    expect(_bot(page, "建议您选")).to_have_count(1, timeout=30_000)


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_guest_then_demo_buyer_on_desktop(browser: Any, servers: Servers) -> None:
    page = _page(browser, 1280, 800)
    page.goto(servers.console_url + "/")
    expect(page.locator(".card")).to_have_count(12)
    page.locator(".card", has_text="城市牛津皮鞋").click()
    expect(page.locator("h1")).to_have_text("城市牛津皮鞋")
    assert page.url.endswith("/products/P003")
    _open_chat(page)
    _ask_size(page)  # the product comes from the page: the answer names it
    expect(_bot(page, "城市牛津皮鞋")).not_to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-shop-guest-desktop.png"))

    _switch(page, f"{BUYER} 周杰 · 已过退货期：我的订单到哪了 / 我想退货")
    expect(page.locator(".demo-note")).to_contain_text(f"{BUYER} 周杰")
    expect(page.locator(".scw-panel")).to_be_visible()  # the panel stays open
    expect(_bot(page, "建议您选")).to_have_count(0)  # the guest's chat is not the buyer's
    _say(page, "我的订单到哪了")
    card = page.locator(".scw-card").filter(has_text=BUYER_ORDER)
    expect(card).to_be_visible(timeout=30_000)
    expect(card).to_contain_text("已完成")
    page.screenshot(path=str(SCREENSHOTS / "demo-shop-buyer-desktop.png"))

    page.goto(servers.console_url + "/orders")  # same buyer, same conversation
    expect(page.locator(".order")).to_have_count(1)
    expect(page.locator(".scw-card").filter(has_text=BUYER_ORDER)).to_be_visible()

    _switch(page, "游客（未登录）")
    expect(page.locator(".demo-note")).to_contain_text("当前是游客")
    expect(page.locator(".scw-card")).to_have_count(0)
    assert page.errors == []
    page.context.close()


def test_guest_and_buyer_on_a_phone(browser: Any, servers: Servers) -> None:
    page = _page(browser, 375, 812)
    page.goto(servers.console_url + "/")
    _no_horizontal_scroll(page)
    page.locator(".card", has_text="暖冬雪地靴").click()
    expect(page.locator("h1")).to_have_text("暖冬雪地靴")
    _no_horizontal_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "demo-shop-product-phone.png"), full_page=True)
    _open_chat(page)
    box = page.locator(".scw-panel").bounding_box()
    assert box is not None and box["width"] >= 370  # full screen on a phone
    _ask_size(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-shop-guest-phone.png"))

    page.locator(".scw-close").click()
    _switch(page, f"{BUYER} 周杰 · 已过退货期：我的订单到哪了 / 我想退货")
    page.goto(servers.console_url + "/orders")
    _no_horizontal_scroll(page)
    expect(page.locator(".order")).to_contain_text(BUYER_ORDER)
    _open_chat(page)
    _say(page, "我的订单到哪了")  # the desktop test's chat may be above it (bot_history)
    card = _answer(page).locator("div.scw-card").filter(has_text=BUYER_ORDER)
    expect(card).to_be_visible(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "demo-shop-buyer-phone.png"))
    assert page.errors == []
    page.context.close()


def test_socketio_polling_answers_the_shop_origin_once(servers: Servers) -> None:
    """The fallback transport from the shop's origin: one CORS header, not two."""
    origin = servers.console_url
    response = requests.get(
        f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": origin},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.raw.headers.getlist("Access-Control-Allow-Origin") == [origin]


def test_buyers_taking_turns_on_one_browser_each_see_their_own_chat(
    browser: Any, servers: Servers
) -> None:
    """A → B → A: the widget keeps one buyer's transcript, so A's chat comes back
    from the server (``bot_history``) and B never sees it."""
    page = _page(browser, 1280, 800)
    page.goto(servers.console_url + "/")

    def pick(buyer: str) -> None:
        with page.expect_navigation():
            page.locator("#demo-buyer").select_option(value=buyer)

    mine = page.locator(".scw-user .scw-bubble")
    pick("B003")  # A, no other end-to-end test uses B003 or B012
    _open_chat(page)
    _say(page, "七天无理由退货吗")
    expect(_bot(page, "天无理由退换")).not_to_have_count(0, timeout=30_000)
    page.wait_for_timeout(1500)  # the rest of the answer
    answer = page.locator(".scw-bot").count()

    pick("B012")  # B: a fresh chat
    expect(page.locator(".scw-panel")).to_be_visible()
    page.wait_for_timeout(1500)  # a history would have come by now
    expect(mine).to_have_count(0)
    expect(_bot(page, "天无理由退换")).to_have_count(0)
    _say(page, "你好")
    expect(page.locator(".scw-bot")).not_to_have_count(0, timeout=30_000)

    pick("B003")  # A again: the conversation so far, from the server
    expect(mine.filter(has_text="七天无理由退货吗")).to_have_count(1, timeout=15_000)
    expect(page.locator(".scw-bot")).to_have_count(answer)
    expect(mine.filter(has_text="你好")).to_have_count(0)
    _say(page, "退货运费谁出")
    expect(_answer(page).filter(has_text="运费")).not_to_have_count(0, timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "demo-shop-buyer-again.png"))
    assert page.errors == []
    page.context.close()

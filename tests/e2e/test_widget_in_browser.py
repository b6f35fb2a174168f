"""The real widget on the demo product page, served by the running assistant,
in headless Chromium: a buyer chats over socket.io and a reload keeps it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from shop.identity import issue_token
from tests.e2e.conftest import Servers

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _open(browser: Any, servers: Servers, width: int, height: int, token: str | None) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    url = f"{servers.rasa_url}/webhooks/socketio/webchat/demo.html"
    page.goto(f"{url}?buyer_token={token}" if token else url)
    page.locator(".scw-launcher").click()
    expect(page.locator(".scw-panel")).to_be_visible()
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=15_000
    )
    return page


def _say(page: Any, text: str) -> None:
    page.locator(".scw-input").fill(text)
    page.locator(".scw-input").press("Enter")


def test_a_buyer_asks_about_the_product_page_and_reloads(browser: Any, servers: Servers) -> None:
    page = _open(browser, servers, 375, 812, issue_token("B010"))
    _say(page, "这款是真皮吗")
    bot = page.locator(".scw-bot .scw-bubble")
    expect(bot.filter(has_text="头层牛皮")).to_have_count(1, timeout=30_000)
    _say(page, "<b>穿多大码</b>")
    expect(bot.filter(has_text="脚长")).to_have_count(1, timeout=30_000)
    assert page.locator(".scw-user b").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "real-server-phone.png"))

    page.reload()
    page.locator(".scw-panel").wait_for(state="visible", timeout=10_000)
    expect(page.locator(".scw-bot .scw-bubble").filter(has_text="头层牛皮")).to_have_count(1)
    _say(page, "25.5厘米")
    expect(page.locator(".scw-bot .scw-bubble").filter(has_text="脚型")).to_have_count(
        1, timeout=30_000
    )
    page.context.close()


def test_buttons_and_a_typed_restart_on_desktop(browser: Any, servers: Servers) -> None:
    page = _open(browser, servers, 1280, 800, issue_token("B007"))  # one delivered order
    _say(page, "我要退货")
    choice = page.locator(".scw-reply").first  # the reasons, as buttons
    expect(choice).to_be_visible(timeout=30_000)
    choice.click()
    expect(page.locator(".scw-bot .scw-bubble").filter(has_text="确认提交吗")).to_have_count(
        1, timeout=30_000
    )
    _say(page, "/restart")
    expect(page.locator(".scw-bot .scw-bubble")).not_to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "real-server-desktop.png"))
    page.context.close()


def test_a_buyer_sees_an_order_card_and_injection_stays_text(
    browser: Any, servers: Servers
) -> None:
    page = _open(browser, servers, 1280, 800, issue_token("B001"))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _say(page, "<img src=x onerror=alert(1)>")
    expect(page.locator(".scw-user .scw-bubble").last).to_have_text("<img src=x onerror=alert(1)>")
    _say(page, "我的快递到哪了")  # B001 has several orders, one of them on its way
    card = page.locator(".scw-card").filter(has_text="运输中").first
    expect(card).to_be_visible(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "real-server-order-card.png"))
    assert page.locator(".scw-root img[src='x']").count() == 0
    assert dialogs == []
    page.context.close()

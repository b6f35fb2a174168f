"""Takes the README's screenshots of the demo shop against running servers.

Start the servers first (``make run``, or the same commands on other ports), then
``make screenshots`` or::

    .venv/bin/python scripts/screenshot_demo.py [--shop http://localhost:5002]
        [--rasa http://localhost:5005] [--out docs/img]

It writes ``demo-shop.png`` (desktop: a product page, the chat widget open with a
short size conversation of a guest) and ``demo-shop-phone.png`` (375 px: a demo
buyer asks where the order is and gets the order card). The buyer's conversation
is restarted first through Rasa's HTTP API, so the shots do not depend on earlier
chats. Chromium is Debian's (``scripts/install_browser.sh``), never a download.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shop.config import settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_BUYER = "B001"  # 张伟: a parcel in transit among several orders
TIMEOUT_MS = 30_000


def _check(shop: str, rasa: str) -> None:
    for url in (f"{shop}/health", f"{rasa}/webhooks/socketio/health"):
        try:
            requests.get(url, timeout=5).raise_for_status()
        except requests.RequestException as exc:
            raise SystemExit(
                f"{url} does not answer ({exc}): start the servers (make run)"
            ) from exc


def _restart_conversation(rasa: str, sender: str) -> None:
    """Starts the buyer's conversation afresh (needs ``rasa run --enable-api``)."""
    headers = {"Authorization": f"Bearer {settings.rasa_token}"} if settings.rasa_token else {}
    response = requests.post(
        f"{rasa}/conversations/{sender}/tracker/events",
        json=[{"event": "restart"}],
        headers=headers,
        timeout=30,
    )
    response.raise_for_status()


def _open_chat(page: Any) -> None:
    page.locator(".scw-launcher").click()
    page.locator(".scw-panel").wait_for(state="visible")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=TIMEOUT_MS
    )


def _say(page: Any, text: str) -> None:
    page.locator(".scw-input").fill(text)
    page.locator(".scw-input").press("Enter")


def _wait_bot(page: Any, text: str) -> None:
    page.locator(".scw-bot .scw-bubble", has_text=text).last.wait_for(timeout=TIMEOUT_MS)


def _settle(page: Any) -> None:
    page.locator(".scw-typing").wait_for(state="hidden", timeout=TIMEOUT_MS)
    page.wait_for_timeout(800)  # the last message's scroll and fonts


def desktop(browser: Any, shop: str, out: Path) -> Path:
    """A guest on a product page asks for a size; the widget answers."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{shop}/products/P001")
    _open_chat(page)
    _say(page, "脚长25.5厘米，穿多大码？")
    page.locator(".scw-reply", has_text="正常脚").click(timeout=TIMEOUT_MS)
    _wait_bot(page, "建议您选")
    answered = page.locator(".scw-bot").count()
    _say(page, "这款防水吗")  # an honest "no" (and no emoji, which Debian's fonts lack)
    page.wait_for_function(
        f"() => document.querySelectorAll('.scw-bot').length > {answered}", timeout=TIMEOUT_MS
    )
    _settle(page)
    path = out / "demo-shop.png"
    page.screenshot(path=str(path))
    context.close()
    return path


def phone(browser: Any, shop: str, rasa: str, out: Path) -> Path:
    """A demo buyer on a phone asks where the parcel is and picks the order."""
    _restart_conversation(rasa, f"buyer-{PHONE_BUYER}")
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{shop}/")
    with page.expect_navigation():
        page.locator("#demo-buyer").select_option(value=PHONE_BUYER)
    page.goto(f"{shop}/products/P001")
    _open_chat(page)
    _say(page, "我的快递到哪了")
    page.locator(".scw-reply", has_text="疾风男子跑鞋").first.click(timeout=TIMEOUT_MS)
    page.locator(".scw-card", has_text="运输中").first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    path = out / "demo-shop-phone.png"
    page.screenshot(path=str(path))
    context.close()
    return path


def main(argv: list[str] | None = None) -> int:
    """Parses the arguments and writes both screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shop", default="http://localhost:5002", help="the demo shop")
    parser.add_argument("--rasa", default=settings.rasa_url, help="the Rasa server (HTTP API)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    shop, rasa = args.shop.rstrip("/"), args.rasa.rstrip("/")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    _check(shop, rasa)
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for path in (desktop(browser, shop, args.out), phone(browser, shop, rasa, args.out)):
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

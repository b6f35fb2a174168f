"""Fixtures of the agent console page's browser tests: the fake console API in a
subprocess (fake_console.py here) and logged-in agent pages."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.browser.harness import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


class FakeConsole:
    """The fake API's process; ``add(...)`` etc. drive its state over /fake/*."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        script = Path(__file__).with_name("fake_console.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{self.base}/console/", timeout=1)
                return
            except requests.RequestException:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the fake console did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.post(f"{self.base}/fake{path}", json=body or {}, timeout=5)
        response.raise_for_status()
        return response.json()

    def add(self, **fields: Any) -> int:
        """A new waiting escalation; returns its id."""
        return int(self.control("/escalations", fields)["id"])

    def buyer_says(self, eid: int, text: str, photo_id: str | None = None) -> None:
        self.control(f"/escalations/{eid}/buyer", {"text": text, "photo_id": photo_id})

    def log(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.base}/fake/log", timeout=5).json())


@pytest.fixture(scope="module")
def console_server() -> Iterator[FakeConsole]:
    server = FakeConsole()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def console(console_server: FakeConsole) -> FakeConsole:
    """The fake API with no escalations, sessions or log left from other tests."""
    console_server.control("/reset")
    return console_server


@pytest.fixture()
def agent_page(browser: Browser) -> Iterator[Any]:
    """agent_page(console, width=1280, height=800, user="agent1") -> a logged-in page."""
    contexts = []

    def make(
        console: FakeConsole, width: int = 1280, height: int = 800, user: str = "agent1"
    ) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
        page.on("dialog", lambda d: (page.errors.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        page.goto(f"{console.base}/console/")
        if user:
            login(page, user)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page: Page, user: str = "agent1", password: str = "demo1234") -> None:
    page.locator("#login-username").fill(user)
    page.locator("#login-password").fill(password)
    page.locator("#login-submit").click()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"))


SAMPLE_MESSAGES = [
    {"who": "buyer", "text": "我要转人工", "time": 1767261000, "intent": "request_human",
     "intent_label": "要求人工", "confidence": 0.97},
    {"who": "bot", "text": "请选择订单", "time": 1767261001,
     "buttons": [{"title": "订单 D1001"}]},
    {"who": "buyer", "kind": "click", "text": "点了「订单 D1001」", "time": 1767261001},
    {"who": "bot", "text": "", "time": 1767261002,
     "custom": {"type": "order_card", "order_id": "D1001", "status": "运输中",
                "products": [{"name": "城市牛津皮鞋", "size": 42, "quantity": 1}],
                "courier": "顺丰速运", "tracking_number": "SF123",
                "events": [{"time": "05-03 09:12", "description": "到达上海"}]}},
    {"who": "system", "text": "已转人工，排队中", "time": 1767261003},
    {"who": "buyer", "text": "鞋子开胶了，看图", "time": 1767261004, "photo_id": "ph1"},
]  # fmt: skip

SAMPLE = {
    "buyer_id": "B005",
    "buyer_name": "王**",
    "order_id": "D1001",
    "reason": "complaint",
    "priority": 1,
    "summary": "买家投诉：鞋子开胶。订单 D1001 已签收。",
    "unread": 2,
    "messages": SAMPLE_MESSAGES,
    "buyer": {"id": "B005", "name": "王**", "phone": "138****9448"},
    "orders": [
        {"id": "D1001", "status": "delivered", "status_label": "已签收", "total_fen": 59900,
         "created_at": "2026-01-01T08:00:00+08:00", "delivered_at": "2026-01-03T18:00:00+08:00",
         "freight_insurance": True, "recipient_name": "王**", "recipient_phone": "138****9448",
         "address": "浙江省温州市鹿城区步云路8号",
         "items": [{"product_name": "城市牛津皮鞋", "size": 42, "color": "黑色", "quantity": 1,
                    "price_fen": 59900}],
         "shipments": [{"courier": "顺丰速运", "tracking_number": "SF123",
                        "latest_event": {"time": "2026-01-03T18:00:00+08:00", "location": "温州",
                                         "description": "已签收"}}]},
    ],
    "returns": [{"id": "RT0001", "status": "requested", "status_label": "已申请",
                 "order_id": "D1001", "kind": "return", "kind_label": "退货",
                 "reason": "quality", "reason_label": "质量问题", "buyer_words": "开胶",
                 "refund_fen": None,
                 "item": {"product_name": "城市牛津皮鞋", "size": 42, "color": "黑色"}}],
    "photos": [{"id": "ph1"}],
    "suggestions": [{"text": "您好，七天无理由退货，运费由买家承担。",
                     "intent": "ask_return_policy", "confidence": 0.93}],
}  # fmt: skip

"""Staff pages in Chromium against the real console (``python -m console``) on a demo
shop with the demo staff and demo analytics: each role lands on its own page with
only its navigation and no permission error, the owner page fits a 375-px phone with
its charts drawn, and no page asks for a file that is not there (favicon included).
The console only serves a chart PNG whose every character the font has (it checks the
glyphs of each label and answers 503 otherwise), so a chart that loads shows its Chinese;
tests/console/test_charts.py checks that check.

Chromium is installed when missing (scripts/install_browser.sh), never skipped.
Screenshots: var/screenshots/staff-*.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.harness import CHROMIUM, browser_missing, free_port

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
PASSWORD = "demo1234"
HOMES = {"agent1": "/console/", "trainer": "/console/trainer", "owner": "/console/owner"}
NAV = {
    "agent1": ["客服工作台", "聊天记录"],
    "trainer": ["训练师工作台"],
    "owner": ["店铺数据", "快捷回复", "聊天记录"],
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (installed now when missing), driven by Playwright."""
    if browser_missing():
        subprocess.run([str(ROOT / "scripts/install_browser.sh")], check=True, timeout=900)
    missing = browser_missing()
    assert missing is None, missing
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The console on a fresh demo shop with demo staff and analytics: (base URL, its log)."""
    work = tmp_path_factory.mktemp("staff_pages")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'shop.db'}",
        "TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
        "SHOP_DEMO": "1",
        "SHOP_UPLOAD_DIR": str(work / "uploads"),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # no assistant: the pages do not need it
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    for args in (
        ["shop.db.importer", str(ROOT / "seed/demo_shop.json"), "--if-empty"],
        ["console.staff", "demo", "--if-missing"],
        ["console.demo_analytics"],
    ):
        subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    port = free_port()
    log = work / "console.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "console", "--port", str(port), "--no-notify"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"console did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(20)


class Watch:
    """A page and what went wrong on it: console errors, failed same-origin requests."""

    def __init__(self, browser: Any, base: str, width: int) -> None:
        phone = width < 500
        self.context = browser.new_context(
            viewport={"width": width, "height": 800 if phone else 900},
            device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone,
            locale="zh-CN",
        )  # fmt: skip
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base = base
        self.console: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.url.startswith(self.base) and response.status >= 400:
            self.failed.append(f"{response.status} {response.url[len(self.base):]}")

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/console/")
        self.page.fill("#login-username", username)
        self.page.fill("#login-password", PASSWORD)
        self.page.click("#login-submit")

    def problems(self) -> list[str]:
        """What the page logged or failed to load, except the 401 of /me before login."""
        failed = [f for f in self.failed if f != "401 /console/api/me"]
        errors = [
            m for m in self.console
            if m.startswith(("error", "pageerror"))
            and not ("401" in m and "Failed to load resource" in m)
        ]  # fmt: skip
        return failed + errors

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"staff-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def watch(browser: Any, console: tuple[str, Path]) -> Iterator[Any]:
    made: list[Watch] = []

    def make(width: int = 1280) -> Watch:
        made.append(Watch(browser, console[0], width))
        return made[-1]

    yield make
    for w in made:
        w.close()


def _nav(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".staff-nav a").all_inner_texts()]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("user", ["agent1", "trainer", "owner"])
def test_each_role_lands_on_its_own_page_with_only_its_navigation(
    watch: Any, console: tuple[str, Path], user: str, width: int
) -> None:
    w = watch(width)
    w.login(user)
    w.page.wait_for_url(f"{console[0]}{HOMES[user]}*")
    w.page.wait_for_selector(".staff-nav a")
    assert _nav(w.page) == NAV[user]
    assert w.page.locator('.staff-nav a[aria-current="page"]').inner_text() == NAV[user][0]
    if user == "agent1":
        w.page.wait_for_selector("#console-view:not([hidden])")
    w.page.wait_for_timeout(2500)  # a queue poll and the page's other first requests
    body = w.page.locator("body").inner_text()
    assert "没有客服权限" not in body and "没有训练师权限" not in body and "权限" not in body
    assert w.page.locator(".notice-error").count() == 0
    if width < 500 and user != "agent1":  # the agent console stacks at phone width by design
        assert w.page.evaluate("document.documentElement.scrollWidth") <= width
    w.shot(f"{user}-{width}")
    assert w.problems() == []


def test_the_owner_page_fits_a_phone_with_its_charts_drawn(
    watch: Any, console: tuple[str, Path]
) -> None:
    w = watch(375)
    w.login("owner")
    w.page.wait_for_url("**/console/owner")
    w.page.wait_for_load_state("networkidle")
    assert w.page.evaluate("document.documentElement.scrollWidth") <= 375
    assert w.page.locator(".chart-error").count() == 0
    images = w.page.locator(".charts img")
    assert images.count() == 5
    for n in range(5):
        box = images.nth(n).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
        loaded = images.nth(n).evaluate("img => [img.complete, img.naturalWidth, img.currentSrc]")
        assert loaded[0] and loaded[1] >= 400 and "size=phone" in loaded[2], loaded
    rate = w.page.locator('[data-metric="automation_rate"]').inner_text()
    stuck = w.page.locator('[data-metric="stuck_rate"]').inner_text()
    assert 60 < float(rate.rstrip("%")) < 85 and float(stuck.rstrip("%")) > 0  # demo: honest
    w.shot("owner-375-full")
    for name in ("conversations", "rates", "returns", "products", "reviews"):
        for size in ("wide", "phone"):
            url = f"{console[0]}/console/api/owner/charts/{name}.png?days=30&size={size}"
            resp = w.page.request.get(url)
            assert resp.status == 200 and resp.body().startswith(b"\x89PNG")
    assert w.problems() == []
    log = console[1].read_text()
    assert "not drawn" not in log and "no CJK font" not in log, log[-2000:]
    assert "Traceback" not in log, log[-3000:]


def test_the_owner_page_shows_the_reviews_in_chinese(watch: Any, console: tuple[str, Path]) -> None:
    """Review figures, topics and fit contradictions, with names and labels, never codes."""
    w = watch(1280)
    w.login("owner")
    w.page.wait_for_url("**/console/owner")
    w.page.wait_for_load_state("networkidle")
    section = w.page.locator('[data-section="reviews"]')
    text = section.inner_text()
    assert w.page.locator('[data-metric="reviews"]').inner_text() == "46"  # seed/demo_shop.json
    shown = ("商品评价", "疾风男子跑鞋", "平均分走势", "中差评提到的问题", "磨脚", "开胶",
             "评价与尺码说明不符的商品", "偏小", "40%（共10条）", "舒适羊皮乐福鞋")  # fmt: skip
    for words in shown:
        assert words in text, words
    for code in ("P001", "P011", "small", "large", "true", "None", "nan"):
        assert code not in text, code
    chart = w.page.locator('.charts img[data-chart="reviews"]')
    loaded = chart.evaluate("img => [img.complete, img.naturalWidth]")
    assert loaded[0] and loaded[1] >= 600, loaded
    assert w.page.locator('[data-chart="reviews"].chart-error').count() == 0
    section.scroll_into_view_if_needed()
    w.shot("owner-reviews")
    assert w.problems() == []


def test_a_role_sent_to_a_page_it_may_not_use_lands_on_its_own(
    watch: Any, console: tuple[str, Path]
) -> None:
    owner = watch()
    owner.login("owner")
    owner.page.wait_for_url("**/console/owner")
    owner.page.goto(f"{console[0]}/console/trainer")
    owner.page.wait_for_url("**/console/owner")  # the trainer page sends the owner home
    owner.page.goto(f"{console[0]}/console/")
    owner.page.wait_for_url("**/console/owner")  # so does the agent console's address
    owner.page.click(".staff-nav >> text=快捷回复")  # the owner's other page, same bar
    owner.page.wait_for_url("**/console/quick-replies")
    owner.page.wait_for_selector('.staff-nav a[aria-current="page"]')
    assert _nav(owner.page) == NAV["owner"]
    assert owner.page.locator('.staff-nav a[aria-current="page"]').inner_text() == "快捷回复"
    owner.page.click(".staff-nav >> text=店铺数据")
    owner.page.wait_for_url("**/console/owner")
    owner.page.click(".logout button")
    owner.page.wait_for_selector("#login-view:not([hidden])")
    assert owner.problems() == []
    agent = watch()
    agent.login("agent1")
    agent.page.wait_for_selector("#console-view:not([hidden])")
    agent.page.goto(f"{console[0]}/console/owner")
    assert "这个页面只有店长可以看" in agent.page.locator("h1").inner_text()
    agent.page.click("text=回到我的页面")
    agent.page.wait_for_selector("#console-view:not([hidden])")


def test_every_page_has_a_favicon(watch: Any, console: tuple[str, Path]) -> None:
    w = watch()
    for path in ("/", "/products/P006", "/orders", "/console/", "/console/trainer"):
        w.page.goto(f"{console[0]}{path}")
        href = w.page.locator('link[rel="icon"]').get_attribute("href")
        assert href == "/favicon.svg", path
    for icon in ("/favicon.svg", "/favicon.ico"):
        assert w.page.request.get(f"{console[0]}{icon}").status == 200
    assert not [f for f in w.failed if f.startswith("404")]


@pytest.mark.parametrize(("user", "width"), [("agent1", 1280), ("owner", 375)])
def test_records_page_search_view_and_export(
    watch: Any, console: tuple[str, Path], user: str, width: int
) -> None:
    """Every conversation (the demo analytics' ones, stored by Rasa's own tracker store)
    is searchable by who handled it, readable, and exportable, masked."""
    w = watch(width)
    w.login(user)
    w.page.wait_for_url(f"{console[0]}{HOMES[user]}*")
    w.page.click('.staff-nav a:has-text("聊天记录")')
    w.page.wait_for_url("**/console/records")
    assert w.page.locator('.staff-nav a[aria-current="page"]').inner_text() == "聊天记录"
    assert int(w.page.locator("#records-total").inner_text()) > 0
    w.page.select_option('select[name="handled_by"]', "agent")
    w.page.click("#records-search")
    w.page.wait_for_url("**handled_by=agent*")
    total = int(w.page.locator("#records-total").inner_text())
    assert total > 0
    assert set(w.page.locator("table.results tbody td:nth-child(3)").all_inner_texts()) == {
        "人工客服"
    }
    w.shot(f"records-{user}-{width}")
    export = w.page.request.get(
        console[0] + (w.page.locator("#export-csv").get_attribute("href") or "")
    )
    assert export.ok and export.text().count("\n") > total
    w.page.locator("table.results a:has-text('查看')").first.click()
    w.page.wait_for_selector("ol.chat li.agent")
    assert "/affirm" not in w.page.locator("ol.chat").inner_text()
    w.shot(f"records-conversation-{user}-{width}")
    assert w.problems() == []

"""Fixtures of the widget's browser tests: a fake socket.io server in a subprocess
(tests/browser/fake_server.py) and Debian's Chromium driven by Playwright.

Needs /usr/bin/chromium (scripts/install_browser.sh); the tests fail without it.
Playwright's own browser downloads (`playwright install`) are never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.harness import FakeServer, Watched

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext


def _serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeServer]:
    server = FakeServer(tmp_path_factory.mktemp("fake_server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeServer]:
    """One fake server shared by the tests that do not stop it."""
    yield from _serve(tmp_path_factory)


@pytest.fixture()
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeServer]:
    """A fake server of the test's own, which it may stop and restart."""
    yield from _serve(tmp_path_factory)


@pytest.fixture()
def make_page(browser: Browser) -> Iterator[Any]:
    """make_page(width, height) -> Watched: a fresh context (empty localStorage)."""
    contexts: list[BrowserContext] = []

    def make(width: int = 1280, height: int = 800) -> Watched:
        mobile = width < 500
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=2 if mobile else 1,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Watched(context, context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

"""Helpers of the widget's browser tests: the fake server process and a watched page."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: run scripts/install_browser.sh"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeServer:
    """The fake channel in a subprocess; stop() and start() keep port and log."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "received.jsonl"
        self.log.touch()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        script = Path(__file__).with_name("fake_server.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), "--port", str(self.port), "--log", str(self.log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("fake server exited") from None
                time.sleep(0.05)
        raise RuntimeError("fake server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def received(self, event: str | None = None) -> list[Any]:
        """What the server got so far: the data of every `event` (or all records)."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        if event is None:
            return records
        return [r["data"] for r in records if r["event"] == event]

    def wait_received(self, event: str, count: int, timeout: float = 10) -> list[Any]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.received(event)
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def demo_url(self, token: str | None = "tok-B005") -> str:
        query = f"?buyer_token={token}" if token else ""
        return f"{self.base}/webchat/demo.html{query}"


class Watched:
    """A page with what it did that a test may want to check afterwards."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context = context
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

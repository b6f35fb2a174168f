"""Starts the echo server (``tests/channels/echo_server.py``) once for the channel tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.channels.widget import Widget

ROOT = Path(__file__).resolve().parents[2]
SECRET = "channel-tests-secret-of-at-least-32-bytes"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def buyer_token(buyer_id: str, **kwargs: Any) -> str:
    """A buyer token the echo server accepts."""
    from shop.identity import issue_token

    return issue_token(buyer_id, secret=SECRET, **kwargs)


class EchoServer:
    """Handles to the running echo server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._widgets: list[Widget] = []

    def widget(self, **kwargs: Any) -> Widget:
        """A connected client, disconnected at the end of the test session."""
        widget = Widget(self.url, **kwargs)
        self._widgets.append(widget)
        return widget

    def received(self) -> list[dict[str, Any]]:
        """Every message the agent stand-in received."""
        return requests.get(f"{self.url}/received", timeout=5).json()

    def close_widgets(self) -> None:
        """Disconnects every client made so far."""
        for widget in self._widgets:
            if widget.sio.connected:
                widget.close()
        self._widgets.clear()


@pytest.fixture(scope="session")
def echo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EchoServer]:
    """The echo server on a free port."""
    port = _free_port()
    log = tmp_path_factory.mktemp("socketio") / "server.log"
    env = {**os.environ, "SHOP_SECRET": SECRET, "RASA_TELEMETRY_ENABLED": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.channels.echo_server", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"echo server not up:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"{url}/webhooks/socketio/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield EchoServer(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture()
def server(echo_server: EchoServer) -> Iterator[EchoServer]:
    """The echo server; the test's clients are disconnected afterwards."""
    yield echo_server
    echo_server.close_widgets()

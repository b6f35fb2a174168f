"""Starts the real servers once for the end-to-end tests: the action server and
the Rasa server (trained model, REST channel), on a seeded SQLite shop file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "shoe-shop.tar.gz"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float = 420) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"server not up after {timeout}s:\n{log.read_text()[-3000:]}")


class Servers:
    """Handles to the running servers and the shop database behind them."""

    def __init__(
        self, rasa_url: str, database_url: str, env: dict[str, str], console_url: str = ""
    ) -> None:
        self.rasa_url = rasa_url
        self.console_url = console_url
        self.database_url = database_url
        self.env = env

    def chat(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Sends one message over the REST channel and returns the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, message: str, **kwargs: Any) -> str:
        """The replies' texts joined, for assertions on what the buyer reads."""
        return "\n".join(r.get("text", "") for r in self.chat(sender, message, **kwargs))

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker from the HTTP API."""
        return requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30).json()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Action server and Rasa server on free ports, shared by all e2e tests."""
    if not MODEL.exists():
        pytest.fail("no trained model: run scripts/train_if_stale.sh (make test does)")
    work = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{work / 'shop.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RASA_TELEMETRY_ENABLED": "false",
        "SHOP_UPLOAD_DIR": str(work / "uploads"),
        "SHOP_DEMO": "1",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "actions.db.importer",
            str(ROOT / "seed" / "demo_shop.json"),
            "--if-empty",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(  # agent1, agent2, trainer, owner (password demo1234)
        [sys.executable, "-m", "console.staff", "demo", "--if-missing"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    action_port, rasa_port, console_port = _free_port(), _free_port(), _free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8"
    )
    action_log, rasa_log, console_log = (work / f"{n}.log" for n in ("actions", "rasa", "console"))
    env["RASA_URL"] = f"http://127.0.0.1:{rasa_port}"
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--port", str(action_port), "--actions", "actions"],
        cwd=ROOT,
        env=env,
        stdout=action_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            str(BIN / "rasa"),
            "run",
            "--enable-api",
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "--cors",  # as scripts/run.sh: the demo shop's pages on the console's origin
            "*",
        ],
        cwd=ROOT,
        env=env,
        stdout=rasa_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    console = subprocess.Popen(
        [sys.executable, "-m", "console", "--port", str(console_port)],
        cwd=ROOT,
        env=env,
        stdout=console_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        _wait(f"http://127.0.0.1:{console_port}/health", console, console_log)
        _wait(f"http://127.0.0.1:{rasa_port}/status", rasa, rasa_log)
        yield Servers(
            f"http://127.0.0.1:{rasa_port}", database_url, env, f"http://127.0.0.1:{console_port}"
        )
    finally:
        for process in (rasa, actions, console):
            process.terminate()
        for process in (rasa, actions, console):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        print("\n--- action server log (tail) ---\n" + action_log.read_text()[-2000:])


@pytest.fixture()
def sender() -> str:
    """A fresh conversation id."""
    return f"e2e-{uuid.uuid4().hex[:12]}"


@pytest.fixture()
def say(servers: Servers, sender: str) -> Callable[..., str]:
    """``say("在吗")`` -> the bot's reply texts in this test's conversation."""

    def _say(message: str, **kwargs: Any) -> str:
        return servers.texts(sender, message, **kwargs)

    return _say


def replies_json(replies: list[dict[str, Any]]) -> str:
    """Replies as JSON, for assertion messages."""
    return json.dumps(replies, ensure_ascii=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The typed conversation suite's "settled: N/M" line (tests/e2e/conftest_typed.py)."""
    from tests.e2e.conftest_typed import report_settled

    report_settled(terminalreporter)

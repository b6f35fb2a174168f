"""Starts the real servers once for the end-to-end tests: the action server and
the Rasa server (trained model, REST channel), on a seeded SQLite shop file: the
demo shop (``servers``, ``say``), and a second shop from its own JSON file
(``second_servers``, ``say_second``; tests/e2e/second_shop.json) that shows
nothing depends on the demo shop's data."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "shoe-shop.tar.gz"
SECOND_SHOP = Path(__file__).resolve().parent / "second_shop.json"
TOKEN_HEADER = "X-Shop-Token"  # channels.rest.TOKEN_HEADER (not imported: it loads Rasa)
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
        self,
        rasa_url: str,
        database_url: str,
        env: dict[str, str],
        console_url: str = "",
        *,
        rest_token: str = "",
    ) -> None:
        self.rasa_url = rasa_url
        self.console_url = console_url
        self.database_url = database_url
        self.env = env
        self.rest_token = rest_token  # X-Shop-Token outside demo mode

    def chat(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Sends one message over the REST channel and returns the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        headers = {TOKEN_HEADER: self.rest_token} if self.rest_token else {}
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, message: str, **kwargs: Any) -> str:
        """The replies' texts joined, for assertions on what the buyer reads."""
        return "\n".join(r.get("text", "") for r in self.chat(sender, message, **kwargs))

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker from the HTTP API."""
        return requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30).json()


@contextmanager
def running_servers(
    work: Path, shop_file: Path, *, demo: bool = True, console: bool = True
) -> Iterator[Servers]:
    """Imports ``shop_file`` into a fresh SQLite file under ``work`` and runs the servers
    on it: the action server and Rasa (REST channel), and the console unless ``console``
    is false. ``demo=False`` runs them as in production: REST posts need the token."""
    database_url = f"sqlite:///{work / 'shop.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RASA_TELEMETRY_ENABLED": "false",
        "SHOP_UPLOAD_DIR": str(work / "uploads"),
        "SHOP_DEMO": "1" if demo else "0",
    }
    rest_token = "" if demo else secrets.token_hex(16)
    if rest_token:
        env["SHOP_REST_TOKEN"] = rest_token
    subprocess.run(
        [sys.executable, "-m", "shop.db.importer", str(shop_file), "--if-empty"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    if console:
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
    processes = [rasa, actions]
    if console:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "console", "--port", str(console_port)],
                cwd=ROOT,
                env=env,
                stdout=console_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        if console:
            _wait(f"http://127.0.0.1:{console_port}/health", processes[2], console_log)
        _wait(f"http://127.0.0.1:{rasa_port}/status", rasa, rasa_log)
        yield Servers(
            f"http://127.0.0.1:{rasa_port}",
            database_url,
            env,
            f"http://127.0.0.1:{console_port}" if console else "",
            rest_token=rest_token,
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        print("\n--- action server log (tail) ---\n" + action_log.read_text()[-2000:])


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Action server, Rasa server and console on the demo shop, shared by all e2e tests."""
    if not MODEL.exists():
        pytest.fail("no trained model: run scripts/train_if_stale.sh (make test does)")
    with running_servers(tmp_path_factory.mktemp("e2e"), ROOT / "seed" / "demo_shop.json") as s:
        yield s


@pytest.fixture(scope="session")
def second_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The servers on a second shop (tests/e2e/second_shop.json), run as in production:
    no demo mode, REST posts with the server token. No console: REST tests only."""
    if not MODEL.exists():
        pytest.fail("no trained model: run scripts/train_if_stale.sh (make test does)")
    work = tmp_path_factory.mktemp("e2e-second")
    with running_servers(work, SECOND_SHOP, demo=False, console=False) as s:
        yield s


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


@pytest.fixture()
def say_second(second_servers: Servers, sender: str) -> Callable[..., str]:
    """``say_second("在吗")``: as ``say``, on the second shop."""

    def _say(message: str, **kwargs: Any) -> str:
        return second_servers.texts(sender, message, **kwargs)

    return _say


def replies_json(replies: list[dict[str, Any]]) -> str:
    """Replies as JSON, for assertion messages."""
    return json.dumps(replies, ensure_ascii=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The typed conversation suite's "settled: N/M" line (tests/e2e/conftest_typed.py)."""
    from tests.e2e.conftest_typed import report_settled

    report_settled(terminalreporter)

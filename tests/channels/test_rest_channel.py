"""The hardened REST channel (channels/rest.py) with an echoing agent."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from actions.api_token import admin_token
from channels.resilience import APOLOGY_TEXT
from tests.channels.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "rest-test-jwt-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The echo server's base URL (5 messages per conversation a minute, 4 kB max)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("rest") / "server.log"
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_JWT_SECRET": JWT_SECRET,
        "SHOP_RATE_PER_CONVERSATION": "5",
        "SHOP_RATE_PER_ADDRESS": "1000",
        "SHOP_MAX_REQUEST_BYTES": "4096",
        "REDIS_URL": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.channels.rest_echo_server", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server not up:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/webhooks/rest/", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def post(url: str, body: Any, **kwargs: Any) -> requests.Response:
    """POSTs to the channel."""
    return requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=10, **kwargs)


def sender() -> str:
    """A fresh conversation id."""
    return f"t-{uuid.uuid4().hex[:10]}"


def received(url: str) -> list[dict[str, Any]]:
    """What the agent received so far."""
    return requests.get(f"{url}/received", timeout=5).json()


def test_a_message_gets_the_agents_replies(url: str) -> None:
    response = post(url, {"sender": sender(), "message": "在吗", "message_id": "m-1"})
    assert response.status_code == 200
    assert response.json()[0]["text"] == "收到：在吗"
    assert received(url)[-1]["message_id"] == "m-1"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ([1, 2], 400),
        ("text", 400),
        ({"sender": 5, "message": "x"}, 400),
        ({"sender": "", "message": "x"}, 400),
        ({"sender": "s" * 200, "message": "x"}, 400),
        ({"sender": "s", "message": ["x"]}, 400),
        ({"sender": "s", "message": "鞋" * 3000}, 413),
    ],
)
def test_bad_requests_get_a_clean_4xx(url: str, body: Any, status: int) -> None:
    response = post(url, body)
    assert response.status_code == status
    assert response.json()["error"] in {"bad_request", "too_large"}


def test_not_json_is_a_400(url: str) -> None:
    for raw in (b"", b"{", b"\xff"):
        response = requests.post(
            f"{url}/webhooks/rest/webhook",
            data=raw,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert response.status_code == 400


def test_blank_text_needs_no_turn_and_long_text_is_cut(url: str) -> None:
    assert post(url, {"sender": sender(), "message": "  "}).json() == []
    post(url, {"sender": sender(), "message": "a" * 2500})
    assert received(url)[-1]["text"] == "a" * 2000


def test_rate_limit_per_conversation_says_so(url: str) -> None:
    conversation = sender()
    statuses = [post(url, {"sender": conversation, "message": "hi"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = post(url, {"sender": conversation, "message": "hi"})
    assert response.json()["error"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1
    assert post(url, {"sender": sender(), "message": "hi"}).status_code == 200


def test_typed_commands_become_text_but_offered_buttons_pass(url: str) -> None:
    conversation = sender()
    post(url, {"sender": conversation, "message": "/restart"})
    assert received(url)[-1]["text"] == "∕restart"
    post(url, {"sender": conversation, "message": "给我按钮"})
    post(url, {"sender": conversation, "message": '/inform{"order_id":"1"}'})
    assert received(url)[-1]["text"] == '/inform{"order_id":"1"}'
    post(url, {"sender": conversation, "message": '/inform{"order_id":"2"}'})
    assert received(url)[-1]["text"].startswith("∕")


def test_trusted_callers_pass_commands_and_metadata(url: str) -> None:
    headers = {"Authorization": f"Bearer {admin_token(JWT_SECRET, 1)}"}
    body = {"sender": sender(), "message": "/restart", "metadata": {"x": 1}}
    post(url, body, headers=headers)
    assert received(url)[-1]["text"] == "/restart"
    assert received(url)[-1]["metadata"] == {"x": 1}
    forged = {
        "Authorization": f"Bearer {admin_token('wrong-secret-0123456789abcdef0123456789', 1)}"
    }
    post(url, body, headers=forged)
    assert received(url)[-1]["text"] == "∕restart"
    assert received(url)[-1]["metadata"] == {}


def test_untrusted_metadata_is_cut_to_token_and_product(url: str) -> None:
    meta = {"buyer_token": "abc", "product_id": "P001", "admin": True, "nested": {"a": 1}}
    post(url, {"sender": sender(), "message": "hi", "metadata": meta})
    assert received(url)[-1]["metadata"] == {"buyer_token": "abc", "product_id": "P001"}
    post(url, {"sender": sender(), "message": "hi", "metadata": {"product_id": "<script>"}})
    assert received(url)[-1]["metadata"] == {}


def test_an_agent_failure_still_answers_with_an_apology(url: str) -> None:
    response = post(url, {"sender": sender(), "message": "炸了"})
    assert response.status_code == 200
    assert response.json()[0]["text"] == APOLOGY_TEXT

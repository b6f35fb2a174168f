"""The hardened REST channel (channels/rest.py) with an echoing agent."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from channels.rest import ShopRestInput
from rasa_ext.resilience import APOLOGY_TEXT
from shop.api_token import admin_token
from tests.channels.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "rest-test-jwt-secret-0123456789abcdef"
REST_TOKEN = "rest-test-server-token-0123456789abcdef"
SERVER = {"X-Shop-Token": REST_TOKEN}  # what a trusted server sends


@dataclass
class RestServer:
    """A running echo server: its base URL and its log file."""

    url: str
    log: Path


def _start(work: Path, **settings: str) -> Iterator[RestServer]:
    port = _free_port()
    log = work / "server.log"
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_JWT_SECRET": JWT_SECRET,
        "SHOP_RATE_PER_CONVERSATION": "5",
        "SHOP_RATE_PER_ADDRESS": "1000",
        "SHOP_MAX_REQUEST_BYTES": "4096",
        "REDIS_URL": "",
        "SHOP_DEMO": "",
        "SHOP_REST_TOKEN": "",
        **settings,
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
        yield RestServer(base, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def rest_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestServer]:
    """Production settings: the REST token required, 5 messages per conversation a minute."""
    yield from _start(tmp_path_factory.mktemp("rest"), SHOP_REST_TOKEN=REST_TOKEN)


@pytest.fixture(scope="module")
def url(rest_server: RestServer) -> str:
    """The echo server's base URL."""
    return rest_server.url


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dev default (``make run``): demo mode, no REST token configured."""
    for server in _start(tmp_path_factory.mktemp("rest-demo"), SHOP_DEMO="1"):
        yield server.url


def post(url: str, body: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """POSTs to the channel as a trusted server (with the REST token) unless told otherwise."""
    sent = SERVER if headers is None else headers
    return requests.post(
        f"{url}/webhooks/rest/webhook", json=body, timeout=10, headers=sent, **kwargs
    )


def sender() -> str:
    """A fresh conversation id."""
    return f"t-{uuid.uuid4().hex[:10]}"


def received(url: str) -> list[dict[str, Any]]:
    """What the agent received so far."""
    return requests.get(f"{url}/received", timeout=5).json()


def metric(url: str, name: str, **labels: str) -> float:
    """One sample of the server's ``/metrics`` (0 when absent), parsed as Prometheus does."""
    response = requests.get(f"{url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


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
            headers={"Content-Type": "application/json", **SERVER},
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
        **SERVER,
        "Authorization": f"Bearer {admin_token('wrong-secret-0123456789abcdef0123456789', 1)}",
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


def test_an_agent_failure_is_a_counted_500_with_the_apology_logged_once(
    rest_server: RestServer,
) -> None:
    url = rest_server.url
    errors_before = metric(url, "shop_channel_errors_total", channel="rest")
    messages_before = metric(url, "shop_messages_total", channel="rest")
    response = post(url, {"sender": sender(), "message": "炸了，电话13812345678"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error" and re.fullmatch(r"[0-9a-f]{16}", body["trace_id"])
    assert response.headers["X-Trace-Id"] == body["trace_id"]
    assert body["messages"][-1]["text"] == APOLOGY_TEXT  # a relaying server may show it
    assert body["messages"][-1]["buttons"][0]["payload"] == "/request_human"
    assert metric(url, "shop_channel_errors_total", channel="rest") == errors_before + 1
    assert metric(url, "shop_messages_total", channel="rest") == messages_before + 1
    assert metric(url, "shop_message_seconds_count", channel="rest") >= messages_before + 1
    deadline = time.monotonic() + 5
    while body["trace_id"] not in (log := rest_server.log.read_text()):
        assert time.monotonic() < deadline, "the error was not logged"
        time.sleep(0.1)
    assert log.count(body["trace_id"]) == 1  # one record, with its traceback
    assert "Traceback" in log and "RuntimeError" in log
    assert "13812345678" not in log and "138****5678" in log  # masked, traceback too


def test_ordinary_messages_move_no_error_counter(url: str) -> None:
    before = metric(url, "shop_channel_errors_total", channel="rest")
    assert post(url, {"sender": sender(), "message": "在吗"}).status_code == 200
    assert metric(url, "shop_channel_errors_total", channel="rest") == before


def test_without_the_token_nothing_reaches_any_conversation(url: str) -> None:
    conversation = "buyer-B005"  # a logged-in buyer's widget conversation
    count = len(received(url))
    for headers in ({}, {"X-Shop-Token": "guess"}, {"X-Shop-Token": REST_TOKEN[:-1]},
                    {"X-Shop-Token": "clé-secrète"}):  # fmt: skip
        for who in (conversation, sender()):
            response = post(url, {"sender": who, "message": "我要退货"}, headers=headers)
            assert response.status_code == 401, headers
            assert response.json()["error"] == "unauthorized"
    assert len(received(url)) == count
    # A server holding the token may relay for a buyer it verified itself.
    assert post(url, {"sender": conversation, "message": "在吗"}).status_code == 200
    assert received(url)[-1]["text"] == "在吗"


def test_an_admin_jwt_without_expiry_is_no_credential(url: str) -> None:
    forever = jwt.encode({"user": {"username": "x", "role": "admin"}}, JWT_SECRET, "HS256")
    body = {"sender": sender(), "message": "/restart", "metadata": {"x": 1}}
    response = post(url, body, headers={"Authorization": f"Bearer {forever}"})
    assert response.status_code == 401
    post(url, body, headers={**SERVER, "Authorization": f"Bearer {forever}"})
    assert received(url)[-1]["text"] == "∕restart"  # screened: not trusted
    assert received(url)[-1]["metadata"] == {}


def test_dev_default_is_open_except_for_the_widgets_conversations(demo_url: str) -> None:
    assert post(demo_url, {"sender": "me", "message": "在吗"}, headers={}).status_code == 200
    count = len(received(demo_url))
    for who in ("buyer-B005", "anon-0123456789abcdef", " BUYER-B005"):
        response = post(demo_url, {"sender": who, "message": "我要退货"}, headers={})
        assert response.status_code == 403 and response.json()["error"] == "reserved_sender"
    assert len(received(demo_url)) == count


@pytest.mark.parametrize(
    ("token", "demo", "headers", "expected"),
    [
        ("t0ken-of-the-shop", False, {"X-Shop-Token": "t0ken-of-the-shop"}, "server"),
        ("t0ken-of-the-shop", True, {}, None),  # a token, once set, is required in demo too
        ("", True, {}, "public"),  # make run, the tests
        ("", False, {}, None),  # production without a token: admin JWTs only
        ("", False, {"X-Shop-Token": ""}, None),
    ],
)
def test_who_may_post(token: str, demo: bool, headers: dict[str, str], expected: Any) -> None:
    channel = ShopRestInput(token=token, demo_mode=demo)
    assert channel.caller(SimpleNamespace(headers=headers)) == expected  # type: ignore[arg-type]

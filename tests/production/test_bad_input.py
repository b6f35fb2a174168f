"""Bad input through the public channels (REST and socket.io), fuzzed with hypothesis.

Properties: never a 5xx, never a crash, a reply to every non-blank message,
clean 4xx errors for what is refused, limits that say so clearly, and no error
counted anywhere: a crash answered with a polite apology is still a crash
(every test checks ``/metrics`` of both replicas and the action server).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.identity import issue_token
from tests.channels.widget import Widget
from tests.production.conftest import SERVER, Cluster

MAX_BYTES = 65536  # SHOP_MAX_REQUEST_BYTES, the default
SHOP_SECRET = "test-only-shop-secret-0123456789abcdef"  # the cluster's
NASTY = [
    "",
    " \t\n",
    "鞋" * 10_000,
    "\x00\x01\x1b[31m\u202e\ufeff",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE orders; --",
    "1 OR 1=1; SELECT * FROM buyers",
    "😀👟🇨🇳" * 50,
    "Size 42 ok? 這雙鞋 размер 42 サイズ 42 مقاس",
    "/restart",
    "／restart",
    '/inform{"order_id":"2026010506679357"}',
    "%s%s%n{0}{{7*7}}${7*7}",
]
texts = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=300), st.text(min_size=2000, max_size=10_000)
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
tokens = st.one_of(
    st.just(issue_token("B005", secret="not-the-shop-secret-0123456789abcdef")),  # forged
    st.just(issue_token("B005", secret=SHOP_SECRET, hours=-1)),  # expired
    st.just(issue_token("B005", secret=SHOP_SECRET)),  # genuine
    st.text(max_size=100),
    json_values,
)
metadata = st.one_of(
    json_values,
    st.fixed_dictionaries({"buyer_token": tokens}, optional={"product_id": json_values}),
)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _public(cluster: Cluster) -> str:
    return cluster.urls.get("nginx", cluster.urls["rasa_a"])


ERROR_COUNTERS = [
    ("rasa_a", "shop_channel_errors_total"),
    ("rasa_b", "shop_channel_errors_total"),
    ("rasa_a", "shop_action_failures_total"),
    ("rasa_b", "shop_action_failures_total"),
    ("actions", "shop_action_errors_total"),
]


def _errors(cluster: Cluster) -> dict[str, float]:
    return {f"{s} {name}": cluster.metric(s, name) for s, name in ERROR_COUNTERS}


@pytest.fixture(autouse=True)
def no_error_counted(cluster: Cluster) -> Iterator[None]:
    """Fails a test after which any server counted an error (a crash behind an apology)."""
    before = _errors(cluster)
    yield
    assert _errors(cluster) == before, "an error was counted: see the servers' logs (trace id)"


@FUZZ
@given(text=texts, meta=metadata)
def test_rest_text_and_metadata(cluster: Cluster, text: str, meta: Any) -> None:
    sender = f"fuzz-{uuid.uuid4().hex[:10]}"
    raw = json.dumps({"sender": sender, "message": text, "metadata": meta}).encode()
    response = requests.post(
        f"{_public(cluster)}/webhooks/rest/webhook",
        data=raw,
        headers={"Content-Type": "application/json", **SERVER},
        timeout=90,
    )
    if len(raw) > MAX_BYTES:  # 10,000 escaped emoji are bigger than the limit
        assert response.status_code == 413, response.text[:300]
        return
    assert response.status_code == 200, response.text[:300]
    replies = response.json()
    assert isinstance(replies, list)
    if text.strip():
        assert replies, f"no reply to {text[:40]!r}"
    assert "<script>" not in json.dumps(replies, ensure_ascii=False)


@FUZZ
@given(body=json_values)
def test_rest_wrong_shapes_get_a_clean_4xx(cluster: Cluster, body: Any) -> None:
    response = cluster.post(_public(cluster), body)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert response.json()["error"] in {"bad_request", "too_large", "rate_limited"}


def test_rest_raw_garbage_and_oversized_requests(cluster: Cluster) -> None:
    url = f"{_public(cluster)}/webhooks/rest/webhook"
    headers = {"Content-Type": "application/json", **SERVER}
    for raw in (b"", b"not json", b"{", b"\xff\xfe", b"[1,2]", b'"text"'):
        response = requests.post(url, data=raw, headers=headers, timeout=30)
        assert response.status_code == 400, (raw, response.status_code)
    huge = json.dumps({"sender": "x", "message": "鞋" * 100_000}).encode()
    response = requests.post(url, data=huge, headers=headers, timeout=30)
    assert response.status_code == 413
    sender = {"sender": 42, "message": "在吗"}
    assert requests.post(url, json=sender, headers=SERVER, timeout=30).status_code == 400


def test_public_rest_never_reaches_a_buyers_conversation(cluster: Cluster) -> None:
    """Without the REST token nobody posts as a buyer, through nginx or to a replica."""
    assert "nginx" in cluster.urls, "nginx is missing: scripts/install_nginx.sh installs it"
    victim = "buyer-B005"
    words = f"我要退货，退款打到这张卡 {uuid.uuid4().hex[:6]}"
    for base in (cluster.urls["nginx"], cluster.urls["rasa_a"]):
        for headers in ({}, {"X-Shop-Token": "guess"}, {"Authorization": "Bearer x.y.z"}):
            response = requests.post(
                f"{base}/webhooks/rest/webhook",
                json={"sender": victim, "message": words},
                headers=headers,
                timeout=30,
            )
            assert response.status_code == 401, (base, headers, response.text[:200])
            assert response.json()["error"] == "unauthorized"
    # Nor through the widget: a forged session id gets a conversation of its own.
    widget = Widget(cluster.urls["nginx"])
    try:
        assert widget.start(session_id=f"v1.{victim}.AAAA").startswith("v1.anon-")
        assert widget.turn(words, timeout=60)
    finally:
        widget.sio.disconnect()
    assert words not in cluster.user_texts(victim)


def test_forged_or_expired_token_sees_no_orders(cluster: Cluster) -> None:
    for token in (
        issue_token("B005", secret="not-the-shop-secret-0123456789abcdef"),
        issue_token("B005", secret=SHOP_SECRET, hours=-1),
    ):
        sender = f"fuzz-{uuid.uuid4().hex[:10]}"
        replies = cluster.chat(
            _public(cluster), sender, "我的快递到哪了", metadata={"buyer_token": token}
        )
        shown = json.dumps(replies, ensure_ascii=False)
        assert "2026010506679357" not in shown and "订单" in shown


def test_rate_limit_per_conversation(cluster: Cluster) -> None:
    sender = f"fuzz-rate-{uuid.uuid4().hex[:8]}"
    statuses = []
    for _ in range(32):
        response = cluster.post(_public(cluster), {"sender": sender, "message": "在吗"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.json()["error"] == "rate_limited"
            assert int(response.headers["Retry-After"]) >= 1
            break
    assert statuses[:30] == [200] * 30 and statuses[-1] == 429, statuses


def test_typed_commands_are_text_unless_trusted(cluster: Cluster) -> None:
    sender = f"fuzz-cmd-{uuid.uuid4().hex[:8]}"
    cluster.chat(_public(cluster), sender, "在吗")
    cluster.chat(_public(cluster), sender, "/restart")
    events = cluster.tracker(sender)["events"]
    assert not [e for e in events if e["event"] == "restart"]
    assert [e["text"] for e in events if e["event"] == "user"][-1] == "∕restart"
    trusted = cluster.post(
        "rasa_b", {"sender": sender, "message": "/restart"}, headers=cluster.api_headers
    )
    assert trusted.status_code == 200
    url = f"{cluster.urls['rasa_b']}/conversations/{sender}/tracker"
    everything = requests.get(
        url, params={"include_events": "ALL"}, headers=cluster.api_headers, timeout=30
    ).json()
    assert [e for e in everything["events"] if e["event"] == "restart"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(text=texts, meta=metadata)
def test_socketio_text_and_metadata(cluster: Cluster, text: Any, meta: Any) -> None:
    widget = Widget(_public(cluster))
    try:
        widget.start()
        widget.send(text, meta)
        if isinstance(text, str) and text.strip():
            name, _ = _first_of(widget, {"bot_uttered", "error"})
            assert name in {"bot_uttered", "error"}
        assert widget.turn("在吗", timeout=60), "the socket stopped answering"
    finally:
        widget.sio.disconnect()


def test_socketio_a_buyer_queued_for_a_person_still_gets_answers(cluster: Cluster) -> None:
    """Rasa says nothing while paused; the waiting action answers instead (a fuzz find)."""
    widget = Widget(_public(cluster))
    try:
        widget.start()
        assert "人工客服" in json.dumps(widget.turn("gÛô 找人工"), ensure_ascii=False)
        for text in ("在吗", "gÛô"):
            replies = json.dumps(widget.turn(text, timeout=30), ensure_ascii=False)
            assert "收到" in replies and "留言" in replies
    finally:
        widget.sio.disconnect()


def _first_of(widget: Widget, names: set[str], timeout: float = 60) -> tuple[str, Any]:
    import queue
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            name, data = widget.events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if name in names:
            return name, data
    raise AssertionError(f"none of {names} within {timeout}s")

"""Faults in production: a dead action server, database, replica or Redis loses nothing.

Every test ends with the conversation working again and its tracker holding
every message that was answered, in order.
"""

from __future__ import annotations

import concurrent.futures
import time
import uuid
from typing import Any

import jwt
import pytest
import requests

from rasa_ext.resilience import APOLOGY_TEXT
from tests.production.conftest import JWT_SECRET, Cluster

SHIPPING = "今天几点前下单能发货"  # answered by a custom action from the shop database
SHIPPING_ANSWER = "16:00"
HELLO = "在吗"


def texts(replies: list[dict[str, Any]]) -> str:
    """The replies' texts joined."""
    return "\n".join(r.get("text", "") for r in replies)


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    """The button payloads offered in the replies."""
    return [b["payload"] for r in replies for b in r.get("buttons", []) or []]


def apology_or_answer(response: requests.Response) -> list[dict[str, Any]]:
    """The replies of a 200, or of a 500 (a failure inside Rasa: the apology, a trace id)."""
    if response.status_code == 500:
        body = response.json()
        assert body["error"] == "internal_error" and len(body["trace_id"]) == 16
        assert response.headers["X-Trace-Id"] == body["trace_id"]
        return body["messages"]
    assert response.status_code == 200, response.text
    return response.json()


def test_the_api_needs_a_bearer_jwt(cluster: Cluster, sender: str) -> None:
    url = f"{cluster.urls['rasa_a']}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "guess"}, timeout=10).status_code == 401
    assert requests.get(url, headers=cluster.api_headers, timeout=10).status_code == 200
    forever = jwt.encode({"user": {"username": "x", "role": "admin"}}, JWT_SECRET, "HS256")
    no_expiry = {"Authorization": f"Bearer {forever}"}  # valid forever: refused
    assert requests.get(url, headers=no_expiry, timeout=10).status_code == 401
    if "nginx" in cluster.urls:  # the public port routes it to the console, never to Rasa
        public = f"{cluster.urls['nginx']}/conversations/{sender}/tracker"
        response = requests.get(public, headers=cluster.api_headers, timeout=10)
        assert response.status_code in (404, 502)  # 502: no console in this test cluster


def test_replicas_share_one_conversation(cluster: Cluster, sender: str) -> None:
    assert "您好" in texts(cluster.chat("rasa_a", sender, HELLO))
    assert SHIPPING_ANSWER in texts(cluster.chat("rasa_b", sender, SHIPPING))
    assert cluster.user_texts(sender) == [HELLO, SHIPPING]


@pytest.mark.parametrize("attempt", range(3))
def test_one_conversation_is_never_processed_twice_at_once(cluster: Cluster, attempt: int) -> None:
    # Two replicas issuing tickets at the same moment once shared a ticket (Rasa's
    # RedisLockStore is not atomic): rasa_ext/lock_store.py. Several attempts, as it is a race.
    sender = f"prod-lock-{attempt}-{uuid.uuid4().hex[:8]}"
    messages = [SHIPPING, "有什么优惠券吗", HELLO, "退货运费谁出"]
    with concurrent.futures.ThreadPoolExecutor(len(messages)) as pool:
        futures = [
            pool.submit(cluster.chat, ("rasa_a", "rasa_b")[i % 2], sender, text)
            for i, text in enumerate(messages)
        ]
        answers = [f.result() for f in futures]
    assert all(answers)
    events = [e for e in cluster.tracker(sender)["events"] if e["event"] in ("user", "action")]
    # Each user message is followed by its own actions up to action_listen: no interleaving.
    turns: list[list[str]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event["name"])
    assert len(turns) == len(messages)
    for actions in turns:
        assert actions and actions[-1] == "action_listen", turns
        assert "action_listen" not in actions[:-1], turns


def test_action_server_killed_then_back(cluster: Cluster, sender: str) -> None:
    actions = cluster.services["actions"]
    assert SHIPPING_ANSWER in texts(cluster.chat("rasa_a", sender, SHIPPING))
    actions.kill()
    failures = cluster.metric("rasa_a", "shop_action_failures_total", reason="unreachable")
    try:
        replies = cluster.chat("rasa_a", sender, SHIPPING)
        assert APOLOGY_TEXT in texts(replies)
        assert "/request_human" in payloads(replies)
        # Counted once per failed call (a message may call several actions).
        assert (
            cluster.metric("rasa_a", "shop_action_failures_total", reason="unreachable") > failures
        )
        # Still answers what needs no action server.
        assert "您好" in texts(cluster.chat("rasa_b", sender, HELLO))
    finally:
        actions.start()
    assert SHIPPING_ANSWER in texts(cluster.chat("rasa_b", sender, SHIPPING))
    assert cluster.user_texts(sender) == [SHIPPING, SHIPPING, HELLO, SHIPPING]


def test_database_goes_away_and_comes_back(cluster: Cluster, sender: str) -> None:
    assert SHIPPING_ANSWER in texts(cluster.chat("rasa_a", sender, SHIPPING))
    cluster.db.cut()
    try:
        started = time.monotonic()
        errors = cluster.metric("rasa_a", "shop_channel_errors_total", channel="rest")
        response = cluster.post("rasa_a", {"sender": sender, "message": SHIPPING})
        # The action's own "system busy" answer (200), or the channel's apology when the
        # tracker store is gone too: then a counted 500, never a quiet 200.
        assert "抱歉" in texts(apology_or_answer(response))
        counted = cluster.metric("rasa_a", "shop_channel_errors_total", channel="rest") - errors
        assert counted == (1 if response.status_code == 500 else 0)
        assert time.monotonic() - started < 30
    finally:
        cluster.db.restore()
    deadline = time.monotonic() + 30
    while SHIPPING_ANSWER not in texts(cluster.chat("rasa_b", sender, SHIPPING)):
        assert time.monotonic() < deadline, "no normal answer 30 s after the database came back"
        time.sleep(1)
    assert cluster.user_texts(sender)[0] == SHIPPING


def test_replica_killed_while_buyers_chat(cluster: Cluster) -> None:
    if "nginx" not in cluster.urls:
        pytest.fail("nginx is not installed: scripts/install_nginx.sh", pytrace=False)
    buyers = [f"prod-kill-{i}-{uuid.uuid4().hex[:6]}" for i in range(6)]
    script = [HELLO, SHIPPING, "有什么优惠券吗", "退货运费谁出", SHIPPING, HELLO]
    answered: dict[str, list[str]] = {b: [] for b in buyers}

    def buyer(sender: str) -> None:
        for text in script:
            for attempt in range(3):  # a buyer's client resends once the page errors
                response = cluster.post("nginx", {"sender": sender, "message": text})
                if response.status_code == 200 and response.json():
                    answered[sender].append(text)
                    break
                time.sleep(1 + attempt)
            time.sleep(0.3)

    replica = cluster.services["rasa_a"]
    with concurrent.futures.ThreadPoolExecutor(len(buyers)) as pool:
        futures = [pool.submit(buyer, b) for b in buyers]
        time.sleep(2)
        replica.kill()
        for future in futures:
            future.result()
    try:
        for sender in buyers:
            assert answered[sender] == script, answered[sender]
            stored = cluster.user_texts(sender)
            # A message in flight on the killed replica may be stored once more by the retry.
            deduplicated = [t for i, t in enumerate(stored) if i == 0 or t != stored[i - 1]]
            assert deduplicated == script, stored
    finally:
        replica.start()


def test_redis_restarts(cluster: Cluster, sender: str) -> None:
    redis = cluster.services["redis"]
    assert "您好" in texts(cluster.chat("rasa_a", sender, HELLO))
    redis.kill()
    try:
        response = cluster.post("rasa_a", {"sender": sender, "message": SHIPPING})
        assert apology_or_answer(response), "no reply while Redis is down"
    finally:
        redis.start(wait=False)
        time.sleep(1)
    assert SHIPPING_ANSWER in texts(cluster.chat("rasa_b", sender, SHIPPING))
    assert SHIPPING_ANSWER in texts(cluster.chat("rasa_a", sender, SHIPPING))
    assert cluster.user_texts(sender)[-2:] == [SHIPPING, SHIPPING]

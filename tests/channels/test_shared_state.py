"""Offered buttons shared through Redis (real Redis at 127.0.0.1:6379). The rate limits:
tests/shop/test_rate_limit.py."""

from __future__ import annotations

import uuid

import pytest

from channels.shared_state import RedisOfferedPayloads

REDIS_URL = "redis://127.0.0.1:6379/5"
DEAD_URL = "redis://127.0.0.1:1/0"  # nothing listens there
BUTTONS = {"text": "选哪个", "buttons": [{"title": "一", "payload": '/inform{"order_id":"1"}'}]}


@pytest.fixture(scope="module")
def redis_up() -> None:
    """Fails unless Redis answers at 127.0.0.1:6379 (scripts/install_redis.sh starts it)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.fail(f"Redis not reachable at 127.0.0.1:6379: {error}", pytrace=False)


def test_a_button_offered_by_one_replica_is_accepted_by_another(redis_up: None) -> None:
    sender = f"t-{uuid.uuid4().hex}"
    RedisOfferedPayloads(REDIS_URL).remember(sender, BUTTONS)
    other = RedisOfferedPayloads(REDIS_URL)
    assert other.screen(sender, '/inform{"order_id":"1"}') == '/inform{"order_id":"1"}'
    assert other.screen(sender, "/restart") == "∕restart"


def test_only_the_last_messages_count(redis_up: None) -> None:
    sender = f"t-{uuid.uuid4().hex}"
    store = RedisOfferedPayloads(REDIS_URL, messages=2)
    store.remember(sender, BUTTONS)
    store.remember(sender, {"text": "a"})
    store.remember(sender, {"text": "b"})
    assert list(store.offered(sender)) == []


def test_redis_down_fails_open() -> None:
    sender = f"t-{uuid.uuid4().hex}"
    store = RedisOfferedPayloads(DEAD_URL)
    store.remember(sender, BUTTONS)  # no exception
    assert store.screen(sender, '/inform{"order_id":"1"}').startswith("∕")

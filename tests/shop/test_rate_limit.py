"""The one rate limiter (shop/rate_limit.py): moving window, per process in memory,
shared by every instance and process through real Redis (127.0.0.1:6379), open when
Redis is down."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable

import pytest

from shop.rate_limit import RateLimit

REDIS_URL = "redis://127.0.0.1:6379/5"
DEAD_URL = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture(scope="module")
def redis_up() -> None:
    """Fails unless Redis answers at 127.0.0.1:6379 (scripts/install_redis.sh starts it)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.fail(f"Redis not reachable at 127.0.0.1:6379: {error}", pytrace=False)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Moves ``time.time`` (which ``limits`` reads) forward by the given seconds."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


def _key() -> str:
    return f"t-{uuid.uuid4().hex}"


def _hit_elsewhere(redis_url: str, key: str, limit: int) -> float:
    """One hit on the same rule from another process: another replica."""
    code = (
        "import sys; from shop.rate_limit import RateLimit; "
        f"print(RateLimit('test', {limit}, 60, {redis_url!r}).hit({key!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return float(out.stdout.strip().splitlines()[-1])


def test_memory_limit_counts_per_key_and_says_how_long_to_wait() -> None:
    limiter, key = RateLimit("test", 2, 60), _key()
    assert limiter.hit(key) == 0 and limiter.hit(key) == 0
    assert 0 < limiter.hit(key) <= 60
    assert limiter.hit(_key()) == 0


def test_memory_limit_is_per_process() -> None:
    limiter, key = RateLimit("test", 2, 60), _key()
    assert [limiter.hit(key), limiter.hit(key)] == [0, 0]
    assert limiter.hit(key) > 0
    assert _hit_elsewhere("", key, 2) == 0  # another replica counts alone
    assert RateLimit("test", 2, 60).hit(key) == 0  # and so does another server's limiter


def test_redis_rules_with_other_names_count_apart(redis_up: None) -> None:
    key = _key()
    assert RateLimit("test", 1, 60, REDIS_URL).hit(key) == 0
    assert RateLimit("other", 1, 60, REDIS_URL).hit(key) == 0
    assert RateLimit("test", 1, 60, REDIS_URL).hit(key) > 0


def test_moving_window_forgets_old_events(clock: Callable[[float], None]) -> None:
    limiter, key = RateLimit("test", 2, 60), _key()
    assert [limiter.hit(key), limiter.hit(key)] == [0, 0]
    clock(30)
    assert limiter.hit(key) > 0  # refused, and not counted
    clock(31)
    assert limiter.hit(key) == 0  # the first two are older than the window
    assert limiter.hit(key) == 0
    assert limiter.hit(key) > 0


def test_retry_after_counts_nothing_and_clear_forgets() -> None:
    limiter, key = RateLimit("test", 2, 900), _key()
    assert limiter.retry_after(key) == 0
    limiter.hit(key)
    assert limiter.retry_after(key) == 0  # still one left
    limiter.hit(key)
    assert 0 < limiter.retry_after(key) <= 900
    limiter.clear(key)
    assert limiter.retry_after(key) == 0


def test_redis_limit_is_shared_by_instances_and_processes(redis_up: None) -> None:
    first, second, key = (
        RateLimit("test", 3, 60, REDIS_URL),
        RateLimit("test", 3, 60, REDIS_URL),
        _key(),
    )
    assert [first.hit(key), second.hit(key)] == [0, 0]
    assert _hit_elsewhere(REDIS_URL, key, 3) == 0  # another replica's hit counts here
    assert 0 < second.hit(key) <= 60
    assert 0 < first.hit(key) <= 60
    assert _hit_elsewhere(REDIS_URL, key, 3) > 0
    first.clear(key)
    assert second.hit(key) == 0


def test_redis_down_fails_open() -> None:
    limiter, key = RateLimit("test", 1, 60, DEAD_URL), _key()
    assert [limiter.hit(key), limiter.hit(key)] == [0, 0]
    assert limiter.retry_after(key) == 0
    limiter.clear(key)  # no exception

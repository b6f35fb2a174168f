"""Channel state that several Rasa replicas must share: offered buttons, rate limits.

Embedded (no ``REDIS_URL``) both live in process memory. With ``REDIS_URL`` they
live in Redis, so a button offered by one replica is accepted by another and a
buyer cannot multiply the rate limit by the number of replicas. When Redis is
unreachable the channel keeps working: offered payloads fall back to "none
offered" (a click is then read as text) and rate limits are not enforced.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterable
from functools import cache
from typing import Any

from channels.commands import REMEMBERED_MESSAGES, OfferedPayloads, _payloads

logger = logging.getLogger(__name__)

KEY_PREFIX = "shop:"
OFFERED_TTL_SECONDS = 24 * 3600


@cache
def redis_client(url: str) -> Any:
    """One synchronous Redis client per URL, with short timeouts."""
    import redis  # type: ignore[import-untyped]

    return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


class RedisOfferedPayloads(OfferedPayloads):
    """Offered button payloads in a Redis list per conversation."""

    def __init__(self, url: str, messages: int = REMEMBERED_MESSAGES) -> None:
        super().__init__(messages=messages)
        self._url = url

    def _key(self, sender_id: str) -> str:
        return f"{KEY_PREFIX}offered:{sender_id}"

    def remember(self, sender_id: str, message: dict[str, Any]) -> None:
        """Records one bot message's payloads (an empty list for plain text)."""
        key = self._key(sender_id)
        try:
            pipe = redis_client(self._url).pipeline()
            pipe.rpush(key, json.dumps(sorted(_payloads(message)), ensure_ascii=False))
            pipe.ltrim(key, -self._messages, -1)
            pipe.expire(key, OFFERED_TTL_SECONDS)
            pipe.execute()
        except Exception as error:
            logger.warning("offered payloads not stored (Redis): %s", error)

    def offered(self, sender_id: str) -> Iterable[str]:
        """All payloads offered in the conversation's last few bot messages."""
        try:
            rows = redis_client(self._url).lrange(self._key(sender_id), 0, -1)
        except Exception as error:
            logger.warning("offered payloads not read (Redis): %s", error)
            return []
        return [payload for row in rows for payload in json.loads(row)]


def offered_payloads(redis_url: str = "") -> OfferedPayloads:
    """The offered-payload memory for this deployment (Redis when configured)."""
    return RedisOfferedPayloads(redis_url) if redis_url else OfferedPayloads()


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (sliding, in memory)."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def hit(self, key: str) -> float:
        """Counts one event; returns 0 when allowed, else seconds to wait."""
        now = time.monotonic()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.limit:
            return max(0.1, self.window - (now - events[0]))
        events.append(now)
        if len(self._events) > self._max_keys:
            self._events = {
                k: v for k, v in self._events.items() if v and now - v[-1] < self.window
            }
        return 0.0


class RedisRateLimiter(RateLimiter):
    """The same sliding-window limit shared by all replicas (a sorted set per key)."""

    def __init__(self, url: str, limit: int, window: float = 60.0) -> None:
        super().__init__(limit, window)
        self._url = url

    def hit(self, key: str) -> float:
        """Counts one event; fails open (allows it) when Redis is down."""
        now = time.time()
        redis_key = f"{KEY_PREFIX}rate:{key}"
        member = f"{now:.6f}-{uuid.uuid4().hex[:8]}"
        try:
            client = redis_client(self._url)
            pipe = client.pipeline()
            pipe.zremrangebyscore(redis_key, 0, now - self.window)
            pipe.zadd(redis_key, {member: now})
            pipe.zcard(redis_key)
            pipe.zrange(redis_key, 0, 0, withscores=True)
            pipe.expire(redis_key, int(self.window) + 1)
            _, _, count, oldest, _ = pipe.execute()
            if count <= self.limit:
                return 0.0
            client.zrem(redis_key, member)  # refused events do not count
        except Exception as error:
            logger.warning("rate limit not checked (Redis): %s", error)
            return 0.0
        first = oldest[0][1] if oldest else now
        return max(0.1, first + self.window - now)


def rate_limiter(limit: int, redis_url: str = "", window: float = 60.0) -> RateLimiter:
    """A limiter shared through Redis when configured, else per process."""
    return RedisRateLimiter(redis_url, limit, window) if redis_url else RateLimiter(limit, window)

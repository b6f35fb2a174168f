"""Channel state that several Rasa replicas must share: the offered buttons.

Embedded (no ``REDIS_URL``) they live in process memory. With ``REDIS_URL`` they
live in Redis, so a button offered by one replica is accepted by another. When
Redis is unreachable the channel keeps working: offered payloads fall back to
"none offered" (a click is then read as text). Rate limits, shared the same way,
are in ``shop/rate_limit.py``.
"""

from __future__ import annotations

import json
import logging
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

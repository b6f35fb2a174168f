"""Rate limits for every channel and the console, on the ``limits`` library.

One :class:`RateLimit` per rule: REST messages per conversation and per client
address, widget events per conversation, photo uploads per conversation, failed
console logins per username and address. The strategy is ``limits``' moving
window: at most ``limit`` events in any ``window`` seconds.

Where the counts live follows the deployment. Without a Redis URL they are in
the limiter's memory (embedded: one server, nothing to share). With one (``REDIS_URL``,
``shop.config.settings.redis_url``) they are in Redis, so every replica
counts the same events and a client cannot multiply a limit by the number of
replicas. When Redis does not answer, a limit fails open: the event is allowed
and a warning logged, so a Redis outage never stops a buyer (docs/deployment.md).

The wait returned for a refused event is what ``limits`` reports: until the
newest counted event leaves the window, in whole seconds rounded up (never more
than the window). A refused event is not counted.
"""

from __future__ import annotations

import logging
import math
import time
from functools import cache

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)

NAMESPACE = "shop"  # keys: LIMITER/shop/<rule>/<key>/<limit>/<window>/second (limits' format)
REDIS_TIMEOUT_SECONDS = 1.0


@cache
def _redis_storage(redis_url: str) -> Storage:
    """One Redis client per process and URL, with short timeouts."""
    return RedisStorage(
        redis_url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


class RateLimit:
    """At most ``limit`` events per ``window`` seconds for each key of one rule.

    ``name`` keeps rules apart in Redis (``rest_conversation``, ``upload``…): with
    Redis, every instance of a rule, in every process and replica, counts the same
    events. In memory an instance counts alone (a server makes one per rule).
    """

    def __init__(self, name: str, limit: int, window: float, redis_url: str = "") -> None:
        self.name = name
        self.limit = limit
        self.window = max(1, math.ceil(window))  # limits counts in whole seconds
        self.shared = bool(redis_url)
        self._item = RateLimitItemPerSecond(limit, self.window, namespace=NAMESPACE)
        # The strategy holds its storage weakly: keep it here.
        self._storage = _redis_storage(redis_url) if redis_url else MemoryStorage()
        self._strategy = MovingWindowRateLimiter(self._storage)

    def hit(self, key: str) -> float:
        """Counts one event for ``key``: 0 when allowed, else the seconds to wait."""
        try:
            if self._strategy.hit(self._item, self.name, key):
                return 0.0
            return self._wait(key)
        except Exception as error:  # Redis down or slow: fail open
            logger.warning("rate limit %s not checked (Redis): %s", self.name, error)
            return 0.0

    def retry_after(self, key: str) -> float:
        """The seconds ``key`` must wait before its next event (0: now), counting nothing."""
        try:
            if self._strategy.test(self._item, self.name, key):
                return 0.0
            return self._wait(key)
        except Exception as error:
            logger.warning("rate limit %s not checked (Redis): %s", self.name, error)
            return 0.0

    def clear(self, key: str) -> None:
        """Forgets ``key``'s events (a successful login clears its failures)."""
        try:
            self._strategy.clear(self._item, self.name, key)
        except Exception as error:
            logger.warning("rate limit %s not cleared (Redis): %s", self.name, error)

    def _wait(self, key: str) -> float:
        reset, _ = self._strategy.get_window_stats(self._item, self.name, key)
        # limits reports whole seconds, truncated: round the wait up, within the window.
        return float(min(self.window, max(1, math.ceil(reset + 1 - time.time()))))

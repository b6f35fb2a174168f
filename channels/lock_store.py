"""A Redis ticket lock store whose every change is one atomic transaction.

Rasa 3.6's ``RedisLockStore`` reads a conversation's lock, changes it in Python
and writes it back. Two replicas issuing tickets at the same moment both read
the same lock, both take ticket 0, and both process a message of the same
conversation at once. Here each read-modify-write runs under Redis ``WATCH``
(optimistic locking: a concurrent change makes the transaction retry), an empty
lock is deleted in the same transaction, and a lock key expires with its last
ticket, so a crashed replica leaves nothing behind.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis  # type: ignore[import-untyped]
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` with atomic ticket changes.

    In endpoints.yml: ``type: channels.lock_store.AtomicRedisLockStore``.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Takes the endpoint's settings (``url`` is the Redis host) or keyword arguments."""
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Applies ``change`` to the stored lock atomically and returns its result."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = (
                        TicketLock.from_dict(json.loads(raw))
                        if raw
                        else self.create_lock(conversation_id)
                    )
                    result = change(lock)
                    lock.remove_expired_tickets()
                    pipe.multi()
                    if lock.tickets:
                        expires = max(ticket.expires for ticket in lock.tickets)
                        pipe.set(key, lock.dumps(), px=max(1, int((expires - time.time()) * 1000)))
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket; no other replica can be issued the same number."""
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets (and the lock once none is left)."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Removes the ticket; the lock goes with its last ticket."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Same as :meth:`finish_serving`: an empty lock is deleted in that transaction."""
        self.finish_serving(conversation_id, ticket_number)

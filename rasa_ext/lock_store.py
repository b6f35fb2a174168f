"""A Redis ticket lock store whose every change is one atomic transaction.

Rasa 3.6's ``RedisLockStore`` reads a conversation's lock, changes it in Python
and writes it back. Two replicas issuing tickets at the same moment both read
the same lock, both take ticket 0, and both process a message of the same
conversation at once. Here each read-modify-write is one Lua script that Redis
runs atomically (one round trip, where a ``WATCH`` transaction took three), an
empty lock is deleted by the same script, and a lock key expires with its last
ticket, so a crashed replica leaves nothing behind. The stored value is Rasa's
``TicketLock`` JSON, so Rasa's own reads (``get_lock``) work unchanged.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis  # type: ignore[import-untyped]
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# KEYS[1]: the lock; ARGV: operation, conversation id, now (s), lifetime (issue) or ticket
# number (remove). Rasa's TicketLock semantics: expired tickets are dropped first, a new
# ticket is the last one's number + 1 (0 when none is left); tickets are stored as JSON
# strings inside the lock's JSON, as TicketLock.dumps writes them.
CHANGE_SCRIPT = """
local raw = redis.call('GET', KEYS[1])
local lock = {conversation_id = ARGV[2], tickets = {}}
if raw then lock = cjson.decode(raw) end
local now = tonumber(ARGV[3])
local kept = {}
for _, dumped in ipairs(lock.tickets or {}) do
  local ticket = cjson.decode(dumped)
  if now <= ticket.expires then kept[#kept + 1] = ticket end
end
local result = -1
if ARGV[1] == 'issue' then
  result = 0
  if #kept > 0 then result = kept[#kept].number + 1 end
  kept[#kept + 1] = {number = result, expires = now + tonumber(ARGV[4])}
elseif ARGV[1] == 'remove' then
  local number = tonumber(ARGV[4])
  local rest = {}
  for _, ticket in ipairs(kept) do
    if ticket.number ~= number then rest[#rest + 1] = ticket end
  end
  kept = rest
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
  return result
end
local expires = now
local dumped = {}
for i, ticket in ipairs(kept) do
  if ticket.expires > expires then expires = ticket.expires end
  dumped[i] = cjson.encode({number = ticket.number, expires = ticket.expires})
end
lock.tickets = dumped
local ttl = math.max(1, math.floor((expires - now) * 1000))
redis.call('SET', KEYS[1], cjson.encode(lock), 'PX', ttl)
return result
"""


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` with atomic ticket changes.

    In endpoints.yml: ``type: rasa_ext.lock_store.AtomicRedisLockStore``.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Takes the endpoint's settings (``url`` is the Redis host) or keyword arguments."""
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)
        # redis-py sends EVALSHA and loads the script again after a Redis restart.
        self._script = self.red.register_script(CHANGE_SCRIPT)

    def _change(self, conversation_id: str, operation: str, argument: float = 0) -> int:
        """Runs :data:`CHANGE_SCRIPT` (``issue``, ``remove`` or ``expire``) on the lock."""
        result = self._script(
            keys=[self.key_prefix + conversation_id],
            args=[operation, conversation_id, repr(time.time()), repr(argument)],
        )
        return int(result)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket; no other replica can be issued the same number."""
        try:
            return self._change(conversation_id, "issue", lock_lifetime)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets (and the lock once none is left)."""
        self._change(conversation_id, "expire")

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Removes the ticket; the lock goes with its last ticket."""
        self._change(conversation_id, "remove", ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Same as :meth:`finish_serving`: an empty lock is deleted by the same script."""
        self.finish_serving(conversation_id, ticket_number)

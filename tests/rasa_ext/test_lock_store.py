"""The atomic Redis ticket lock store (real Redis at 127.0.0.1:6379, db 6)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_ext.lock_store import AtomicRedisLockStore

DB = 6


@pytest.fixture(scope="module")
def redis_up() -> None:
    """Fails unless Redis answers at 127.0.0.1:6379 (scripts/install_redis.sh starts it)."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, db=DB, socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.fail(f"Redis not reachable at 127.0.0.1:6379: {error}", pytrace=False)


def store() -> AtomicRedisLockStore:
    """A store with its own connection, as each replica has."""
    return AtomicRedisLockStore(host="127.0.0.1", port=6379, db=DB, key_prefix="locktest")


def test_created_from_the_endpoint_configuration(redis_up: None) -> None:
    endpoint = EndpointConfig(
        url="127.0.0.1",
        type="rasa_ext.lock_store.AtomicRedisLockStore",
        port=6379,
        db=DB,
        key_prefix="shoeshop",
    )
    created = LockStore.create(endpoint)
    assert isinstance(created, AtomicRedisLockStore)
    assert created.key_prefix == "shoeshop:lock:"
    assert created.red.ping()


def test_replicas_issuing_at_once_never_share_a_ticket(redis_up: None) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    stores = [store() for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    issued: list[int] = []

    def issue(s: AtomicRedisLockStore) -> None:
        barrier.wait()
        for _ in range(10):
            issued.append(s.issue_ticket(conversation, 60))

    threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(80))
    assert len(stores[0].get_lock(conversation).tickets) == 80


def test_the_last_ticket_takes_the_lock_with_it(redis_up: None) -> None:
    s, conversation = store(), f"c-{uuid.uuid4().hex}"
    first, second = s.issue_ticket(conversation, 60), s.issue_ticket(conversation, 60)
    s.cleanup(conversation, first)
    assert [t.number for t in s.get_lock(conversation).tickets] == [second]
    s.cleanup(conversation, second)
    assert s.get_lock(conversation) is None
    assert not s.red.exists(s.key_prefix + conversation)


def test_the_key_expires_with_its_last_ticket(redis_up: None) -> None:
    s, conversation = store(), f"c-{uuid.uuid4().hex}"
    s.issue_ticket(conversation, 30)
    ttl = s.red.pttl(s.key_prefix + conversation)
    assert 29_000 < ttl <= 30_000


def test_expired_tickets_are_dropped(redis_up: None) -> None:
    s, conversation = store(), f"c-{uuid.uuid4().hex}"
    s.issue_ticket(conversation, 0.05)
    time.sleep(0.1)
    s.update_lock(conversation)
    assert s.get_lock(conversation) is None
    assert s.issue_ticket(conversation, 60) == 0


def test_a_finished_unknown_ticket_changes_nothing(redis_up: None) -> None:
    s, conversation = store(), f"c-{uuid.uuid4().hex}"
    ticket = s.issue_ticket(conversation, 60)
    s.finish_serving(conversation, ticket + 5)
    assert [t.number for t in s.get_lock(conversation).tickets] == [ticket]
    s.finish_serving(f"c-{uuid.uuid4().hex}", 0)  # no lock at all: nothing created


def test_two_replicas_serve_one_conversation_one_at_a_time(redis_up: None) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    guard = threading.Lock()
    inside: list[int] = []
    overlaps: list[int] = []

    async def handle(replica: AtomicRedisLockStore, n: int) -> None:
        async with replica.lock(conversation, 60, wait_time_in_seconds=0.005):
            with guard:
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(n)
            await asyncio.sleep(0.01)
            with guard:
                inside.remove(n)

    def replica(first: int) -> None:
        own = store()  # each replica: own process, own connection, own event loop

        async def main() -> None:
            await asyncio.gather(*(handle(own, n) for n in range(first, first + 8)))

        asyncio.run(main())

    threads = [threading.Thread(target=replica, args=(n * 8,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert store().get_lock(conversation) is None


def test_redis_down_is_a_lock_error() -> None:
    dead = AtomicRedisLockStore(host="127.0.0.1", port=1, db=0, socket_timeout=1)
    with pytest.raises(LockError):
        dead.issue_ticket("c", 60)


def test_rasas_own_store_reads_the_lock_and_a_flushed_script_is_reloaded(
    redis_up: None,
) -> None:
    from rasa.core.lock_store import RedisLockStore

    s, conversation = store(), f"c-{uuid.uuid4().hex}"
    first = s.issue_ticket(conversation, 60)
    stock = RedisLockStore(host="127.0.0.1", port=6379, db=DB, key_prefix="locktest")
    lock = stock.get_lock(conversation)
    assert lock is not None and lock.now_serving == first and not lock.is_locked(first)
    s.red.script_flush()  # as after a Redis restart
    second = s.issue_ticket(conversation, 60)
    assert second == first + 1 and stock.get_lock(conversation).is_locked(second)

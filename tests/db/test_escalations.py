"""The agent queue: listing, claims (and claim races), automatic assignment, resolution.

Runs on a SQLite file and, when reachable, on a throw-away PostgreSQL schema
(``TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from shop.db import escalations as q
from shop.db.models import Base, Escalation, StaffUser
from shop.db.session import session_scope

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 12, 1, 10, 0, 0)


def _postgres() -> Iterator[Engine]:
    admin = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 2})
    name = f"esc_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"
        pytest.fail(f"{reason} (scripts/install_postgres.sh starts it)", pytrace=False)
    sep = "&" if "?" in PG_URL else "?"
    engine = create_engine(f"{PG_URL}{sep}options=-csearch_path%3D{name}", future=True)
    try:
        Base.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database with the models' tables: a SQLite file or a PostgreSQL schema."""
    if request.param == "postgres":
        yield from _postgres()
        return
    engine = create_engine(
        f"sqlite:///{tmp_path / 'queue.db'}",
        future=True,
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def add_agent(
    engine: Engine, name: str, *, max_open: int = 3, seen: datetime | None = NOW, **kw: Any
) -> int:
    with session_scope(engine) as session:
        user = StaffUser(
            username=name,
            display_name=name.upper(),
            password_hash="x",
            roles=kw.pop("roles", ["agent"]),
            max_open=max_open,
            active=kw.pop("active", True),
            last_seen_at=seen,
            presence=kw.pop("presence", "online"),
            created_at=NOW,
        )
        session.add(user)
        session.flush()
        return int(user.id)


def add_escalation(
    engine: Engine,
    *,
    priority: int = 2,
    age_minutes: int = 0,
    cid: str = "",
    silent: timedelta | None = timedelta(0),
) -> int:
    """A waiting escalation queued ``age_minutes`` ago whose buyer last wrote ``silent``
    before :data:`NOW` (``None``: not since the queueing)."""
    with session_scope(engine) as session:
        row = Escalation(
            conversation_id=cid or f"c-{uuid.uuid4().hex[:6]}",
            reason="request_human",
            priority=priority,
            summary="",
            status="waiting",
            created_at=NOW - timedelta(minutes=age_minutes),
            buyer_seen_at=None if silent is None else NOW - silent,
        )
        session.add(row)
        session.flush()
        return int(row.id)


def run(engine: Engine, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with session_scope(engine) as session:
        return fn(*args, session=session, **kwargs)


def state(engine: Engine, escalation_id: int) -> tuple[str, int | None]:
    with session_scope(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None
        return row.status, row.agent_id


def race(workers: list[Callable[[], Any]]) -> list[Any]:
    """Runs the callables in threads started together; results or exceptions."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def target(i: int) -> None:
        barrier.wait()
        try:
            results[i] = workers[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_list_queue_orders_waiting_by_priority_then_age(engine: Engine) -> None:
    me, other = add_agent(engine, "a1"), add_agent(engine, "a2")
    late_urgent = add_escalation(engine, priority=1, age_minutes=1)
    old_normal = add_escalation(engine, priority=2, age_minutes=30)
    new_normal = add_escalation(engine, priority=2, age_minutes=2)
    mine, theirs = add_escalation(engine), add_escalation(engine)
    run(engine, q.claim, mine, me, now=NOW)
    run(engine, q.claim, theirs, other, now=NOW)
    with session_scope(engine) as session:
        queue = q.list_queue(me, session=session, now=NOW)
        assert [e.id for e in queue.waiting] == [late_urgent, old_normal, new_normal]
        assert [e.id for e in queue.mine] == [mine]
        assert [e.id for e in queue.others] == [theirs]


def test_claim_assigns_and_is_idempotent_for_the_same_agent(engine: Engine) -> None:
    agent, esc = add_agent(engine, "a1"), add_escalation(engine)
    escalation, changed = run(engine, q.claim, esc, agent, now=NOW)
    assert changed and escalation.status == "assigned" and escalation.assigned_at == NOW
    _, changed = run(engine, q.claim, esc, agent, now=NOW)
    assert not changed
    assert state(engine, esc) == ("assigned", agent)


def test_claim_refusals(engine: Engine) -> None:
    a1, a2 = add_agent(engine, "a1", max_open=1), add_agent(engine, "a2")
    trainer = add_agent(engine, "t", roles=["trainer"])
    first, second = add_escalation(engine), add_escalation(engine)
    run(engine, q.claim, first, a1, now=NOW)
    for esc, agent, code in [
        (first, a2, "already_claimed"),
        (second, a1, "agent_full"),
        (9999, a1, "not_found"),
        (second, trainer, "forbidden"),
    ]:
        with pytest.raises(q.QueueError) as info:
            run(engine, q.claim, esc, agent, now=NOW)
        assert info.value.code == code
    assert state(engine, second) == ("waiting", None)


def test_two_agents_racing_for_one_escalation_one_wins(engine: Engine) -> None:
    agents = [add_agent(engine, f"a{i}", max_open=50) for i in range(4)]
    for _ in range(8):
        esc = add_escalation(engine)
        results = race([lambda a=a, e=esc: run(engine, q.claim, e, a, now=NOW) for a in agents])
        won = [r for r in results if isinstance(r, tuple)]
        lost = [r for r in results if isinstance(r, q.QueueError)]
        assert len(won) == 1, results
        assert [e.code for e in lost] == ["already_claimed"] * (len(agents) - 1)
        assert state(engine, esc) == ("assigned", won[0][0].agent_id)


def test_one_agent_racing_for_two_escalations_respects_max_open(engine: Engine) -> None:
    agent = add_agent(engine, "a1", max_open=1)
    for _ in range(6):
        escs = [add_escalation(engine) for _ in range(3)]
        results = race([lambda e=e: run(engine, q.claim, e, agent, now=NOW) for e in escs])
        assert sum(isinstance(r, tuple) for r in results) == 1, results
        assert all(r.code == "agent_full" for r in results if isinstance(r, Exception))
        won = next(r[0].id for r in results if isinstance(r, tuple))
        run(engine, q.resolve, won, agent, "closed", now=NOW, note="ok")


def test_auto_assign_gives_urgent_then_oldest_to_least_loaded(engine: Engine) -> None:
    busy = add_agent(engine, "busy", max_open=3)
    idle = add_agent(engine, "idle", max_open=2)
    add_agent(engine, "away", seen=NOW - q.ONLINE_WINDOW - timedelta(seconds=1))
    add_agent(engine, "off", active=False)
    run(engine, q.claim, add_escalation(engine), busy, now=NOW)
    old = add_escalation(engine, age_minutes=20)
    urgent = add_escalation(engine, priority=1)
    newest = add_escalation(engine, age_minutes=1)
    extra = add_escalation(engine, priority=3)
    assigned = run(engine, q.auto_assign, now=NOW)
    assert [e.id for e in assigned] == [urgent, old, newest, extra]
    assert state(engine, urgent)[1] == idle  # idle had 0 open, busy 1
    assert state(engine, old)[1] == busy  # 1 each: the lower id
    assert state(engine, newest)[1] == idle  # 2 each: busy, then idle
    assert state(engine, extra)[1] == busy  # idle is full (2 of 2)
    last = add_escalation(engine, priority=1)
    assert run(engine, q.open_counts, now=NOW) == {busy: 3, idle: 2}
    assert run(engine, q.auto_assign, now=NOW) == []
    assert state(engine, last) == ("waiting", None)


def test_auto_assign_needs_someone_online_and_skips_avoided_pairs(engine: Engine) -> None:
    esc = add_escalation(engine)
    agent = add_agent(engine, "a1", seen=None)
    assert run(engine, q.auto_assign, now=NOW) == []
    run(engine, q.heartbeat, agent, now=NOW)
    assert run(engine, q.auto_assign, now=NOW, avoid={(esc, agent)}) == []
    assigned = run(engine, q.poll, agent, now=NOW + timedelta(seconds=59))
    assert [e.id for e in assigned] == [esc]


def test_concurrent_polls_never_double_assign_or_overfill(engine: Engine) -> None:
    agents = [add_agent(engine, f"a{i}", max_open=2) for i in range(3)]
    escs = [add_escalation(engine, age_minutes=i) for i in range(10)]
    results = race([lambda a=a: run(engine, q.poll, a, now=NOW) for a in agents])
    assert not [r for r in results if isinstance(r, Exception)], results
    assigned = [e.id for r in results for e in r]
    assert len(assigned) == len(set(assigned)) == 6
    counts = run(engine, q.open_counts, now=NOW)
    assert counts == {a: 2 for a in agents}
    with session_scope(engine) as session:
        waiting = session.execute(select(Escalation.id).where(Escalation.status == "waiting"))
        assert len(waiting.all()) == len(escs) - 6


def test_release_resolve_and_first_reply(engine: Engine) -> None:
    a1, a2 = add_agent(engine, "a1"), add_agent(engine, "a2")
    esc = add_escalation(engine)
    run(engine, q.claim, esc, a1, now=NOW)
    with pytest.raises(q.QueueError, match="not_assigned"):
        run(engine, q.release, esc, a2)
    with pytest.raises(q.QueueError, match="not_assigned"):
        run(engine, q.assigned_to, esc, a2)
    released = run(engine, q.release, esc, a1)
    assert (released.status, released.agent_id, released.assigned_at) == ("waiting", None, None)
    run(engine, q.claim, esc, a2, now=NOW)
    later = NOW + timedelta(minutes=3)
    run(engine, q.record_first_reply, esc, now=later)
    run(engine, q.record_first_reply, esc, now=later + timedelta(minutes=1))
    with pytest.raises(q.QueueError, match="not_assigned"):
        run(engine, q.resolve, esc, a1, "closed", now=later)
    done = run(engine, q.resolve, esc, a2, "closed", now=later, note="已退款")
    assert (done.status, done.outcome, done.resolution_note) == ("resolved", "closed", "已退款")
    assert done.resolved_at == later and done.first_reply_at == later
    with pytest.raises(q.QueueError, match="not_assigned"):
        run(engine, q.resolve, esc, a2, "handed_back", now=later)
    with pytest.raises(q.QueueError, match="already_claimed"):
        run(engine, q.claim, esc, a1, now=later)
    with pytest.raises(ValueError):
        run(engine, q.resolve, esc, a2, "lost", now=later)


def test_heartbeat_and_online_agents(engine: Engine) -> None:
    agent = add_agent(engine, "a1", seen=None)
    add_agent(engine, "t", roles=["trainer"])
    assert run(engine, q.online_agents, now=NOW) == []
    run(engine, q.heartbeat, agent, now=NOW)
    assert [a.id for a in run(engine, q.online_agents, now=NOW + timedelta(seconds=60))] == [agent]
    assert run(engine, q.online_agents, now=NOW + timedelta(seconds=61)) == []
    assert [a.username for a in run(engine, q.agents)] == ["a1"]


LEFT = q.BUYER_LEFT_AFTER  # settings.buyer_left_minutes (15 by default)


def test_a_buyer_silent_for_exactly_the_threshold_has_left(engine: Engine) -> None:
    almost = add_escalation(engine, age_minutes=30, silent=LEFT - timedelta(seconds=1))
    exactly = add_escalation(engine, age_minutes=30, silent=LEFT)
    never_wrote = add_escalation(engine, age_minutes=int(LEFT.total_seconds() // 60), silent=None)
    with session_scope(engine) as session:
        rows = {e.id: e for e in session.execute(select(Escalation)).scalars()}
        assert not q.buyer_left(rows[almost], NOW)
        assert q.buyer_left(rows[exactly], NOW)
        assert q.buyer_left(rows[never_wrote], NOW)  # queued exactly N minutes ago
        present = session.execute(select(Escalation.id).where(q.buyer_present(NOW))).scalars()
        assert list(present) == [almost]  # SQL and Python agree
    agent = add_agent(engine, "a1")
    assert [e.id for e in run(engine, q.poll, agent, now=NOW)] == [almost]
    assert state(engine, exactly) == state(engine, never_wrote) == ("waiting", None)


def test_away_and_offline_agents_are_never_assigned(engine: Engine) -> None:
    away = add_agent(engine, "away", presence="away")
    off = add_agent(engine, "off", presence="offline")
    esc = add_escalation(engine)
    for agent in (away, off):  # their consoles poll: seen, but not online
        assert run(engine, q.poll, agent, now=NOW) == []
    assert run(engine, q.online_agents, now=NOW) == []
    assert state(engine, esc) == ("waiting", None)
    run(engine, q.set_presence, off, "online", now=NOW)
    assert [e.id for e in run(engine, q.poll, away, now=NOW)] == [esc]  # any poll assigns
    assert state(engine, esc) == ("assigned", off)
    with pytest.raises(q.QueueError, match="invalid"):
        run(engine, q.set_presence, off, "busy", now=NOW)


def test_a_new_account_is_offline_until_it_says_otherwise(engine: Engine) -> None:
    with session_scope(engine) as session:
        user = StaffUser(
            username="new", display_name="NEW", password_hash="x", roles=["agent"],
            max_open=3, active=True, last_seen_at=NOW, created_at=NOW,
        )  # fmt: skip
        session.add(user)
        session.flush()
        assert user.presence == "offline"
    esc = add_escalation(engine)
    assert run(engine, q.poll, user.id, now=NOW) == []
    assert state(engine, esc) == ("waiting", None)


def test_the_limit_counts_only_conversations_whose_buyers_are_there(engine: Engine) -> None:
    agent = add_agent(engine, "a1", max_open=1)
    quiet = add_escalation(engine, age_minutes=40)
    run(engine, q.claim, quiet, agent, now=NOW - LEFT)  # the buyer then said nothing
    with session_scope(engine) as session:
        session.execute(text("UPDATE escalations SET buyer_seen_at = :t"), {"t": NOW - LEFT})
    assert run(engine, q.open_counts, now=NOW) == {}
    assert run(engine, q.open_counts, now=NOW, left=True) == {agent: 1}
    fresh = add_escalation(engine)
    assert [e.id for e in run(engine, q.poll, agent, now=NOW)] == [fresh]  # below the limit
    assert run(engine, q.open_counts, now=NOW) == {agent: 1}
    gone = add_escalation(engine, age_minutes=30, silent=LEFT)
    active = add_escalation(engine)
    with pytest.raises(q.QueueError, match="agent_full"):
        run(engine, q.claim, active, agent, now=NOW)
    escalation, changed = run(engine, q.claim, gone, agent, now=NOW)  # 已离开: still claimable
    assert changed and escalation.agent_id == agent
    assert run(engine, q.open_counts, now=NOW) == {agent: 1}


def test_the_queue_position_counts_only_active_conversations_ahead(engine: Engine) -> None:
    for _ in range(3):
        add_escalation(engine, age_minutes=40, silent=LEFT + timedelta(minutes=5))
    add_escalation(engine, age_minutes=20, silent=timedelta(minutes=1))
    new = add_escalation(engine)
    with session_scope(engine) as session:
        row = session.get(Escalation, new)
        assert row is not None
        assert q.queue_position(row, session=session, now=NOW) == 2
        queue = q.list_queue(add_agent(engine, "a1"), session=session, now=NOW)
        assert [q.buyer_left(e, NOW) for e in queue.waiting] == [False, False, True, True, True]


def test_one_online_agent_gets_a_new_buyer_at_once_while_stale_ones_wait(engine: Engine) -> None:
    """Done when: stale conversations never fill the agent; the new buyer is assigned at
    the first poll."""
    agent = add_agent(engine, "a1", max_open=3, presence="offline")
    stale = [add_escalation(engine, age_minutes=30 + i, silent=LEFT) for i in range(4)]
    assert run(engine, q.poll, agent, now=NOW) == []  # logged in: offline, nothing
    run(engine, q.set_presence, agent, "online", now=NOW)
    assert run(engine, q.poll, agent, now=NOW) == []  # going online: no stale ones
    new = add_escalation(engine)
    with session_scope(engine) as session:
        row = session.get(Escalation, new)
        assert row is not None and q.queue_position(row, session=session, now=NOW) == 1
    assert [e.id for e in run(engine, q.poll, agent, now=NOW)] == [new]
    assert all(state(engine, e) == ("waiting", None) for e in stale)

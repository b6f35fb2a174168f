"""Claims, automatic assignment, release and resolution of escalations.

Claims are atomic on SQLite and PostgreSQL alike: the agent's row is locked
(``SELECT ... FOR UPDATE``; SQLite serialises writers anyway) and one
``UPDATE ... WHERE status = 'waiting'`` whose condition also counts the agent's
open conversations decides; its row count says whether this claim won.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from shop.db.escalations.presence import heartbeat, is_agent, online_agents
from shop.db.escalations.queue import QUEUE_LIMIT, QueueError, buyer_present, open_counts
from shop.db.models import Escalation, StaffUser

OUTCOMES = ("handed_back", "closed")
BUYER_CANCELLED = "buyer_cancelled"  # the buyer left the queue before an agent took it


def lock_staff(*, session: Session) -> None:
    """Locks every active staff row, in id order (PostgreSQL; a no-op on SQLite).

    Taken first by anything that may assign to several agents, so concurrent
    polls queue up instead of deadlocking on each other's agent rows.
    """
    session.execute(
        select(StaffUser.id)
        .where(StaffUser.active.is_(True))
        .order_by(StaffUser.id)
        .with_for_update()
    ).all()


def poll(
    agent_id: int, *, session: Session, now: datetime, avoid: Collection[tuple[int, int]] = ()
) -> list[Escalation]:
    """An agent's queue poll: marks the console seen, then runs :func:`auto_assign`.

    Being seen is not being online: that also takes the switch on 在线.
    """
    lock_staff(session=session)
    heartbeat(agent_id, session=session, now=now)
    return auto_assign(session=session, now=now, avoid=avoid)


def _get(escalation_id: int, session: Session) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise QueueError("not_found")
    return escalation


def claim(
    escalation_id: int, agent_id: int, *, session: Session, now: datetime
) -> tuple[Escalation, bool]:
    """Assigns a waiting escalation to the agent, atomically.

    The agent's presence does not matter (claiming is their own choice). Only
    active conversations count against ``max_open``, and one whose buyer left
    (已离开) may be claimed at the limit: it does not count once assigned either.

    Returns:
        The escalation and whether this call assigned it (``False`` when it was
        already the agent's own).

    Raises:
        QueueError: ``not_found``, ``already_claimed`` (another agent has it or
            it is resolved), ``agent_full`` (the agent is at ``max_open``).
    """
    escalation = _get(escalation_id, session)
    session.refresh(escalation)
    if escalation.status == "assigned" and escalation.agent_id == agent_id:
        return escalation, False
    if escalation.status != "waiting":
        raise QueueError("already_claimed")
    agent = session.execute(
        select(StaffUser).where(StaffUser.id == agent_id).with_for_update()
    ).scalar_one_or_none()
    if agent is None or not is_agent(agent):
        raise QueueError("forbidden")
    other = aliased(Escalation)
    open_now = (
        select(func.count(other.id))
        .where(other.agent_id == agent_id, other.status == "assigned", buyer_present(now, other))
        .scalar_subquery()
    )
    within_limit = open_now < int(agent.max_open)
    result = session.execute(
        update(Escalation)
        .where(
            Escalation.id == escalation_id,
            Escalation.status == "waiting",
            within_limit | ~buyer_present(now),
        )
        .values(status="assigned", agent_id=agent_id, assigned_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(escalation)
    if result.rowcount != 1:
        raise QueueError("already_claimed" if escalation.status != "waiting" else "agent_full")
    return escalation, True


def auto_assign(
    *, session: Session, now: datetime, avoid: Collection[tuple[int, int]] = ()
) -> list[Escalation]:
    """Gives waiting escalations (priority, then age) to the least-loaded online agents.

    Only conversations whose buyers are still there: one whose buyer left
    (已离开) waits until the buyer writes again or an agent claims it.

    Args:
        session: The open session.
        now: The shop's current time.
        avoid: ``(escalation_id, agent_id)`` pairs not to make (an agent who
            just released that conversation).

    Returns:
        The escalations this call assigned.
    """
    lock_staff(session=session)
    online = online_agents(session=session, now=now)
    if not online:
        return []
    counts = open_counts(session=session, now=now)
    waiting = session.execute(
        select(Escalation.id)
        .where(Escalation.status == "waiting", buyer_present(now))
        .order_by(Escalation.priority, Escalation.created_at, Escalation.id)
        .limit(QUEUE_LIMIT)
    ).scalars()
    assigned: list[Escalation] = []
    for escalation_id in list(waiting):
        free = [a for a in online if counts.get(a.id, 0) < a.max_open]
        if not free:
            break
        free.sort(key=lambda a: (counts.get(a.id, 0), a.id))
        for agent in free:
            if (escalation_id, agent.id) in avoid:
                continue
            try:
                escalation, _ = claim(escalation_id, agent.id, session=session, now=now)
            except QueueError as exc:
                if exc.code == "agent_full":
                    counts[agent.id] = agent.max_open
                    continue
                break  # someone else took it (or it is gone)
            counts[agent.id] = counts.get(agent.id, 0) + 1
            assigned.append(escalation)
            break
    return assigned


def assigned_to(escalation_id: int, agent_id: int, *, session: Session) -> Escalation:
    """The escalation if it is assigned to the agent.

    Raises:
        QueueError: ``not_found`` or ``not_assigned``.
    """
    escalation = _get(escalation_id, session)
    session.refresh(escalation)
    if escalation.status != "assigned" or escalation.agent_id != agent_id:
        raise QueueError("not_assigned")
    return escalation


def _change_assigned(
    escalation_id: int, agent_id: int, session: Session, values: dict[str, object]
) -> Escalation:
    escalation = _get(escalation_id, session)
    result = session.execute(
        update(Escalation)
        .where(
            Escalation.id == escalation_id,
            Escalation.status == "assigned",
            Escalation.agent_id == agent_id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(escalation)
    if result.rowcount != 1:
        raise QueueError("not_assigned")
    return escalation


def release(escalation_id: int, agent_id: int, *, session: Session) -> Escalation:
    """Puts the agent's escalation back in the queue (``waiting``, no agent)."""
    return _change_assigned(
        escalation_id,
        agent_id,
        session,
        {"status": "waiting", "agent_id": None, "assigned_at": None},
    )


def resolve(
    escalation_id: int,
    agent_id: int,
    outcome: str,
    *,
    session: Session,
    now: datetime,
    note: str | None = None,
) -> Escalation:
    """Resolves the agent's escalation as ``handed_back`` or ``closed`` (with a note)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    return _change_assigned(
        escalation_id,
        agent_id,
        session,
        {"status": "resolved", "outcome": outcome, "resolution_note": note, "resolved_at": now},
    )


def record_first_reply(escalation_id: int, *, session: Session, now: datetime) -> None:
    """Sets ``first_reply_at`` unless the agent already replied."""
    session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.first_reply_at.is_(None))
        .values(first_reply_at=now)
        .execution_options(synchronize_session=False)
    )


def cancel_waiting(escalation_id: int, *, session: Session, now: datetime) -> bool:
    """Resolves a still waiting escalation as :data:`BUYER_CANCELLED`.

    Returns whether it was cancelled: one an agent already took stays theirs.
    """
    result = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == "waiting")
        .values(status="resolved", outcome=BUYER_CANCELLED, resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)

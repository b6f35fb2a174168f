"""Queries on the human-agent queue: who is online, claims, assignment, resolution.

Used by the assistant (``actions/handoff.py``) and by the console (``console/``).
Every function takes the session as a keyword argument and never commits.

Presence: an agent is *online* (assigned work) only with the switch on 在线
(``StaffUser.presence``) and a console that polled within :data:`ONLINE_WINDOW`;
离开 and 离线 agents are never assigned. A buyer who has said nothing for
:data:`BUYER_LEFT_AFTER` (``settings.buyer_left_minutes``) has *left* (已离开):
their conversation is not auto-assigned, counts against no agent's ``max_open``
and is not counted ahead of anyone in the queue, but an agent may still claim it
and leave a message.

Claims are atomic on SQLite and PostgreSQL alike: the agent's row is locked
(``SELECT ... FOR UPDATE``; SQLite serialises writers anyway) and one
``UPDATE ... WHERE status = 'waiting'`` whose condition also counts the agent's
open conversations decides; its row count says whether this claim won.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from shop.config import settings
from shop.db.models import Escalation, StaffUser

ONLINE_WINDOW = timedelta(seconds=60)  # the console polls every few seconds
BUYER_LEFT_AFTER = timedelta(minutes=settings.buyer_left_minutes)
PRESENCES = ("online", "away", "offline")  # the agent's switch: 在线 / 离开 / 离线
OPEN_STATUSES = ("waiting", "assigned")
OUTCOMES = ("handed_back", "closed")
QUEUE_LIMIT = 200  # rows per list in one queue answer


class QueueError(Exception):
    """A queue change was refused; ``code`` is the API's error code.

    Codes: ``not_found``, ``already_claimed``, ``agent_full``, ``not_assigned``,
    ``forbidden`` (not an active agent), ``invalid`` (an unknown presence).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Queue:
    """One agent's view of the open escalations."""

    waiting: list[Escalation]
    mine: list[Escalation]
    others: list[Escalation]


def is_agent(user: StaffUser) -> bool:
    """Whether ``user`` is an active staff member with the agent role."""
    return bool(user.active) and "agent" in (user.roles or [])


def is_online(user: StaffUser, now: datetime) -> bool:
    """Switched to 在线 and seen by the console within :data:`ONLINE_WINDOW`."""
    seen = user.last_seen_at
    return user.presence == "online" and seen is not None and seen >= now - ONLINE_WINDOW


def online_agents(*, session: Session, now: datetime) -> list[StaffUser]:
    """Active agents switched to 在线 whose console polled within :data:`ONLINE_WINDOW`."""
    rows = session.execute(
        select(StaffUser)
        .where(
            StaffUser.active.is_(True),
            StaffUser.presence == "online",
            StaffUser.last_seen_at >= now - ONLINE_WINDOW,
        )
        .order_by(StaffUser.id)
    ).scalars()
    return [user for user in rows if "agent" in (user.roles or [])]


def set_presence(agent_id: int, presence: str, *, session: Session, now: datetime) -> None:
    """Sets the agent's switch (and marks them seen, so 在线 counts at once).

    Raises:
        QueueError: ``invalid`` for a value outside :data:`PRESENCES`.
    """
    if presence not in PRESENCES:
        raise QueueError("invalid")
    session.execute(
        update(StaffUser)
        .where(StaffUser.id == agent_id)
        .values(presence=presence, last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def buyer_seen(escalation: Escalation) -> datetime:
    """When the buyer last wrote while queued or with an agent (else the queueing)."""
    return escalation.buyer_seen_at or escalation.created_at


def buyer_left(escalation: Escalation, now: datetime) -> bool:
    """Whether the buyer of an open escalation has been silent for :data:`BUYER_LEFT_AFTER`.

    Exactly that long counts as left (已离开).
    """
    return escalation.status in OPEN_STATUSES and now - buyer_seen(escalation) >= BUYER_LEFT_AFTER


def buyer_present(now: datetime, model: Any = Escalation) -> ColumnElement[bool]:
    """SQL: the buyer wrote (or was queued) less than :data:`BUYER_LEFT_AFTER` ago.

    ``model`` is :class:`Escalation` or an alias of it (in a correlated subquery).
    """
    seen = func.coalesce(model.buyer_seen_at, model.created_at)
    return seen > now - BUYER_LEFT_AFTER


def touch_buyer(escalation: Escalation, now: datetime) -> None:
    """Records that the buyer wrote just now: the conversation is active again."""
    escalation.buyer_seen_at = now


def open_escalation(conversation_id: str, *, session: Session) -> Escalation | None:
    """The conversation's waiting or assigned escalation, the oldest first."""
    return (
        session.execute(
            select(Escalation)
            .where(
                Escalation.conversation_id == conversation_id,
                Escalation.status.in_(OPEN_STATUSES),
            )
            .order_by(Escalation.created_at, Escalation.id)
        )
        .scalars()
        .first()
    )


def queue_position(escalation: Escalation, *, session: Session, now: datetime) -> int:
    """1 for the next conversation an agent takes; 0 when already assigned.

    Only active conversations count ahead: those whose buyers left (已离开) are
    not assigned before this one.
    """
    if escalation.status != "waiting":
        return 0
    ahead = session.execute(
        select(func.count(Escalation.id)).where(
            Escalation.status == "waiting",
            Escalation.id != escalation.id,
            buyer_present(now),
            (Escalation.priority < escalation.priority)
            | (
                (Escalation.priority == escalation.priority)
                & (Escalation.created_at < escalation.created_at)
            ),
        )
    ).scalar_one()
    return int(ahead) + 1


def heartbeat(agent_id: int, *, session: Session, now: datetime) -> None:
    """Marks the agent as seen by the console now (online for :data:`ONLINE_WINDOW`)."""
    session.execute(
        update(StaffUser)
        .where(StaffUser.id == agent_id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


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


def open_counts(*, session: Session, now: datetime, left: bool = False) -> dict[int, int]:
    """Assigned escalations per agent id whose buyers are active (what ``max_open`` limits),
    or with ``left`` those whose buyers left (已离开)."""
    present = buyer_present(now)
    rows = session.execute(
        select(Escalation.agent_id, func.count(Escalation.id))
        .where(Escalation.status == "assigned", ~present if left else present)
        .group_by(Escalation.agent_id)
    )
    return {int(agent_id): int(count) for agent_id, count in rows if agent_id is not None}


def agents(*, session: Session) -> list[StaffUser]:
    """Every active agent, by username."""
    rows = session.execute(
        select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.username)
    ).scalars()
    return [user for user in rows if "agent" in (user.roles or [])]


def list_queue(agent_id: int, *, session: Session, now: datetime) -> Queue:
    """Waiting (active before 已离开, then priority, then age), the agent's own and
    other agents' open escalations."""
    waiting = session.execute(
        select(Escalation)
        .where(Escalation.status == "waiting")
        .order_by(
            case((buyer_present(now), 0), else_=1),
            Escalation.priority,
            Escalation.created_at,
            Escalation.id,
        )
        .limit(QUEUE_LIMIT)
    ).scalars()
    assigned = session.execute(
        select(Escalation)
        .where(Escalation.status == "assigned")
        .order_by(Escalation.assigned_at, Escalation.id)
        .limit(QUEUE_LIMIT)
    ).scalars()
    mine: list[Escalation] = []
    others: list[Escalation] = []
    for escalation in assigned:
        (mine if escalation.agent_id == agent_id else others).append(escalation)
    return Queue(waiting=list(waiting), mine=mine, others=others)


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

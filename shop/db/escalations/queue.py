"""The open escalations: the buyers' presence, a conversation's escalation, the queue's order.

A buyer who has said nothing for :data:`BUYER_LEFT_AFTER`
(``settings.buyer_left_minutes``) has *left* (已离开): their conversation is not
auto-assigned, counts against no agent's ``max_open`` and is not counted ahead of
anyone in the queue, but an agent may still claim it and leave a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from shop.config import settings
from shop.db.models import Escalation

BUYER_LEFT_AFTER = timedelta(minutes=settings.buyer_left_minutes)
OPEN_STATUSES = ("waiting", "assigned")
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

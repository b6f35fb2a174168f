"""Queries on the human-agent queue: who is online, where a conversation waits.

Used by the assistant (``actions/handoff.py``) and by the console (``console/``).
Every function takes the session as a keyword argument and never commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.db.models import Escalation, StaffUser

ONLINE_WINDOW = timedelta(seconds=60)  # the console polls every few seconds
OPEN_STATUSES = ("waiting", "assigned")


def online_agents(*, session: Session, now: datetime) -> list[StaffUser]:
    """Active agents the console has seen within :data:`ONLINE_WINDOW`."""
    rows = session.execute(
        select(StaffUser).where(
            StaffUser.active.is_(True), StaffUser.last_seen_at >= now - ONLINE_WINDOW
        )
    ).scalars()
    return [user for user in rows if "agent" in (user.roles or [])]


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


def queue_position(escalation: Escalation, *, session: Session) -> int:
    """1 for the next conversation an agent takes; 0 when already assigned."""
    if escalation.status != "waiting":
        return 0
    ahead = session.execute(
        select(func.count(Escalation.id)).where(
            Escalation.status == "waiting",
            (Escalation.priority < escalation.priority)
            | (
                (Escalation.priority == escalation.priority)
                & (Escalation.created_at < escalation.created_at)
            ),
        )
    ).scalar_one()
    return int(ahead) + 1

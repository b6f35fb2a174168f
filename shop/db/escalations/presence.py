"""The agents' presence: an agent is *online* (assigned work) only with the switch on 在线
(``StaffUser.presence``) and a console that polled within :data:`ONLINE_WINDOW`;
离开 and 离线 agents are never assigned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shop.db.escalations.queue import QueueError
from shop.db.models import StaffUser

ONLINE_WINDOW = timedelta(seconds=60)  # the console polls every few seconds
PRESENCES = ("online", "away", "offline")  # the agent's switch: 在线 / 离开 / 离线


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


def heartbeat(agent_id: int, *, session: Session, now: datetime) -> None:
    """Marks the agent as seen by the console now (online for :data:`ONLINE_WINDOW`)."""
    session.execute(
        update(StaffUser)
        .where(StaffUser.id == agent_id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def agents(*, session: Session) -> list[StaffUser]:
    """Every active agent, by username."""
    rows = session.execute(
        select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.username)
    ).scalars()
    return [user for user in rows if "agent" in (user.roles or [])]

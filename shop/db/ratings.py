"""Buyers' satisfaction ratings: one row per answered rating request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.models import ConversationRating, Escalation

SCORES = range(1, 6)
MAX_COMMENT = 1000


def latest_escalation_id(conversation_id: str, *, session: Session) -> int | None:
    """The conversation's latest escalation (any status), if a person was ever asked."""
    return session.execute(
        select(Escalation.id)
        .where(Escalation.conversation_id == conversation_id)
        .order_by(Escalation.created_at.desc(), Escalation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def record_rating(
    conversation_id: str,
    score: int,
    *,
    session: Session,
    now: datetime,
    buyer_id: str | None = None,
    comment: str | None = None,
) -> ConversationRating:
    """Stores a 1-5 rating; handled by ``agent`` when the conversation was escalated.

    Raises:
        ValueError: A score outside 1-5.
    """
    if score not in SCORES:
        raise ValueError(f"a rating is 1-5, not {score!r}")
    escalation_id = latest_escalation_id(conversation_id, session=session)
    rating = ConversationRating(
        conversation_id=conversation_id,
        buyer_id=buyer_id,
        handling="agent" if escalation_id is not None else "bot",
        escalation_id=escalation_id,
        score=score,
        comment=(comment or "").strip()[:MAX_COMMENT] or None,
        created_at=now,
    )
    session.add(rating)
    session.flush()
    return rating

"""Which orders the person in this conversation may see, and escalations.

The rules are the shop core's (``shop/order_access.py``); here the buyer's token
and the orders proven by phone suffix are read from the tracker.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.common import latest_metadata
from shop.clock import shop_now
from shop.db.models import Escalation, Order
from shop.identity import buyer_id_from_token
from shop.metrics import HANDOFFS
from shop.order_access import allowed_order, allowed_orders


def token_buyer_id(tracker: Tracker) -> str | None:
    """The buyer named by a valid token on the latest message."""
    return buyer_id_from_token(latest_metadata(tracker).get("buyer_token"))


def verified_order_ids(tracker: Tracker) -> list[str]:
    """Orders proven by phone suffix earlier in this conversation."""
    value = tracker.get_slot("verified_order_ids") or []
    return [str(v) for v in value] if isinstance(value, list) else []


def accessible_order(tracker: Tracker, order_id: str | None, *, session: Session) -> Order | None:
    """The order if this conversation may see it, else ``None`` (same as missing)."""
    return allowed_order(
        order_id,
        buyer_id=token_buyer_id(tracker),
        verified_ids=verified_order_ids(tracker),
        session=session,
    )


def accessible_orders(tracker: Tracker, *, session: Session) -> list[Order]:
    """Every order this conversation may see, newest first."""
    return allowed_orders(
        buyer_id=token_buyer_id(tracker), verified_ids=verified_order_ids(tracker), session=session
    )


def phone_matches(order: Order, suffix: str) -> bool:
    """Whether ``suffix`` is the last four digits of the order's or buyer's phone."""
    suffix = (suffix or "").strip()
    if len(suffix) != 4 or not suffix.isdigit():
        return False
    phones = [order.recipient_phone, order.buyer.phone if order.buyer else ""]
    return any(phone and phone.endswith(suffix) for phone in phones)


def record_escalation(
    tracker: Tracker,
    reason: str,
    *,
    session: Session,
    order: Order | None = None,
    priority: int = 2,
    summary: str = "",
) -> Escalation:
    """Queues the conversation for a human agent, once per reason and order while open.

    A new escalation counts as a handoff (``shop_handoffs_total`` on ``/metrics``).
    """
    same_order = Escalation.order_id == order.id if order else Escalation.order_id.is_(None)
    existing = (
        session.execute(
            select(Escalation).where(
                Escalation.conversation_id == tracker.sender_id,
                Escalation.reason == reason,
                Escalation.status != "resolved",
                same_order,
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    escalation = Escalation(
        conversation_id=tracker.sender_id,
        buyer_id=order.buyer_id if order else token_buyer_id(tracker),
        order_id=order.id if order else None,
        reason=reason,
        priority=priority,
        summary=summary[:2000],
        status="waiting",
        created_at=shop_now(),
    )
    session.add(escalation)
    session.flush()
    HANDOFFS.labels(reason).inc()
    return escalation

"""Shop events the assistant tells the buyer about, and the order steps that make them.

The shop marks an order shipped or delivered (:func:`mark_order_shipped`,
:func:`mark_order_delivered`) or a return received or refunded
(``returns.transition`` followed by :func:`record_return_event`); each records a
:class:`ShopEvent` row in the same transaction. ``shop/notify.py`` delivers
the rows exactly once: :func:`claim_event` takes a row with one conditional
UPDATE (two dispatchers cannot both win), :func:`mark_delivered` finishes it,
:func:`release_event` puts it back for a retry. Nothing here commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from shop.clock import local_now
from shop.db.models import Order, ReturnRequest, Shipment, ShopEvent, ShopPolicy, TrackingEvent
from shop.db.returns import normalize_tracking_number

# Event kind -> the intent Rasa is asked to trigger (data/rules/proactive.yml).
INTENTS = {
    "order_shipped": "EXTERNAL_order_shipped",
    "order_delivered": "EXTERNAL_order_delivered",
    "return_received": "EXTERNAL_return_received",
    "return_refunded": "EXTERNAL_refund_completed",
    "review_invite": "EXTERNAL_review_invite",  # scheduled: shop/db/reviews.py
}
# Return statuses the buyer is told about.
RETURN_EVENTS = {"received": "return_received", "refunded": "return_refunded"}
CLAIM_TIMEOUT = timedelta(minutes=2)  # a claim older than this was a crashed dispatcher
RETRY_DELAYS = (10, 30, 120, 600, 1800)  # seconds after the 1st, 2nd, ... failure
MAX_ERROR = 300


class ShopEventError(Exception):
    """An order step the shop asked for is not allowed (nothing is changed)."""


def _order(order_id: str, session: Session) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise ShopEventError(f"no order {order_id!r}")
    return order


def record_event(
    kind: str,
    *,
    buyer_id: str,
    session: Session,
    order_id: str | None = None,
    return_id: str | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ShopEvent:
    """Adds a pending event for the dispatcher (flushed, not committed)."""
    if kind not in INTENTS:
        raise ShopEventError(f"unknown event kind {kind!r}")
    now = now or local_now()
    event = ShopEvent(
        kind=kind,
        buyer_id=buyer_id,
        order_id=order_id,
        return_id=return_id,
        payload=dict(payload or {}),
        created_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    session.add(event)
    session.flush()
    return event


def mark_order_shipped(
    order_id: str,
    courier: str,
    tracking_number: str,
    *,
    session: Session,
    now: datetime | None = None,
) -> ShopEvent:
    """``paid → shipped``: records the parcel and the event for the buyer.

    Raises:
        ShopEventError: Unknown order, not ``paid``, or a courier the shop does not use.
        InvalidTrackingNumber: A malformed tracking number.
    """
    order = _order(order_id, session)
    if order.status != "paid":
        raise ShopEventError(f"{order.id} is {order.status}: only a paid order can be shipped")
    policy = session.execute(select(ShopPolicy)).scalars().first()
    couriers = list(policy.couriers or []) if policy else []
    if couriers and courier not in couriers:
        raise ShopEventError(f"unknown courier {courier!r} (the shop uses: {', '.join(couriers)})")
    number = normalize_tracking_number(tracking_number)
    now = now or local_now()
    session.add(
        Shipment(order_id=order.id, courier=courier, tracking_number=number, shipped_at=now)
    )
    order.status = "shipped"
    payload = {"order_id": order.id, "courier": courier, "tracking_number": number}
    return record_event(
        "order_shipped", buyer_id=order.buyer_id, session=session, order_id=order.id,
        payload=payload, now=now,
    )  # fmt: skip


def mark_order_delivered(
    order_id: str, *, session: Session, now: datetime | None = None
) -> ShopEvent:
    """``shipped → delivered`` (signed for now): sign-for starts the return windows.

    Raises:
        ShopEventError: Unknown order or not ``shipped``.
    """
    order = _order(order_id, session)
    if order.status != "shipped":
        raise ShopEventError(f"{order.id} is {order.status}: only a shipped order can be delivered")
    now = now or local_now()
    order.status = "delivered"
    order.delivered_at = now
    if order.shipments:
        shipment = order.shipments[-1]
        session.add(
            TrackingEvent(shipment=shipment, happened_at=now, location="-", description="已签收")
        )
    return record_event(
        "order_delivered", buyer_id=order.buyer_id, session=session, order_id=order.id,
        payload={"order_id": order.id}, now=now,
    )  # fmt: skip


def record_return_event(
    request: ReturnRequest, *, session: Session, now: datetime | None = None
) -> ShopEvent | None:
    """The event for a return that just became ``received`` or ``refunded`` (else None)."""
    kind = RETURN_EVENTS.get(request.status)
    if kind is None:
        return None
    payload: dict[str, Any] = {"return_id": request.id, "order_id": request.order_id}
    if kind == "return_refunded":
        payload["refund_yuan"] = f"{(request.refund_fen or 0) / 100:.2f}"
    return record_event(
        kind, buyer_id=request.order.buyer_id, session=session, order_id=request.order_id,
        return_id=request.id, payload=payload, now=now,
    )  # fmt: skip


def due_event_ids(
    *, session: Session, now: datetime, buyer_id: str | None = None, limit: int = 50
) -> list[int]:
    """Undelivered events due now and not held by a live claim, oldest first."""
    query = (
        select(ShopEvent.id)
        .where(
            ShopEvent.delivered_at.is_(None),
            ShopEvent.next_attempt_at <= now,
            or_(ShopEvent.claimed_at.is_(None), ShopEvent.claimed_at < now - CLAIM_TIMEOUT),
        )
        .order_by(ShopEvent.id)
        .limit(limit)
    )
    if buyer_id is not None:
        query = query.where(ShopEvent.buyer_id == buyer_id)
    return list(session.execute(query).scalars())


def claim_event(event_id: int, *, session: Session, now: datetime) -> str | None:
    """Takes the event for one dispatcher: its claim token, or None if another has it.

    One conditional UPDATE, so of two dispatchers at most one matches the row.
    The caller commits right away, before sending.
    """
    token = uuid.uuid4().hex
    result = session.execute(
        update(ShopEvent)
        .where(
            ShopEvent.id == event_id,
            ShopEvent.delivered_at.is_(None),
            ShopEvent.next_attempt_at <= now,
            or_(ShopEvent.claimed_at.is_(None), ShopEvent.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claim_token=token, claimed_at=now, attempts=ShopEvent.attempts + 1, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return token if result.rowcount == 1 else None


def mark_delivered(event_id: int, token: str, *, session: Session, now: datetime) -> bool:
    """Records the delivery; False when the claim was lost (timed out and retaken)."""
    result = session.execute(
        update(ShopEvent)
        .where(ShopEvent.id == event_id, ShopEvent.claim_token == token)
        .values(delivered_at=now, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_event(
    event_id: int,
    token: str,
    *,
    session: Session,
    now: datetime,
    error: str,
    retry_in: timedelta | None = None,
) -> None:
    """Gives the event back after a failure (or a paused conversation), to retry later.

    Without ``retry_in`` the delay grows with the attempts (:data:`RETRY_DELAYS`).
    """
    event = session.get(ShopEvent, event_id)
    if event is None or event.claim_token != token:
        return
    if retry_in is None:
        step = min(max(event.attempts, 1), len(RETRY_DELAYS)) - 1
        retry_in = timedelta(seconds=RETRY_DELAYS[step])
    event.claim_token = None
    event.claimed_at = None
    event.last_error = error[:MAX_ERROR]
    event.next_attempt_at = now + retry_in
    session.flush()


def make_due_now(buyer_id: str, *, session: Session, now: datetime) -> int:
    """Moves the buyer's waiting events to now (the buyer just opened the widget)."""
    result = session.execute(
        update(ShopEvent)
        .where(
            ShopEvent.buyer_id == buyer_id,
            ShopEvent.delivered_at.is_(None),
            ShopEvent.claim_token.is_(None),
            ShopEvent.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)

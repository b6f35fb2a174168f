"""The console API's JSON shapes (``E``, ``A``, ``B``, ``O``, ``R``, ``P``, ``Q``).

Built inside the request's transaction from database rows; plain dicts after.
Times are ISO 8601 in the shop's time zone; phone numbers are masked. Codes
(reasons, statuses) come with their Chinese display names (``*_label``) from
``shop.lexicon``, summaries and buyer words as :mod:`shop.transcript`
renders them: the page shows those, never a code or a payload.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shop import summaries, transcript
from shop.config import settings
from shop.db.escalations.presence import ONLINE_WINDOW
from shop.db.models import (
    Buyer,
    Escalation,
    Order,
    Photo,
    QuickReply,
    ReturnRequest,
    StaffUser,
)
from shop.lexicon import (
    ESCALATION_REASON_LABELS,
    ORDER_STATUS_LABELS,
    RETURN_KIND_LABELS,
    RETURN_REASON_LABELS,
    RETURN_STATUS_LABELS,
    label,
)
from shop.masking import mask_phone

MAX_ORDERS = 20
MAX_PHOTOS = 50


def iso(value: datetime | None) -> str | None:
    """A naive shop-local time from the database as ISO 8601 with its offset."""
    return value.replace(tzinfo=ZoneInfo(settings.timezone)).isoformat() if value else None


def escalations(
    rows: Iterable[Escalation], *, session: Session, now: datetime
) -> list[dict[str, Any]]:
    """``E`` for each row (``last_buyer_message_at`` and ``unread`` come from the tracker)."""
    rows = list(rows)
    buyer_ids = {row.buyer_id for row in rows if row.buyer_id}
    agent_ids = {row.agent_id for row in rows if row.agent_id}
    names = dict(session.execute(select(Buyer.id, Buyer.name).where(Buyer.id.in_(buyer_ids))).all())
    agents = {
        user.id: user
        for user in session.execute(select(StaffUser).where(StaffUser.id.in_(agent_ids))).scalars()
    }
    return [escalation(row, names.get(row.buyer_id), agents.get(row.agent_id), now) for row in rows]


def escalation(
    row: Escalation, buyer_name: str | None, agent: StaffUser | None, now: datetime
) -> dict[str, Any]:
    """``E``: ``waiting_seconds`` runs from creation to assignment (or now while waiting)."""
    until = row.assigned_at or row.resolved_at or now
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "buyer_id": row.buyer_id,
        "buyer_name": buyer_name,
        "order_id": row.order_id,
        "reason": row.reason,
        "reason_label": label(ESCALATION_REASON_LABELS, row.reason) or "其他",
        "priority": row.priority,
        "summary": summaries.readable_summary(row.summary),
        "status": row.status,
        "agent": (
            {"username": agent.username, "display_name": agent.display_name} if agent else None
        ),
        "created_at": iso(row.created_at),
        "assigned_at": iso(row.assigned_at),
        "waiting_seconds": max(0, int((until - row.created_at).total_seconds())),
        "last_buyer_message_at": None,
        "unread": 0,
        "outcome": row.outcome,
        "resolution_note": row.resolution_note,
        "resolved_at": iso(row.resolved_at),
    }


def agent(user: StaffUser, open_count: int, now: datetime) -> dict[str, Any]:
    """``A``: online when seen by the console within the last 60 s."""
    seen = user.last_seen_at
    return {
        "username": user.username,
        "display_name": user.display_name,
        "online": bool(seen and seen >= now - ONLINE_WINDOW),
        "open": open_count,
        "max_open": user.max_open,
    }


def buyer(row: Buyer) -> dict[str, Any]:
    """``B``: the buyer, phone masked."""
    return {"id": row.id, "name": row.name, "phone": mask_phone(row.phone or "")}


def order(row: Order) -> dict[str, Any]:
    """``O``: an order with items, shipments and the latest scan; phone masked."""
    shipments = []
    for shipment in row.shipments:
        scan = shipment.events[-1] if shipment.events else None
        shipments.append(
            {
                "courier": shipment.courier,
                "tracking_number": shipment.tracking_number,
                "shipped_at": iso(shipment.shipped_at),
                "expected_on": shipment.expected_on.isoformat() if shipment.expected_on else None,
                "latest_event": (
                    {
                        "time": iso(scan.happened_at),
                        "location": scan.location,
                        "description": scan.description,
                    }
                    if scan
                    else None
                ),
            }
        )
    return {
        "id": row.id,
        "status": row.status,
        "status_label": label(ORDER_STATUS_LABELS, row.status),
        "created_at": iso(row.created_at),
        "paid_at": iso(row.paid_at),
        "delivered_at": iso(row.delivered_at),
        "total_fen": row.total_fen,
        "freight_insurance": row.freight_insurance,
        "recipient_name": row.recipient_name,
        "recipient_phone": mask_phone(row.recipient_phone or ""),
        "address": row.address,
        "items": [
            {
                "id": item.id,
                "product_id": item.product_id,
                "product_name": item.product.name if item.product else item.product_id,
                "color": item.color,
                "size": item.size,
                "quantity": item.quantity,
                "price_fen": item.price_fen,
            }
            for item in row.items
        ],
        "shipments": shipments,
    }


def return_request(row: ReturnRequest) -> dict[str, Any]:
    """``R``: a return or exchange request and its item."""
    item = row.item
    return {
        "id": row.id,
        "order_id": row.order_id,
        "kind": row.kind,
        "kind_label": label(RETURN_KIND_LABELS, row.kind),
        "reason": row.reason,
        "reason_label": label(RETURN_REASON_LABELS, row.reason),
        "status": row.status,
        "status_label": label(RETURN_STATUS_LABELS, row.status),
        "buyer_words": transcript.spoken(row.buyer_words),
        "return_tracking_number": row.return_tracking_number,
        "exchange_size": row.exchange_size,
        "exchange_color": row.exchange_color,
        "refund_fen": row.refund_fen,
        "shop_note": row.shop_note,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "item": (
            {
                "product_name": item.product.name if item.product else item.product_id,
                "color": item.color,
                "size": item.size,
            }
            if item
            else None
        ),
    }


def photo(row: Photo) -> dict[str, Any]:
    """``P``: a buyer's photo; ``url`` serves its bytes (agents only)."""
    return {
        "id": row.id,
        "content_type": row.content_type,
        "width": row.width,
        "height": row.height,
        "size_bytes": row.size_bytes,
        "return_id": row.return_id,
        "created_at": iso(row.created_at),
        "url": f"/console/api/photos/{row.id}",
    }


def quick_reply(row: QuickReply) -> dict[str, Any]:
    """``Q``: a canned reply."""
    return {"id": row.id, "title": row.title, "text": row.text}


def context(row: Escalation, *, session: Session) -> dict[str, Any]:
    """What an agent sees beside the chat: ``buyer``, ``orders``, ``returns``, ``photos``.

    The buyer's orders, newest first (and the escalation's order in any case),
    their return requests, and the photos sent in this conversation or by the buyer.
    """
    found = session.get(Buyer, row.buyer_id) if row.buyer_id else None
    clauses = []
    if found is not None:
        clauses.append(Order.buyer_id == found.id)
    if row.order_id:
        clauses.append(Order.id == row.order_id)
    orders = (
        list(
            session.execute(
                select(Order)
                .where(or_(*clauses))
                .order_by(Order.created_at.desc(), Order.id)
                .limit(MAX_ORDERS)
            ).scalars()
        )
        if clauses
        else []
    )
    returns = session.execute(
        select(ReturnRequest)
        .where(ReturnRequest.order_id.in_([o.id for o in orders]))
        .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id)
    ).scalars()
    photo_owner = Photo.conversation_id == row.conversation_id
    if found is not None:
        photo_owner = or_(photo_owner, Photo.buyer_id == found.id)
    photos = session.execute(
        select(Photo).where(photo_owner).order_by(Photo.created_at, Photo.id).limit(MAX_PHOTOS)
    ).scalars()
    return {
        "buyer": buyer(found) if found else None,
        "orders": [order(o) for o in orders],
        "returns": [return_request(r) for r in returns],
        "photos": [photo(p) for p in photos],
    }

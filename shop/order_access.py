"""Which orders the person in a conversation may see.

An order is shown or changed only for its buyer: the buyer named by a valid token
on the latest message, or someone who proved the order with its phone suffix in
the conversation. Anything else is treated exactly like an order that does not
exist, so order numbers cannot be probed. ``actions/access.py`` reads the buyer and
the proven orders from the tracker.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.models import Order


def allowed_order(
    order_id: str | None, *, buyer_id: str | None, verified_ids: Sequence[str], session: Session
) -> Order | None:
    """The order if ``buyer_id`` owns it or it is among ``verified_ids``, else ``None``."""
    if not order_id:
        return None
    order = session.get(Order, str(order_id))
    if order is None:
        return None
    if buyer_id is not None and order.buyer_id == buyer_id:
        return order
    if order.id in verified_ids:
        return order
    return None


def allowed_orders(
    *, buyer_id: str | None, verified_ids: Sequence[str], session: Session
) -> list[Order]:
    """Every order ``buyer_id`` owns or ``verified_ids`` names, newest first."""
    ids = list(verified_ids)
    stmt = select(Order).order_by(Order.created_at.desc(), Order.id)
    if buyer_id is not None:
        stmt = stmt.where((Order.buyer_id == buyer_id) | Order.id.in_(ids))
    elif ids:
        stmt = stmt.where(Order.id.in_(ids))
    else:
        return []
    return list(session.execute(stmt).scalars())

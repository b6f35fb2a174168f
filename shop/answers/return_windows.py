"""Whether the buyer's own order can still go back (我买的跑鞋还能退吗).

The return rules answer a question before buying; a buyer who speaks of a pair
they bought wants to know where that order stands: inside the no-reason window
(until which day), past it but inside the quality window, past both, or not
signed for yet. Read-only: nothing is opened here, the return form does that.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from shop.answers.asked import Asked
from shop.clock import shop_now
from shop.db.models import Order, ShopPolicy
from shop.lexicon import OWN_PURCHASE_WORDS, REASON_WORDS
from shop.order_access import allowed_order, allowed_orders
from shop.order_choice import product_names
from shop.order_match import orders_named

Messages = list[tuple[str, dict[str, Any]]]
RETURNABLE = ("delivered", "completed")
NOT_SIGNED = ("paid", "shipped")  # answered apart: not shipped, or on its way


def own_order_standing(asked: Asked, policy: ShopPolicy, session: Session) -> Messages:
    """Where the order the buyer speaks of stands against the return windows, or
    nothing when they speak of none (a question before buying) or it is unclear
    which order they mean. A defect (开胶) said of a shoe names the buyer's order of
    it even without 我买的."""
    owned = any(word in asked.text for word in OWN_PURCHASE_WORDS)
    # 篮球鞋开胶了 能退吗: a defect of a pair the buyer has, named by its shoe
    defect = any(word in asked.text for word in REASON_WORDS["quality"])
    if not owned and not defect:
        return []
    order = _meant_order(asked, session, named_only=not owned)
    if order is None:
        return []
    return standing(order, policy, shop_now().date())


def standing(order: Order, policy: ShopPolicy, today: date) -> Messages:
    """The response telling where ``order`` stands; the windows count from the day
    after it was signed for (a 7-day window of a pair signed on the 1st ends on the 8th)."""
    no_reason, quality = policy.no_reason_return_days, policy.quality_return_days
    base: dict[str, Any] = {
        "order_id": order.id, "products": product_names(order), "no_reason_days": no_reason,
    }  # fmt: skip
    if order.status == "paid":  # not shipped: a refund of the order, not a return
        return [("utter_return_refused_not_shipped", base)]
    if order.status == "shipped":
        return [("utter_return_order_not_signed", base)]
    if order.status not in RETURNABLE or order.delivered_at is None:
        return []
    signed = order.delivered_at.date()
    base["signed_day"] = f"{signed:%m-%d}"
    if today <= signed + timedelta(days=no_reason):
        until = signed + timedelta(days=no_reason)
        return [("utter_return_order_inside_no_reason", {**base, "until": f"{until:%m-%d}"})]
    if today <= signed + timedelta(days=quality):
        until = signed + timedelta(days=quality)
        return [("utter_return_order_quality_only", {**base, "until": f"{until:%m-%d}"})]
    return [
        ("utter_return_order_outside", {**base, "quality_days": quality}),
        ("utter_offer_human", {}),
    ]


def _meant_order(asked: Asked, session: Session, *, named_only: bool = False) -> Order | None:
    """The order the words name (洞洞鞋那单), else the one under discussion, else the
    buyer's only order that has arrived or is on its way; ``named_only``: only the
    order the words name."""
    orders = [
        order
        for order in allowed_orders(
            buyer_id=asked.buyer_id, verified_ids=asked.verified_order_ids, session=session
        )
        if order.status in (*RETURNABLE, *NOT_SIGNED)
    ]
    if not orders:
        return None
    named = orders_named(asked.text, orders, today=shop_now().date())
    if named is not None:
        return named[0] if len(named) == 1 else None
    if named_only:
        return None
    current = allowed_order(
        asked.slot("order_id"),
        buyer_id=asked.buyer_id,
        verified_ids=asked.verified_order_ids,
        session=session,
    )
    if current is not None and current in orders:
        return current
    return orders[0] if len(orders) == 1 else None

"""The shop's rules, answered from the policy and promotion tables.

A promotion question about 价保 (保价, 补差价, 降价了) gets the shop's price
protection instead of the list of promotions: its window from the policy and,
with an order under discussion or named (疾风那单), whether that order is still
inside it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from shop.answers.asked import Asked
from shop.answers.return_windows import own_order_standing
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import Order, ShopPolicy
from shop.lexicon import (
    COURIER_WORDS,
    OWN_PURCHASE_WORDS,
    POSTAGE_PAYER_LABELS,
    PRICE_PROTECTION_DELIVERY_WORDS,
    RETURN_ADDRESS_WORDS,
    WINDOW_START_LABELS,
    first_key,
    label,
)
from shop.order_access import allowed_order, allowed_orders
from shop.order_choice import product_names
from shop.order_match import orders_named

Messages = list[tuple[str, dict[str, Any]]]

SENTENCE_ENDS = "。！？!?；;…"


def sentence(text: str | None) -> str:
    """A policy text the shop wrote, ended as a sentence: the responses put texts one
    after another, and a shop's text may end without 。 (全国包邮（港澳台除外）)."""
    text = (text or "").strip()
    return text if not text or text[-1] in SENTENCE_ENDS else f"{text}。"


def refund_period(policy: ShopPolicy | None) -> str:
    """The shop's refund time as the responses use it, before their own 内:
    ``收到退货后2个工作日内`` -> ``收到退货后2个工作日`` (shops write it either way)."""
    period = (policy.refund_days if policy else "") or ""
    return re.sub(r"(?:以内|之内|内)[。.，,\s]*$", "", period.strip())


def return_policy(asked: Asked, session: Session) -> Messages:
    """The return and exchange rules: windows, conditions, postage, refunds; asked
    where returned goods go, the shop's return address and the postage."""
    policy = queries.get_policy(session=session)
    if policy is None:
        return [("utter_shop_info_missing", {})]
    postage = (
        "utter_return_postage_shop"
        if policy.no_reason_postage_payer == "shop"
        else "utter_return_postage_buyer"
    )
    if any(word in asked.text for word in RETURN_ADDRESS_WORDS):  # 退货寄到哪: the address
        waiting = _return_awaiting_parcel(asked, session)
        return [
            *waiting,
            _return_address(policy),
            (postage, {"freight_insurance": sentence(policy.freight_insurance)}),
        ]
    own = own_order_standing(asked, policy, session)  # 我买的跑鞋还能退吗: that order first
    if own and own[-1][0] == "utter_offer_human":
        return own  # past every window: the rules would only repeat it
    return [
        *own,
        (
            "utter_return_policy",
            {
                "no_reason_days": policy.no_reason_return_days,
                "quality_days": policy.quality_return_days,
                "condition": policy.return_condition,
                "refund_days": refund_period(policy),
            },
        ),
        (postage, {"freight_insurance": sentence(policy.freight_insurance)}),
    ]


def quality_terms(policy: ShopPolicy | None) -> dict[str, Any]:
    """The quality-return window and who pays the postage back, as response variables
    (a complaint's answer promises only what the shop's policy says)."""
    payer = policy.quality_postage_payer if policy else "shop"
    return {
        "quality_days": policy.quality_return_days if policy else 15,
        "quality_payer": label(POSTAGE_PAYER_LABELS, payer),
    }


def _return_address(policy: ShopPolicy) -> tuple[str, dict[str, Any]]:
    return (
        "utter_return_address",
        {"return_address": policy.return_address,
         "return_recipient": policy.return_recipient, "return_phone": policy.return_phone},
    )  # fmt: skip


def _return_awaiting_parcel(asked: Asked, session: Session) -> Messages:
    """The buyer's own request that waits for the parcel, named before the address."""
    request = (
        queries.latest_open_return(asked.buyer_id, session=session) if asked.buyer_id else None
    )
    if request is None or request.status != "awaiting_shipment":
        return []
    product = request.item.product.name if request.item is not None else ""
    return [("utter_return_address_for_request", {"return_id": request.id, "product": product})]


def shipping(asked: Asked, session: Session) -> Messages:
    """When and how orders ship, and where shipping is free; a courier named
    (能发顺丰吗) is said to be one of the shop's or not, first. 寄到哪里 from a buyer whose
    return waits for the parcel is that return's address."""
    policy = queries.get_policy(session=session)
    if policy is None:
        return [("utter_shop_info_missing", {})]
    if any(word in asked.text for word in RETURN_ADDRESS_WORDS):
        waiting = _return_awaiting_parcel(asked, session)
        if waiting:  # 寄到哪里 while the buyer's return waits for the parcel: its address
            return [*waiting, _return_address(policy)]
    couriers = "、".join(policy.couriers or [])
    named = first_key(asked.text, COURIER_WORDS)
    courier: Messages = []
    if named is not None:  # 能发顺丰吗: yes or no from the shop's couriers, first
        ships = any(named in c for c in policy.couriers or [])
        response = "utter_courier_yes" if ships else "utter_courier_no"
        courier = [(response, {"courier": named, "couriers": couriers})]
    return [
        *courier,
        (
            "utter_shipping_policy",
            {
                "ship_within_hours": policy.ship_within_hours,
                "cutoff_time": policy.cutoff_time,
                "ship_from": policy.ship_from,
                "couriers": couriers,
                "free_shipping": sentence(policy.free_shipping),
                "remote_areas": sentence(policy.remote_areas),
            },
        ),
    ]


def price_protection(asked: Asked, session: Session) -> Messages:
    """The shop's 价保 and, with an order under discussion, whether it is still covered."""
    policy = queries.get_policy(session=session)
    if policy is None:
        return [("utter_shop_info_missing", {})]
    days = int(policy.price_protection_days or 0)
    if days <= 0:
        return [("utter_price_protection_none", {})]
    terms = _terms(policy)
    from_delivery = counts_from_delivery(policy.price_protection_rule)
    order = allowed_order(
        asked.slot("order_id"),
        buyer_id=asked.buyer_id,
        verified_ids=asked.verified_order_ids,
        session=session,
    )
    order = order or _order_named(asked, session)
    if order is not None:
        messages = order_price_protection(order, days, shop_now(), from_delivery=from_delivery)
        if messages[0][0] in COVERED:
            messages += [*terms, ("utter_offer_human", {})]
        return messages
    window = _window(days, from_delivery)
    general: Messages = [("utter_price_protection_days", window), *terms]
    if not any(word in asked.text for word in OWN_PURCHASE_WORDS):
        return general  # 你们有价保吗: a question before buying
    return _own_orders_covered(asked, window, from_delivery, terms, session) or general


# An order answered as one that may still ask for the difference.
COVERED = frozenset(
    {"utter_price_protection_order_inside", "utter_price_protection_order_not_signed"}
)


def _window(days: int, from_delivery: bool) -> dict[str, Any]:
    """The variables of utter_price_protection_days: its days and where they start."""
    return {"days": days, "start": WINDOW_START_LABELS["delivery" if from_delivery else "payment"]}


def _own_orders_covered(
    asked: Asked,
    window: dict[str, Any],
    from_delivery: bool,
    terms: Messages,
    session: Session,
) -> Messages:
    """我买的鞋降价了 with no order named: the buyer's orders still inside the window.

    One such order is answered as if named, with the rule (``terms``); several are
    listed; orders not yet signed for under a rule counted from delivery are said so
    apart; none says so, after the rule. A guest (no visible order) gets nothing here.
    """
    orders = [
        order
        for order in allowed_orders(
            buyer_id=asked.buyer_id, verified_ids=asked.verified_order_ids, session=session
        )
        if order.status not in ("cancelled", "pending_payment")
    ]
    if not orders:
        return []
    now = shop_now()
    days = int(window["days"])
    answers = [
        (order, order_price_protection(order, days, now, from_delivery=from_delivery))
        for order in orders
    ]
    inside = [(o, m) for o, m in answers if m[0][0] == "utter_price_protection_order_inside"]
    # not yet signed for, under a rule counted from delivery: each said so, never
    # listed as inside a window that has not started
    waiting = [m[0] for _, m in answers if m[0][0] == "utter_price_protection_order_not_signed"]
    if len(inside) == 1:
        return [*inside[0][1], *waiting, *terms, ("utter_offer_human", {})]
    if inside:
        names = "；".join(
            f"{product_names(order)}（订单尾号{order.id[-4:]}）" for order, _ in inside
        )
        return [
            ("utter_price_protection_days", window),
            ("utter_price_protection_orders_inside", {"orders": names}),
            *waiting,
            *terms,
            ("utter_offer_human", {}),
        ]
    if waiting:
        return [*waiting, *terms, ("utter_offer_human", {})]
    return [
        ("utter_price_protection_days", window),
        ("utter_price_protection_no_order_inside", {"days": days}),
    ]


def _order_named(asked: Asked, session: Session) -> Order | None:
    """The one order of this conversation's buyer that the message names (凉拖那单)."""
    orders = allowed_orders(
        buyer_id=asked.buyer_id, verified_ids=asked.verified_order_ids, session=session
    )
    named = orders_named(asked.text, orders, today=shop_now().date())
    return named[0] if named and len(named) == 1 else None


def _terms(policy: ShopPolicy) -> Messages:
    rule = (policy.price_protection_rule or "").strip().rstrip("。.")
    return [("utter_price_protection_terms", {"rule": rule})] if rule else []


def counts_from_delivery(rule: str | None) -> bool:
    """Whether the shop's own rule counts the price-protection days from delivery
    (签收后7天内, 确认收货之日起15天) instead of payment, the default."""
    words = "|".join(PRICE_PROTECTION_DELIVERY_WORDS)
    return re.search(rf"(?:{words})(?:后|之日起|起)?\s*\d+\s*天", rule or "") is not None


def order_price_protection(
    order: Order, days: int, now: datetime, *, from_delivery: bool = False
) -> Messages:
    """Whether ``order`` is inside the ``days`` after payment (creation if unpaid) at
    ``now``; with ``from_delivery`` (the shop's rule says so), after it was signed for."""
    if order.status == "cancelled":
        return [("utter_price_protection_order_cancelled", {"order_id": order.id})]
    products = product_names(order)
    if from_delivery and order.delivered_at is None:
        values = {"order_id": order.id, "products": products, "days": days}
        return [("utter_price_protection_order_not_signed", values)]
    start = (order.delivered_at if from_delivery else order.paid_at) or order.created_at
    end = start + timedelta(days=days)
    values = {
        "order_id": order.id,
        "products": products,
        "days": days,
        "month": start.month,
        "day": start.day,
        "end_month": end.month,
        "end_day": end.day,
    }
    if now <= end:
        return [("utter_price_protection_order_inside", values)]
    return [("utter_price_protection_order_outside", values)]

"""Telling an order's status and tracking, once ``order_form`` settled which
order (actions/order_form.py) and that this conversation may see it.

The order card also makes its shoe the one under discussion, so 这双防滑吗
afterwards is answered about it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import accessible_order, accessible_orders
from actions.common import Reply, answer_in_transaction, last_text_with_intent, latest_text
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import Order
from shop.identity import MAX_VERIFY_ATTEMPTS
from shop.lexicon import (
    ADDRESS_WORDS,
    ORDER_STATUS_LABELS,
    SIGNER_WORDS,
    asks_bought_item,
    label,
)
from shop.masking import mask_phone
from shop.order_choice import product_names
from shop.order_match import orders_named

STALE_AFTER = timedelta(days=3)


def tracking_text(event: Any) -> str:
    """A tracking event as docs/shop-data.md shows it: 【location】description; the
    location is left out when the description already names it (快件已到达【西湖区…】)."""
    location = (event.location or "").strip()
    if not location or location in event.description:
        return str(event.description)
    return f"【{location}】{event.description}"


class ActionCheckOrderStatus(Action):
    """Status, courier, tracking, latest event and expected arrival of the order."""

    def name(self) -> str:
        return "action_check_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ids = [tracker.get_slot("order_id")]
        if tracker.get_slot("all_orders") and tracker.get_slot("order_choices"):
            ids = list(tracker.get_slot("order_choices"))
        text = latest_text(tracker)
        # 地址改好了吗 / 我买的是几码, then 跑鞋那单 to say which order: the question counts
        asked = f"{last_text_with_intent(tracker, {'check_order_status'})} {text}"
        asks_address = any(word in asked for word in ADDRESS_WORDS)

        def describe(session: Session) -> tuple[list[Reply], list[EventType]]:
            replies: list[Reply] = []
            context: list[EventType] = []
            shown: list[Order] = []
            for order_id in ids:
                order = accessible_order(tracker, order_id, session=session)
                if order is None:
                    return list(_locked_or_not_found(tracker)), []
                replies += [*status_messages(order, session=session), order_card(order)]
                if asks_address and order.status != "cancelled":
                    replies.append(address_message(order))
                if asks_bought_item(asked):  # 我买的是多大码的来着
                    replies.append(("utter_order_items", {"items": items_text(order)}))
                signed = order.status in ("delivered", "completed")
                if signed and any(word in asked for word in SIGNER_WORDS):  # 是谁签收的
                    replies += last_scan(order)
                context = product_context(order)
                shown.append(order)
            if len(shown) == 1:
                replies += newer_unpaid(text, shown[0], accessible_orders(tracker, session=session))
            return replies, context

        context = await answer_in_transaction(dispatcher, describe)
        forget = [SlotSet(s, None) for s in ("order_choices", "all_orders") if tracker.get_slot(s)]
        return [*context, *forget]


def last_scan(order: Order) -> list[Reply]:
    """The parcel's last scan, which names who signed or where it was left."""
    if not order.shipments:
        return []
    shipment = max(order.shipments, key=lambda s: s.shipped_at)
    if not shipment.events:
        return []
    event = shipment.events[-1]
    said = {"time": f"{event.happened_at:%m-%d %H:%M}", "description": tracking_text(event)}
    return [("utter_order_last_scan", said)]


def items_text(order: Order) -> str:
    """What the order holds, as the buyer chose it: 轻羽女子跑鞋 粉色 37码、…"""
    return "、".join(f"{item.product.name} {item.color} {item.size:g}码" for item in order.items)


def address_message(order: Order) -> Reply:
    """The order's recipient, masked phone and address (地址改好了吗, 寄到哪个地址)."""
    return (
        "utter_order_address_now",
        {
            "order_id": order.id,
            "recipient": order.recipient_name,
            "phone": mask_phone(order.recipient_phone or ""),
            "address": order.address,
        },
    )


def newer_unpaid(text: str, shown: Order, orders: list[Order]) -> list[Reply]:
    """我的订单 with no order named shows the one on its way or waiting; an unpaid order
    placed after it is named too, or the buyer would wonder where their newest went."""
    if any(char.isdigit() for char in text):
        return []
    if orders_named(text, orders, today=shop_now().date()):
        return []  # the words chose the order shown
    unpaid = [
        order
        for order in orders
        if order.status == "pending_payment" and order.created_at > shown.created_at
    ]
    return [
        ("utter_order_also_unpaid", {"order_id": order.id, "products": product_names(order)})
        for order in unpaid[:1]
    ]


def product_context(order: Order) -> list[EventType]:
    """Makes the order's shoe the one under discussion (when it has one shoe)."""
    products = {item.product_id: item.product.name for item in order.items}
    if len(products) != 1:
        return []
    ((product_id, name),) = products.items()
    return [SlotSet("product_id", product_id), SlotSet("product_name", name)]


def order_card(order: Order) -> dict[str, Any]:
    """The widget's order card: status, products, courier and the latest scans.

    Everything in it is data; the status label comes from the lexicon's one
    table of status names.
    """
    card: dict[str, Any] = {
        "type": "order_card",
        "order_id": order.id,
        "status": label(ORDER_STATUS_LABELS, order.status),
        "products": product_names(order),
        "courier": "",
        "tracking_number": "",
        "events": [],
    }
    if order.shipments:
        shipment = max(order.shipments, key=lambda s: s.shipped_at)
        card["courier"] = shipment.courier
        card["tracking_number"] = shipment.tracking_number
        card["events"] = [
            {"time": f"{event.happened_at:%m-%d %H:%M}", "description": event.description}
            for event in reversed(shipment.events[-5:])
        ]
    return card


def _locked_or_not_found(tracker: Tracker) -> list[tuple[str, dict]]:
    if (tracker.get_slot("verify_attempts") or 0) >= MAX_VERIFY_ATTEMPTS:
        return []  # the buyer was already told and handed to a person
    return [("utter_order_not_found", {})]


def status_messages(order: Order, *, session: Session) -> list[tuple[str, dict]]:
    """The responses describing ``order``'s status."""
    policy = queries.get_policy(session=session)
    base = {"order_id": order.id, "products": product_names(order)}
    signed = f"{order.delivered_at:%m-%d %H:%M}" if order.delivered_at else ""
    if order.status in ("pending_payment", "paid"):
        hours = policy.ship_within_hours if policy else 48
        return [(f"utter_order_status_{order.status}", {**base, "ship_within_hours": hours})]
    if order.status == "delivered":
        days = policy.no_reason_return_days if policy else 7
        return [
            (
                "utter_order_status_delivered",
                {**base, "signed_time": signed, "no_reason_days": days},
            )
        ]
    if order.status == "completed":
        return [("utter_order_status_completed", {**base, "signed_time": signed})]
    if order.status != "shipped" or not order.shipments:
        return [("utter_order_status_cancelled", base)]
    shipment = max(order.shipments, key=lambda s: s.shipped_at)
    shipping = {**base, "courier": shipment.courier, "tracking_number": shipment.tracking_number}
    if not shipment.events:
        return [("utter_order_status_shipped_no_events", shipping)]
    last = shipment.events[-1]
    expected = f"{shipment.expected_on:%m-%d}" if shipment.expected_on else "-"
    messages = [
        (
            "utter_order_status_shipped",
            {
                **shipping,
                "event_time": f"{last.happened_at:%m-%d %H:%M}",
                "event": tracking_text(last),
                "expected_on": expected,
            },
        )  # fmt: skip
    ]
    idle = shop_now() - last.happened_at
    if idle >= STALE_AFTER:
        messages.append(("utter_order_tracking_stale", {"days": idle.days}))
    return messages

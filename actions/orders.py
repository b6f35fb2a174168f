"""Finding the buyer's order safely, and telling its status and tracking.

``order_form`` settles which order the conversation is about. With a valid
buyer token it only asks which of the buyer's orders (buttons); without one it
asks for the order number and the phone's last four digits, at most three
times per conversation, and answers a wrong guess exactly like a missing order.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import (
    accessible_order,
    accessible_orders,
    phone_matches,
    record_escalation,
    shop_now,
    token_buyer_id,
    verified_order_ids,
)
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    latest_entity,
    latest_intent,
    latest_text,
)
from actions.db import queries
from actions.db.models import Order
from actions.forms import ShopFormValidation
from actions.identity import MAX_VERIFY_ATTEMPTS

ORDER_ID = re.compile(r"(?<!\d)(\d{16})(?!\d)")
PHONE_SUFFIX = re.compile(r"(?<!\d)(\d{4})(?!\d)")
STALE_AFTER = timedelta(days=3)
# Goals that need no particular order when the buyer is logged in.
ALL_ORDERS_GOALS = frozenset({"return_status"})
ANSWER_INTENTS = frozenset({"inform", "nlu_fallback", "out_of_scope", "affirm"})


def _is_answer(tracker: Tracker) -> bool:
    """Whether the latest message answers a question rather than digressing."""
    intent = latest_intent(tracker)
    return intent in ANSWER_INTENTS and bool(latest_text(tracker).strip())


def product_names(order: Order) -> str:
    """The order's products, for response variables."""
    return "、".join(item.product.name for item in order.items)


def order_buttons(orders: list[Order]) -> list[dict[str, str]]:
    """Quick replies choosing one of ``orders`` (newest five)."""
    return [
        {
            "title": f"{product_names(order)} {order.created_at:%m-%d} {order.id[-6:]}",
            "payload": f'/inform{{"order_id":"{order.id}"}}',
        }
        for order in orders[:5]
    ]


class ValidateOrderForm(ShopFormValidation):
    """Settles the order of an after-sale request and who may see it."""

    def name(self) -> str:
        return "validate_order_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Token: only which order. Otherwise order number and phone suffix."""
        if (tracker.get_slot("verify_attempts") or 0) >= MAX_VERIFY_ATTEMPTS:
            return []
        if token_buyer_id(tracker):
            if tracker.get_slot("after_sale_goal") in ALL_ORDERS_GOALS:
                return []
            return ["order_id"]
        if tracker.get_slot("order_id") in verified_order_ids(tracker):
            return ["order_id"]
        return ["order_id", "phone_suffix"]

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An order number in the message; a logged-in buyer's only order."""
        text = latest_text(tracker)
        entity = latest_entity(tracker, "order_id") or ""
        match = ORDER_ID.search(entity) or ORDER_ID.search(text)
        if match:
            if match.group(1) == tracker.get_slot("order_id"):
                return {}
            return {"order_id": match.group(1), "phone_suffix": None}
        if tracker.get_slot("order_id") or not token_buyer_id(tracker):
            if tracker.get_slot("requested_slot") == "order_id" and _is_answer(tracker):
                return {"order_id": "invalid"}
            return {}
        orders = await in_transaction(
            lambda s: [o.id for o in accessible_orders(tracker, session=s)]
        )
        if len(orders) == 1:
            return {"order_id": orders[0]}
        return {}

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A logged-in buyer's own order; for others any well-formed number."""
        if value is None:  # cleared by another step, nothing to check
            return {"order_id": None}
        if not isinstance(value, str) or not ORDER_ID.fullmatch(value):
            dispatcher.utter_message(response="utter_order_id_invalid")
            return {"order_id": None}
        if token_buyer_id(tracker) is None:
            return {"order_id": value}
        found = await in_transaction(
            lambda s: accessible_order(tracker, value, session=s) is not None
        )
        if not found:
            dispatcher.utter_message(response="utter_order_not_found")
            return {"order_id": None}
        return {"order_id": value}

    async def extract_phone_suffix(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Four digits, when they were asked for."""
        if tracker.get_slot("requested_slot") != "phone_suffix":
            return {}
        text = latest_text(tracker)
        if PHONE_SUFFIX.fullmatch(text.strip()):
            return {"phone_suffix": text.strip()}  # four digits alone, whatever NLU thought
        if not _is_answer(tracker):
            return {}
        entity = latest_entity(tracker, "phone_suffix") or ""
        match = PHONE_SUFFIX.search(entity) or PHONE_SUFFIX.search(text)
        return {"phone_suffix": match.group(1) if match else "invalid"}

    async def validate_phone_suffix(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Proves the order, or counts a failed try (three end the checks)."""
        if value is None:  # cleared by another step, nothing to check
            return {"phone_suffix": None}
        if value == "invalid" or not tracker.get_slot("order_id"):
            dispatcher.utter_message(response="utter_phone_suffix_invalid")
            return {"phone_suffix": None}
        order_id = str(tracker.get_slot("order_id"))

        def check(session: Session) -> bool:
            order = session.get(Order, order_id)
            ok = order is not None and phone_matches(order, str(value))
            attempts = (tracker.get_slot("verify_attempts") or 0) + (0 if ok else 1)
            if not ok and attempts >= MAX_VERIFY_ATTEMPTS:
                record_escalation(
                    tracker, "verification_failed", session=session, priority=2,
                    summary="three failed order verifications",
                )  # fmt: skip
            return ok

        ok = await in_transaction(check)
        if ok:
            return {
                "phone_suffix": value,
                "verified_order_ids": [*verified_order_ids(tracker), order_id],
            }
        attempts = (tracker.get_slot("verify_attempts") or 0) + 1
        locked = attempts >= MAX_VERIFY_ATTEMPTS
        dispatcher.utter_message(
            response="utter_verification_locked" if locked else "utter_order_not_found"
        )
        return {"phone_suffix": None, "order_id": None, "verify_attempts": attempts}


class ActionAskOrderId(Action):
    """Asks which order: buttons for a logged-in buyer, else the number."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not token_buyer_id(tracker):
            dispatcher.utter_message(response="utter_ask_order_id_unverified")
            return []
        try:
            orders = await in_transaction(
                lambda s: order_buttons(accessible_orders(tracker, session=s))
            )
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
        else:
            dispatcher.utter_message(response="utter_choose_order", buttons=orders)
        return []


class ActionCheckOrderStatus(Action):
    """Status, courier, tracking, latest event and expected arrival of the order."""

    def name(self) -> str:
        return "action_check_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        def describe(session: Session) -> tuple[list[tuple[str, dict]], dict | None]:
            order = accessible_order(tracker, tracker.get_slot("order_id"), session=session)
            if order is None:
                return _locked_or_not_found(tracker), None
            return status_messages(order, session=session), order_card(order, domain)

        try:
            messages, card = await in_transaction(describe)
        except ShopDataUnavailableError:
            messages, card = [("utter_service_unavailable", {})], None
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        if card is not None:
            dispatcher.utter_message(json_message=card)
        return []


def order_card(order: Order, domain: DomainDict) -> dict[str, Any]:
    """The widget's order card: status, products, courier and the latest scans.

    Everything in it is data; the status label is a domain response, so the
    buyer-facing words stay in domain.yml.
    """
    labels = domain.get("responses", {}).get(f"utter_order_label_{order.status}") or [{}]
    card: dict[str, Any] = {
        "type": "order_card",
        "order_id": order.id,
        "status": labels[0].get("text", order.status),
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
                "event": last.description,
                "expected_on": expected,
            },
        )  # fmt: skip
    ]
    idle = shop_now() - last.happened_at
    if idle >= STALE_AFTER:
        messages.append(("utter_order_tracking_stale", {"days": idle.days}))
    return messages

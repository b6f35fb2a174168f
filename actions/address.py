"""Changing an order's delivery address: only before shipment, only after the
buyer confirms; after shipment the honest options and a human."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import accessible_order, record_escalation
from actions.common import (
    confirmation,
    in_transaction,
    is_question,
    latest_intent,
    latest_text,
    reply_in_transaction,
)
from actions.forms import ShopFormValidation
from actions.handoff import escalated_after_shipment, handoff_followup
from actions.orders import _locked_or_not_found
from shop.address_text import is_whole, parse_contact
from shop.db.models import Order
from shop.lexicon import ORDER_STATUS_LABELS, label
from shop.masking import mask_phone
from shop.order_choice import product_names

CHANGEABLE = frozenset({"pending_payment", "paid"})
FORM_SLOTS = ("new_address", "new_recipient", "new_phone", "address_confirmed", "address_blocked")
ANSWER_INTENTS = frozenset({"inform", "change_address", "nlu_fallback", "out_of_scope"})


def after_shipment_messages(
    tracker: Tracker, order: Order, session: Session
) -> list[tuple[str, dict[str, Any]]]:
    """The honest options once the parcel left, after queueing a human."""
    record_escalation(
        tracker, "address_after_shipment", session=session, order=order, priority=1,
        summary=f"发货后要求改地址（订单{label(ORDER_STATUS_LABELS, order.status)}）",
    )  # fmt: skip
    shipment = order.shipments[-1] if order.shipments else None
    return [
        (
            "utter_address_after_shipment",
            {
                "order_id": order.id,
                "courier": shipment.courier if shipment else "-",
                "tracking_number": shipment.tracking_number if shipment else "-",
            },
        ),
    ]


class ValidateAddressForm(ShopFormValidation):
    """Checks the order can still change, reads the new details, asks to confirm."""

    own_intents = frozenset({"change_address"})

    def name(self) -> str:
        return "validate_address_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Nothing more is asked once the change was refused."""
        return [] if tracker.get_slot("address_blocked") else domain_slots

    async def extract_new_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """On activation, refuses a shipped order; later reads the new details."""
        if tracker.get_slot("requested_slot") is None:
            blocked = await self._refuse_if_shipped(dispatcher, tracker)
            if blocked:
                return {"address_blocked": True}
        asked = tracker.get_slot("requested_slot") == "new_address"
        answering = latest_intent(tracker) in ANSWER_INTENTS
        text = latest_text(tracker)
        if not answering and (not asked or is_question(text)):
            return {}  # a digression such as 杭州包邮吗
        return parse_contact(text)

    async def _refuse_if_shipped(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        def check(session: Session) -> list[tuple[str, dict[str, Any]]]:
            order = accessible_order(tracker, tracker.get_slot("order_id"), session=session)
            if order is None:
                return _locked_or_not_found(tracker) or [("utter_order_not_found", {})]
            if order.status in CHANGEABLE:
                return []
            if order.status == "cancelled":
                return [("utter_address_order_cancelled", {"order_id": order.id})]
            return after_shipment_messages(tracker, order, session)

        messages = await in_transaction(check)
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        return bool(messages)

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A plausible address: a place marker and 6-200 characters."""
        if value is None:  # cleared by another step, nothing to check
            return {"new_address": None}
        if value == "invalid" or not (6 <= len(str(value)) <= 200) or not is_whole(str(value)):
            dispatcher.utter_message(response="utter_address_invalid")
            return {"new_address": None}
        return {"new_address": value}

    async def extract_address_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no to the summary."""
        return confirmation(tracker, "address_confirmed")


class ActionAskAddressConfirmed(Action):
    """Shows the new recipient, phone (masked) and address and asks to confirm."""

    def name(self) -> str:
        return "action_ask_address_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        def current(session: Session) -> tuple[str, str, str]:
            order = accessible_order(tracker, tracker.get_slot("order_id"), session=session)
            if order is None:
                return "", "", ""
            return order.recipient_name, order.recipient_phone, product_names(order)

        name, phone, products = await in_transaction(current)
        # the order and its shoes are named: the buyer confirms which order changes
        dispatcher.utter_message(
            response="utter_ask_address_confirmed",
            order_id=tracker.get_slot("order_id") or "",
            products=products,
            recipient=tracker.get_slot("new_recipient") or name,
            phone=mask_phone(tracker.get_slot("new_phone") or phone),
            address=tracker.get_slot("new_address"),
        )
        return []


class ActionUpdateAddress(Action):
    """Writes the confirmed address, if the order has still not shipped."""

    def name(self) -> str:
        return "action_update_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if tracker.get_slot("address_blocked"):
            return reset + handoff_followup(await escalated_after_shipment(tracker))
        if tracker.get_slot("address_confirmed") is not True:
            dispatcher.utter_message(response="utter_address_not_changed")
            return reset

        escalated: list[bool] = []

        def update(session: Session) -> list[tuple[str, dict[str, Any]]]:
            order: Order | None = accessible_order(
                tracker, tracker.get_slot("order_id"), session=session
            )
            if order is None:
                return [("utter_order_not_found", {})]
            if order.status == "cancelled":
                return [("utter_address_order_cancelled", {"order_id": order.id})]
            if order.status not in CHANGEABLE:
                escalated.append(True)
                return after_shipment_messages(tracker, order, session)
            order.address = tracker.get_slot("new_address")
            order.recipient_name = tracker.get_slot("new_recipient") or order.recipient_name
            order.recipient_phone = tracker.get_slot("new_phone") or order.recipient_phone
            return [("utter_address_updated", {"order_id": order.id})]

        await reply_in_transaction(dispatcher, work=update)
        return reset + handoff_followup(bool(escalated))

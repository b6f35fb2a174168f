"""``order_form``: which order an after-sale request is about, and who may see it.

With a valid buyer token the form settles which of the buyer's orders is
meant, without asking when the message or the context settles it (a product,
colour, size, date or number that fits one order; the only order eligible for
the goal; the order discussed last). Otherwise it offers only eligible orders
and reads typed answers: tails of the numbers on the buttons, ordinals,
product words, dates, 都查一下. Without a token it asks for the order number
and the phone's last four digits (both may come in one message), at most
three times per conversation, and answers a wrong guess like a missing order.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import (
    accessible_order,
    phone_matches,
    record_escalation,
    token_buyer_id,
    verified_order_ids,
)
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    latest_entity,
    latest_intent,
    latest_text,
    slot_before_latest,
)
from actions.forms import AFTER_SALE_INTENTS, ShopFormValidation
from actions.order_lookup import (
    ALL_ORDERS_GOALS,
    ORDER_ID,
    asks_about_refund,
    decide,
    default_order,
    load_choice,
    order_buttons,
)
from shop.address_text import order_words, parse_contact
from shop.db.models import Order
from shop.identity import MAX_VERIFY_ATTEMPTS
from shop.lexicon import THIS_ORDER_WORDS

PHONE_SUFFIX = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# Messages that take the only order offered when they name none: 是/对, the new
# address typed, or the request again in other words (那个订单能改地址吗 after
# the goal narrowed the choice to one order).
TAKES_ONLY_ORDER = AFTER_SALE_INTENTS | {"affirm", "inform"}


def only_order(tracker: Tracker, offered: list[Any]) -> dict[str, Any]:
    """The one order offered, when the latest message takes it (:data:`TAKES_ONLY_ORDER`)."""
    if len(offered) == 1 and latest_intent(tracker) in TAKES_ONLY_ORDER:
        return {"order_id": offered[0].id}
    return {}


class ValidateOrderForm(ShopFormValidation):
    """Settles the order of an after-sale request and who may see it."""

    own_intents = AFTER_SALE_INTENTS
    progress_slots = frozenset({"order_choices", "new_address"})

    def name(self) -> str:
        return "validate_order_form"

    def corrected_goal(self, tracker: Tracker) -> str | None:
        """A status question about the money (那个单子什么时候到账) is the refund
        progress, whatever NLU made of the 单子 in it."""
        if tracker.get_slot("after_sale_goal") == "status" and asks_about_refund(tracker):
            return "return_status"
        return None

    def repeats_request(self, tracker: Tracker) -> bool:
        """我快递到底到哪了 while asked which order: show the choice again."""
        return latest_intent(tracker) in AFTER_SALE_INTENTS

    def question_dropped(self, tracker: Tracker) -> bool:
        """退款多久到账 while asked which order: the refund progress covers every order."""
        return bool(token_buyer_id(tracker)) and (
            tracker.get_slot("after_sale_goal") in ALL_ORDERS_GOALS
        )

    def _miss_events(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        events: list[EventType],
    ) -> list[EventType]:
        """The third wrong phone tail ended the checks and queued a person: no
        "try again, or ask for a person" on top of that."""
        locked = any(
            e.get("name") == "verify_attempts" and (e.get("value") or 0) >= MAX_VERIFY_ATTEMPTS
            for e in events
        )
        if locked:
            return [SlotSet("form_misses", 0)]
        return super()._miss_events(dispatcher, tracker, domain, events)

    def hint_response(self, slot: str, tracker: Tracker) -> str | None:
        if slot == "order_id" and not token_buyer_id(tracker):
            return "utter_hint_order_id_guest"
        return super().hint_response(slot, tracker)

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
        """An order number (with phone digits) or, for a buyer, the order the words fit."""
        text = latest_text(tracker)
        entity = latest_entity(tracker, "order_id") or ""
        match = ORDER_ID.search(entity) or ORDER_ID.search(text)
        requested = tracker.get_slot("requested_slot")
        if match:
            found = self._forget_choices(tracker)
            if match.group(1) != tracker.get_slot("order_id"):
                found.update(order_id=match.group(1), phone_suffix=None)
            rest = text.replace(match.group(1), " ")
            suffix = PHONE_SUFFIX.search(rest)
            if suffix and not token_buyer_id(tracker):
                found["phone_suffix"] = suffix.group(1)
            return found
        if not token_buyer_id(tracker) or requested not in (None, "order_id"):
            return {}
        narrowed = tracker.get_slot("order_choices")
        goal = tracker.get_slot("after_sale_goal")
        forget = self._forget_choices(tracker)
        contact = parse_contact(text) if goal == "address" else {}
        if "new_address" not in contact:
            contact = {}  # the new address typed before the order is chosen is kept
        else:
            text = order_words(text)  # 篮球鞋 of 篮球鞋改地址 改成…10号 13900001111

        def settle(session: Session) -> dict[str, Any]:
            choice = load_choice(tracker, session=session)
            last = tracker.get_slot("order_id")
            besides = slot_before_latest(tracker, "order_id")
            found = decide(text, choice, narrowed if requested else None, besides=besides)
            if requested is not None and (found is None or (not found and contact)):
                # nothing named (an address's digits name no order either)
                return only_order(tracker, choice.offered(narrowed))
            if found is not None or requested is not None:
                return found or {}
            eligible = {view.id for view in choice.eligible}
            this_one = any(word in text for word in THIS_ORDER_WORDS)
            if last in choice.orders and (last in eligible or not eligible or this_one):
                return forget  # the order discussed last
            default = default_order(goal, choice)
            if default:
                return {**forget, "order_id": default}
            return {**forget, "order_id": None} if last else forget

        try:
            return {**contact, **await in_transaction(settle)}
        except ShopDataUnavailableError:
            return contact

    @staticmethod
    def _forget_choices(tracker: Tracker) -> dict[str, Any]:
        """Clears a narrowed choice left from an earlier question, if there is one."""
        return {s: None for s in ("order_choices", "all_orders") if tracker.get_slot(s)}

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
        """Four digits, when they were asked for (尾号7703, 7703, 是7703)."""
        if tracker.get_slot("requested_slot") != "phone_suffix":
            return {}
        text = latest_text(tracker)
        entity = latest_entity(tracker, "phone_suffix") or ""
        match = PHONE_SUFFIX.search(entity) or PHONE_SUFFIX.search(text)
        return {"phone_suffix": match.group(1)} if match else {}

    async def validate_phone_suffix(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Proves the order, or counts a failed try (three end the checks)."""
        if value is None:  # cleared by another step, nothing to check
            return {"phone_suffix": None}
        if not tracker.get_slot("order_id"):
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
                    summary="订单号和手机尾号三次没对上",
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
        # The order number stays: the four digits are asked again (a new order number
        # typed instead replaces it). The third failed try ends the checks.
        forget = {"order_id": None} if locked else {}
        return {"phone_suffix": None, **forget, "verify_attempts": attempts}


class ActionAskOrderId(Action):
    """Asks which order: eligible orders as buttons for a buyer, else the number."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not token_buyer_id(tracker):
            dispatcher.utter_message(response="utter_ask_order_id_unverified")
            return []
        narrowed = tracker.get_slot("order_choices")

        def ask(session: Session) -> tuple[str, list[dict[str, str]], int]:
            choice = load_choice(tracker, session=session)
            if not choice.views:
                return "utter_no_orders", [], 0
            # none fits the goal: all of them, and the flow of the one chosen says why not
            offered = choice.offered(narrowed) or choice.views
            shown = [choice.orders[v.id] for v in offered]
            if len(offered) == 1:
                response = "utter_confirm_only_order"  # the goal left one order
            else:
                response = "utter_choose_order_among" if narrowed else "utter_choose_order"
            return response, order_buttons(shown), len(shown)

        try:
            response, buttons, count = await in_transaction(ask)
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        dispatcher.utter_message(response=response, buttons=buttons, count=count)
        return []

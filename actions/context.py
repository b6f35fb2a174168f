"""A typed piece of information when no question is open: the context says
what it answers.

乐福鞋那个 right after an order card means another order; 雪地靴不想要了
is a return said as a fact; 轻羽那双呢 right after a material answer means
the same question about another shoe; 脚长25 means size advice. Only when
nothing fits does the buyer get the fallback (which offers a person on the
second miss in a row).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.access import token_buyer_id, verified_order_ids
from actions.common import ShopDataUnavailableError, in_transaction, latest_text
from actions.db import queries
from actions.handoff import fallback_events
from actions.order_form import decide, load_choice
from actions.return_requests import reason_in

# The forms a typed piece of information can continue, newest first.
FLOW_FORMS = ("order_form", "product_form", "size_advice_form")


def last_flow(tracker: Tracker) -> str | None:
    """The form that ran last in this conversation, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in FLOW_FORMS:
            return str(event["name"])
    return None


class ActionInformWithoutQuestion(Action):
    """Continues the flow the buyer's information belongs to, else the fallback."""

    def name(self) -> str:
        return "action_inform_without_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        flow = last_flow(tracker)
        try:
            events = await in_transaction(lambda s: self._continue(tracker, text, flow, s))
        except ShopDataUnavailableError:
            events = None
        if events is not None:
            return events
        return fallback_events(dispatcher, tracker)

    @staticmethod
    def _continue(
        tracker: Tracker, text: str, flow: str | None, session: Session
    ) -> list[EventType] | None:
        goal = tracker.get_slot("after_sale_goal") or "status"
        unwanted = reason_in(text) not in (None, "物流损坏")  # 快递 alone is no return
        if unwanted:  # 雪地靴不想要了: a return (or an exchange) said as a fact
            goal = "exchange" if "换" in text else "return"
        may_see_orders = token_buyer_id(tracker) or verified_order_ids(tracker)
        if may_see_orders and (flow in (None, "order_form") or unwanted):
            found = decide(text, load_choice(tracker, session=session), None)
            if found and ("order_id" in found or found.get("order_choices")):
                slots: dict[str, Any] = {"after_sale_goal": goal, "order_id": None, **found}
                return [*(SlotSet(k, v) for k, v in slots.items()), FollowupAction("order_form")]
            if unwanted:
                return [SlotSet("after_sale_goal", goal), FollowupAction("order_form")]
        product = queries.find_product_in_text(text, session=session)
        if product is not None and flow in ("product_form", "size_advice_form"):
            return [
                SlotSet("product_id", product.id),
                SlotSet("product_name", product.name),
                FollowupAction(flow),
            ]
        if sizing.parse_foot_length_cm(text) is not None or sizing.parse_shoe_size(text):
            return [FollowupAction("size_advice_form")]
        return None

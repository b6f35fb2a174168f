"""A typed piece of information when no question is open: the context says
what it answers.

乐福鞋那个 right after an order card means another order; 雪地靴不想要了
is a return said as a fact; 轻羽那双呢 right after a material answer means
the same question about another shoe (跑鞋 when there are two: which one?),
as 帆布鞋呢 right after a stock answer does;
宽脚 right after size advice asks it again for that foot; 脚长25 means size
advice, but 那柠檬黄26码呢 (a colour, a shoe under discussion) a stock question; 小白鞋 right
after "which shoe?" answers a stock question; a shoe named alone is asked
what about it; a return parcel's tracking number in a sentence is recorded. Only when
nothing fits does the buyer get the fallback (which offers a person on the
second miss in a row).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.access import token_buyer_id, verified_order_ids
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    last_offer,
    latest_entity,
    latest_text,
    slot_before_latest,
    yes_or_no,
)
from actions.forms import AFTER_SALE_INTENTS
from actions.handoff import fallback_events
from actions.order_lookup import ORDER_ID, decide, load_choice
from actions.policies import price_protection_follow_up
from actions.products import names_a_shoe
from actions.return_checks import reason_in
from actions.stock import asked_which_shoe, stock_question_before
from actions.stock_query import read_query
from shop.db import queries
from shop.lexicon import FOOT_SHAPE_LABELS, FOOT_SHAPE_WORDS, code_of, first_key, names_color

# The forms a typed piece of information can continue, newest first.
FLOW_FORMS = ("order_form", "product_form", "size_advice_form")
# What a button's payload starts, for a typed yes to the assistant's offer
# (要的 after 需要我帮您登记物流异常吗). Only flows that ask or hand over.
OFFER_STARTS = {
    **dict.fromkeys(AFTER_SALE_INTENTS, "order_form"),
    "ask_size_advice": "size_advice_form",
    "request_human": "action_handoff",
}
AFTER_SALE_GOALS = {
    "check_order_status": "status",
    "report_delivery_problem": "delivery_problem",
    "request_return": "return",
    "request_exchange": "exchange",
    "check_return_status": "return_status",
    "change_address": "address",
}  # as the slot mappings of after_sale_goal in domain.yml
PAYLOAD = re.compile(r"^/(\w+)")
# Marks the events of a shoe named alone: the action asks what about it itself.
WHAT_ABOUT: EventType = {"event": "what_about"}


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
        offer = answer_offer(dispatcher, tracker)
        if offer is not None:
            return offer
        text = latest_text(tracker)
        flow = last_flow(tracker)
        try:
            events = await in_transaction(lambda s: self._continue(tracker, text, flow, s))
        except ShopDataUnavailableError:
            events = None
        if events and events[-1] is WHAT_ABOUT:  # asked here: the turn ends with it
            name = next(e["value"] for e in events if e.get("name") == "product_name")
            dispatcher.utter_message(response="utter_product_what_about", product_name=name)
            return events[:-1]
        if events is not None:
            return events
        return fallback_events(dispatcher, tracker)

    @staticmethod
    def _continue(
        tracker: Tracker, text: str, flow: str | None, session: Session
    ) -> list[EventType] | None:
        for action in ("action_answer_stock", "action_answer_reviews"):
            if asked_which_shoe(tracker, action) is not None and (
                latest_entity(tracker, "product")
                or queries.find_product_in_text(text, session=session)
            ):  # 小白鞋 answering "which shoe?" after a stock or review question
                return [FollowupAction(action)]
        if latest_entity(tracker, "tracking_number"):
            # 乐福鞋已经寄回了 单号JT… : the rule for a bare number misses it beside a shoe
            return [FollowupAction("action_record_return_tracking")]
        if stock_question_before(tracker) is not None and (
            stock_follow_up(tracker, text)
            or names_a_shoe(tracker, text, session)
            or names_its_color(tracker, text, session)
        ):  # 那40呢 / 帆布鞋呢 / 奶茶色呢 after a stock answer
            return [FollowupAction("action_answer_stock")]
        if price_protection_follow_up(tracker, text):
            return [FollowupAction("action_answer_promotion")]  # 高跟鞋那单呢 after 价保
        unwanted = reason_in(text) not in (None, "shipping_damage")  # 快递 alone is no return
        if flow != "order_form" and not unwanted and colored_about_the_shoe(tracker, text, session):
            return [FollowupAction("action_answer_stock")]  # 那柠檬黄26码呢 after size advice
        if flow in ("product_form", "size_advice_form") and not unwanted:
            switched = shoe_switch(tracker, text, session)
            if switched is not None:  # 那轻羽女子跑鞋呢 / 那跑鞋呢 after an answer about a shoe
                return [*switched, FollowupAction(flow)]
        shape = foot_shape_in(tracker, text)  # 宽脚 / 脚背也高 after the size advice
        if flow == "size_advice_form" and shape is not None and not unwanted:
            return [SlotSet("foot_shape", shape), FollowupAction(flow)]
        goal = tracker.get_slot("after_sale_goal") or "status"
        if ORDER_ID.search(text):  # an order number typed on its own: look it up
            return [SlotSet("after_sale_goal", goal), FollowupAction("order_form")]
        if unwanted:  # 雪地靴不想要了: a return (or an exchange) said as a fact
            goal = "exchange" if "换" in text else "return"
        may_see_orders = token_buyer_id(tracker) or verified_order_ids(tracker)
        if may_see_orders and (flow in (None, "order_form") or unwanted):
            found = decide(
                text,
                load_choice(tracker, session=session),
                None,
                besides=slot_before_latest(tracker, "order_id"),
            )
            if found and ("order_id" in found or found.get("order_choices")):
                slots: dict[str, Any] = {"after_sale_goal": goal, "order_id": None, **found}
                return [*(SlotSet(k, v) for k, v in slots.items()), FollowupAction("order_form")]
            if unwanted:
                return [SlotSet("after_sale_goal", goal), FollowupAction("order_form")]
        if sizing.parse_foot_length_cm(text) is not None or sizing.parse_shoe_size(text):
            return [FollowupAction("size_advice_form")]
        product = queries.find_product_in_text(text, session=session)
        if product is not None:  # 童鞋 typed alone: that shoe, and what about it?
            return [
                SlotSet("product_id", product.id),
                SlotSet("product_name", product.name),
                WHAT_ABOUT,
            ]
        return None


def shoe_switch(tracker: Tracker, text: str, session: Session) -> list[EventType] | None:
    """The product slots for another shoe the message names, by name or by kind.

    A kind that fits several shoes (跑鞋: a men's and a women's) clears the product,
    so the form asks which one, offering them. ``None``: no other shoe named.
    """
    product = queries.find_product_in_text(text, session=session)
    if product is None:
        kinds = queries.products_of_kind_in_text(text, session=session)
        if not kinds or tracker.get_slot("product_id") in {kind.id for kind in kinds}:
            return None
        if len(kinds) > 1:
            return [SlotSet("product_id", None), SlotSet("product_name", None)]
        product = kinds[0]
    return [SlotSet("product_id", product.id), SlotSet("product_name", product.name)]


def foot_shape_in(tracker: Tracker, text: str) -> str | None:
    """A foot shape the buyer names (entity or words), unless it is the one already used."""
    shape = code_of(FOOT_SHAPE_LABELS, latest_entity(tracker, "foot_shape")) or first_key(
        text, FOOT_SHAPE_WORDS
    )
    return None if shape == tracker.get_slot("foot_shape") else shape


def stock_follow_up(tracker: Tracker, text: str) -> bool:
    """Whether the message names a size or a colour, as 那40呢 or 米色的呢 does."""
    query = read_query(
        text,
        color_entity=latest_entity(tracker, "color"),
        size_entity=latest_entity(tracker, "shoe_size"),
    )
    return bool(query.colors) or query.size is not None


def colored_about_the_shoe(tracker: Tracker, text: str, session: Session) -> bool:
    """Whether the message names a colour while a shoe is under discussion: 那柠檬黄26码呢
    after size advice asks for stock (a usual size never comes with a colour)."""
    if not tracker.get_slot("product_id"):
        return False
    query = read_query(text, color_entity=latest_entity(tracker, "color"))
    return bool(query.colors) or names_its_color(tracker, text, session)


def names_its_color(tracker: Tracker, text: str, session: Session) -> bool:
    """Whether the message names a colour the shoe under discussion comes in by the
    shop's own name (奶茶色, 荧光橙), which holds no colour stem."""
    product_id = tracker.get_slot("product_id")
    product = queries.get_product(str(product_id), session=session) if product_id else None
    return product is not None and any(names_color(text, row.color) for row in product.stock)


def offered_intent(buttons: list[dict[str, Any]], text: str) -> str | None:
    """The intent a typed yes accepts: the button the words name, else the first offer."""
    intents = [
        (str(b.get("title") or ""), m.group(1))
        for b in buttons
        if (m := PAYLOAD.match(str(b.get("payload") or ""))) and m.group(1) in OFFER_STARTS
    ]
    named = [intent for title, intent in intents if title and title[:2] in text]
    return (named or [intent for _, intent in intents] or [None])[0]


class ActionAnswerOffer(Action):
    """A typed yes or no with no form open: it answers the assistant's last offer.

    要的 / 好 after 需要我帮您登记物流异常吗 starts what the first button would have;
    不用了 declines it. With no offer open, the buyer is asked what else they need.
    """

    def name(self) -> str:
        return "action_answer_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = answer_offer(dispatcher, tracker)
        if events is None:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        return events


def answer_offer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """The events taking (yes) or declining (no) the open offer; ``None`` if there is none."""
    buttons = last_offer(tracker)
    answer = yes_or_no(tracker) if buttons else None
    if answer is None:
        return None
    intent = offered_intent(buttons, latest_text(tracker)) if answer else None
    if intent is None:
        dispatcher.utter_message(response="utter_anything_else")
        return []
    events: list[EventType] = []
    if intent in AFTER_SALE_INTENTS:
        events.append(SlotSet("after_sale_goal", AFTER_SALE_GOALS[intent]))
    return [*events, FollowupAction(OFFER_STARTS[intent])]

"""The shop's rules: return policy, shipping, promotions and price protection (价保).

The answers are the shop core's (``shop/answers/policies.py``), shared with the
agent console's suggested replies; each action reads the question from the
tracker and sends the answer computed in one transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import accessible_orders
from actions.common import (
    Reply,
    answer_in_transaction,
    answered_just_before,
    asked_of,
    asks_the_same,
    replies_before_latest,
    reply_in_transaction,
)
from actions.orders import order_card, product_context, status_messages
from nlu_components.text import normalize_text
from shop.answers import policies, promotions
from shop.answers.asked import Asked
from shop.answers.policies import Messages
from shop.answers.read_only import ANSWERS
from shop.clauses import QUEUED_REQUEST_INTENTS, SECOND_REQUEST_INTENTS
from shop.db import queries
from shop.db.models import Order
from shop.lexicon import HOW_TO_CLAIM_WORDS, PRICE_PROTECTION_RESPONSES, SHOP_MATTER_WORDS


class _PolicyAction(Action, ABC):
    """Sends, in one transaction, the answer to the tracker's question."""

    @abstractmethod
    def answer(self, asked: Asked, session: Session) -> Messages:
        """The responses (name, variables) to send."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = asked_of(tracker)
        await reply_in_transaction(dispatcher, work=lambda session: self.answer(asked, session))
        return []


class ActionAnswerReturnPolicy(_PolicyAction):
    """The return and exchange rules: windows, conditions, postage, refunds."""

    def name(self) -> str:
        return "action_answer_return_policy"

    def answer(self, asked: Asked, session: Session) -> Messages:
        return policies.return_policy(asked, session)


# Orders still on their way to the buyer: a shipping question naming their shoe is theirs.
ORDERS_ON_THEIR_WAY = frozenset({"pending_payment", "paid", "shipped"})


def own_order_named(tracker: Tracker, text: str, session: Session) -> Order | None:
    """The one order of this conversation's buyer, not delivered yet, whose shoe the
    message names by name, alias or kind (雪地靴什么时候发货 with a paid 雪地靴 order)."""
    named = queries.find_product_in_text(text, session=session)
    products = {named.id} if named else set()
    products |= {p.id for p in queries.products_of_kind_in_text(text, session=session)}
    if not products:
        return None
    orders = [
        order
        for order in accessible_orders(tracker, session=session)
        if order.status in ORDERS_ON_THEIR_WAY
        and any(item.product_id in products for item in order.items)
    ]
    return orders[0] if len(orders) == 1 else None


class ActionAnswerShipping(_PolicyAction):
    """When and how orders ship, and where shipping is free.

    A question naming the shoe of the buyer's own order still on its way (童拖什么时候
    发货) is about that order: its status is told, as for 我的童拖到哪了.
    """

    def name(self) -> str:
        return "action_answer_shipping"

    def answer(self, asked: Asked, session: Session) -> Messages:
        return policies.shipping(asked, session)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = asked_of(tracker)

        def work(session: Session) -> tuple[list[Reply], list[EventType]]:
            order = own_order_named(tracker, asked.text, session)
            if order is None:
                return list(self.answer(asked, session)), []
            replies: list[Reply] = [*status_messages(order, session=session), order_card(order)]
            return replies, [SlotSet("order_id", order.id), *product_context(order)]

        return await answer_in_transaction(dispatcher, work)


class ActionAnswerPromotion(_PolicyAction):
    """The promotions valid today in the shop's time zone, or the price protection.

    A price-protection answer about one order with one shoe makes that shoe the
    one under discussion, so a 这双透气吗 that follows needs no name. 高跟鞋那单呢
    right after a price-protection answer asks it about that order
    (:func:`price_protection_follow_up`, routed here by actions/context.py).
    """

    def name(self) -> str:
        return "action_answer_promotion"

    def answer(self, asked: Asked, session: Session) -> Messages:
        return promotions.promotions(asked, session)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = asked_of(tracker)
        follow_up = price_protection_follow_up(tracker, asked.text)

        def work(session: Session) -> tuple[Messages, list[EventType]]:
            if follow_up:
                messages = policies.price_protection(asked, session)
            else:
                messages = self.answer(asked, session)
            return messages, answered_order_context(messages, session)

        return await answer_in_transaction(dispatcher, work)


def price_protection_follow_up(tracker: Tracker, text: str) -> bool:
    """Whether ``text`` (高跟鞋那单呢, 那怎么申请) asks the price-protection question just
    answered again, about something else or how to claim it."""
    asks = asks_the_same(text) or any(word in text for word in HOW_TO_CLAIM_WORDS)
    return asks and price_protection_before(tracker)


def price_protection_before(tracker: Tracker) -> bool:
    """Whether the assistant answered a price-protection question just before the
    latest message: its replies then were price-protection responses, not a plain
    promotions list (which a short 「…呢」 after it would otherwise chain through)."""
    if answered_just_before(tracker, "action_answer_promotion") is None:
        return False
    return any(
        str((reply.get("metadata") or {}).get("utter_action") or "").startswith(
            PRICE_PROTECTION_RESPONSES
        )
        for reply in replies_before_latest(tracker)
    )


def answered_order_context(messages: Messages, session: Session) -> list[EventType]:
    """The slots that make the shoe an answer is about the current one: the shoe whose
    price it gives, or the shoe of the one order it is about."""
    priced = next((values for _, values in messages if values.get("product_id")), None)
    if priced is not None:
        return [
            SlotSet("product_id", priced["product_id"]),
            SlotSet("product_name", priced["product_name"]),
        ]
    order_ids = {values["order_id"] for _, values in messages if values.get("order_id")}
    if len(order_ids) != 1:
        return []
    order = session.get(Order, order_ids.pop())
    if order is None:
        return []
    return product_context(order)


# What a second question of the same message is answered with (shop/clauses.py).
SECOND_ANSWERS: dict[str, Callable[[Asked, Session], Messages]] = {
    "ask_shipping": policies.shipping,
    "ask_return_policy": policies.return_policy,
    "ask_promotion": promotions.promotions,
    # 這雙保暖嗎 beside a stock question: the shoe the main answer settled
    "ask_function": ANSWERS["action_answer_product_question"],
    "ask_material": ANSWERS["action_answer_product_question"],
}
QUESTION_QUOTE_CHARS = 20
# Offers make no sense in a second answer: its buttons are dropped, and a typed
# yes answers the main answer's offer.
# "Which shoe?" neither: the main answer asks it if it must.
NOT_IN_SECOND_ANSWERS = frozenset({"utter_offer_human", "utter_ask_product_id"})


def is_shop_matter(text: str) -> bool:
    """Whether an out-of-scope question is the shop's business that a person handles
    (能开发票吗, 可以改价吗): not "I cannot help", but where to get it done."""
    return any(word in text for word in SHOP_MATTER_WORDS)


class ActionAnswerOutOfScope(Action):
    """Out of scope: a shop matter only a person handles (发票) is sent to a person;
    anything else is said plainly to be beyond the assistant."""

    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = normalize_text(str((tracker.latest_message or {}).get("text") or ""))
        matter = is_shop_matter(text)
        dispatcher.utter_message(response="utter_shop_matter" if matter else "utter_out_of_scope")
        return []


class ActionAnswerAlsoAsked(Action):
    """Answers a second question of the buyer's message, after the main answer.

    Run by the Rasa server (``rasa_ext/second_question.py``), never predicted: the
    slot ``also_asked`` holds the part (``text``) and what NLU made of it
    (``intent``). The answer is the one the question alone would get, introduced
    by the words it answers; out of scope is said plainly. A second request (a
    flow: 另外帮我改下地址) is acknowledged: one flow runs at a time, and the Rasa
    server offers it once the first is done (``rasa_ext/pending_request.py``); a
    stock question, which needs its words, is asked for again.
    """

    def name(self) -> str:
        return "action_answer_also_asked"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        also = tracker.get_slot("also_asked")
        also = also if isinstance(also, dict) else {}
        text = str(also.get("text") or "").strip()
        if not text:
            return []
        quoted = text[:QUESTION_QUOTE_CHARS]
        if also.get("intent") in QUEUED_REQUEST_INTENTS:  # one flow at a time: offered later
            dispatcher.utter_message(response="utter_also_requested", request=quoted)
            return []
        if also.get("intent") in SECOND_REQUEST_INTENTS:  # needs its words: sent again
            dispatcher.utter_message(response="utter_also_requested_again", request=quoted)
            return []
        answer = SECOND_ANSWERS.get(str(also.get("intent")))
        if answer is None:
            dispatcher.utter_message(response="utter_also_asked", question=quoted)
            dispatcher.utter_message(
                response="utter_shop_matter"
                if is_shop_matter(normalize_text(text))
                else "utter_also_asked_out_of_scope"
            )
            return []
        asked = replace(asked_of(tracker), text=normalize_text(text), intent=also.get("intent"))

        def work(session: Session) -> Messages:
            said = [m for m in answer(asked, session) if m[0] not in NOT_IN_SECOND_ANSWERS]
            # nothing to say (no shoe settled for 是真皮吗): no introduction either
            return [("utter_also_asked", {"question": quoted}), *said] if said else []

        await reply_in_transaction(dispatcher, work=work)
        return []

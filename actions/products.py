"""Product questions: which shoe the buyer means, its materials and functions.

Every answer comes from the catalogue (``shop/answers/products.py``, shared with
the agent console's suggested replies). When the catalogue does not say, the
assistant says so and offers a human; it never guesses a product fact.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import accessible_orders
from actions.common import (
    ShopDataUnavailableError,
    answer_in_transaction,
    asked_of,
    in_transaction,
    last_offer,
    latest_entity,
    latest_intent,
    latest_text,
    recent_user_texts,
    resolve_product,
    yes_or_no,
)
from actions.forms import ShopFormValidation
from actions.review_answer import answer_for, question_topic
from shop.answers.products import (
    Messages,
    ProductRef,
    ProductResolution,
    answer_product_question,
    product_question,
    quoted_detail,
)
from shop.db import queries
from shop.lexicon import (
    COMPARISON_WORDS,
    DETAIL_CATALOGUE_WORDS,
    FIT_TOPICS,
    GENDER_LABELS,
    GENDER_WORDS,
    OWN_SHOE_WORDS,
    PICK_FILLER_CHARS,
    PROBLEM_TOPICS,
    REVIEW_TOPIC_WORDS,
    first_key,
    label,
    names_color,
)
from shop.order_match import ordinal_place

# Review topics the catalogue never speaks to (磨脚, 开胶 … 偏小): a function question
# about one gets the reviews alone; comfort (舒适) gets the catalogue's answer first.
PROBLEM_OR_FIT_TOPICS = frozenset({*PROBLEM_TOPICS, *FIT_TOPICS})
COMFORT = "舒适"
# Function questions the reviews answer after a word on the catalogue (这双磨脚吗, 舒服吗).
ANSWERED_BY_REVIEWS = PROBLEM_OR_FIT_TOPICS | {COMFORT}
LISTED_SHOES = 12  # a "which shoe?" with no kind named lists at most this many


class ProductFormValidationBase(ShopFormValidation):
    """Abstract base of forms that need the product: fills ``product_id``."""

    #: Intents whose messages may name the product: the form's own triggers
    #: and answers. Subclasses extend it.
    answer_intents: frozenset[str] = frozenset({"inform", "affirm", "nlu_fallback"})

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

    async def extract_product_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Takes the product from the message, the page or the conversation.

        Only when the buyer is answering or starting this form: a digression
        that names another product must leave the slot alone, or the form
        would not step aside for the digression. A stock question (小白鞋有货吗)
        is a digression even when the shoe is asked: its answer sets the product.
        """
        asked = tracker.get_slot("requested_slot") == "product_id"
        intent = latest_intent(tracker)
        if not asked and intent not in self.answer_intents:
            return {}
        if intent == "ask_stock" and self.digresses(tracker):
            return {}
        comparing = any(word in latest_text(tracker) for word in COMPARISON_WORDS)
        if comparing and not asked and tracker.get_slot("product_id"):
            return {}  # 和洞洞鞋比哪个轻: the shoe under discussion stays
        offered = offered_shoes(tracker) if asked else []

        def resolve(session: Session) -> ProductResolution:
            found = resolve_product(tracker, session=session)
            if found.product is None and not found.unknown_name:
                if offered:
                    picked = typed_pick(offered, latest_text(tracker))  # 男款 / 第二个
                    if picked is None and len(offered) == 1 and yes_or_no(tracker) is not False:
                        picked = offered[0]  # the one shoe offered: 正常脚 answers on about it
                    product = queries.find_product_in_text(picked or "", session=session)
                else:  # 我买的这双防水吗: the one shoe of the buyer's current orders
                    own = own_shoes(tracker, [latest_text(tracker)], session)
                    product = own[0] if len(own) == 1 else None
                    if product is None:  # 篮球鞋穿多大 in a shop with one basketball shoe
                        kinds = queries.products_of_kind_in_text(
                            latest_text(tracker), session=session
                        )
                        product = kinds[0] if len(kinds) == 1 else None
                if product is not None:
                    found = ProductResolution(ProductRef(id=product.id, name=product.name), {})
            return found

        try:
            found: ProductResolution = await in_transaction(resolve)
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return {}
        if found.unknown_name:
            dispatcher.utter_message(response="utter_unknown_product")
            return {**found.slots, "product_id": None, "product_name": None}
        if found.product is None:
            return found.slots
        if found.product.id == tracker.get_slot("product_id"):
            return found.slots
        return {**found.slots, "product_id": found.product.id, "product_name": found.product.name}

    def validate_product_id(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accepts the product the extractor resolved from the catalogue."""
        return {"product_id": slot_value or None}


class ValidateProductForm(ProductFormValidationBase):
    """Asks which product a material or function question is about."""

    answer_intents = ProductFormValidationBase.answer_intents | {"ask_material", "ask_function"}
    own_intents = frozenset({"ask_material", "ask_function"})

    def name(self) -> str:
        return "validate_product_form"


LOOK_BACK_MESSAGES = 5  # buyer messages searched for a shoe kind when asking which shoe


def names_a_shoe(tracker: Tracker, text: str, session: Session) -> bool:
    """Whether the message names a shoe of the catalogue, by name, alias or kind."""
    return bool(
        latest_entity(tracker, "product")
        or queries.find_product_in_text(text, session=session)
        or queries.products_of_kind_in_text(text, session=session)
    )


def offered_shoes(tracker: Tracker) -> list[str]:
    """The shoes on the buttons of the assistant's latest question, in order."""
    return [
        str(b.get("title") or "")
        for b in last_offer(tracker)
        if '"product"' in str(b.get("payload") or "")
    ]


def typed_pick(titles: list[str], text: str) -> str | None:
    """The one offered title a typed answer points at: by place (第二个), else by
    characters only that title has (男款 of 疾风男子跑鞋 | 轻羽女子跑鞋)."""
    index = ordinal_place(text)
    if index is not None:
        return titles[index - 1] if 0 < index <= len(titles) else None
    chars = {c for c in text if "\u4e00" <= c <= "\u9fff"} - PICK_FILLER_CHARS
    fitting = [title for title in titles if chars & set(title)]
    return fitting[0] if len(fitting) == 1 else None


def product_buttons(products: list[Any]) -> list[dict[str, str]]:
    """One button a product: its name, sent back as the ``product`` entity."""
    return [{"title": p.name, "payload": f'/inform{{"product":"{p.name}"}}'} for p in products]


def which_shoe(
    kinds: list[Any], session: Session, texts: Sequence[str] = ()
) -> list[tuple[str, dict[str, Any]]]:
    """The "which shoe?" question: the shoes of the kind the buyer named as buttons;
    with no kind named (你们店都有哪些鞋), the catalogue's shoes, so the buyer sees
    what the shop sells: only those for whom ``texts`` name (有没有男鞋; unisex
    shoes fit men and women, not children), said so when there are none, and at most
    :data:`LISTED_SHOES` with a word on how to find the rest."""
    if kinds:
        return [("utter_ask_product_id", {"buttons": product_buttons(kinds)})]
    shoes = queries.list_products(session=session)
    said: list[tuple[str, dict[str, Any]]] = []
    gender = next((g for text in texts if (g := first_key(text, GENDER_WORDS))), None)
    if gender is not None:
        fitting = [
            s for s in shoes if s.gender == gender or (s.gender == "unisex" and gender != "kids")
        ]
        if not fitting:
            said.append(("utter_no_shoes_for", {"who": label(GENDER_LABELS, gender)}))
        shoes = fitting or shoes
    buttons = product_buttons(shoes[:LISTED_SHOES])
    if len(shoes) > LISTED_SHOES:
        counts = {"count": len(shoes), "shown": LISTED_SHOES}
        return [*said, ("utter_ask_product_id_many", {**counts, "buttons": buttons})]
    return [*said, ("utter_ask_product_id", {"buttons": buttons})]


def settle_shoe(
    tracker: Tracker,
    texts: list[str],
    *,
    which_response: str,
    session: Session,
    kind_switches: bool = False,
) -> tuple[Any, list[tuple[str, dict[str, Any]]], list[EventType]]:
    """The shoe a question is about, or what to say while it is not settled.

    Returns the product (``None`` while unsettled), the responses to send then and
    the slot events. An unknown name is said so; inside a form that asks for the
    shoe next, nothing; inside another form, ``which_response``; otherwise "which
    shoe?" with the catalogue's shoes of a kind named in ``texts`` as buttons (a
    typed name answers). 我买的这双 with no shoe named is the buyer's own: the one
    shoe of their orders, or a choice among theirs (:func:`own_shoes`).
    """
    found = resolve_product(tracker, session=session, kind_switches=kind_switches)
    events: list[EventType] = [SlotSet(k, v) for k, v in found.slots.items()]
    in_form = tracker.active_loop_name is not None
    if found.unknown_name:
        return None, [("utter_unknown_product", {})], events
    if found.product is None:
        if in_form and tracker.get_slot("requested_slot") == "product_id":
            return None, [], events  # the form asks which shoe right after
        if in_form:
            return None, [(which_response, {})], events
        kinds: list[Any] = []
        for text in texts:
            kinds = kinds or queries.products_of_kind_in_text(text, session=session)
        own = [] if kinds else own_shoes(tracker, texts[:1], session)
        colored = [] if kinds or own else shoes_in_color(texts[0], session)
        if len(own) != 1 and len(colored) != 1:
            return None, which_shoe(own or kinds or colored, session, texts), events
        product = own[0] if own else colored[0]
    else:
        product = queries.get_product(found.product.id, session=session)
    assert product is not None
    events += [SlotSet("product_id", product.id), SlotSet("product_name", product.name)]
    return product, [], events


def shoes_in_color(text: str, session: Session) -> list[Any]:
    """The catalogue's shoes that come in a colour ``text`` names (雾霾蓝38有货吗 in a
    shop where one shoe is 雾霾蓝: that shoe; 黑色 of several: those to choose from)."""
    return [
        product
        for product in queries.list_products(session=session)
        if any(names_color(text, color) for color in {row.color for row in product.stock})
    ]


def own_shoes(tracker: Tracker, texts: Sequence[str], session: Session) -> list[Any]:
    """The shoes of this conversation's buyer's orders, newest first, when ``texts``
    speak of the buyer's own pair (我买的这双偏小); else none. Orders not yet
    completed come first: 这双 is the pair just bought, not one worn for months;
    only without any, the completed ones. Cancelled orders never count. One shoe is
    the shoe meant; several are the buyer's choice, not the whole catalogue."""
    if not any(word in text for text in texts for word in OWN_SHOE_WORDS):
        return []
    orders = [o for o in accessible_orders(tracker, session=session) if o.status != "cancelled"]
    current = [o for o in orders if o.status != "completed"]
    shoes: dict[str, Any] = {}
    for order in current or orders:
        for item in order.items:
            shoes.setdefault(item.product_id, item.product)
    return [shoe for shoe in shoes.values() if shoe is not None]


class ActionAskProductId(Action):
    """Asks which shoe, offering the catalogue's shoes of the kind the buyer named."""

    def name(self) -> str:
        return "action_ask_product_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        texts = recent_user_texts(tracker, LOOK_BACK_MESSAGES)

        def question(session: Session) -> list[tuple[str, dict[str, Any]]]:
            own = own_shoes(tracker, texts[:1], session)
            if own:  # 我买的这双防水吗 with several pairs: which of the buyer's own
                return which_shoe(own, session)
            for text in texts:
                found = queries.products_of_kind_in_text(text, session=session)
                if found:
                    return which_shoe(found, session)
            return which_shoe([], session, texts)

        try:
            said = await in_transaction(question)
        except ShopDataUnavailableError:  # the question still goes out, without choices
            said = [("utter_ask_product_id", {"buttons": []})]
        for response, kwargs in said:
            dispatcher.utter_message(response=response, **kwargs)
        return []


def review_topic(text: str, function: str | None) -> str | None:
    """What a product question asks that only wearers can tell (这双磨脚吗, 会不会挤脚,
    有味道吗): a review topic, when the question names no ``function`` the catalogue
    could claim. The catalogue is silent on it, so the reviews answer."""
    topic = question_topic(text)
    if function is not None or topic is None or topic not in REVIEW_TOPIC_WORDS:
        return None
    return topic


def topic_opening(product: Any, topic: str) -> tuple[str, dict[str, Any]]:
    """What the catalogue says on a review topic, before the reviews: on comfort
    (舒服吗) its own words (软底, 缓震), if it has any; else that it is silent."""
    quoted = quoted_detail(product, DETAIL_CATALOGUE_WORDS["comfort"]) if topic == COMFORT else None
    return quoted or ("utter_reviews_on_topic", {"product_name": product.name, "topic": topic})


class ActionAnswerProductQuestion(Action):
    """Answers a material or function question about one product
    (:func:`shop.answers.products.answer_product_question`); what only wearers can
    tell (:func:`review_topic`) from its reviews."""

    def name(self) -> str:
        return "action_answer_product_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = asked_of(tracker)
        question, _, function = product_question(asked)
        topic = review_topic(asked.text, function)

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            messages, slots = answer_product_question(asked, session)
            product = (
                queries.get_product(slots["product_id"], session=session)
                if topic is not None and messages and slots.get("product_id")
                else None
            )
            if topic is not None and product is not None:
                reviews = answer_for(product, topic, session)
                if question == "function" and topic in ANSWERED_BY_REVIEWS:
                    # 磨脚吗 is all about the topic, on which the catalogue is silent
                    messages = [topic_opening(product, topic), *reviews]
                else:  # 鞋底什么材料 会开胶吗, 穿着舒服吗: the catalogue's answer, then the reviews
                    messages = [*messages, *reviews]
            return messages, [SlotSet(k, v) for k, v in slots.items()]

        return await answer_in_transaction(dispatcher, answer)

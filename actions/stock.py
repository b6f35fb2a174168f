"""Stock questions: is a shoe, colour or size in stock, and when does it come back.

The answer comes from the stock table minus reservations (units held for
exchanges are not for sale). :func:`actions.stock_answer.stock_answer` is pure
(plain values in, responses out); :class:`ActionAnswerStock` reads the tracker
(:mod:`actions.stock_query`) and the database.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import (
    answer_in_transaction,
    answered_just_before,
    asks_the_same,
    latest_entity,
    latest_text,
    raw_text,
)
from actions.products import names_a_shoe, settle_shoe
from actions.stock_answer import Messages, StockRow, stock_answer
from actions.stock_query import (
    StockQuery,
    read_query,
    with_catalogue_colors,
    without_missing_colors,
)
from nlu_components.text import normalize_text
from shop.clock import shop_now
from shop.lexicon import GENDER_LABELS, VARIANT_WORDS, first_key


def _query_of(tracker: Tracker) -> StockQuery:
    """The stock question of the latest message (a button payload has only entities)."""
    payload = raw_text(tracker).startswith("/")
    return read_query(
        "" if payload else latest_text(tracker),
        color_entity=latest_entity(tracker, "color"),
        size_entity=latest_entity(tracker, "shoe_size"),
    )


def asked_which_shoe(tracker: Tracker, action: str = "action_answer_stock") -> str | None:
    """The question (stock, or ``action``'s) answered with "which shoe?" just before
    the latest message.

    Its text, when the assistant's last action before the buyer's latest
    message was ``action`` and it asked which shoe; else ``None``. The buyer's
    reply (小白鞋, or a button) then answers that question.
    """
    return answered_just_before(tracker, action, which_shoe=True)


def stock_question_before(tracker: Tracker) -> str | None:
    """The stock question the assistant answered just before the latest message.

    那40呢 or 米色的呢 right after a stock answer asks the same question with
    another size or colour: its text, else ``None``.
    """
    return answered_just_before(tracker, "action_answer_stock", which_shoe=False)


def _stock_rows(product: Any) -> list[StockRow]:
    return [
        StockRow(
            color=item.color,
            size=float(item.size),
            free=max(0, (item.quantity or 0) - (item.reserved or 0)),
            restock_on=item.restock_on,
        )
        for item in sorted(product.stock, key=lambda item: item.id or 0)
    ]


def variant_missing(product: Any, text: str) -> Messages:
    """有没有男款的马丁靴 about a women's boot: it is made for women only, said before
    its stock, so the list is not read as a yes. A shoe for both, or the version
    it is made for, says nothing here."""
    asked = first_key(text, VARIANT_WORDS)
    if asked is None or product.gender == asked or product.gender not in GENDER_LABELS:
        return []
    if product.gender == "unisex" and asked != "kids":
        return []  # 男女同款 is the men's and the women's
    return [
        (
            "utter_stock_variant_missing",
            {
                "product_name": product.name,
                "made_for": GENDER_LABELS[product.gender],
                "asked_for": GENDER_LABELS[asked],
            },
        )
    ]


class ActionAnswerStock(Action):
    """Answers whether a shoe, colour or size is in stock, from the stock table."""

    def name(self) -> str:
        return "action_answer_stock"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        today = shop_now().date()

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            earlier = asked_which_shoe(tracker)
            if earlier is None and (
                asks_the_same(text) or not names_a_shoe(tracker, text, session)
            ):
                # 那40呢 / 马丁靴呢 after a stock answer: the same question, one thing
                # changed; a new question naming a shoe (踏浪帆布鞋有货吗) starts afresh.
                earlier = stock_question_before(tracker)
            before = normalize_text(earlier or "", max_chars=2000)
            product, messages, events = settle_shoe(
                tracker,
                [text, before],
                which_response="utter_stock_which_product",
                session=session,
                kind_switches=True,
            )
            if product is None:
                return messages, events
            chart = [float(row.size) for row in product.size_chart]
            rows = _stock_rows(product)
            colors = [row.color for row in rows]
            # each message's own colours first, so 深灰的呢 after 燕麦色还有35吗 asks
            # about 深灰 alone, the earlier colour only where the new one names none
            asked = with_catalogue_colors(_query_of(tracker), [text], colors)
            if earlier is not None:
                carried = with_catalogue_colors(read_query(before), [before], colors)
                asked = asked.merged(without_missing_colors(carried, colors))
            answer = stock_answer(product.name, rows, chart, asked, today)
            return [*variant_missing(product, text), *answer], events

        return await answer_in_transaction(dispatcher, answer)

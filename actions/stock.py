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
    latest_entity,
    latest_text,
    raw_text,
)
from actions.products import settle_shoe
from actions.stock_answer import Messages, StockRow, stock_answer
from actions.stock_query import StockQuery, read_query, with_catalogue_colors
from nlu_components.text import normalize_text
from shop.clock import shop_now


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
    seen_latest = False
    asked = False
    ours = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return str(event.get("text") or "") if ours and asked else None
            seen_latest = True
        elif not seen_latest:
            continue
        elif kind == "bot":
            utter = (event.get("metadata") or {}).get("utter_action")
            asked = asked or utter == "utter_ask_product_id"
        elif kind == "action" and event.get("name") != "action_listen":
            if ours or event.get("name") != action:
                return None
            ours = True
    return None


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


class ActionAnswerStock(Action):
    """Answers whether a shoe, colour or size is in stock, from the stock table."""

    def name(self) -> str:
        return "action_answer_stock"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        query = _query_of(tracker)
        earlier = asked_which_shoe(tracker)
        if earlier is not None:
            query = query.merged(read_query(normalize_text(earlier, max_chars=2000)))
        texts = [latest_text(tracker), normalize_text(earlier or "", max_chars=2000)]
        today = shop_now().date()

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            product, messages, events = settle_shoe(
                tracker,
                texts,
                which_response="utter_stock_which_product",
                session=session,
                kind_switches=True,
            )
            if product is None:
                return messages, events
            chart = [float(row.size) for row in product.size_chart]
            rows = _stock_rows(product)
            asked = with_catalogue_colors(query, texts, [row.color for row in rows])
            return stock_answer(product.name, rows, chart, asked, today), events

        return await answer_in_transaction(dispatcher, answer)

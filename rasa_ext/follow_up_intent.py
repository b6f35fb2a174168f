"""An intent the assistant's previous answer decides.

那什么时候到货 right after a stock answer (燕麦色35码已售罄) asks when the shoe comes
back, but NLU alone reads it as the buyer's parcel (order status), and the order
form would then ask for an order number the buyer never meant. Read in the Rasa
server's parse (``rasa_ext/second_question.py``), where the conversation is known.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_components.text import normalize_text
from shop.lexicon import OWN_PARCEL_WORDS, RESTOCK_WORDS

STOCK_ACTION = "action_answer_stock"
STOCK_INTENT = "ask_stock"
# What NLU reads a restock follow-up as, without the stock answer before it.
PARCEL_INTENTS = frozenset({"check_order_status", "report_delivery_problem", "ask_shipping"})


def answered_stock_last(tracker: DialogueStateTracker) -> bool:
    """Whether the assistant's last action before this message answered a stock question."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name == STOCK_ACTION
    return False


def asks_restock(text: str) -> bool:
    """Whether ``text`` asks when goods come back, and not about the buyer's own parcel."""
    return any(w in text for w in RESTOCK_WORDS) and not any(w in text for w in OWN_PARCEL_WORDS)


def restock_after_stock(
    tracker: DialogueStateTracker, text: str, parse_data: dict[str, Any]
) -> None:
    """Reads a parcel question right after a stock answer as the restock question it is.

    ``text`` as typed; it is normalised only for the few messages read as a parcel
    question (this runs on every message)."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent not in PARCEL_INTENTS or not answered_stock_last(tracker):
        return
    if not asks_restock(normalize_text(text)):
        return
    ranking = parse_data.get("intent_ranking") or []
    confidence = next(
        (float(r.get("confidence") or 0) for r in ranking if r.get("name") == STOCK_INTENT), 0.0
    )
    take_intent(
        parse_data,
        STOCK_INTENT,
        max(confidence, float(parse_data["intent"].get("confidence") or 0)),
    )


def take_intent(parse_data: dict[str, Any], name: str, confidence: float) -> None:
    """Gives the parse data intent ``name``, first in its ranking (the rest kept in order)."""
    taken = {"name": name, "confidence": confidence}
    ranking = parse_data.get("intent_ranking") or []
    parse_data["intent"] = taken
    parse_data["intent_ranking"] = [taken] + [r for r in ranking if r.get("name") != name]

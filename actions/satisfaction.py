"""Asking for a 1-5 rating when a conversation is settled, and storing it.

After goodbye or thanks that follow a finished task, and after an agent hands
the conversation back or closes it, :class:`ActionOfferRating` starts
``rating_form`` (score buttons, then an optional comment; "不用了" skips it).
:class:`ActionSaveRating` stores the rating with its handling: ``agent`` when
the conversation was ever escalated, else ``bot``. One request per settled
task: nothing is asked again until the buyer starts another.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import sizing
from actions.access import token_buyer_id
from actions.common import ShopDataUnavailableError, in_transaction, latest_entity, latest_text
from actions.forms import ShopFormValidation
from shop.clock import shop_now
from shop.db.ratings import record_rating
from shop.lexicon import RATING_WORDS, first_key

# Intents that are not a task of their own: they do not make a conversation "settled".
SMALL_TALK = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "inform",
     "out_of_scope", "nlu_fallback", "EXTERNAL_order_shipped", "EXTERNAL_order_delivered",
     "EXTERNAL_return_received", "EXTERNAL_refund_completed", "EXTERNAL_review_invite"}
)  # fmt: skip
AGENT_DONE = frozenset({"EXTERNAL_agent_handback", "EXTERNAL_agent_closed"})
LOW_SCORE = 2
SCORE = re.compile(r"(?<!\d)([1-5])(?:\s*(?:分|星|颗星)|$)")


def rating_due(tracker: Tracker) -> bool:
    """True when a task (or an agent's handling) finished since the last rating request."""
    if tracker.is_paused() or tracker.active_loop.get("name"):
        return False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "active_loop" and event.get("name") == "rating_form":
            return False
        if kind == "action" and event.get("name") in ("action_save_rating", "action_save_review"):
            return False  # what the buyer wrote inside a rating or review is no task
        if kind in ("restart", "session_started"):
            return False
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in AGENT_DONE or (intent and intent not in SMALL_TALK):
                return True
    return False


class ActionOfferRating(Action):
    """Starts the rating form when the conversation is settled; else does nothing."""

    def name(self) -> str:
        return "action_offer_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not rating_due(tracker):
            return []
        return [
            SlotSet("rating_score", None),
            SlotSet("rating_comment", None),
            FollowupAction("rating_form"),
        ]


class ValidateRatingForm(ShopFormValidation):
    """Accepts scores 1-5, clicked or typed (5分, 五星, 满意); the comment is free text."""

    def name(self) -> str:
        return "validate_rating_form"

    async def extract_rating_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A typed score when the score was asked: a digit 1-5 or a rating word."""
        if tracker.get_slot("requested_slot") != "rating_score":
            return {}
        if latest_entity(tracker, "rating_score"):
            return {}  # a button: the slot mapping fills it
        text = sizing.to_arabic(latest_text(tracker).strip())
        digit = SCORE.search(text)
        score = digit.group(1) if digit else first_key(text, RATING_WORDS)
        return {"rating_score": score} if score else {}

    def validate_rating_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps ``"1"``..``"5"``."""
        text = str(value or "").strip()
        return {"rating_score": text if text in {"1", "2", "3", "4", "5"} else None}


class ActionSaveRating(Action):
    """Stores the finished rating and thanks the buyer (or apologises for a low one)."""

    def name(self) -> str:
        return "action_save_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet("rating_score", None), SlotSet("rating_comment", None)]
        score_text = str(tracker.get_slot("rating_score") or "")
        if not score_text.isdigit():
            return reset
        score = int(score_text)
        comment = tracker.get_slot("rating_comment")
        buyer_id = token_buyer_id(tracker)

        def save(session: Any) -> None:
            record_rating(
                tracker.sender_id, score, session=session, now=shop_now(), buyer_id=buyer_id,
                comment=comment if isinstance(comment, str) else None,
            )  # fmt: skip

        try:
            await in_transaction(save)
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return reset
        dispatcher.utter_message(
            response="utter_rating_sorry" if score <= LOW_SCORE else "utter_rating_thanks"
        )
        return reset

"""Reviews after the sale: the invitation a few days after delivery, and what the
buyer answers.

The dispatcher triggers ``EXTERNAL_review_invite`` (``shop/db/reviews.py``
schedules it; ``docs/proactive.md``). :class:`ActionReviewInvite` checks the event is
a real invitation for this buyer's conversation and that the order is still free of
a review and of an open return, then starts ``review_form``: the score (star
buttons, or typed: 5分, 挺好的), then optional words (不用了 skips them). Words said
instead of a score (磨脚) are kept and the score is asked again. :class:`ActionSaveReview`
stores the review with its order, buyer and product; a low score (≤ 2) or a problem
in the words (磨脚, 开胶 …) also opens a complaint for the shop with the buyer's words,
queues the conversation for a person and tells the buyer what happens next.
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
from actions.access import record_escalation
from actions.cases import complaint_category
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    latest_entity,
    latest_intent,
    latest_text,
    raw_text,
)
from actions.forms import ShopFormValidation
from actions.handoff import handoff_followup
from actions.proactive import _entities, already_answered
from shop.answers.policies import quality_terms
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import Complaint, Order
from shop.db.reviews import blocks_invite, invite_event, order_reviewed, save_chat_review
from shop.lexicon import COMPLAINT_CATEGORY_LABELS, RATING_WORDS, STOP_WORDS, first_key, label
from shop.review_stats import fit_from_text, is_complaint
from shop.summaries import case_summary

SKIPPED = "skip"  # review_score when the buyer declines to review
SCORE = re.compile(r"(?<![\d.])([1-5])\s*(?:分|星|颗星)|^\s*([1-5])\s*$")
_NOT_WORDS = re.compile(r"[\s\d,.!?，。！？、~～…:：;；分星颗的了啊呀吧哦我给打就]+")
REVIEW_SLOTS = ("review_score", "review_text")


def typed_score(text: str) -> str | None:
    """A score typed in words or digits: 5分, 五星, 给4, 挺好的 (RATING_WORDS)."""
    digit = SCORE.search(sizing.to_arabic(text.strip()))
    return (digit.group(1) or digit.group(2)) if digit else first_key(text, RATING_WORDS)


def words_beyond_score(text: str) -> str:
    """What the buyer said besides a score ('' for 5分 or 挺好的): their review's words."""
    rest = SCORE.sub("", sizing.to_arabic(text))
    for words in RATING_WORDS.values():
        for word in sorted(words, key=len, reverse=True):
            rest = rest.replace(word, "")
    return text.strip() if len(_NOT_WORDS.sub("", rest)) >= 2 else ""


def _declines(tracker: Tracker) -> bool:
    text = latest_text(tracker)
    return latest_intent(tracker) == "deny" or any(word in text for word in STOP_WORDS)


class ActionReviewInvite(Action):
    """Asks the buyer to review the delivered shoes (a real, still open invitation only)."""

    def name(self) -> str:
        return "action_review_invite"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values = _entities(tracker.latest_message or {})
        event_key = values.get("shop_event_id", "")
        # Not this time (the rule would start review_form next): listen instead.
        listen: list[EventType] = [FollowupAction("action_listen")]
        if not event_key or already_answered(tracker, event_key) or tracker.active_loop_name:
            return listen  # a repeat, a forged message, or the buyer is busy with a form

        def check(session: Session) -> dict[str, Any] | None:
            event = invite_event(event_key, session=session)
            if event is None or tracker.sender_id != f"buyer-{event.buyer_id}":
                return None
            order = session.get(Order, event.order_id)
            product_id = str((event.payload or {}).get("product_id") or "")
            product = queries.get_product(product_id, session=session)
            if order is None or product is None or order_reviewed(order.id, session=session):
                return None
            if blocks_invite(order.id, session=session):
                return None
            return {"review_order_id": order.id, "review_product_id": product.id,
                    "review_product_name": product.name}  # fmt: skip

        try:
            slots = await in_transaction(check)
        except ShopDataUnavailableError:
            return listen
        if slots is None:
            return listen
        events: list[EventType] = [SlotSet(k, v) for k, v in slots.items()]
        events += [SlotSet(slot, None) for slot in REVIEW_SLOTS]
        return [*events, FollowupAction("review_form")]


class ValidateReviewForm(ShopFormValidation):
    """Reads the score (buttons or typed) and the words of a review."""

    # Read as answers, never as another request: 磨脚 (complain), 挺好的谢谢, 不用了, 偏小一点
    # (as scripts/gen_form_rules.py OWN["review_form"]).
    own_intents = frozenset(
        {"complain", "thank", "greet", "deny", "affirm", "inform", "ask_size_advice",
         "ask_function", "ask_material", "ask_reviews"}
    )  # fmt: skip

    def name(self) -> str:
        return "validate_review_form"

    async def extract_review_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A typed score; 不用了 declines the whole review."""
        if tracker.get_slot("requested_slot") != "review_score":
            return {}
        if latest_entity(tracker, "rating_score"):
            return {}  # a button: the slot mapping fills it
        if raw_text(tracker).startswith("/"):
            return {}
        text = latest_text(tracker)
        score = typed_score(text)
        if score is None and _declines(tracker):
            return {"review_score": SKIPPED, "review_text": ""}
        return {"review_score": score} if score else {}

    async def extract_review_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The buyer's words: the answer to the question, or said with (or for) the score."""
        requested = tracker.get_slot("requested_slot")
        text = latest_text(tracker)
        if raw_text(tracker).startswith("/"):
            return {"review_text": ""} if requested == "review_text" and _declines(tracker) else {}
        said = raw_text(tracker).strip()  # stored as typed
        if requested == "review_text":
            if _declines(tracker) and len(text) <= 6:
                return {"review_text": ""}
            return {"review_text": said} if said else {}
        if requested == "review_score" and not _declines(tracker) and words_beyond_score(text):
            if typed_score(text) is None:
                dispatcher.utter_message(response="utter_review_text_noted", review_text=said)
            return {"review_text": said}
        return {}

    def validate_review_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps ``"1"``..``"5"`` (or the decline)."""
        text = str(value or "").strip()
        return {"review_score": text if text in {"1", "2", "3", "4", "5", SKIPPED} else None}

    def validate_review_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any words (at most 1000 characters); '' for none."""
        return {"review_text": None if value is None else str(value)[:1000]}


class ActionSaveReview(Action):
    """Stores the review; a low score or a problem also opens a complaint for the shop."""

    def name(self) -> str:
        return "action_save_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in REVIEW_SLOTS]
        reset += [SlotSet(f"review_{key}", None) for key in ("order_id", "product_id",
                                                              "product_name")]  # fmt: skip
        score_text = str(tracker.get_slot("review_score") or "")
        order_id = tracker.get_slot("review_order_id")
        product_id = tracker.get_slot("review_product_id")
        if score_text == SKIPPED or not score_text.isdigit() or not order_id or not product_id:
            dispatcher.utter_message(response="utter_review_skipped")
            return reset
        score = int(score_text)
        text = str(tracker.get_slot("review_text") or "")
        complaint = is_complaint(score, text)

        def save(session: Session) -> list[tuple[str, dict[str, Any]]]:
            order = session.get(Order, order_id)
            if order is None or order_reviewed(order.id, session=session):
                return [("utter_review_closed", {})]
            save_chat_review(
                order, product_id, rating=score, text=text, fit=fit_from_text(text),
                conversation_id=tracker.sender_id, session=session, now=shop_now(),
            )  # fmt: skip
            if not complaint:
                return [("utter_review_thanks", {})]
            category = complaint_category(text)
            category = "quality" if category == "other" else category
            words = f"{score}分评价：{text}" if text else f"{score}分评价"
            session.add(
                Complaint(
                    conversation_id=tracker.sender_id, buyer_id=order.buyer_id,
                    order_id=order.id, category=category, buyer_words=words[:2000],
                    created_at=shop_now(),
                )
            )  # fmt: skip
            record_escalation(
                tracker, "complaint", session=session, order=order, priority=2,
                summary=case_summary(label(COMPLAINT_CATEGORY_LABELS, category), words),
            )  # fmt: skip
            escalated.append(True)
            return [("utter_review_complaint", quality_terms(queries.get_policy(session=session)))]

        escalated: list[bool] = []
        try:
            messages = await in_transaction(save)
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return reset
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        return reset + handoff_followup(bool(escalated))

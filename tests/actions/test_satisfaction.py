"""Ratings: asked once a task is settled, stored per conversation and handling."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.satisfaction import (
    ActionOfferRating,
    ActionSaveRating,
    ValidateRatingForm,
    rating_due,
)
from shop.clock import shop_now
from shop.db.models import ConversationRating, Escalation
from shop.db.session import session_scope
from tests.conftest import make_tracker, token

pytestmark = pytest.mark.usefixtures("shop_db")
RESET = [SlotSet("rating_score", None), SlotSet("rating_comment", None)]


def user(intent: str) -> dict[str, Any]:
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def tracker_with(*events: dict[str, Any], **kwargs: Any) -> Tracker:
    tracker = make_tracker(**kwargs)
    tracker.events.extend(events)
    return tracker


@pytest.mark.parametrize(
    ("events", "due"),
    [
        ([user("ask_size_advice"), user("thank")], True),
        ([user("check_order_status"), user("affirm"), user("goodbye")], True),
        ([user("greet"), user("goodbye")], False),
        ([user("EXTERNAL_order_shipped"), user("thank")], False),
        ([user("request_human"), user("EXTERNAL_agent_handback")], True),
        ([user("ask_material"), {"event": "active_loop", "name": "rating_form"}, user("goodbye")],
         False),
        ([user("ask_material"), {"event": "restart"}, user("goodbye")], False),
        # A comment NLU reads as a question ("回答很快" ~ ask_shipping) is part of the rating.
        ([user("ask_return_policy"), {"event": "active_loop", "name": "rating_form"},
          user("inform"), user("ask_shipping"), {"event": "active_loop", "name": None},
          {"event": "action", "name": "action_save_rating"}, user("thank")], False),
        ([user("ask_return_policy"), {"event": "action", "name": "action_save_rating"},
          user("ask_material"), user("thank")], True),
    ],
)  # fmt: skip
def test_a_rating_is_due_after_a_task_once(events: list[dict[str, Any]], due: bool) -> None:
    assert rating_due(tracker_with(*events)) is due


def test_not_while_paused_or_inside_a_form() -> None:
    paused = tracker_with(user("ask_material"), user("thank"))
    paused._paused = True
    assert not rating_due(paused)
    assert not rating_due(tracker_with(user("ask_material"), active_loop="return_form"))


def test_offer_starts_the_form_with_empty_slots() -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_with(user("ask_material"), user("goodbye"))
    events = asyncio.run(ActionOfferRating().run(dispatcher, tracker, {}))
    assert events == [*RESET, FollowupAction("rating_form")]
    assert dispatcher.messages == []
    quiet = tracker_with(user("goodbye"))
    assert asyncio.run(ActionOfferRating().run(dispatcher, quiet, {})) == []


def test_only_scores_one_to_five() -> None:
    validate = ValidateRatingForm().validate_rating_score
    tracker, dispatcher = make_tracker(), CollectingDispatcher()
    scores = [validate(v, dispatcher, tracker, {})["rating_score"] for v in "510x"]
    assert scores == ["5", "1", None, None]
    assert validate("6", dispatcher, tracker, {}) == {"rating_score": None}


def save(score: str, comment: str | None, sender: str = "buyer-B005") -> tuple[list, list[str]]:
    tracker = make_tracker(
        slots={"rating_score": score, "rating_comment": comment}, metadata=token("B005")
    )
    tracker.sender_id = sender
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSaveRating().run(dispatcher, tracker, {}))
    return events, [m["response"] for m in dispatcher.messages]


def ratings() -> list[tuple[str, str | None, str, int | None, int, str | None]]:
    with session_scope() as session:
        rows = session.execute(select(ConversationRating).order_by(ConversationRating.id))
        return [
            (r.conversation_id, r.buyer_id, r.handling, r.escalation_id, r.score, r.comment)
            for r in rows.scalars()
        ]


def test_a_bot_handled_rating_is_stored_with_its_comment() -> None:
    assert save("5", " 很方便 ") == (RESET, ["utter_rating_thanks"])
    assert save("2", "", sender="other") == (RESET, ["utter_rating_sorry"])
    assert ratings() == [
        ("buyer-B005", "B005", "bot", None, 5, "很方便"),
        ("other", "B005", "bot", None, 2, None),
    ]


def test_an_escalated_conversation_is_rated_as_agent_handling() -> None:
    with session_scope() as session:
        escalation = Escalation(
            conversation_id="buyer-B005", reason="request_human", created_at=shop_now(),
            status="resolved", outcome="handed_back",
        )  # fmt: skip
        session.add(escalation)
        session.flush()
        escalation_id = escalation.id
    assert save("4", None) == (RESET, ["utter_rating_thanks"])
    assert ratings() == [("buyer-B005", "B005", "agent", escalation_id, 4, None)]


def test_a_skipped_rating_stores_nothing() -> None:
    assert save("", None) == (RESET, [])
    assert ratings() == []

"""Honest owner numbers: core fallbacks count as "not understood", and a conversation
that ended on a fallback or a form's re-ask is not settled by the assistant.

Conversations are written with Rasa's own SQL tracker store, bot replies carrying the
``utter_action`` metadata Rasa gives them, so the SQL the report runs is the real one.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine

from console.analytics import Report, build_report
from console.analytics_periods import is_stuck_reply, turns
from rasa_ext.events import said_rows as tracker_rows
from shop.db.session import session_scope

ZONE = ZoneInfo("Asia/Shanghai")
DAY1, DAY2 = date(2025, 3, 5), date(2025, 3, 6)


class Talk:
    """Builds one conversation's events, a minute apart, on a given day."""

    def __init__(self, day: date = DAY1, hour: int = 10) -> None:
        self.moment = datetime(day.year, day.month, day.day, hour).replace(tzinfo=ZONE).timestamp()
        self.events: list[Event] = []

    def _next(self) -> float:
        self.moment += 60
        return self.moment

    def buyer(self, intent: str, *replies: str) -> Talk:
        """A buyer message of ``intent`` answered by the responses ``replies``."""
        parse = {"name": intent, "confidence": 0.9}
        self.events.append(UserUttered("…", parse, timestamp=self._next()))
        for reply in replies:
            self.bot(reply)
        return self

    def bot(self, utter_action: str | None) -> Talk:
        """A bot message (``None``: an agent's message, no ``utter_action``)."""
        metadata = {"utter_action": utter_action} if utter_action else {"agent_name": "小美"}
        self.events.append(BotUttered("…", metadata=metadata, timestamp=self._next()))
        return self

    def external(self, intent: str, *replies: str) -> Talk:
        self.events.append(UserUttered(None, {"name": intent}, timestamp=self._next()))
        for reply in replies:
            self.bot(reply)
        return self

    def pause(self) -> Talk:
        self.events.append(ConversationPaused(timestamp=self._next()))
        return self

    def resume(self) -> Talk:
        self.events.append(ConversationResumed(timestamp=self._next()))
        return self


def report_of(tmp_path: Path, talks: dict[str, Talk], end: date = DAY1) -> Report:
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    for sender, talk in talks.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, talk.events)))
    engine = create_engine(f"sqlite:///{path}", future=True)
    with session_scope() as session:
        return build_report(DAY1, end, session=session, tracker_engine=engine)


@pytest.mark.parametrize(
    ("action", "stuck"),
    [
        ("utter_default", True),
        ("utter_hint_order_id", True),
        ("utter_hint_rating_score", True),
        ("utter_offer_human_in_form", True),
        ("utter_offer_human", False),  # a plain offer after an honest "not stated"
        ("utter_hint", False),  # not the re-ask prefix
        ("utter_ask_order_id", False),
        ("", False),
    ],
)
def test_which_replies_mean_not_understood(action: str, stuck: bool) -> None:
    assert is_stuck_reply(action) is stuck


def test_a_core_fallback_counts_and_leaves_the_conversation_stuck(
    shop_db: None, tmp_path: Path
) -> None:
    report = report_of(
        tmp_path,
        {
            # the intent was recognised, but the policy fell back: 没太明白
            "core": Talk().buyer("ask_size_advice", "utter_default"),
            "fine": Talk().buyer("ask_material", "utter_material").buyer("thank", "utter_welcome"),
        },
    )
    row = report.total.row()
    assert (row["messages"], row["fallbacks"]) == (3, 1)
    assert row["fallback_rate"] == pytest.approx(1 / 3)
    assert (row["conversations"], row["handoffs"], row["stuck"]) == (2, 0, 1)
    assert row["automation_rate"] == 0.5 and row["stuck_rate"] == 0.5
    assert report.total.unsettled == {"core"}


def test_an_nlu_fallback_answered_with_the_fallback_counts_once(
    shop_db: None, tmp_path: Path
) -> None:
    report = report_of(tmp_path, {"c": Talk().buyer("nlu_fallback", "utter_default")})
    assert (report.total.messages, report.total.fallbacks) == (1, 1)


def test_a_fallback_the_buyer_got_past_is_counted_but_settled(
    shop_db: None, tmp_path: Path
) -> None:
    talk = Talk().buyer("nlu_fallback", "utter_default").buyer("ask_shipping", "utter_shipping")
    total = report_of(tmp_path, {"c": talk.buyer("thank", "utter_welcome")}).total
    assert total.fallbacks == 1 and total.stuck == set()
    assert total.automation_rate == 1.0


@pytest.mark.parametrize(
    "last", [("utter_hint_order_id", "utter_ask_order_id"), ("utter_offer_human_in_form",)]
)
def test_a_conversation_ending_on_a_form_re_ask_is_not_settled(
    shop_db: None, tmp_path: Path, last: tuple[str, ...]
) -> None:
    talk = Talk().buyer("check_order_status", "utter_ask_order_id").buyer("inform", *last)
    total = report_of(tmp_path, {"c": talk}).total
    assert total.fallbacks == 0  # a re-ask is not a fallback reply ...
    assert total.unsettled == {"c"} and total.automation_rate == 0.0  # ... but the buyer is stuck


def test_a_re_ask_answered_and_the_form_done_is_settled(shop_db: None, tmp_path: Path) -> None:
    talk = (
        Talk()
        .buyer("check_order_status", "utter_ask_order_id")
        .buyer("inform", "utter_hint_order_id", "utter_ask_order_id")
        .buyer("inform", "utter_order_status")
    )
    assert report_of(tmp_path, {"c": talk}).total.automation_rate == 1.0


def test_what_an_agent_is_told_is_not_a_fallback_and_a_handoff_is_not_stuck(
    shop_db: None, tmp_path: Path
) -> None:
    talk = (
        Talk()
        .buyer("nlu_fallback", "utter_default")
        .buyer("nlu_fallback", "utter_fallback_handoff")
        .pause()
        .bot(None)  # the agent's message
        .buyer("nlu_fallback")  # read by the agent, not answered by the assistant
        .buyer("ask_size_advice")
    )
    row = report_of(tmp_path, {"c": talk}).total.row()
    assert (row["messages"], row["fallbacks"]) == (4, 2)
    assert (row["handoffs"], row["stuck"], row["automation_rate"]) == (1, 0, 0.0)


def test_stuck_and_handed_off_counts_once(shop_db: None, tmp_path: Path) -> None:
    talk = Talk().buyer("request_human", "utter_handoff_queued").pause().resume()
    talk.external("EXTERNAL_agent_handback", "utter_handed_back").buyer("greet", "utter_default")
    row = report_of(tmp_path, {"c": talk, "ok": Talk().buyer("greet", "utter_greet")}).total.row()
    assert (row["handoffs"], row["stuck"]) == (1, 0)
    assert (row["automation_rate"], row["handoff_rate"], row["stuck_rate"]) == (0.5, 0.5, 0.0)


def test_what_the_assistant_says_on_a_shop_event_does_not_answer_the_buyer(
    shop_db: None, tmp_path: Path
) -> None:
    talk = Talk().buyer("ask_material", "utter_default")
    talk.external("EXTERNAL_order_shipped", "utter_order_shipped")
    total = report_of(tmp_path, {"c": talk}).total
    assert total.unsettled == {"c"}


def test_stuck_is_judged_by_the_last_message_of_each_period(shop_db: None, tmp_path: Path) -> None:
    talk = Talk(DAY1, hour=22).buyer("ask_function", "utter_default")
    talk.events += Talk(DAY2, hour=9).buyer("ask_function", "utter_function").events
    report = report_of(tmp_path, {"c": talk}, end=DAY2)
    day1, day2 = report.days
    assert (day1.unsettled, day1.automation_rate) == ({"c"}, 0.0)
    assert (day2.unsettled, day2.automation_rate) == (set(), 1.0)
    assert report.total.unsettled == set() and report.total.fallbacks == 1


def test_rates_add_up_to_one(shop_db: None, tmp_path: Path) -> None:
    talks = {
        "handed": Talk().buyer("request_human", "utter_handoff_queued").pause(),
        "stuck": Talk().buyer("ask_size_advice", "utter_default"),
        "ok1": Talk().buyer("greet", "utter_greet"),
        "ok2": Talk().buyer("thank", "utter_welcome"),
    }
    total = report_of(tmp_path, talks).total
    assert (total.automation_rate, total.handoff_rate, total.stuck_rate) == (0.5, 0.25, 0.25)


def test_turns_skip_replies_without_a_buyer_message(tmp_path: Path) -> None:
    talk = Talk().bot("utter_greet").buyer("greet", "utter_greet").bot(None)
    path = tmp_path / "t.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    asyncio.run(store.save(DialogueStateTracker.from_events("c", talk.events)))
    rows = tracker_rows(create_engine(f"sqlite:///{path}", future=True), 0, 2e9)
    assert [(t.intent, t.replies) for t in turns(rows)] == [("greet", ["utter_greet"])]

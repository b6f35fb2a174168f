"""Earlier messages are read as NLU read them (simplified), and kept as typed on request."""

from __future__ import annotations

from typing import Any

from actions.common import last_text_with_intent, recent_user_texts
from tests.conftest import make_tracker


def _user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def _tracker() -> Any:
    tracker = make_tracker("好的", intent="affirm")
    tracker.events.extend([_user("質量太差了", "complain"), _user("好的", "affirm")])
    return tracker


def test_an_earlier_message_reads_simplified_or_as_typed() -> None:
    tracker = _tracker()
    assert last_text_with_intent(tracker, {"complain"}) == "质量太差了"
    assert last_text_with_intent(tracker, {"complain"}, as_typed=True) == "質量太差了"
    assert last_text_with_intent(tracker, {"request_return"}) == ""


def test_recent_texts_newest_first_and_simplified() -> None:
    assert recent_user_texts(_tracker(), 2) == ["好的", "质量太差了"]
    assert recent_user_texts(_tracker(), 1) == ["好的"]

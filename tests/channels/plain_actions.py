"""Test actions that report the events they received (no event cache: see delta_actions)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection


def digest(events: list[dict[str, Any]]) -> str:
    """A fingerprint of an event list as JSON."""
    text = json.dumps(events, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ActionCountEvents(Action):
    """Returns how many events it saw, and their fingerprint, as a slot."""

    def name(self) -> str:
        return "action_count_events"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        seen = {"count": len(tracker.events), "digest": digest(tracker.events)}
        return [SlotSet("seen", seen)]


class ActionReject(Action):
    """Always rejects (a form validation's "not this one")."""

    def name(self) -> str:
        return "action_reject"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise ActionExecutionRejection(self.name(), "rejected on purpose")

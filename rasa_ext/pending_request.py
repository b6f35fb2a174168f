"""A second request of one message, offered again once the first is done.

我要退货 另外帮我改下地址: one flow runs at a time, so the return is served first
and the address change is acknowledged (``rasa_ext/second_question.py``). It is
kept in the slot ``pending_request``; at the end of a later turn, when no form is
open, the buyer is not waiting for a person and the turn's replies offer no
choice of their own (in the same turn when the first was settled at once), the
assistant asks whether to go on with it (buttons 好的 /
不用了; a typed yes answers the offer as any offer, ``action_answer_offer``).
Asked once: a yes starts the flow, anything else forgets it. Starting that flow
by other words forgets it too, and so does a new session (the buyer came back
hours later).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.actions.action import create_bot_utterance
from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop.clauses import QUEUED_REQUEST_INTENTS

SLOT = "pending_request"  # {"intent", "text", "message_id": the message that asked it}
RESPONSE = "utter_pending_request"


def remember(tracker: DialogueStateTracker, intent: Any, text: str) -> bool:
    """Keeps a second request of the latest message for later, if it can be offered;
    whether it did."""
    latest = tracker.latest_message
    if intent not in QUEUED_REQUEST_INTENTS or not isinstance(latest, UserUttered):
        return False
    pending = {"intent": intent, "text": text, "message_id": latest.message_id}
    tracker.update(SlotSet(SLOT, pending))
    return True


def due(tracker: DialogueStateTracker) -> dict[str, Any] | None:
    """The pending request to offer at the end of this turn, if it is time.

    Not while a form asks, the buyer waits for a person, or the turn's own replies
    offer buttons (a typed yes would be ambiguous). In the turn that asked it, when
    the first request was settled at once (a parcel looked up), it is offered then.
    """
    pending = tracker.get_slot(SLOT)
    if not isinstance(pending, dict):
        return None
    if tracker.active_loop_name or tracker.is_paused() or _offered_this_turn(tracker):
        return None
    return pending


def said_this_turn(tracker: DialogueStateTracker, fits: Callable[[BotUttered], bool]) -> bool:
    """Whether a reply since the buyer's latest message ``fits``."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and fits(event):
            return True
    return False


def _offered_this_turn(tracker: DialogueStateTracker) -> bool:
    """Whether a reply since the buyer's latest message carries buttons."""
    return said_this_turn(tracker, lambda bot: bool((bot.data or {}).get("buttons")))


def _from_an_earlier_session(tracker: DialogueStateTracker) -> bool:
    """Whether the pending request was asked before the conversation's session restarted
    (slots carry over; "您刚才还说了" hours later would be wrong)."""
    pending = tracker.get_slot(SLOT)
    if not isinstance(pending, dict):
        return False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered) and event.message_id == pending.get("message_id"):
            return False
        if isinstance(event, SessionStarted):
            return True
    return False


def started_again(tracker: DialogueStateTracker) -> bool:
    """Whether the buyer's latest message asks the pending request's flow itself."""
    pending = tracker.get_slot(SLOT)
    latest = tracker.latest_message
    if not isinstance(pending, dict) or not isinstance(latest, UserUttered):
        return False
    return latest.message_id != pending.get("message_id") and (
        (latest.intent or {}).get("name") == pending.get("intent")
    )


async def offer_pending_request(
    processor: MessageProcessor, tracker: DialogueStateTracker, output_channel: OutputChannel
) -> None:
    """Asks whether to go on with the pending request, once, when it is due (module docstring)."""
    if started_again(tracker) or _from_an_earlier_session(tracker):
        tracker.update(SlotSet(SLOT, None))
        return
    pending = due(tracker)
    if pending is None:
        return
    tracker.update(SlotSet(SLOT, None))
    message = await processor.nlg.generate(
        RESPONSE,
        tracker,
        output_channel.name(),
        request=pending.get("text") or "",
        intent=pending.get("intent") or "",
    )
    if message is None:
        return
    offer = create_bot_utterance({**message, "utter_action": RESPONSE})
    tracker.update(offer)
    await processor.execute_side_effects([offer], tracker, output_channel)

"""A buyer who writes while waiting for a person gets an answer, not silence.

Rasa 3.6 stores a message to a paused conversation and runs nothing, so a buyer
queued for an agent (``action_handoff`` pauses) who asks "在吗" hears nothing
and cannot tell a queue from a broken widget. :func:`install` wraps
``MessageProcessor._run_prediction_loop`` once per process: for a buyer's own
message to a paused conversation it runs :data:`WAITING_ACTION` (still queued,
at this place; silent once an agent has the conversation) instead of nothing.
No policy predicts anything while paused, as before; ``/restart`` and external
events keep Rasa's behaviour. When the waiting action resumed the conversation
(a buyer still waiting left the queue: 取消转人工), the turn ends with
``action_listen`` like any other, so the rules read the next message as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import OutputChannel
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, IS_EXTERNAL
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.patching import wrap_once

logger = logging.getLogger(__name__)

WAITING_ACTION = "action_handoff_waiting"


def waits_for_a_person(processor: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    """``True`` for a buyer's own message (not an external event) to a paused conversation."""
    if processor._should_handle_message(tracker):
        return False
    latest = tracker.latest_message
    if not isinstance(latest, UserUttered) or (latest.metadata or {}).get(IS_EXTERNAL):
        return False
    return WAITING_ACTION in processor.domain.action_names_or_texts


def _wrap(loop: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    async def run_prediction_loop(
        self: MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker
    ) -> None:
        if not waits_for_a_person(self, tracker):
            await loop(self, output_channel, tracker)
            return
        for name in (WAITING_ACTION, ACTION_LISTEN_NAME):
            action = self._get_action(name)
            prediction = PolicyPrediction.for_action_name(self.domain, name)
            await self._run_action(action, tracker, output_channel, self.nlg, prediction)
            if tracker.is_paused():
                break  # still queued: nothing more, as Rasa does while paused

    return run_prediction_loop


def install() -> None:
    """Wraps ``MessageProcessor._run_prediction_loop`` once."""
    wrap_once(MessageProcessor, "_run_prediction_loop", _wrap, key="handoff_wait")

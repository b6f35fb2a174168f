"""A buyer's message to a paused conversation runs the waiting action; nothing else changes."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext import handoff_wait

DOMAIN = Domain.from_dict(
    {"intents": ["greet", "restart"], "actions": [handoff_wait.WAITING_ACTION]}
)


class FakeProcessor:
    """What the wrapped loop uses of ``MessageProcessor``, recording the calls."""

    _should_handle_message = staticmethod(MessageProcessor._should_handle_message)

    def __init__(self, domain: Domain = DOMAIN) -> None:
        self.domain, self.nlg, self.calls = domain, None, []

    def _get_action(self, name: str) -> str:
        return name

    async def _run_action(self, action: str, *_: Any) -> bool:
        self.calls.append(("action", action))
        return True


async def _original(self: FakeProcessor, *_: Any) -> None:
    self.calls.append(("loop", None))


def _tracker(*, paused: bool, message: UserUttered) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    if paused:
        events.append(ConversationPaused())
    events.append(message)
    return DialogueStateTracker.from_events("buyer-1", events)


async def _run(tracker: DialogueStateTracker, processor: FakeProcessor | None = None) -> list:
    processor = processor or FakeProcessor()
    await handoff_wait._wrap(_original)(processor, None, tracker)  # type: ignore[arg-type]
    return processor.calls


def _said(text: str, intent: str = "greet", **metadata: Any) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 1.0}, metadata=metadata or None)


async def test_a_message_while_paused_runs_the_waiting_action() -> None:
    tracker = _tracker(paused=True, message=_said("在吗"))
    assert await _run(tracker) == [("action", handoff_wait.WAITING_ACTION)]


@pytest.mark.parametrize(
    ("paused", "message"),
    [
        (False, _said("在吗")),  # not paused: the policies decide, as always
        (True, _said("/restart", "restart")),  # Rasa's own restart handling
        (True, UserUttered.create_external("agent_handback")),  # an external event
    ],
)
async def test_everything_else_keeps_rasas_loop(paused: bool, message: UserUttered) -> None:
    assert await _run(_tracker(paused=paused, message=message)) == [("loop", None)]


async def test_a_model_without_the_waiting_action_keeps_rasas_loop() -> None:
    tracker = _tracker(paused=True, message=_said("在吗"))
    bare = FakeProcessor(Domain.from_dict({"intents": ["greet"]}))
    assert await _run(tracker, bare) == [("loop", None)]


class ResumingProcessor(FakeProcessor):
    """The waiting action resumes the conversation (the buyer left the queue)."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        super().__init__()
        self.tracker = tracker

    async def _run_action(self, action: str, *_: Any) -> bool:
        if action == handoff_wait.WAITING_ACTION:
            self.tracker.update(ConversationResumed())
        return await super()._run_action(action)


async def test_leaving_the_queue_ends_the_turn_listening() -> None:
    tracker = _tracker(paused=True, message=_said("取消转人工"))
    calls = await _run(tracker, ResumingProcessor(tracker))
    assert calls == [("action", handoff_wait.WAITING_ACTION), ("action", "action_listen")]


def test_install_is_idempotent() -> None:
    handoff_wait.install()
    wrapped = MessageProcessor._run_prediction_loop
    handoff_wait.install()
    assert MessageProcessor._run_prediction_loop is wrapped

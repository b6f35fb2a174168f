"""A second question in a message is answered after the main answer, invisibly to the rules."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext import second_question
from rasa_ext.second_question import ANSWER_ACTION, MARK_KEY, SLOT

DOMAIN = Domain.from_dict(
    {
        "intents": ["check_order_status", "out_of_scope", "ask_shipping"],
        "actions": [ANSWER_ACTION],
        "slots": {SLOT: {"type": "any", "mappings": [{"type": "custom"}]}},
    }
)
INTENTS = {"我那双鞋发货了没": "check_order_status", "能开发票吗": "out_of_scope"}


class FakeAnswer:
    """The answer action: records the slot it saw, answers with a button."""

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[Any] = []
        self.fail = fail

    async def run(self, _channel: Any, _nlg: Any, tracker: Any, _domain: Any) -> list:
        if self.fail:
            raise RuntimeError("action server down")
        self.seen.append(tracker.get_slot(SLOT))
        return [BotUttered("另外，您问的「能开发票吗」：", {"buttons": [{"title": "转人工"}]})]


class FakeProcessor:
    """What the patch uses of ``MessageProcessor``."""

    def __init__(self, answer: FakeAnswer | None = None, domain: Domain = DOMAIN) -> None:
        self.domain, self.nlg = domain, None
        self.answer = answer or FakeAnswer()
        self.parsed: list[str] = []
        self.sent: list[BotUttered] = []
        self.calls: list[str] = []

    async def parse_message(self, message: Any) -> dict[str, Any]:
        self.parsed.append(message.text)
        return {"intent": {"name": INTENTS.get(message.text, "greet"), "confidence": 0.9}}

    def _get_action(self, name: str) -> FakeAnswer:
        assert name == ANSWER_ACTION
        return self.answer

    async def execute_side_effects(self, events: list, _tracker: Any, _channel: Any) -> None:
        self.sent.extend(events)


class FakeAction:
    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name


async def _original(self: FakeProcessor, action: FakeAction, *_: Any) -> bool:
    self.calls.append(action.name())
    return action.name() != "action_listen"


def _tracker(message: UserUttered, *extra: Any) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), message, ActionExecuted("action_x"), *extra]
    return DialogueStateTracker.from_events("buyer-1", events, slots=DOMAIN.slots)


def _said(text: str, intent: str = "check_order_status", **metadata: Any) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, metadata=metadata or None)


async def _listen(processor: FakeProcessor, tracker: DialogueStateTracker) -> None:
    run = second_question._wrap(_original)
    await run(processor, FakeAction("action_listen"), tracker, None, None, None)  # type: ignore[arg-type]


async def test_the_second_question_is_answered_before_listening() -> None:
    processor, tracker = FakeProcessor(), _tracker(_said("我那双鞋发货了没 顺便问下能开发票吗"))
    await _listen(processor, tracker)
    assert processor.answer.seen == [{"intent": "out_of_scope", "text": "能开发票吗"}]
    assert processor.calls == ["action_listen"]
    [sent] = processor.sent
    assert sent.text == "另外，您问的「能开发票吗」：" and "buttons" not in sent.data
    assert sent.metadata[MARK_KEY] is True
    new = list(tracker.events)[-3:]
    assert isinstance(new[0], SlotSet) and isinstance(new[1], BotUttered)
    assert new[2] == SlotSet(SLOT, None)
    assert not any(
        isinstance(e, ActionExecuted) and e.action_name == ANSWER_ACTION for e in tracker.events
    )


@pytest.mark.parametrize(
    "message",
    [
        _said("我那双鞋发货了没"),  # one question
        _said('/inform{"order_id":"1"}'),  # a click
        UserUttered.create_external("agent_handback"),
    ],
)
async def test_nothing_more_for_other_messages(message: UserUttered) -> None:
    processor = FakeProcessor()
    await _listen(processor, _tracker(message))
    assert processor.answer.seen == [] and processor.sent == []
    assert processor.calls == ["action_listen"]


async def test_a_single_question_costs_no_extra_parse() -> None:
    processor = FakeProcessor()
    await _listen(processor, _tracker(_said("我那双鞋发货了没")))
    assert processor.parsed == []


async def test_answered_once_a_turn() -> None:
    answered = BotUttered("另外", {}, {MARK_KEY: True})
    processor = FakeProcessor()
    await _listen(processor, _tracker(_said("我那双鞋发货了没 顺便问下能开发票吗"), answered))
    assert processor.answer.seen == []


async def test_other_actions_are_left_alone() -> None:
    processor = FakeProcessor()
    run = second_question._wrap(_original)
    tracker = _tracker(_said("我那双鞋发货了没 顺便问下能开发票吗"))
    await run(processor, FakeAction("utter_x"), tracker, None, None, None)  # type: ignore[arg-type]
    assert processor.answer.seen == [] and processor.calls == ["utter_x"]


async def test_a_failure_still_listens() -> None:
    processor = FakeProcessor(FakeAnswer(fail=True))
    await _listen(processor, _tracker(_said("我那双鞋发货了没 顺便问下能开发票吗")))
    assert processor.calls == ["action_listen"]


async def test_a_model_without_the_action_answers_nothing_more() -> None:
    processor = FakeProcessor(domain=Domain.from_dict({"intents": ["check_order_status"]}))
    await _listen(processor, _tracker(_said("我那双鞋发货了没 顺便问下能开发票吗")))
    assert processor.parsed == [] and processor.calls == ["action_listen"]


def test_install_is_idempotent() -> None:
    second_question.install()
    wrapped = MessageProcessor._run_action
    second_question.install()
    assert MessageProcessor._run_action is wrapped

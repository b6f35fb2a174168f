"""Two questions in a message: the request is served, the second question answered after it."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext import second_question
from rasa_ext.second_question import ANSWER_ACTION, FROM_PART_KEY, MARK_KEY, PARSE_KEY, SLOT

DOMAIN = Domain.from_dict(
    {
        "intents": ["check_order_status", "out_of_scope", "ask_shipping"],
        "actions": [ANSWER_ACTION],
        "slots": {SLOT: {"type": "any", "mappings": [{"type": "custom"}]}},
    }
)
# What NLU makes of each text, alone.
READINGS = {
    "我的鞋到哪了 顺便问下能开发票吗": ("out_of_scope", 0.58),
    "我的快递到哪了 另外运费怎么算": ("check_order_status", 0.9),
    "我的快遞到哪了 另外運費怎麼算": ("check_order_status", 0.9),
    "我的鞋到哪了": ("check_order_status", 1.0),
    "我的快递到哪了": ("check_order_status", 1.0),
    "能开发票吗": ("out_of_scope", 0.99),
    "运费怎么算": ("ask_shipping", 0.99),
    "运费险怎么赔": ("ask_return_policy", 0.95),
    "小白鞋有42码吗": ("ask_stock", 0.97),
    "帮我改下地址": ("change_address", 0.95),
    "帮我改一下吧": ("change_address", 0.6),
    "能开发票吗吗": ("out_of_scope", 0.99),
}


async def fake_parse(
    _processor: Any, message: UserMessage, tracker: Any = None, _only: bool = True
) -> dict[str, Any]:
    name, confidence = READINGS.get(message.text or "", ("greet", 0.9))
    intent = {"name": name, "confidence": confidence}
    ranking = [intent, {"name": "check_order_status", "confidence": 1 - confidence}]
    return {"text": message.text, "intent": intent, "intent_ranking": ranking, "entities": []}


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
        self.sent: list[BotUttered] = []
        self.calls: list[str] = []

    def _get_action(self, name: str) -> FakeAnswer:
        assert name == ANSWER_ACTION
        return self.answer

    async def execute_side_effects(self, events: list, _tracker: Any, _channel: Any) -> None:
        self.sent.extend(events)


def _tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "buyer-1", [ActionExecuted("action_listen"), *events], slots=DOMAIN.slots
    )


async def _parse(text: str, processor: Any = None, tracker: Any = "new") -> dict[str, Any]:
    parse = second_question._wrap_parse(fake_parse)
    tracker = _tracker() if tracker == "new" else tracker
    return await parse(processor or FakeProcessor(), UserMessage(text), tracker)


async def test_a_request_read_whole_as_the_other_question_takes_its_part_intent() -> None:
    data = await _parse("我的鞋到哪了 顺便问下能开发票吗")
    assert data["intent"] == {"name": "check_order_status", "confidence": 1.0}
    assert data["intent_ranking"][0]["name"] == "check_order_status"
    assert data[FROM_PART_KEY] == "我的鞋到哪了"
    assert data[PARSE_KEY] == {"intent": "out_of_scope", "text": "能开发票吗", "confidence": 0.99}


async def test_the_whole_read_right_keeps_its_intent_and_names_the_second_question() -> None:
    data = await _parse("我的快递到哪了 另外运费怎么算")
    assert data["intent"]["name"] == "check_order_status" and FROM_PART_KEY not in data
    assert data[PARSE_KEY]["text"] == "运费怎么算"


async def test_the_second_question_is_quoted_in_the_buyers_script() -> None:
    data = await _parse("我的快遞到哪了 另外運費怎麼算")
    assert data[PARSE_KEY]["text"] == "運費怎麼算"  # read in simplified, quoted as typed


@pytest.mark.parametrize(
    ("text", "tracker"),
    [
        ("我的快递到哪了", "new"),  # one question
        ('/inform{"order_id":"1"}', "new"),  # a click
        ("我的快递到哪了 另外运费怎么算", None),  # /model/parse: no conversation
        ("我的快递到哪了 另外运费怎么算", _tracker(ConversationPaused())),  # waiting for a person
    ],
)
async def test_other_parses_are_nlus_alone(text: str, tracker: Any) -> None:
    assert await _parse(text, tracker=tracker) == await fake_parse(None, UserMessage(text))


@pytest.mark.parametrize(
    ("text", "second"),
    [
        ("不等了 运费险怎么赔", {"intent": "ask_return_policy", "text": "运费险怎么赔"}),
        ("不等了，運費怎麼算", {"intent": "ask_shipping", "text": "運費怎麼算"}),  # traditional
        ("不等了 小白鞋有42码吗", None),  # a stock question: asked again by the waiting action
        # a flow a yes can start: offered at once (rasa_ext/pending_request.py)
        ("不等了 帮我改下地址", {"intent": "change_address", "text": "帮我改下地址"}),
        ("不等了 帮我改一下吧", None),  # not sure enough
        ("不等了 能开发票吗吗", None),  # out of scope is not worth an answer here
        ("不等了 我自己看吧", None),  # no question
        ("在吗 运费怎么算", None),  # still waiting: the agent answers
    ],
)
async def test_leaving_the_queue_with_a_rule_question_or_a_request_names_it(
    text: str, second: dict[str, str] | None
) -> None:
    data = await _parse(text, tracker=_tracker(ConversationPaused()))
    got = data.get(PARSE_KEY)
    assert ({"intent": got["intent"], "text": got["text"]} if got else None) == second
    assert data["intent"] == (await fake_parse(None, UserMessage(text)))["intent"]


async def test_a_model_without_the_action_reads_the_whole_only() -> None:
    bare = FakeProcessor(domain=Domain.from_dict({"intents": ["check_order_status"]}))
    data = await _parse("我的鞋到哪了 顺便问下能开发票吗", bare)
    assert data["intent"]["name"] == "out_of_scope" and PARSE_KEY not in data


class FakeAction:
    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name


async def _original(self: FakeProcessor, action: FakeAction, *_: Any) -> bool:
    self.calls.append(action.name())
    return action.name() != "action_listen"


def _said(text: str, also: dict[str, Any] | None = None) -> UserUttered:
    intent = {"name": "check_order_status", "confidence": 0.9}
    parse_data: dict[str, Any] = {"intent": intent, "entities": [], "text": text}
    if also:
        parse_data[PARSE_KEY] = also
    return UserUttered(text, intent, [], parse_data)


ALSO = {"intent": "out_of_scope", "text": "能开发票吗", "confidence": 0.99}


async def _run(processor: FakeProcessor, tracker: DialogueStateTracker, name: str) -> None:
    run = second_question._wrap_run_action(_original)
    await run(processor, FakeAction(name), tracker, None, None, None)


async def test_the_second_question_is_answered_before_listening() -> None:
    processor = FakeProcessor()
    tracker = _tracker(_said("我的鞋到哪了 顺便问下能开发票吗", ALSO), ActionExecuted("action_x"))
    await _run(processor, tracker, "action_listen")
    assert processor.answer.seen == [{"intent": "out_of_scope", "text": "能开发票吗"}]
    assert processor.calls == ["action_listen"]
    [sent] = processor.sent
    assert sent.text == "另外，您问的「能开发票吗」：" and "buttons" not in sent.data
    assert sent.metadata[MARK_KEY] is True
    new = list(tracker.events)[-3:]
    assert isinstance(new[0], SlotSet) and isinstance(new[1], BotUttered)
    assert new[2] == SlotSet(SLOT, None)
    names = [e.action_name for e in tracker.events if isinstance(e, ActionExecuted)]
    assert ANSWER_ACTION not in names


REQUEST = {"intent": "change_address", "text": "另外帮我改下地址", "confidence": 0.95}
QUEUE_DOMAIN = Domain.from_dict(
    {
        "actions": [ANSWER_ACTION],
        "slots": {
            SLOT: {"type": "any", "mappings": [{"type": "custom"}]},
            "pending_request": {"type": "any", "mappings": [{"type": "custom"}]},
        },
    }
)


@pytest.mark.parametrize(
    ("first_turn", "acknowledged"),
    [
        ([ActionExecuted("order_form"), ActiveLoop("order_form")], True),  # the first flow asks
        ([ActionExecuted("action_x"), BotUttered("您的包裹运输中")], False),  # settled at once
    ],
)
async def test_a_second_request_is_kept_and_acknowledged_while_the_first_runs(
    first_turn: list, acknowledged: bool
) -> None:
    processor = FakeProcessor()
    tracker = DialogueStateTracker.from_events(
        "buyer-1",
        [ActionExecuted("action_listen"), _said("我的鞋到哪了 另外帮我改下地址", REQUEST),
         *first_turn],
        slots=QUEUE_DOMAIN.slots,
    )  # fmt: skip
    await second_question.answer_second_question(processor, tracker, None)  # type: ignore[arg-type]
    assert tracker.get_slot("pending_request")["intent"] == "change_address"
    assert bool(processor.answer.seen) is acknowledged  # else offered at once, not acknowledged


async def test_nothing_more_without_a_second_question() -> None:
    processor = FakeProcessor()
    await _run(processor, _tracker(_said("我的鞋到哪了")), "action_listen")
    assert processor.answer.seen == [] and processor.sent == []
    assert processor.calls == ["action_listen"]


async def test_answered_once_a_turn() -> None:
    answered = BotUttered("另外", {}, {MARK_KEY: True})
    processor = FakeProcessor()
    await _run(
        processor, _tracker(_said("我的鞋到哪了 能开发票吗", ALSO), answered), "action_listen"
    )
    assert processor.answer.seen == []


async def test_other_actions_are_left_alone() -> None:
    processor = FakeProcessor()
    await _run(processor, _tracker(_said("我的鞋到哪了 能开发票吗", ALSO)), "utter_x")
    assert processor.answer.seen == [] and processor.calls == ["utter_x"]


async def test_a_failure_still_listens() -> None:
    processor = FakeProcessor(FakeAnswer(fail=True))
    await _run(processor, _tracker(_said("我的鞋到哪了 能开发票吗", ALSO)), "action_listen")
    assert processor.calls == ["action_listen"]


def test_install_is_idempotent() -> None:
    second_question.install()
    parse, run_action = MessageProcessor.parse_message, MessageProcessor._run_action
    second_question.install()
    assert MessageProcessor.parse_message is parse and MessageProcessor._run_action is run_action

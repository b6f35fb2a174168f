"""A second request of one message is kept and offered once the first is done."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.pending_request import RESPONSE, SLOT, offer_pending_request, remember

DOMAIN = Domain.from_dict(
    {
        "intents": ["request_return", "change_address", "ask_stock", "affirm"],
        "slots": {SLOT: {"type": "any", "mappings": [{"type": "custom"}]}},
        "responses": {
            RESPONSE: [
                {
                    "text": "您刚才还说了「{request}」，现在接着帮您办这件吗？",
                    "buttons": [
                        {"title": "好的，接着办", "payload": "/{intent}"},
                        {"title": "不用了", "payload": "/deny"},
                    ],
                }
            ]
        },
    }
)


class Channel:
    def name(self) -> str:
        return "rest"


class Processor:
    """What the offer uses of ``MessageProcessor``."""

    def __init__(self) -> None:
        self.nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
        self.sent: list[BotUttered] = []

    async def execute_side_effects(self, events: list, _tracker: Any, _channel: Any) -> None:
        self.sent.extend(events)


def _said(text: str, intent: str, message_id: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, [], message_id=message_id)


def _asked_both(*first_turn: Any) -> DialogueStateTracker:
    """我要退货 另外帮我改下地址: the address change is remembered in that turn."""
    asked = _said("我要退货 另外帮我改下地址", "request_return", "m1")
    tracker = DialogueStateTracker.from_events(
        "buyer-1", [ActionExecuted("action_listen"), asked, *first_turn], slots=DOMAIN.slots
    )
    assert remember(tracker, "change_address", "另外帮我改下地址")
    return tracker


async def _offer(tracker: DialogueStateTracker) -> list[BotUttered]:
    processor = Processor()
    await offer_pending_request(processor, tracker, Channel())  # type: ignore[arg-type]
    return processor.sent


async def test_kept_while_the_first_flow_asks_and_offered_once_it_is_done() -> None:
    tracker = _asked_both(ActiveLoop("return_form"), BotUttered("退货原因是？"))
    assert tracker.get_slot(SLOT)["intent"] == "change_address"
    assert await _offer(tracker) == []  # the return form asks first
    tracker.update(_said("确认", "affirm", "m2"))
    tracker.update(ActiveLoop(None))
    tracker.update(BotUttered("退货申请已提交"))
    [offer] = await _offer(tracker)
    assert offer.text == "您刚才还说了「另外帮我改下地址」，现在接着帮您办这件吗？"
    assert [b["payload"] for b in offer.data["buttons"]] == ["/change_address", "/deny"]
    assert offer.metadata["utter_action"] == RESPONSE
    assert tracker.get_slot(SLOT) is None
    tracker.update(_said("好的", "affirm", "m3"))
    assert await _offer(tracker) == []  # asked once


async def test_offered_in_the_same_turn_when_the_first_was_settled_at_once() -> None:
    tracker = _asked_both(BotUttered("您的包裹运输中"))
    [offer] = await _offer(tracker)
    assert "「另外帮我改下地址」" in offer.text


@pytest.mark.parametrize(
    "waiting",
    [
        [ActiveLoop("order_form")],  # a form still asks
        [ConversationPaused()],  # a person will answer
        [BotUttered("确认提交吗？", {"buttons": [{"title": "确认", "payload": "/affirm"}]})],
    ],
)
async def test_not_while_the_first_flow_asks_or_a_person_answers(waiting: list) -> None:
    tracker = _asked_both()
    tracker.update(_said("12345", "inform", "m2"))
    for event in waiting:
        tracker.update(event)
    assert await _offer(tracker) == []
    assert tracker.get_slot(SLOT)["intent"] == "change_address"  # still kept


async def test_a_new_session_forgets_it() -> None:
    tracker = _asked_both(ActiveLoop("return_form"), BotUttered("退货原因是？"))
    tracker.update(SessionStarted())
    tracker.update(_said("我的快递到哪了", "check_order_status", "m2"))
    tracker.update(BotUttered("您的包裹运输中"))
    assert await _offer(tracker) == []
    assert tracker.get_slot(SLOT) is None


async def test_asking_it_again_forgets_it() -> None:
    tracker = _asked_both()
    tracker.update(_said("帮我改地址", "change_address", "m2"))
    assert await _offer(tracker) == []
    assert tracker.get_slot(SLOT) is None


@pytest.mark.parametrize("intent", ["ask_stock", "out_of_scope", None])
def test_only_flows_a_yes_can_start_are_kept(intent: Any) -> None:
    tracker = DialogueStateTracker.from_events(
        "buyer-1", [_said("我要退货 另外43码有货吗", "request_return", "m1")], slots=DOMAIN.slots
    )
    remember(tracker, intent, "另外43码有货吗")
    assert tracker.get_slot(SLOT) is None
    assert not [e for e in tracker.events if isinstance(e, SlotSet)]

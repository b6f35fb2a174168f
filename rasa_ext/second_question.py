"""A second question in the same message is answered too.

A buyer writes 我那双鞋发货了没 顺便问下能开发票吗. NLU gives the message one
intent, the order question wins, and the second question used to go unanswered.
Rasa 3.6 has no hook after a turn's answer, so :func:`install` wraps
``MessageProcessor._run_action`` once per process: just before the turn's
``action_listen``, the message is cut into parts (``shop/clauses.py``), each part
is parsed by the same NLU, and a part that confidently asks a stand-alone
question (shipping, return rules, promotions, or something out of scope) is
answered by :data:`ANSWER_ACTION` after the main answer.

The answer is logged as its bot messages only, with no ``ActionExecuted``: the
rules and forms see the turn exactly as before, and its buttons are dropped so
that a form's choice stays the buttons a typed 第二个 answers. Only messages that
a cut splits pay for the extra parses (a few milliseconds each).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, IS_EXTERNAL
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop.clauses import Reading, clauses, second_question

logger = logging.getLogger(__name__)

ANSWER_ACTION = "action_answer_also_asked"
SLOT = "also_asked"  # the part to answer, for ANSWER_ACTION: {"intent", "text"}
MARK_KEY = "also_asked"  # in the answer's bot metadata
_MARK = "_shop_second_question"


def _answered_this_turn(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(MARK_KEY):
            return True
    return False


def _own_text(tracker: DialogueStateTracker) -> str | None:
    """The buyer's typed text of this turn, or None (a click, an external event)."""
    latest = tracker.latest_message
    if not isinstance(latest, UserUttered) or (latest.metadata or {}).get(IS_EXTERNAL):
        return None
    text = latest.text or ""
    return None if not text or text.startswith("/") else text


async def find_second_question(
    processor: MessageProcessor, tracker: DialogueStateTracker
) -> Reading | None:
    """The part of the latest message that asks a second question, if any."""
    text = _own_text(tracker)
    if text is None or ANSWER_ACTION not in processor.domain.action_names_or_texts:
        return None
    parts = clauses(text)
    if len(parts) < 2:
        return None
    readings = []
    for part in parts:
        parsed = await processor.parse_message(UserMessage(part, sender_id=tracker.sender_id))
        intent = parsed.get("intent") or {}
        readings.append(Reading(part, intent.get("name"), float(intent.get("confidence") or 0)))
    main = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    return second_question(main, readings)


def _plain(event: Event) -> BotUttered | None:
    """The answer's bot message without buttons, marked as a second answer."""
    if not isinstance(event, BotUttered):
        return None
    data = {k: v for k, v in (event.data or {}).items() if k not in ("buttons", "quick_replies")}
    return BotUttered(event.text, data, {**(event.metadata or {}), MARK_KEY: True})


async def answer_second_question(
    processor: MessageProcessor, tracker: DialogueStateTracker, output_channel: OutputChannel
) -> None:
    """Answers the message's second question, if it has one (module docstring)."""
    if _answered_this_turn(tracker):
        return
    reading = await find_second_question(processor, tracker)
    if reading is None:
        return
    tracker.update(SlotSet(SLOT, {"intent": reading.intent, "text": reading.text}))
    action = processor._get_action(ANSWER_ACTION)
    events = await action.run(output_channel, processor.nlg, tracker, processor.domain)
    answers = [bot for event in events or [] if (bot := _plain(event)) is not None]
    for event in answers:
        tracker.update(event)
    tracker.update(SlotSet(SLOT, None))
    await processor.execute_side_effects(list(answers), tracker, output_channel)


def _wrap(run_action: Callable[..., Awaitable[bool]]) -> Callable[..., Awaitable[bool]]:
    async def run_action_(
        self: MessageProcessor,
        action: Any,
        tracker: DialogueStateTracker,
        output_channel: OutputChannel,
        nlg: Any,
        prediction: Any,
    ) -> bool:
        if action.name() == ACTION_LISTEN_NAME:
            try:
                await answer_second_question(self, tracker, output_channel)
            except Exception:  # the main answer is sent; never lose the turn for this
                logger.exception("answering the second question of a message failed")
        return await run_action(self, action, tracker, output_channel, nlg, prediction)

    setattr(run_action_, _MARK, True)
    return run_action_


def install() -> None:
    """Wraps ``MessageProcessor._run_action`` once."""
    current: Any = MessageProcessor._run_action
    if not getattr(current, _MARK, False):
        MessageProcessor._run_action = _wrap(current)

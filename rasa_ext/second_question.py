"""Two questions in one message: the request is served and the second question answered.

A buyer writes 我的鞋到哪了 顺便问下能开发票吗. NLU gives a message one intent,
so one of the two questions used to go unanswered, and the order question could
even lose to the invoice one. Rasa 3.6 has no hook for this, so :func:`install`
wraps two methods of ``MessageProcessor`` once per process:

* ``parse_message``, for a buyer's typed message in a conversation (not
  ``/model/parse``, a click or an external event): the message is cut into
  parts (``shop/clauses.py``) and each part is parsed by the same NLU. The plan
  (:func:`shop.clauses.plan_questions`) may give the message a part's request
  intent instead of the whole's (the order question above), and names a part
  asking a stand-alone question (shipping, return rules, promotions, or out of
  scope) as ``also_asked`` in the parse data, which the tracker keeps;
* ``_run_action``: just before the turn's ``action_listen``, ``also_asked`` is
  answered by :data:`ANSWER_ACTION`, after the main answer. The answer is logged
  as its bot messages only, with no ``ActionExecuted``, so the rules and forms
  see the turn exactly as before; its buttons are dropped, so that a form's
  choice stays the buttons a typed 第二个 answers. A second request (a flow) is
  kept and offered once the first is done (``rasa_ext/pending_request.py``).

Only messages that a cut splits pay for the extra parses (a few ms a part).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_components.text import in_buyers_script, normalize_text
from rasa_ext.follow_up_intent import (
    address_done_not_change,
    bought_item_not_advice,
    claim_after_price_protection,
    parcel_not_return,
    replacement_after_return_status,
    restock_after_stock,
    same_question_after_stock,
    signer_not_chat,
    size_change_not_address,
    slowness_after_order_status,
    stock_not_size,
    take_intent,
)
from rasa_ext.patching import wrap_once
from rasa_ext.pending_request import due, offer_pending_request, remember, said_this_turn
from shop.clauses import (
    ALSO_ASKED_KEY,
    Reading,
    asks_confidently,
    clauses,
    opens_another,
    plan_questions,
    requests_confidently,
    said_besides,
)
from shop.lexicon import LEAVE_QUEUE_WORDS, leaves_the_queue

logger = logging.getLogger(__name__)

ANSWER_ACTION = "action_answer_also_asked"
SLOT = "also_asked"  # the part to answer, for ANSWER_ACTION: {"intent", "text"}
PARSE_KEY = ALSO_ASKED_KEY  # in the parse data: {"intent", "text", "confidence"}
FROM_PART_KEY = "intent_from_part"  # in the parse data: the part whose intent it took
MARK_KEY = "also_asked"  # in the answer's bot metadata


async def plan_message(
    processor: MessageProcessor,
    parse: Callable[..., Awaitable[dict[str, Any]]],
    text: str,
    parse_data: dict[str, Any],
) -> None:
    """Adds the second question to ``parse_data`` and may take a part's intent."""
    read_text = normalize_text(text)
    parts = clauses(read_text)
    if len(parts) < 2:
        return
    readings = [
        await _read(processor, parse, part, opens_another(read_text, part)) for part in parts
    ]
    ranking = parse_data.get("intent_ranking") or []
    weights = {str(r.get("name")): float(r.get("confidence") or 0) for r in ranking}
    plan = plan_questions((parse_data.get("intent") or {}).get("name"), readings, weights)
    if plan.request is not None:
        take_intent(parse_data, str(plan.request.intent), plan.request.confidence)
        parse_data[FROM_PART_KEY] = plan.request.text
    if plan.second is not None:
        parse_data[PARSE_KEY] = _second(plan.second, text)


async def _read(
    processor: MessageProcessor,
    parse: Callable[..., Awaitable[dict[str, Any]]],
    part: str,
    opened: bool = False,
) -> Reading:
    """What NLU makes of ``part`` alone."""
    intent = (await parse(processor, UserMessage(part))).get("intent") or {}
    return Reading(part, intent.get("name"), float(intent.get("confidence") or 0), opened)


def _second(reading: Reading, written: str) -> dict[str, Any]:
    """The parse data's second question: quoted in the script ``written`` uses."""
    return {
        "intent": reading.intent,
        "text": in_buyers_script(reading.text, written),
        "confidence": reading.confidence,
    }


async def plan_leaving(
    processor: MessageProcessor,
    parse: Callable[..., Awaitable[dict[str, Any]]],
    text: str,
    parse_data: dict[str, Any],
) -> None:
    """不等了 运费怎么算 while queued: the rule question is the message's second question.

    The waiting action takes the buyer out of the queue, and the question is then
    answered like any second question; a request (不等了 我要退货) is offered at once
    (``rasa_ext/pending_request.py``).
    """
    rest = said_besides(normalize_text(text), LEAVE_QUEUE_WORDS)
    if rest is None:
        return
    reading = await _read(processor, parse, rest)
    asks = reading.intent != "out_of_scope" and asks_confidently(reading)
    if asks or requests_confidently(reading):
        parse_data[PARSE_KEY] = _second(reading, text)


def _wrap_parse(parse: Callable[..., Awaitable[dict[str, Any]]]) -> Callable[..., Any]:
    async def parse_message(
        self: MessageProcessor,
        message: UserMessage,
        tracker: DialogueStateTracker | None = None,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        parse_data = await parse(self, message, tracker, only_output_properties)
        text = message.text or ""
        if (
            tracker is not None  # a conversation's message, not /model/parse
            and text
            and not text.startswith("/")  # a click
            and ANSWER_ACTION in self.domain.action_names_or_texts
        ):
            restock_after_stock(tracker, text, parse_data)
            same_question_after_stock(tracker, text, parse_data)
            slowness_after_order_status(tracker, text, parse_data)
            replacement_after_return_status(tracker, text, parse_data)
            size_change_not_address(text, parse_data)
            address_done_not_change(text, parse_data)
            parcel_not_return(text, parse_data)
            bought_item_not_advice(text, parse_data)
            signer_not_chat(text, parse_data)
            claim_after_price_protection(tracker, text, parse_data)
            stock_not_size(text, parse_data)
            plan: Callable[..., Awaitable[None]] | None = plan_message
            if tracker.is_paused():  # only a message that leaves the queue is read here
                plan = plan_leaving if leaves_the_queue(text) else None
            try:
                if plan is not None:
                    await plan(self, parse, text, parse_data)
            except Exception:  # NLU's reading of the whole stands
                logger.exception("reading the parts of a message failed")
        return parse_data

    return parse_message


def _answered_this_turn(tracker: DialogueStateTracker) -> bool:
    return said_this_turn(tracker, lambda bot: bool((bot.metadata or {}).get(MARK_KEY)))


def _plain(event: Event) -> BotUttered | None:
    """The answer's bot message without buttons, marked as a second answer."""
    if not isinstance(event, BotUttered):
        return None
    data = {k: v for k, v in (event.data or {}).items() if k not in ("buttons", "quick_replies")}
    return BotUttered(event.text, data, {**(event.metadata or {}), MARK_KEY: True})


async def answer_second_question(
    processor: MessageProcessor, tracker: DialogueStateTracker, output_channel: OutputChannel
) -> None:
    """Answers the latest message's second question, if it has one (module docstring).

    A second request is kept (``rasa_ext/pending_request.py``) and acknowledged, or
    left to be offered at once when the first was already settled in this turn.
    """
    latest = tracker.latest_message
    also = (latest.parse_data or {}).get(PARSE_KEY) if isinstance(latest, UserUttered) else None
    if not isinstance(also, dict) or not also.get("text") or _answered_this_turn(tracker):
        return
    if remember(tracker, also.get("intent"), str(also["text"])) and due(tracker) is not None:
        return
    tracker.update(SlotSet(SLOT, {"intent": also.get("intent"), "text": also["text"]}))
    action = processor._get_action(ANSWER_ACTION)
    events = await action.run(output_channel, processor.nlg, tracker, processor.domain)
    answers = [bot for event in events or [] if (bot := _plain(event)) is not None]
    for event in answers:
        tracker.update(event)
    tracker.update(SlotSet(SLOT, None))
    await processor.execute_side_effects(list(answers), tracker, output_channel)


def _wrap_run_action(run_action: Callable[..., Awaitable[bool]]) -> Callable[..., Any]:
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
                await offer_pending_request(self, tracker, output_channel)
            except Exception:  # the main answer is sent; never lose the turn for this
                logger.exception("answering the second question of a message failed")
        return await run_action(self, action, tracker, output_channel, nlg, prediction)

    return run_action_


def install() -> None:
    """Wraps ``MessageProcessor.parse_message`` and ``_run_action`` once."""
    wrap_once(MessageProcessor, "parse_message", _wrap_parse, key="second_question_parse")
    wrap_once(MessageProcessor, "_run_action", _wrap_run_action, key="second_question_answer")

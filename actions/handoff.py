"""Handing a conversation to a human agent (the console takes it from there).

The assistant queues the conversation (an ``Escalation`` row with a short
summary of what it gathered), tells the buyer where they stand and pauses
itself with ``ConversationPaused``. While paused Rasa stores every buyer message
and predicts nothing; until an agent takes the conversation, each message is
answered by ``action_handoff_waiting`` (run by ``rasa_ext/handoff_wait.py``):
still queued, at this place. The agent reads everything in the console, answers
through Rasa's HTTP API and hands back, which resumes the assistant. Protocol:
``docs/console-api.md``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ConversationPaused,
    ConversationResumed,
    EventType,
    FollowupAction,
    Restarted,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.access import accessible_order, record_escalation
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    last_offer,
    latest_intent,
    latest_text,
)
from shop import summaries, transcript
from shop.address_text import is_whole, parse_contact
from shop.clauses import ALSO_ASKED_KEY, question_besides
from shop.clock import shop_now
from shop.db.escalations.assignment import cancel_waiting
from shop.db.escalations.presence import online_agents
from shop.db.escalations.queue import open_escalation, queue_position, touch_buyer
from shop.lexicon import (
    ESCALATION_REASON_LABELS,
    INTENT_LABELS,
    LEAVE_QUEUE_WORDS,
    declines_a_person,
    label,
    leaves_the_queue,
)
from shop.masking import mask_phone

# Why the assistant hands over, by the intent that made it, and how urgent it is.
REASONS = {
    "request_human": ("request_human", 2),
    "nlu_fallback": ("repeated_fallback", 2),
    "complain": ("complaint", 2),
}
FALLBACK_HANDOFF_REPLY = "utter_fallback_handoff"
# Handovers the buyer asked for, or a conversation the assistant could not follow:
# the buyer's next words are for the person, even while nobody is online.
BUYER_ASKED = frozenset({"request_human", "nlu_fallback"})


def handoff_cause(tracker: Tracker) -> str:
    """The key of REASONS: ``nlu_fallback`` when this turn's fallback handed over."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            break
        utter = (event.get("metadata") or {}).get("utter_action")
        if kind == "bot" and utter == FALLBACK_HANDOFF_REPLY:
            return "nlu_fallback"
    return latest_intent(tracker) or ""


def accepted_a_person(tracker: Tracker) -> bool:
    """Whether the buyer's message answers an offer of a person (好的 to 转人工客服 | 不用了):
    the buyer chose the person, as with 转人工."""
    return any(PERSON_WORD in str(button.get("title") or "") for button in last_offer(tracker))


PERSON_WORD = "人工"
MINUTES_PER_PLACE = 3  # expected wait per active conversation ahead, with agents online
FALLBACKS_BEFORE_HANDOFF = 2
FALLBACK_REPLY = "utter_default"  # the "没太明白" answer, whoever sent it
SUMMARY_SLOTS = (
    "order_id",
    "order_item_id",
    "product_name",
    "product_id",
    "foot_length_cm",
    "usual_size",
    "foot_shape",
    "after_sale_goal",
    "return_reason",
    "exchange_size",
    "exchange_color",
)
MAX_SUMMARY = 2000


def summarize(tracker: Tracker, last_messages: int = 3) -> str:
    """What the agent should know first, in Chinese sentences for staff.

    Why the buyer is handed over, what the assistant gathered and the buyer's
    latest typed words: 买家要求人工；订单…；想换货，原因：尺码不合适；最近说：「…」.
    No codes, payloads or triggered events; phone digits and addresses are left out.
    """
    intent = handoff_cause(tracker)
    if intent in REASONS:
        parts = [label(ESCALATION_REASON_LABELS, REASONS[intent][0])]
    elif intent in INTENT_LABELS and not transcript.is_system_intent(intent):
        parts = [f"转人工前：{INTENT_LABELS[intent]}"]
    else:
        parts = ["转人工"]
    parts += summaries.facts({name: tracker.get_slot(name) for name in SUMMARY_SLOTS})
    said = transcript.buyer_words(tracker.events, last_messages)
    if said:
        parts.append(f"最近说：{summaries.quoted(said)}")
    return "；".join(parts)


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the buyer's latest messages in a row the assistant did not understand.

    The latest message counts (it is being answered with a fallback now); an
    earlier one counts when it was answered with the fallback reply, whether
    NLU or the dialogue policy failed (a low-confidence message the context
    placed was understood, and does not count).
    """
    count = 0
    fell_back = True  # the message being answered now
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in ("resume", "restart", "session_started"):
            break
        if kind == "bot" and (event.get("metadata") or {}).get("utter_action") == FALLBACK_REPLY:
            fell_back = True
        if kind != "user":
            continue
        if not fell_back:
            break
        count += 1
        fell_back = False
    return count


class ActionHandoff(Action):
    """Queues the conversation for an agent, says how long it takes, pauses.

    With nobody online, a handover the assistant chose (a complaint, a parcel
    problem) is queued without a pause, so the buyer's other questions are still
    answered until an agent takes it."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if declines_a_person(latest_text(tracker)):
            # 取消转人工 while not queued (NLU heard 人工): nothing to cancel, no handover
            dispatcher.utter_message(response="utter_handoff_not_queued")
            return []
        summary = summarize(tracker)

        def queue(session: Session) -> tuple[int, int]:
            escalation = open_escalation(tracker.sender_id, session=session)
            if escalation is None:
                default = REASONS["request_human"]
                reason, priority = REASONS.get(handoff_cause(tracker), default)
                order = accessible_order(tracker, tracker.get_slot("order_id"), session=session)
                escalation = record_escalation(
                    tracker, reason, session=session, order=order, priority=priority,
                    summary=summary,
                )  # fmt: skip
            elif summary not in (escalation.summary or ""):
                escalation.summary = f"{escalation.summary} | {summary}"[:MAX_SUMMARY]
            now = shop_now()
            touch_buyer(escalation, now)  # asked just now: active, not 已离开
            online = len(online_agents(session=session, now=now))
            return online, queue_position(escalation, session=session, now=now)

        try:
            online, position = await in_transaction(queue)
        except ShopDataUnavailableError:
            # Nobody could see a queue entry that was never written: do not pause.
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return []
        if online:
            dispatcher.utter_message(
                response="utter_handoff_queued",
                position=max(position, 1),
                wait_minutes=max(position, 1) * MINUTES_PER_PLACE,
            )
        elif handoff_cause(tracker) in BUYER_ASKED or accepted_a_person(tracker):
            dispatcher.utter_message(response="utter_handoff_offline")
        else:
            # The assistant handed over (a complaint, a parcel problem) and nobody is
            # online: the case waits in the queue, and the buyer's other questions are
            # still answered meanwhile; an agent who takes it pauses the assistant
            # (console/agent_common.push_joined).
            dispatcher.utter_message(response="utter_handoff_offline_noted")
            return []
        return [ConversationPaused()]


class ActionHandoffWaiting(Action):
    """Tells a buyer who writes while queued that a person is still coming, and when.

    Silent once an agent has the conversation: the agent answers then. A buyer
    still waiting who says 不等了 / 取消转人工, or 不用了 alone, leaves the queue, and the assistant
    answers again (``ConversationResumed``; ``rasa_ext/handoff_wait.py`` listens).
    """

    def name(self) -> str:
        return "action_handoff_waiting"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        leaving = leaves_the_queue(text)

        def look(session: Session) -> tuple[str, int, int]:
            escalation = open_escalation(tracker.sender_id, session=session)
            if escalation is None:
                return "none", 0, 0
            now = shop_now()
            if leaving and cancel_waiting(escalation.id, session=session, now=now):
                return "cancelled", 0, 0
            touch_buyer(escalation, now)  # the buyer is still there (waiting or with an agent)
            online = len(online_agents(session=session, now=now))
            return escalation.status, online, queue_position(escalation, session=session, now=now)

        try:
            status, online, position = await in_transaction(look)
        except ShopDataUnavailableError:
            status, online, position = "unknown", 0, 0
        if status == "assigned":
            return []
        if status == "cancelled":
            # 不等了 运费险怎么赔: a rule question is answered next (rasa_ext/second_question.py
            # reads it as the message's second question); any other is asked again
            asked = question_besides(text, LEAVE_QUEUE_WORDS) is not None
            answered = bool((tracker.latest_message or {}).get(ALSO_ASKED_KEY))
            dispatcher.utter_message(
                response="utter_handoff_cancelled_ask_again"
                if asked and not answered
                else "utter_handoff_cancelled"
            )
            return [ConversationResumed()]
        if status == "waiting" and online:
            dispatcher.utter_message(
                response="utter_handoff_waiting",
                position=max(position, 1),
                wait_minutes=max(position, 1) * MINUTES_PER_PLACE,
            )
        else:
            dispatcher.utter_message(response="utter_handoff_waiting_offline")
        return []


class ActionHandleFallback(Action):
    """Asks the buyer to rephrase; the second miss in a row goes to a person."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if fell_back_this_turn(tracker):
            return repeat_question_and_listen(dispatcher, tracker, domain)
        if await address_for_agent(dispatcher, tracker):
            return []
        return fallback_events(dispatcher, tracker)


async def escalated_after_shipment(tracker: Tracker) -> bool:
    """Whether this conversation waits for a person about a shipped order's address."""

    def check(session: Session) -> bool:
        escalation = open_escalation(tracker.sender_id, session=session)
        return escalation is not None and escalation.reason == "address_after_shipment"

    try:
        return await in_transaction(check)
    except ShopDataUnavailableError:
        return False


async def address_for_agent(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A whole new address typed while a person is to change a shipped order's address
    (改到上海市徐汇区漕溪北路88号 林小雨 132…): acknowledged as what the agent will send
    the courier, never "没太明白". The agent reads it in the conversation."""
    contact = parse_contact(latest_text(tracker))
    if not is_whole(contact.get("new_address", "")):
        return False
    if not await escalated_after_shipment(tracker):
        return False
    dispatcher.utter_message(
        response="utter_address_noted_for_agent",
        recipient=contact.get("new_recipient", ""),
        phone=mask_phone(contact.get("new_phone", "")),
        address=contact["new_address"],
    )
    return True


def fell_back_this_turn(tracker: Tracker) -> bool:
    """Whether the core fallback already answered the latest message.

    It happens when an active form rejects the message: after the fallback, Rasa
    runs the form again on the same message, it rejects it again, and the two would
    alternate until Rasa's circuit breaker, sending up to ten identical replies.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_handle_fallback":
            return True
    return False


def repeat_question_and_listen(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """The second fallback of one message: the buyer has the rephrase reply already, so
    ask the form's open question again (when it is a plain response) and wait."""
    slot = tracker.get_slot("requested_slot")
    question = f"utter_ask_{slot}"
    if tracker.active_loop_name and slot and question in (domain.get("responses") or {}):
        dispatcher.utter_message(response=question)
    return [FollowupAction("action_listen")]


def fallback_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Asks to rephrase; on the second misunderstanding in a row, hands over."""
    if consecutive_fallbacks(tracker) >= FALLBACKS_BEFORE_HANDOFF:
        dispatcher.utter_message(response=FALLBACK_HANDOFF_REPLY)
        return [FollowupAction("action_handoff")]
    dispatcher.utter_message(response=FALLBACK_REPLY)
    return []


class ActionRestart(Action):
    """Rasa's ``/restart``, except that a conversation a person has stays with them.

    Stock Rasa resumes a paused conversation on ``/restart``; here a paused
    conversation stays paused and keeps its history.
    """

    def name(self) -> str:
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.is_paused():
            return []
        return [Restarted()]


def handoff_followup(escalated: bool) -> list[dict[str, Any]]:
    """The events an action returns after it queued an escalation itself."""
    return [FollowupAction("action_handoff")] if escalated else []

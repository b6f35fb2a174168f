"""Helpers shared by the action modules: database calls off the event loop,
message metadata, entities, and which product the buyer means."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from nlu_components.text import normalize_text
from shop.answers import products
from shop.answers.asked import MAX_MESSAGE_CHARS, Asked
from shop.answers.products import ProductResolution
from shop.clauses import asks_the_same as asks_the_same
from shop.clauses import is_question as is_question
from shop.clauses import strip_words
from shop.db.session import ShopDataUnavailableError as ShopDataUnavailableError
from shop.db.session import in_transaction as in_transaction
from shop.lexicon import (
    ANSWER_FILLERS,
    GOAL_YES_WORDS,
    NO_OPENINGS,
    NO_WORDS,
    NOT_YES_WORDS,
    YES_WORDS,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata the channel attached to the buyer's latest message."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def latest_intent(tracker: Tracker) -> str | None:
    """The intent NLU gave the buyer's latest message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    """The buyer's latest message as NLU read it: simplified script, NFKC widths.

    Word lists are simplified, so 和圖片不一樣 must be read as 和图片不一样.
    ``raw_text`` keeps what the buyer typed (an address is stored as written).
    """
    return normalize_text(raw_text(tracker), max_chars=MAX_MESSAGE_CHARS)


def raw_text(tracker: Tracker) -> str:
    """The text of the buyer's latest message as typed ('' when there is none)."""
    return str((tracker.latest_message or {}).get("text") or "")


MAX_ANSWER_CHARS = 12


def yes_or_no(tracker: Tracker, also_yes: tuple[str, ...] = ()) -> bool | None:
    """The buyer's answer to a confirmation: affirm/deny, else short yes/no words.

    Typed answers (好的, 嗯, 提交吧, 行 / 不了, 算了, 等等) are read whatever
    intent NLU gave them, as long as they are short and not a question.
    ``also_yes`` are more words that say yes here (退吧 at a return's summary).
    """
    intent = latest_intent(tracker)
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    text = latest_text(tracker).strip()
    if not text or len(text) > MAX_ANSWER_CHARS or is_question(text):
        return None
    if any(word in text for word in NO_WORDS) or _opens_with_no(text):
        return False
    if any(word in strip_words(text, NOT_YES_WORDS) for word in YES_WORDS):
        return True
    if any(word in text for word in also_yes):
        return True
    return None


def _opens_with_no(text: str) -> bool:
    """Whether the answer opens with 不 or 别 (fillers such as 我, 嗯 aside)."""
    opening = text.lstrip(" ，,。.~～")
    while opening.startswith(ANSWER_FILLERS):
        opening = next(opening[len(f) :] for f in ANSWER_FILLERS if opening.startswith(f))
    return opening.startswith(NO_OPENINGS)


def confirmation(tracker: Tracker, slot: str, goal: str | None = None) -> dict[str, Any]:
    """``{slot: True/False}`` when the buyer answers the confirmation ``slot`` asks.

    With a ``goal`` (``return``, ``exchange``), the wish restated as a short
    answer (那就退货吧 at a return's summary) is a yes too.
    """
    if tracker.get_slot("requested_slot") != slot:
        return {}
    answer = yes_or_no(tracker, GOAL_YES_WORDS.get(goal or "", ()))
    return {} if answer is None else {slot: answer}


async def reply_in_transaction(
    dispatcher: Any,
    work: Callable[[Session], list[tuple[str, dict[str, Any]]]],
    *,
    failures: tuple[type[Exception], ...] = (),
    failure_response: str = "utter_service_unavailable",
    retries: int = 0,
) -> None:
    """Runs ``work`` in one transaction and sends the responses it returns.

    A database failure (or one of ``failures``) rolls everything back and the
    buyer gets ``failure_response`` instead. ``retries``: see :func:`in_transaction`.
    """
    caught: tuple[type[Exception], ...] = (ShopDataUnavailableError, *failures)
    try:
        messages = await in_transaction(work, retries=retries)
    except caught:
        messages = [(failure_response, {})]
    for response, kwargs in messages:
        dispatcher.utter_message(response=response, **kwargs)


# A reply: a response with its variables, or a custom JSON message (an order card).
Reply = tuple[str, dict[str, Any]] | dict[str, Any]


async def answer_in_transaction(
    dispatcher: Any,
    work: Callable[[Session], tuple[Sequence[Reply], list[Any]]],
) -> list[Any]:
    """Runs ``work`` in one transaction, sends the replies it returns and returns its
    events; a database failure sends ``utter_service_unavailable`` and sets nothing."""
    try:
        replies, events = await in_transaction(work)
    except ShopDataUnavailableError:
        dispatcher.utter_message(response="utter_service_unavailable")
        return []
    for reply in replies:
        if isinstance(reply, dict):
            dispatcher.utter_message(json_message=reply)
        else:
            dispatcher.utter_message(response=reply[0], **reply[1])
    return events


def last_text_with_intent(
    tracker: Tracker, intents: set[str] | frozenset[str], *, as_typed: bool = False
) -> str:
    """The text of the latest user message with one of ``intents`` ('' if none), as
    NLU read it (simplified, like :func:`latest_text`), or ``as_typed`` for keeping."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in intents:
                text = str(event.get("text") or "")
                return text if as_typed else normalize_text(text, max_chars=MAX_MESSAGE_CHARS)
    return ""


def latest_entity(tracker: Tracker, name: str) -> str | None:
    """The first value of entity ``name`` in the latest message, if any."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return str(entity["value"])
    return None


def asked_of(tracker: Tracker) -> Asked:
    """The latest message and the slots as plain values, for the shop core's answers."""
    return Asked.read(
        tracker.latest_message, tracker.slots, tracker.active_loop_name, text=latest_text(tracker)
    )


def resolve_product(
    tracker: Tracker, *, session: Session, kind_switches: bool = False
) -> ProductResolution:
    """Which product the buyer means now (:func:`shop.answers.products.resolve_product`)."""
    return products.resolve_product(asked_of(tracker), session=session, kind_switches=kind_switches)


def replies_before_latest(tracker: Tracker) -> list[dict[str, Any]]:
    """The assistant's messages (bot events) between the buyer's latest message and
    the one before it, newest first."""
    replies: list[dict[str, Any]] = []
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                break
            seen_user = True
        elif kind == "bot" and seen_user:
            replies.append(event)
    return replies


def slot_before_latest(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had when the buyer sent the latest message: what 另外那个
    sets aside, though an action has since set the slot from that same message."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            seen_user = True
        elif seen_user and kind == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def last_offer(tracker: Tracker) -> list[dict[str, Any]]:
    """The buttons of the assistant's last message before the buyer's, if any."""
    for reply in replies_before_latest(tracker):
        buttons = (reply.get("data") or {}).get("buttons") or []
        if buttons:
            return list(buttons)
    return []


def recent_user_texts(tracker: Tracker, count: int) -> list[str]:
    """The texts of the buyer's latest ``count`` messages, newest first, as NLU read
    them (simplified: 雪地靴 in 那雙雪地靴 is found among the catalogue's names)."""
    texts = [str(e.get("text") or "") for e in reversed(tracker.events) if e.get("event") == "user"]
    return [normalize_text(text, max_chars=MAX_MESSAGE_CHARS) for text in texts[:count]]


# Hands a typed piece of information to the flow it continues (actions/context.py).
CONTEXT_ACTION = "action_inform_without_question"


# The responses that ask which shoe (actions/products.py which_shoe).
WHICH_SHOE_RESPONSES = frozenset({"utter_ask_product_id", "utter_ask_product_id_many"})


def answered_just_before(tracker: Tracker, action: str, *, which_shoe: bool = False) -> str | None:
    """The buyer's message ``action`` answered last, right before the latest message.

    With ``which_shoe``, only when that answer asked which shoe. A follow-up that
    the context handed to ``action`` (action_inform_without_question) counts as
    answered by it.
    """
    seen_latest = False
    asked = False
    ours = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                wanted = ours and (asked or not which_shoe)
                return str(event.get("text") or "") if wanted else None
            seen_latest = True
        elif not seen_latest:
            continue
        elif kind == "bot":
            utter = (event.get("metadata") or {}).get("utter_action")
            asked = asked or utter in WHICH_SHOE_RESPONSES
        elif kind == "action" and event.get("name") != "action_listen":
            if ours and event.get("name") == CONTEXT_ACTION:
                continue
            if ours or event.get("name") != action:
                return None
            ours = True
    return None

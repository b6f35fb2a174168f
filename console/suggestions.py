"""The assistant's own answer to the buyer's latest message, offered to the agent.

While a conversation waits for a person, Rasa stores the buyer's messages and
predicts nothing, so the assistant never answered them. The console finds what it
would have said, in this order:

1. ``answered``: the assistant already answered that message (before the pause):
   its reply is offered, without handoff, fallback, rating and waiting notes.
2. ``predicted``: Rasa predicts the next action as if the conversation were not
   paused: ``POST /model/predict`` with the tracker's events minus pauses, waiting
   notes and agents' messages (stateless: nothing is stored in the tracker). A
   response (``utter_*``) is filled from ``domain.yml`` with the conversation's slots;
   a read-only answer (``shop/answers/read_only.py``: return policy, shipping,
   promotions, product questions) is computed here from that tracker by the shop
   core's functions the actions use. Actions that change something (forms, returns,
   handoff) never run: then there is no prediction to offer.
3. ``rule``: when Rasa cannot predict, ``/model/parse``'s intent (confidence at least
   0.8) and the plain response a rule gives it (:meth:`Responses.suggestions`).

Answers are cached per conversation and buyer message, since the page polls.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker

from console.rasa_client import Conversations, RasaError
from console.responses import VARIABLE, ResponseMissingError, Responses
from nlu_components.text import normalize_text
from shop.answers.asked import MAX_MESSAGE_CHARS, Asked
from shop.answers.read_only import ANSWERS
from shop.db.session import ShopDataUnavailableError, in_transaction

logger = logging.getLogger(__name__)

Event = dict[str, Any]
WAITING_ACTION = "action_handoff_waiting"  # the "still queued" note while paused
LISTEN = {"event": "action", "name": "action_listen"}
# Responses that are no answer to offer a buyer who already has a person.
NOT_AN_ANSWER = re.compile(
    r"utter_(default|handoff_|fallback_handoff|agent_|handed_back|offer_human|system_trouble"
    r"|service_unavailable|handoff_unavailable|ask_rating|rating_|hint_rating)"
)
CACHE_SIZE = 256


def _agent_message(event: Event) -> bool:
    return event.get("event") == "bot" and bool((event.get("metadata") or {}).get("agent_name"))


def _external(event: Event) -> bool:
    return bool((event.get("metadata") or {}).get("is_external")) or str(
        event.get("text") or ""
    ).startswith("EXTERNAL: ")


def latest_buyer_turn(events: list[Event]) -> int | None:
    """The index of the buyer's own latest message (not an external event), if any."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "user" and not _external(event):
            return index
    return None


def _response_name(event: Event) -> str:
    return str((event.get("metadata") or {}).get("utter_action") or "")


def answered(events: list[Event], turn: int) -> list[str]:
    """What the assistant said to ``events[turn]`` before any pause (answers only)."""
    texts: list[str] = []
    waiting = False
    for event in events[turn + 1 :]:
        kind = event.get("event")
        if kind in ("user", "pause"):
            break
        if kind == "action":
            waiting = event.get("name") == WAITING_ACTION
        elif kind == "bot" and not waiting and not _agent_message(event):
            text = str(event.get("text") or "").strip()
            if text and not NOT_AN_ANSWER.match(_response_name(event)):
                texts.append(text)
    return texts


def unpaused(events: list[Event], turn: int) -> list[Event]:
    """The events up to ``events[turn]`` as if nobody had paused the assistant.

    Pauses and resumes, the waiting notes and agents' messages are left out, and
    every buyer message follows an ``action_listen`` (as rules expect).
    """
    kept: list[Event] = []
    waiting = False
    last_action = ""
    for event in events[: turn + 1]:
        kind = event.get("event")
        if kind in ("pause", "resume"):
            continue
        if kind == "action":
            waiting = event.get("name") == WAITING_ACTION
            if waiting:
                continue
            last_action = str(event.get("name") or "")
        if kind == "bot" and (waiting or _agent_message(event)):
            continue
        if kind == "user" and last_action != "action_listen":
            kept.append(dict(LISTEN))
        if kind == "user":
            last_action = ""
        kept.append(event)
    return kept


def _fill(responses: Responses, name: str, values: dict[str, Any]) -> str | None:
    """The response's text with its variables, or ``None`` (missing, or a gap left)."""
    if NOT_AN_ANSWER.match(name):
        return None
    known = {key: value for key, value in values.items() if value is not None}
    try:
        text = responses.text(name, **known)
    except ResponseMissingError:
        return None
    return None if VARIABLE.search(text) else text.strip() or None


def asked_in(state: dict[str, Any]) -> Asked:
    """The question of a predicted tracker ``state``, read as the actions read it."""
    tracker = Tracker.from_dict(state)
    raw = str((tracker.latest_message or {}).get("text") or "")
    return Asked.read(
        tracker.latest_message,
        tracker.slots,
        tracker.active_loop_name,
        text=normalize_text(raw, max_chars=MAX_MESSAGE_CHARS),
    )


async def _run_answer(name: str, state: dict[str, Any], responses: Responses) -> list[str] | None:
    """The texts the read-only answer ``name`` gives for this tracker state; ``None`` when
    the shop's data is unavailable (the action would apologise: no answer to offer yet)."""
    asked = asked_in(state)
    try:
        messages = await in_transaction(lambda session: ANSWERS[name](asked, session))
    except ShopDataUnavailableError:
        return None
    texts = [_fill(responses, response, values) for response, values in messages]
    return [text for text in texts if text]


def _score(value: Any) -> float | None:
    return round(float(value), 4) if isinstance(value, int | float) else None


def _intent(event: Event) -> tuple[str | None, float | None]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return intent.get("name"), _score(intent.get("confidence"))


def _suggestion(
    texts: list[str], source: str, intent: str | None, confidence: float | None
) -> dict[str, Any]:
    return {"text": "\n".join(texts), "intent": intent, "confidence": confidence, "source": source}


class Suggester:
    """Finds (and caches) the assistant's answer to a conversation's latest buyer message."""

    def __init__(self, rasa: Callable[[], Conversations], responses: Callable[[], Responses]):
        self._rasa, self._responses = rasa, responses
        self._cache: OrderedDict[tuple[str, int, Any], list[dict[str, Any]]] = OrderedDict()

    async def suggest(self, conversation_id: str, events: list[Event]) -> list[dict[str, Any]]:
        """``[S]``: at most one suggestion, for the buyer's latest message."""
        turn = latest_buyer_turn(events)
        if turn is None:
            return []
        key = (conversation_id, turn, events[turn].get("timestamp"))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        found, final = await self._find(conversation_id, events, turn)
        if final:
            self._cache[key] = found
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    async def _find(
        self, conversation_id: str, events: list[Event], turn: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """The suggestions and whether they may be cached (Rasa answered)."""
        intent, confidence = _intent(events[turn])
        said = answered(events, turn)
        if said:
            return [_suggestion(said, "answered", intent, confidence)], True
        try:
            prediction = await self._rasa().predict(unpaused(events, turn))
        except RasaError as exc:
            logger.warning("no prediction for %s: %s", conversation_id, exc)
            refused = exc.status is not None and exc.status < 500  # asking again won't help
            return await self._rule(events, turn), refused
        scores = [s for s in prediction.get("scores") or [] if isinstance(s, dict)]
        best = max(scores, key=lambda s: float(s.get("score") or 0), default=None)
        action = str(best.get("action") or "") if best else ""
        state = dict(prediction.get("tracker") or {}, sender_id=conversation_id)
        texts: list[str] | None = None
        if action.startswith("utter_"):
            text = _fill(self._responses(), action, state.get("slots") or {})
            texts = [text] if text else []
        elif action.startswith("action_") and action in ANSWERS:
            texts = await _run_answer(action, state, self._responses())
            if texts is None:  # the database is down: offer the rule, ask again later
                return await self._rule(events, turn), False
        if texts:
            score = _score(prediction.get("confidence"))
            return [_suggestion(texts, "predicted", intent, score)], True
        return await self._rule(events, turn), True

    async def _rule(self, events: list[Event], turn: int) -> list[dict[str, Any]]:
        """The plain response a rule gives the message's ``/model/parse`` intent."""
        text = str(events[turn].get("text") or "").strip()
        if not text or text.startswith("/"):
            return []
        try:
            parse = await self._rasa().parse(text)
        except RasaError as exc:
            logger.warning("no suggestions: %s", exc)
            return []
        return [dict(s, source="rule") for s in self._responses().suggestions(parse)]

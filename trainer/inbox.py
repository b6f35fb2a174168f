"""The inbox: buyer messages from the tracker store that a trainer should look at.

A message the buyer typed is selected when the NLU was unsure (confidence below
the threshold), it became ``nlu_fallback``, the assistant answered it with the
fallback reply anyway (a core fallback: ``utter_default``, whatever the intent),
a form asked again (``utter_hint_*``, ``utter_offer_human_in_form``), the next
thing the assistant did was a handoff (``action_handoff``), the buyer's next
message was a complaint, or an agent flagged it. Button clicks, photos,
``/restart`` and triggered ``EXTERNAL_*`` events are not buyer language and never
listed. Identical and near-identical messages (see :func:`group_key`) are grouped
with a count. Groups already annotated or discarded, and messages that already
are training examples, are left out. The context around a message is rendered
by :mod:`shop.transcript`, as staff see it everywhere.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from rasa_ext.events import events_since
from shop import transcript
from shop.lexicon import HINT_PREFIX, INTENT_LABELS, OFFER_HUMAN_IN_FORM, label
from trainer.textnorm import group_key
from trainer.workspace import Workspace, read_flags, read_log

LOW_CONFIDENCE = 0.6
HANDOFF_ACTION = "action_handoff"
COMPLAINT_INTENT = "complain"
FALLBACK_REPLY = "utter_default"  # the "没太明白" answer
REASK_PREFIX, REASK_OFFER = HINT_PREFIX, OFFER_HUMAN_IN_FORM  # a form asking again
CONTEXT_TURNS = 3
DAYS = 30  # how far back the inbox reads the tracker store


@dataclass
class Message:
    """One buyer message with what the NLU made of it."""

    conversation_id: str
    message_id: str
    time: float
    text: str
    intent: str
    intent_label: str
    confidence: float
    ranking: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    reasons: list[str] = field(default_factory=list)
    context: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Group:
    """Messages that share a grouping key; the newest one stands for the group."""

    key: str
    count: int
    reasons: list[str]
    example: Message
    conversations: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI and the console)."""
        return asdict(self)


def load_events(tracker_db_url: str, *, since: float = 0.0) -> dict[str, list[dict[str, Any]]]:
    """Stored events from ``since`` (epoch seconds) on, per conversation in order (read-only)."""
    engine = sa.create_engine(tracker_db_url)
    try:
        return events_since(engine, since)
    finally:
        engine.dispose()


def _message(cid: str, line: transcript.Line) -> Message:
    event = line.event
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    return Message(
        conversation_id=cid,
        message_id=str(event.get("message_id") or event.get("timestamp")),
        time=float(event.get("timestamp") or 0),
        text=line.text,
        intent=intent.get("name") or "",
        intent_label=label(INTENT_LABELS, intent.get("name")),
        confidence=round(float(intent.get("confidence") or 0.0), 4),
        ranking=[
            {
                "name": r.get("name"),
                "label": label(INTENT_LABELS, r.get("name")),
                "confidence": round(float(r.get("confidence") or 0), 4),
            }
            for r in (parse.get("intent_ranking") or [])[:5]
        ],
        entities=[
            {k: e.get(k) for k in ("entity", "value", "start", "end", "extractor")}
            for e in parse.get("entities") or []
        ],
    )


def _answers(events: list[dict[str, Any]]) -> set[str]:
    """Why what the assistant did after a message makes it worth a look."""
    found = set()
    for event in events:
        action = (event.get("metadata") or {}).get("utter_action") or ""
        if event.get("event") == "bot" and action == FALLBACK_REPLY:
            found.add("core_fallback")
        if event.get("event") == "bot" and (
            action.startswith(REASK_PREFIX) or action == REASK_OFFER
        ):
            found.add("reask")
        if event.get("event") == "action" and event.get("name") == HANDOFF_ACTION:
            found.add("handoff")
    return found


def messages_needing_review(
    events: dict[str, list[dict[str, Any]]],
    *,
    flags: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    flagged_texts: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    threshold: float = LOW_CONFIDENCE,
) -> list[Message]:
    """The typed buyer messages selected for review, each with its reasons and context.

    The context is the rendered conversation around the message: up to
    ``CONTEXT_TURNS`` lines before it and what followed.
    """
    selected: list[Message] = []
    for cid, stream in events.items():
        lines = transcript.render(stream)
        said = [n for n, line in enumerate(lines) if line.who == "buyer"]
        for position, n in enumerate(said):
            line = lines[n]
            if line.kind != "text":
                continue  # clicks, photos and commands are not buyer language
            message = _message(cid, line)
            following = said[position + 1] if position + 1 < len(said) else None
            end = lines[following].index if following is not None else len(stream)
            answers = _answers(stream[line.index + 1 : end])
            reasons = []
            if message.intent == "nlu_fallback":
                reasons.append("fallback")
            elif message.confidence < threshold:
                reasons.append("low_confidence")
            if message.intent != "nlu_fallback" and "core_fallback" in answers:
                reasons.append("core_fallback")
            reasons += [r for r in ("reask", "handoff") if r in answers]
            if following is not None:
                nxt = lines[following].intent
                if nxt == COMPLAINT_INTENT and message.intent != COMPLAINT_INTENT:
                    reasons.append("complaint_followed")
            by_text = (cid, group_key(message.text))
            if (cid, message.message_id) in flags or by_text in flagged_texts:
                reasons.append("flagged")
            if not reasons:
                continue
            message.reasons = reasons
            message.context = [
                {"who": other.who, "text": other.body, "self": "1" if k == n else ""}
                for k, other in enumerate(lines)
                if n - CONTEXT_TURNS <= k <= n + CONTEXT_TURNS
            ]
            selected.append(message)
    return selected


def group_messages(messages: list[Message]) -> list[Group]:
    """Groups by :func:`group_key`, most frequent first (then newest)."""
    by_key: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        key = group_key(message.text)
        if key:
            by_key[key].append(message)
    groups = []
    for key, members in by_key.items():
        members.sort(key=lambda m: m.time)
        reasons = sorted({r for m in members for r in m.reasons})
        conversations = sorted({m.conversation_id for m in members})
        groups.append(Group(key, len(members), reasons, members[-1], conversations))
    groups.sort(key=lambda g: (-g.count, -g.example.time))
    return groups


def handled_keys(ws: Workspace) -> set[str]:
    """Grouping keys already annotated or discarded (from the change log)."""
    return {
        r["key"]
        for r in read_log(ws)
        if r.get("action") in {"annotate", "discard"} and r.get("key")
    }


def build_inbox(
    ws: Workspace,
    *,
    threshold: float = LOW_CONFIDENCE,
    known_texts: set[str] | None = None,
    include_handled: bool = False,
    days: float = DAYS,
) -> list[Group]:
    """The inbox of the workspace: selected, grouped, without what is already handled.

    Only conversations of the last ``days`` are read (0: all).
    ``known_texts`` are the grouping keys of the training examples (messages
    that already are examples need no look).
    """
    records = read_flags(ws)
    messages = messages_needing_review(
        load_events(ws.tracker_db_url, since=time.time() - days * 86400 if days else 0.0),
        flags={(f["conversation_id"], str(f["message_id"])) for f in records if f["message_id"]},
        flagged_texts={
            (f["conversation_id"], group_key(f["text"])) for f in records if f.get("text")
        },
        threshold=threshold,
    )
    groups = group_messages(messages)
    if include_handled:
        return groups
    skip = handled_keys(ws) | (known_texts or set())
    return [g for g in groups if g.key not in skip]

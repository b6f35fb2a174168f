"""The inbox: buyer messages from the tracker store that a trainer should look at.

A message is selected when the NLU was unsure (confidence below the threshold),
it became ``nlu_fallback``, the next thing the assistant did was a handoff
(``action_handoff``), the buyer's next message was a complaint, or an agent
flagged it. Identical and near-identical messages (see :func:`group_key`) are
grouped with a count. Groups already annotated or discarded, and messages that
already are training examples, are left out.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from trainer.textnorm import group_key
from trainer.workspace import Workspace, read_flags, read_log

LOW_CONFIDENCE = 0.6
HANDOFF_ACTION = "action_handoff"
COMPLAINT_INTENT = "complain"
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
    """Stored events from ``since`` (epoch seconds) on, per conversation in order.

    Reads Rasa's ``events`` table (the SQL tracker store) directly, read-only.
    """
    engine = sa.create_engine(tracker_db_url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return {}
            rows = conn.execute(
                sa.text(
                    "SELECT sender_id, data FROM events WHERE timestamp >= :since"
                    " ORDER BY sender_id, timestamp, id"
                ),
                {"since": since},
            )
            out: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for sender_id, data in rows:
                try:
                    out[sender_id].append(json.loads(data))
                except (TypeError, json.JSONDecodeError):
                    continue
            return dict(out)
    finally:
        engine.dispose()


def _message(cid: str, event: dict[str, Any]) -> Message | None:
    text = (event.get("text") or "").strip()
    if not text or text.startswith("/"):
        return None  # button payloads and commands are not buyer language
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    return Message(
        conversation_id=cid,
        message_id=str(event.get("message_id") or event.get("timestamp")),
        time=float(event.get("timestamp") or 0),
        text=text,
        intent=intent.get("name") or "",
        confidence=round(float(intent.get("confidence") or 0.0), 4),
        ranking=[
            {"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 4)}
            for r in (parse.get("intent_ranking") or [])[:5]
        ],
        entities=[
            {k: e.get(k) for k in ("entity", "value", "start", "end", "extractor")}
            for e in parse.get("entities") or []
        ],
    )


def _turn(event: dict[str, Any]) -> dict[str, str] | None:
    kind = event.get("event")
    if kind == "user" and event.get("text"):
        return {"who": "buyer", "text": event["text"]}
    if kind == "bot" and event.get("text"):
        return {"who": "bot", "text": event["text"]}
    if kind == "action" and event.get("name") == HANDOFF_ACTION:
        return {"who": "system", "text": "转人工 (action_handoff)"}
    return None


def messages_needing_review(
    events: dict[str, list[dict[str, Any]]],
    *,
    flags: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    flagged_texts: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    threshold: float = LOW_CONFIDENCE,
) -> list[Message]:
    """The buyer messages selected for review, each with its reasons and context."""
    selected: list[Message] = []
    for cid, stream in events.items():
        turns = [(i, t) for i, e in enumerate(stream) if (t := _turn(e))]
        users = [(i, e) for i, e in enumerate(stream) if e.get("event") == "user"]
        for n, (index, event) in enumerate(users):
            message = _message(cid, event)
            if message is None:
                continue
            reasons = []
            if message.intent == "nlu_fallback":
                reasons.append("fallback")
            elif message.confidence < threshold:
                reasons.append("low_confidence")
            end = users[n + 1][0] if n + 1 < len(users) else len(stream)
            if any(
                e.get("event") == "action" and e.get("name") == HANDOFF_ACTION
                for e in stream[index + 1 : end]
            ):
                reasons.append("handoff")
            if n + 1 < len(users):
                nxt = (users[n + 1][1].get("parse_data") or {}).get("intent") or {}
                if nxt.get("name") == COMPLAINT_INTENT and message.intent != COMPLAINT_INTENT:
                    reasons.append("complaint_followed")
            by_text = (cid, group_key(message.text))
            if (cid, message.message_id) in flags or by_text in flagged_texts:
                reasons.append("flagged")
            if not reasons:
                continue
            message.reasons = reasons
            position = next(k for k, (i, _) in enumerate(turns) if i == index)
            message.context = [
                {**t, "self": "1" if i == index else ""}
                for i, t in turns[max(0, position - CONTEXT_TURNS) : position + CONTEXT_TURNS]
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

"""Typed buyer conversations against the real servers and the demo shop.

Every conversation of tests/e2e/typed_conversations.py is sent turn by turn over
the REST channel, as a buyer who types instead of clicking. Each reply must show
the turn's expected facts and none of its forbidden ones, and every reply must
be non-empty, never the core fallback ("没太明白") and never a slash payload.
The first failed check fails the conversation with its whole transcript.
``make typed-report`` prints "typed conversations settled: N/M"
(tests/e2e/conftest_typed.py, var/typed_report.txt).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Any

import pytest
import requests

from shop.identity import issue_token
from tests.e2e import conftest_typed
from tests.e2e.conftest import Servers
from tests.e2e.typed_conversations import CONVERSATIONS, Conversation, Turn, render

FALLBACK = "没太明白"


def metadata(conversation: Conversation) -> dict[str, Any] | None:
    """What the shop page sends with every message: the buyer's token, the page's product."""
    data: dict[str, Any] = {}
    if conversation.buyer:
        data["buyer_token"] = issue_token(conversation.buyer)
    if conversation.product:
        data["product_id"] = conversation.product
    return data or None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def visible(replies: list[dict[str, Any]]) -> str:
    """What the buyer sees: texts, button titles and the cards' contents."""
    parts: list[str] = []
    for reply in replies:
        parts.append(reply.get("text") or "")
        parts += [b.get("title", "") for b in reply.get("buttons") or []]
        if reply.get("custom") is not None:
            parts += _strings(reply["custom"])
    return "\n".join(p for p in parts if p)


def problems(turn: Turn, replies: list[dict[str, Any]]) -> list[str]:
    """Every check of ``turn`` (and the global ones) that the replies fail."""
    found: list[str] = []
    shown = visible(replies)
    if not replies or not shown.strip():
        found.append("no reply")
    slashed = [
        t
        for r in replies
        for t in [r.get("text") or "", *(b.get("title", "") for b in r.get("buttons") or [])]
        if t.lstrip().startswith("/")
    ]
    if slashed:
        found.append(f"a slash payload is shown: {slashed[0]!r}")
    if FALLBACK in shown:
        found.append(f"the core fallback ({FALLBACK})")
    for check in turn.expect:
        options = (check,) if isinstance(check, str) else check
        if not any(option in shown for option in options):
            wanted = repr(options[0]) if len(options) == 1 else f"one of {options!r}"
            found.append(f"expected {wanted}")
    for word in turn.forbid:
        if word in shown:
            found.append(f"must not show {word!r}")
    if turn.pattern and not re.search(turn.pattern, shown):
        found.append(f"expected a match of /{turn.pattern}/")
    return found


def _reply_lines(replies: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(f"      bot: {reply['text']}")
        if reply.get("buttons"):
            titles = " | ".join(b.get("title", "") for b in reply["buttons"])
            lines.append(f"           [buttons] {titles}")
        if reply.get("custom") is not None:
            custom = json.dumps(reply["custom"], ensure_ascii=False)
            lines.append(f"           [card] {custom[:400]}")
        if reply.get("image"):
            lines.append(f"           [image] {reply['image']}")
    return lines or ["      bot: (nothing)"]


def transcript(
    conversation: Conversation,
    said: list[tuple[str, list[dict[str, Any]]]],
    failed_turn: int,
    found: list[str],
) -> str:
    """The conversation so far, the failed checks, and the turns never sent."""
    who = f"buyer {conversation.buyer}" if conversation.buyer else "guest"
    page = f", product page {conversation.product}" if conversation.product else ""
    lines = [f"typed conversation {conversation.id} ({who}{page})"]
    if conversation.note:
        lines.append(f"  note: {conversation.note}")
    for number, (text, replies) in enumerate(said, 1):
        lines.append(f"  {number}. buyer: {text}")
        lines += _reply_lines(replies)
    lines.append(f"  turn {failed_turn} failed: " + "; ".join(found))
    for number, turn in enumerate(conversation.turns[len(said) :], len(said) + 1):
        lines.append(f"  {number}. (not sent) buyer: {turn.text}")
    return "\n".join(lines)


def order_created(servers: Servers, order_id: str) -> datetime:
    """The order's creation time in the servers' database, as its buttons show it."""
    from sqlalchemy import text

    from shop.db.session import get_engine

    with get_engine(servers.database_url).connect() as connection:
        value = connection.execute(
            text("SELECT created_at FROM orders WHERE id = :id"), {"id": order_id}
        ).scalar_one()
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=lambda c: c.id)
def test_typed_conversation(servers: Servers, conversation: Conversation) -> None:
    sender = f"typed-{uuid.uuid4().hex[:12]}"
    said: list[tuple[str, list[dict[str, Any]]]] = []
    conftest_typed.RESULTS[conversation.id] = "did not finish"
    for number, turn in enumerate(conversation.turns, 1):
        text = render(turn.text, created=lambda order_id: order_created(servers, order_id))
        try:
            replies = servers.chat(sender, text, metadata(conversation))
        except requests.RequestException as error:
            replies, found = [], [f"the REST channel failed: {error}"]
        else:
            found = problems(turn, replies)
        said.append((text, replies))
        if found:
            conftest_typed.RESULTS[conversation.id] = f"turn {number} «{text}»: {found[0]}"
            pytest.fail(transcript(conversation, said, number, found), pytrace=False)
    conftest_typed.RESULTS[conversation.id] = None

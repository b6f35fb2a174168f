"""Slash commands from buyers: only the assistant's own buttons may send them.

Rasa reads any text starting with ``/`` as a command (``/restart``,
``/inform{"order_id": "1"}``), skipping NLU. Its check runs *after* the NLU
pipeline, on the pipeline's text, and strips whitespace first; this project's
``ChineseNormalizer`` applies NFKC, which turns a full-width ``／`` into ``/``.
So neither a leading space nor a full-width slash makes typed text safe. Text
whose NFKC form starts with ``/`` gets its first character replaced by U+2215
DIVISION SLASH ``∕``, which NFKC, OpenCC and ``strip()`` all leave alone.
"""

from __future__ import annotations

import unicodedata
from collections import OrderedDict, deque
from collections.abc import Iterable
from typing import Any

COMMAND_PREFIX = "/"
ESCAPE = "\u2215"  # DIVISION SLASH: looks like "/", is not "/" after NFKC
REMEMBERED_MESSAGES = 6
MAX_CONVERSATIONS = 10_000


def looks_like_command(text: str) -> bool:
    """Whether Rasa could read ``text`` as a command after normalisation."""
    return unicodedata.normalize("NFKC", text).strip().startswith(COMMAND_PREFIX)


def defuse(text: str) -> str:
    """``text`` as plain words: never a command, whatever the pipeline does to it."""
    text = text.strip()
    while looks_like_command(text):
        first = unicodedata.normalize("NFKC", text[0])
        text = ESCAPE + (text[1:] if first.startswith(COMMAND_PREFIX) else text)
    return text


def _payloads(message: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("quick_replies", "buttons"):
        items = message.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            payload = item.get("payload") if isinstance(item, dict) else None
            if isinstance(payload, str) and payload.strip():
                found.add(payload.strip())
    return found


class OfferedPayloads:
    """Button payloads in each conversation's last few bot messages.

    Kept in memory, bounded per conversation and in the number of
    conversations (least recently used dropped first).
    """

    def __init__(
        self, messages: int = REMEMBERED_MESSAGES, conversations: int = MAX_CONVERSATIONS
    ) -> None:
        self._messages = messages
        self._conversations = conversations
        self._recent: OrderedDict[str, deque[frozenset[str]]] = OrderedDict()

    def remember(self, sender_id: str, message: dict[str, Any]) -> None:
        """Records one bot message sent to ``sender_id`` (with or without buttons)."""
        recent = self._recent.pop(sender_id, None) or deque(maxlen=self._messages)
        recent.append(frozenset(_payloads(message)))
        self._recent[sender_id] = recent
        while len(self._recent) > self._conversations:
            self._recent.popitem(last=False)

    def offered(self, sender_id: str) -> Iterable[str]:
        """All payloads currently accepted from ``sender_id``."""
        for payloads in self._recent.get(sender_id, ()):
            yield from payloads

    def screen(self, sender_id: str, text: str) -> str:
        """The text to hand to Rasa for what the buyer sent.

        Args:
            sender_id: The conversation the text came from.
            text: The buyer's text, or a button payload the widget sent.

        Returns:
            An offered payload unchanged, other command-like text defused, and
            any other text as it came.
        """
        stripped = text.strip()
        if stripped in set(self.offered(sender_id)):
            return stripped
        return defuse(text) if looks_like_command(text) else text

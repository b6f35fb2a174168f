"""Conversation events as staff read them: the one renderer of every staff page.

Pure functions over Rasa tracker event dicts (as the tracker store keeps them and
the SDK hands them to actions). A button click reads as the title of the button
the assistant offered (点了「确认提交」), found by matching the payload against the
buttons of the bot messages before it; a payload no button matches reads as its
entities or intent in Chinese (选择：原因 尺码不合适). A slash payload is never
shown. Triggered intents (``EXTERNAL_*``) become short notes (客服交还机器人),
``/restart``, session starts and action names are left out, and a pause shows
once however often it is repeated. The console (messages, exports, queue
cards), the trainer's inbox and the handoff summary all read conversations
here; it lives in ``shop`` because ``actions`` must not import ``console``. Case
summaries for the queue are written by ``shop/summaries.py``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shop.lexicon import (
    CARD_LABELS,
    ENTITY_LABELS,
    ENTITY_VALUE_LABELS,
    INTENT_LABELS,
    NOTE_LABELS,
    SPEAKER_LABELS,
    label,
)

COMMAND = re.compile(r"/([A-Za-z_][\w-]*)(?:@[0-9.]+)?\s*(\{.*)?", re.S)
DEFUSED_SLASH = "\u2215"  # a typed command made harmless by channels/commands.py
PHOTO_INTENT = "send_photo"
PHOTO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
HIDDEN_COMMANDS = frozenset({"restart", "session_start"})
HIDDEN_ENTITIES = frozenset({"photo_id", "shop_event_id"})
AGENT_DONE = frozenset({"EXTERNAL_agent_handback", "EXTERNAL_agent_closed"})
PAUSED = NOTE_LABELS["paused"]
RESUMED = NOTE_LABELS["resumed"]
RESTARTED = NOTE_LABELS["restarted"]
CARDS = CARD_LABELS
WHO = {**SPEAKER_LABELS, "system": ""}  # a note has no speaker
WORDS_SHOWN = 40  # characters of each buyer message quoted in a summary
YES_NO = ("affirm", "deny")  # answers, not descriptions


@dataclass(frozen=True)
class Line:
    """One thing staff see, from the event at ``index`` of the events rendered.

    ``kind``: ``text`` (the buyer typed it), ``click`` (a button's title),
    ``choice`` (a payload no offered button matches), ``photo``, ``message``
    (the assistant or an agent) or ``note`` (a grey system line).
    """

    who: str  # buyer, bot, agent, system
    kind: str
    text: str
    index: int
    event: dict[str, Any]
    photo_id: str | None = None

    @property
    def intent(self) -> str | None:
        """The intent NLU gave a buyer's message."""
        return intent_of(self.event) if self.who == "buyer" else None

    @property
    def speaker(self) -> str:
        """Who, in Chinese: 买家, 机器人, 客服小美 ("" for a note)."""
        if self.who == "agent":
            return f"客服{(self.event.get('metadata') or {}).get('agent_name') or ''}"
        return WHO[self.who]

    @property
    def body(self) -> str:
        """What follows the speaker: the words, 点了「…」, a card's name and the buttons."""
        if self.kind == "photo":
            return "发了一张照片"
        if self.kind != "message":
            return self.text
        text = self.text or _attachment(self.event.get("data") or {})
        titles = [t for t in (str(b.get("title") or "") for b in buttons(self.event)) if t]
        return text + (f"（按钮：{' / '.join(titles)}）" if titles else "")

    @property
    def sentence(self) -> str:
        """The line as one plain sentence: 买家点了「确认提交」, 机器人：…, 客服小美：…."""
        if self.kind == "note":
            return self.text
        if self.kind in ("text", "message"):
            return f"{self.speaker}：{self.body}"
        return f"{self.speaker}{self.body}"


def intent_of(event: Mapping[str, Any]) -> str | None:
    """The intent name of a ``user`` event, if any."""
    intent = (event.get("parse_data") or {}).get("intent") or event.get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


def is_system_intent(intent: str | None) -> bool:
    """Whether the intent is the system's (``EXTERNAL_*``, ``restart``), not a buyer's wish."""
    return bool(intent) and (str(intent).startswith("EXTERNAL_") or intent in HIDDEN_COMMANDS)


def is_triggered(event: Mapping[str, Any]) -> bool:
    """Whether a ``user`` event was triggered (``EXTERNAL_*``) rather than sent by the buyer."""
    return (
        bool((event.get("metadata") or {}).get("is_external"))
        or str(event.get("text") or "").startswith("EXTERNAL: ")
        or (intent_of(event) or "").startswith("EXTERNAL_")
    )


def command(text: str | None) -> tuple[str, dict[str, Any]] | None:
    """``(intent, entities)`` of a slash command (``/inform{"return_reason": "size"}``).

    Also for a typed command the channel defused (``∕restart``): it is no buyer
    language either. ``None`` for anything else.
    """
    plain = unicodedata.normalize("NFKC", text or "").strip()
    if plain.startswith(DEFUSED_SLASH):
        plain = "/" + plain[1:]
    match = COMMAND.fullmatch(plain)
    if match is None:
        return None
    try:
        entities = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        entities = {}
    return match.group(1), entities if isinstance(entities, dict) else {}


def is_command(text: str | None) -> bool:
    """Whether ``text`` is a slash command (a payload), not words."""
    return command(text) is not None


def spoken(text: str | None) -> str:
    """``text`` if the buyer wrote it, ``""`` for a payload."""
    return "" if is_command(text) else (text or "").strip()


def photo_id(text: str | None) -> str | None:
    """The photo id of the upload command ``/send_photo{"photo_id": ...}``, else ``None``."""
    found = command(text) if (text or "").strip().startswith("/") else None
    if found is None or found[0] != PHOTO_INTENT:
        return None
    value = found[1].get("photo_id")
    return value if isinstance(value, str) and PHOTO_ID.fullmatch(value) else None


def _key(payload: Any) -> tuple[str, str] | None:
    found = command(payload) if isinstance(payload, str) else None
    if found is None:
        return None
    intent, entities = found
    values = {str(k): str(v) for k, v in entities.items()}
    return intent, json.dumps(values, sort_keys=True, ensure_ascii=False)


def buttons(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The buttons (and quick replies) of a ``bot`` event."""
    data = event.get("data") or {}
    found = [*(data.get("buttons") or []), *(data.get("quick_replies") or [])]
    return [b for b in found if isinstance(b, dict)]


def describe_choice(intent: str, entities: Mapping[str, Any]) -> str:
    """An unmatched payload in Chinese: 选择：原因 尺码不合适 / 选择：确认."""
    shown = [
        f"{label(ENTITY_LABELS, name)} {label(ENTITY_VALUE_LABELS.get(name, {}), value)}"
        for name, value in entities.items()
        if name not in HIDDEN_ENTITIES and value not in (None, "")
    ]
    if shown:
        return "选择：" + "，".join(shown)
    if intent in INTENT_LABELS:
        return f"选择：{INTENT_LABELS[intent]}"
    return "点了一个按钮"


def _attachment(data: Mapping[str, Any]) -> str:
    custom = data.get("custom")
    if isinstance(custom, dict):
        return f"[{CARDS.get(str(custom.get('type')), '卡片')}]"
    return "[图片]" if data.get("image") else ""


def _buyer(index: int, event: dict[str, Any], titles: dict[tuple[str, str], str]) -> Line | None:
    if is_triggered(event):
        intent = intent_of(event) or str(event.get("text") or "").removeprefix("EXTERNAL: ")
        note = INTENT_LABELS.get(intent) if intent.startswith("EXTERNAL_") else None
        return Line("system", "note", note, index, event) if note else None
    text = str(event.get("text") or "").strip()
    photo = photo_id(text)
    if photo:
        return Line("buyer", "photo", "", index, event, photo_id=photo)
    found = command(text)
    if found is None:
        return Line("buyer", "text", text, index, event) if text else None
    if found[0] in HIDDEN_COMMANDS:
        return None
    title = titles.get(_key(text) or ("", ""))
    if title:
        return Line("buyer", "click", f"点了「{title}」", index, event)
    return Line("buyer", "choice", describe_choice(*found), index, event)


def _agents_done_next(events: list[dict[str, Any]], index: int) -> bool:
    """Whether the next message after ``index`` is the console's hand-back or close."""
    for event in events[index + 1 :]:
        if event.get("event") in ("user", "bot", "pause"):
            return event.get("event") == "user" and intent_of(event) in AGENT_DONE
    return False


def render(events: Iterable[Mapping[str, Any]]) -> list[Line]:
    """What staff see of a conversation, oldest first."""
    stream = [dict(e) for e in events]
    lines: list[Line] = []
    titles: dict[tuple[str, str], str] = {}  # payload -> title of the latest offer
    paused = False
    for index, event in enumerate(stream):
        kind = event.get("event")
        if kind == "bot":
            agent = (event.get("metadata") or {}).get("agent_name")
            text = str(event.get("text") or "")
            lines.append(Line("agent" if agent else "bot", "message", text, index, event))
            for button in buttons(event):
                key, title = _key(button.get("payload")), str(button.get("title") or "")
                if key and title:
                    titles[key] = title
        elif kind == "user":
            line = _buyer(index, event, titles)
            if line is not None:
                lines.append(line)
        elif kind == "pause" and not paused:
            paused = True
            lines.append(Line("system", "note", PAUSED, index, event))
        elif kind == "resume" and paused:
            paused = False
            if not _agents_done_next(stream, index):
                lines.append(Line("system", "note", RESUMED, index, event))
        elif kind == "restart":
            paused = False
            titles.clear()
            lines.append(Line("system", "note", RESTARTED, index, event))
    return lines


def is_buyer_message(event: Mapping[str, Any]) -> bool:
    """Whether the event is something the buyer sent (typed, clicked or a photo)."""
    if event.get("event") != "user" or is_triggered(event):
        return False
    found = command(str(event.get("text") or ""))
    return found is None or found[0] not in HIDDEN_COMMANDS


def buyer_words(events: Iterable[Mapping[str, Any]], last: int = 3) -> list[str]:
    """The buyer's latest typed messages (no clicks, photos or commands), oldest first."""
    typed = [line.text for line in render(events) if line.who == "buyer" and line.kind == "text"]
    shown = typed[-last:] if last > 0 else []
    return [text[:WORDS_SHOWN] + ("…" if len(text) > WORDS_SHOWN else "") for text in shown]


def described(events: Iterable[Mapping[str, Any]], answers: Iterable[str] = YES_NO) -> str:
    """The buyer's latest typed words that are not a mere yes or no (``""`` if none).

    What a return request keeps as 买家说: 鞋跟松了, not the ``/affirm`` of 确认提交.
    """
    skip = set(answers)
    for line in reversed(render(events)):
        if line.who == "buyer" and line.kind == "text" and line.intent not in skip:
            return line.text
    return ""

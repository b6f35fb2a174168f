"""Catching a reopened widget up with the bot messages it missed.

The widget keeps its transcript in the browser, but the assistant can speak
while no widget is open: a shop event (``shop/notify.py``), an agent's reply.
Those messages are in the conversation's tracker. On ``session_request`` the
widget sends ``since`` (the server time of the last message it has, learnt from
``session_confirm``'s ``server_time``); the channel then emits the tracker's bot
messages newer than that to this socket only, as ``bot_missed`` events (the
widget drops one it already shows). A widget without a transcript (another
browser, or another buyer used this one since) gets the conversation of the last
days instead, as one ``bot_history`` event. Protocol: ``docs/proactive.md``.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

MISSED_EVENT = "bot_missed"
HISTORY_EVENT = "bot_history"
MAX_MISSED = 30
MAX_HISTORY = 40  # buyer and bot messages in a history
CLOCK_MARGIN = 2.0  # seconds: the widget's server-time estimate may be that far off
HISTORY_DAYS = 7  # a widget with no transcript sees the conversation of the last week
PHOTO_COMMAND = "/send_photo"


def parse_since(value: Any) -> float | None:
    """The widget's ``since`` as a timestamp, or None when missing or absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < time.time() + 86400 else None


def missed_messages(events: list[dict[str, Any]], since: float) -> list[dict[str, Any]]:
    """The bot messages newer than ``since`` (less the clock margin), at most 30.

    Args:
        events: The tracker's events as dicts (``event``, ``timestamp``, ...).
        since: Server time of the widget's latest message.

    Returns:
        Rasa's ``BotUttered.message()`` dicts, oldest first.
    """
    picked = [
        _bot_message(event)
        for event in events
        if event.get("event") == "bot" and float(event.get("timestamp") or 0) > since - CLOCK_MARGIN
    ]
    return picked[-MAX_MISSED:]


def _bot_message(event: dict[str, Any]) -> dict[str, Any]:
    """A ``bot`` event as the dict ``OutputChannel.send_response`` takes."""
    message = dict(event.get("data") or {})
    message.update(event.get("metadata") or {})
    message["text"] = event.get("text")
    return message


def _buyer_entry(event: dict[str, Any], titles: dict[str, str]) -> dict[str, Any] | None:
    """How the widget shows a buyer's message: its text, a clicked button's title,
    a photo; None for what the buyer did not type (shop events, unknown commands)."""
    intent = str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
    text = event.get("text")
    if intent.startswith("EXTERNAL_") or not isinstance(text, str) or not text.strip():
        return None
    if text.startswith(PHOTO_COMMAND):
        try:
            photo_id = json.loads(text[len(PHOTO_COMMAND) :]).get("photo_id")
        except (ValueError, AttributeError):
            return None
        return {"k": "user", "photo": {"id": photo_id}} if photo_id else None
    if text.startswith("/"):
        return {"k": "user", "text": titles[text]} if text in titles else None
    return {"k": "user", "text": text}


def history(events: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """The conversation's last days for a widget without a transcript.

    Args:
        events: The tracker's events as dicts.
        now: The current server time.

    Returns:
        At most ``MAX_HISTORY`` items, oldest first: ``{"k": "user", "text"}``,
        ``{"k": "user", "photo": {"id"}}`` or ``{"k": "bot", "message"}`` (the
        bot's, to be rendered by the channel's output).
    """
    items: list[dict[str, Any]] = []
    titles: dict[str, str] = {}  # payload -> title of the buttons offered since the last message
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        recent = float(event.get("timestamp") or 0) > now - HISTORY_DAYS * 86400
        if kind == "bot":
            message = _bot_message(event)
            for button in message.get("buttons") or ():
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    titles[button["payload"]] = str(button.get("title") or "")
            if recent:
                items.append({"k": "bot", "message": message})
            continue
        entry = _buyer_entry(event, titles)
        titles = {}
        if recent and entry:
            items.append(entry)
    return items[-MAX_HISTORY:]


async def tracker_events(apps: Any, sender_id: str) -> list[dict[str, Any]]:
    """The conversation's events from the Rasa agent of the app serving the channel."""
    for app in apps or ():
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            continue
        tracker = await store.retrieve_full_tracker(sender_id)
        return [event.as_dict() for event in tracker.events] if tracker else []
    return []


async def send_missed(
    output: Any, sid: str, sender_id: str, since: Any, apps: Any, offered: Any
) -> int:
    """Replays what the socket ``sid`` missed in ``sender_id``; returns the count.

    ``output`` is the channel's output built with the ``bot_missed`` event name;
    the replayed buttons are remembered in ``offered`` for the conversation. A
    failure is logged and the widget simply sees no catch-up.
    """
    try:
        events = await tracker_events(apps, sender_id)
        when = parse_since(since)
        if when is None:
            return await _send_history(output, sid, sender_id, events, offered)
        messages = missed_messages(events, when)
        for message in messages:
            await output.send_response(sid, message)
            offered.remember(sender_id, message)
        return len(messages)
    except Exception:  # the chat must work even when the catch-up does not
        logger.exception("catch-up of %s failed", sender_id)
        return 0


async def _send_history(
    output: Any, sid: str, sender_id: str, events: list[dict[str, Any]], offered: Any
) -> int:
    """Emits the conversation's last days to ``sid`` as one ``bot_history`` event."""
    items = history(events, time.time())
    last_user = max((i for i, item in enumerate(items) if item["k"] == "user"), default=-1)
    entries: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if item["k"] != "bot":
            entries.append(item)
            continue
        entries.extend({"k": "bot", "msg": msg} for msg in await output.render(item["message"]))
        if index > last_user:  # the widget offers only these buttons again
            offered.remember(sender_id, item["message"])
    if entries:
        await output.emit_to(sid, HISTORY_EVENT, {"entries": entries})
    return len(entries)

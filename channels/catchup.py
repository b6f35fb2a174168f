"""Catching a reopened widget up with the bot messages it missed.

The widget keeps its transcript in the browser, but the assistant can speak
while no widget is open: a shop event (``actions/notify.py``), an agent's reply.
Those messages are in the conversation's tracker. On ``session_request`` the
widget sends ``since`` (the server time of the last message it has, learnt from
``session_confirm``'s ``server_time``); the channel then emits the tracker's bot
messages newer than that to this socket only, as ``bot_missed`` events (the
widget drops one it already shows). A widget without a transcript gets the
proactive messages of the last days. Protocol: ``docs/proactive.md``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

MISSED_EVENT = "bot_missed"
MAX_MISSED = 30
CLOCK_MARGIN = 2.0  # seconds: the widget's server-time estimate may be that far off
PROACTIVE_DAYS = 7  # a widget with no transcript sees the shop's messages of the last week
PROACTIVE_PREFIXES = ("EXTERNAL_order_", "EXTERNAL_return_", "EXTERNAL_refund_")


def parse_since(value: Any) -> float | None:
    """The widget's ``since`` as a timestamp, or None when missing or absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < time.time() + 86400 else None


def missed_messages(
    events: list[dict[str, Any]], since: float | None, now: float
) -> list[dict[str, Any]]:
    """The bot messages to replay, as Rasa's ``BotUttered.message()`` dicts.

    Args:
        events: The tracker's events as dicts (``event``, ``timestamp``, ...).
        since: Server time of the widget's latest message; None: no transcript.
        now: The current server time.
    """
    picked: list[dict[str, Any]] = []
    intent = ""
    for event in events:
        kind = event.get("event")
        if kind == "user":
            intent = str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
            continue
        if kind in ("pause", "resume") or event.get("name") == "action_listen":
            intent = ""  # the answer to that message is over
        if kind != "bot":
            continue
        stamp = float(event.get("timestamp") or 0)
        if since is None:
            wanted = intent.startswith(PROACTIVE_PREFIXES) and stamp > now - PROACTIVE_DAYS * 86400
        else:
            wanted = stamp > since - CLOCK_MARGIN
        if wanted:
            message = dict(event.get("data") or {})
            message.update(event.get("metadata") or {})
            message["text"] = event.get("text")
            picked.append(message)
    return picked[-MAX_MISSED:]


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
        messages = missed_messages(events, parse_since(since), time.time())
        for message in messages:
            await output.send_response(sid, message)
            offered.remember(sender_id, message)
        return len(messages)
    except Exception:  # the chat must work even when the catch-up does not
        logger.exception("catch-up of %s failed", sender_id)
        return 0

"""The action server's half of sending only new events (``rasa_ext/long_conversations/``).

Rasa 3.6 sends the whole conversation, every event as JSON, with every custom
action call; at message 200 that is about 1 MB, serialised by Rasa and parsed here
for each action, so the cost of a message grew with the conversation. The Rasa
server now sends each conversation's events once and afterwards only the events
that are new since its previous call, and this module rebuilds the full list, so
every action still sees exactly the events Rasa has:

* a normal ``/webhook`` call may carry ``tracker["shop_events"] = {"token": T}``:
  its events are kept here under the conversation's id and ``T``;
* a ``/webhook/delta`` call carries ``{"token": T2, "base": T, "count": n}`` and only
  the events after the first ``n``: when call ``T``'s ``n`` events are still kept here
  (the last :data:`CALLS` calls of a conversation are), the full list is rebuilt, kept
  under ``T2`` and the call runs as a normal ``/webhook`` call; otherwise (restarted,
  evicted, another Rasa replica called last) it answers 409 and Rasa sends the call
  again in full. An action server without this module answers 404 to ``/webhook/delta``, and
  Rasa falls back to full calls for it.

Installed through rasa_sdk's own plugin hook (``attach_sanic_app_extensions``, run by
``rasa run actions`` after it imported this package). Memory: the events of at most
:data:`MAX_CONVERSATIONS` conversations and :data:`MAX_EVENTS` events in all (the kept
calls of one conversation share their event dicts), least recently used dropped first
(a dropped conversation costs one full call).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import pluggy

TRACKER_KEY = "shop_events"  # in the tracker of an action call
DELTA_SUBPATH = "delta"  # /webhook/delta
RESEND = "shop_events_resend"  # in the 409 answer: the base is not known here
MAX_CONVERSATIONS = 500
MAX_EVENTS = 200_000
CALLS = 4  # calls kept per conversation (SENT_POINTS in rasa_ext/long_conversations/)

_PLUGIN_NAME = "shop_event_cache"


class EventCache:
    """The full event lists of the latest calls of recent conversations, each under its token.

    A few calls are kept per conversation (:data:`CALLS`): a form's validation sees
    the form's own temporary events, which the next action's tracker does not hold,
    so Rasa's next call builds on an earlier one.
    """

    def __init__(
        self, conversations: int = MAX_CONVERSATIONS, events: int = MAX_EVENTS, calls: int = CALLS
    ) -> None:
        self.conversations, self.events, self.calls = conversations, events, calls
        self._entries: OrderedDict[str, list[tuple[str, list[dict[str, Any]]]]] = OrderedDict()
        self._held = 0  # events of the longest list kept per conversation, summed
        self._lock = threading.Lock()

    @staticmethod
    def _size(calls: list[tuple[str, list[dict[str, Any]]]]) -> int:
        return max((len(events) for _, events in calls), default=0)

    def keep(self, sender_id: str, token: str, events: list[dict[str, Any]]) -> None:
        """Remembers ``events`` as the conversation's events as of call ``token``."""
        with self._lock:
            calls = self._entries.pop(sender_id, [])
            self._held -= self._size(calls)
            calls = [*calls, (token, events)][-self.calls :]
            self._entries[sender_id] = calls
            self._held += self._size(calls)
            while self._entries and (
                len(self._entries) > self.conversations or self._held > self.events
            ):
                _, dropped = self._entries.popitem(last=False)
                self._held -= self._size(dropped)

    def rebuild(
        self, sender_id: str, base: str, count: int, new: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        """The ``count`` events of call ``base`` followed by ``new``; ``None`` if unknown."""
        with self._lock:
            for token, events in self._entries.get(sender_id, []):
                if token == base and len(events) == count:
                    self._entries.move_to_end(sender_id)
                    return events + new
            return None


CACHE = EventCache()


def take(action_call: Any, delta: bool) -> bool:
    """Completes ``action_call`` in place; ``False`` when a delta's base is unknown.

    Removes :data:`TRACKER_KEY` from the tracker, rebuilds the full event list of a
    delta call and keeps the (full) events for the next call.
    """
    tracker = action_call.get("tracker") if isinstance(action_call, dict) else None
    meta = tracker.pop(TRACKER_KEY, None) if isinstance(tracker, dict) else None
    if not isinstance(meta, dict) or not meta.get("token"):
        return not delta
    assert isinstance(tracker, dict)
    sender = str(action_call.get("sender_id") or tracker.get("sender_id"))
    events = list(tracker.get("events") or [])
    if delta:
        full = CACHE.rebuild(sender, str(meta.get("base")), int(meta.get("count") or 0), events)
        if full is None:
            return False
        events = full
    CACHE.keep(sender, str(meta["token"]), events)
    tracker["events"] = list(events)  # the actions' own list: the kept one stays unchanged
    return True


def _extend(app: Any) -> None:
    """Adds the cache to the action server's Sanic app (before it starts)."""
    from sanic import response

    webhook = next(
        route.handler
        for route in app.router.routes
        if route.path.strip("/") == "webhook" and "POST" in route.methods
    )

    @app.middleware("request")
    async def keep_full_calls(request: Any) -> None:
        if (
            request.method == "POST"
            and request.path.rstrip("/") == "/webhook"
            and request.headers.get("Content-Encoding") != "deflate"
        ):
            take(request.json, delta=False)

    async def delta_call(request: Any) -> Any:
        if not take(request.json, delta=True):
            return response.json({"error": RESEND}, status=409)
        return await webhook(request)

    app.add_route(delta_call, f"/webhook/{DELTA_SUBPATH}", methods=["POST"], name="shop_delta")


class _Plugin:
    """A rasa_sdk plugin (``rasa_sdk.plugin``): its hook extends the action server's app."""

    @staticmethod
    @pluggy.HookimplMarker("rasa_sdk")
    def attach_sanic_app_extensions(app: Any) -> None:
        _extend(app)


def install() -> None:
    """Registers the plugin with rasa_sdk once; ``rasa run actions`` calls its hook."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if manager.get_plugin(_PLUGIN_NAME) is None:
        manager.register(_Plugin(), name=_PLUGIN_NAME)

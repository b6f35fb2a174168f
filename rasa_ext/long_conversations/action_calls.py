"""Custom action calls that send only the events the action server has not seen.

``RemoteAction._action_call_format`` builds Rasa's body from a view of the tracker
holding only the events after the previous call, naming that call's token;
``EndpointConfig.request`` sends it to ``/webhook/delta``. The action server rebuilds
the full list (``actions/event_cache.py``); one that does not know the token answers
409, one without the cache an unknown path, and the call is sent again in full.
"""

from __future__ import annotations

import contextvars
import dataclasses
import os
import uuid
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from rasa.core.actions.action import RemoteAction
from rasa.core.constants import (
    COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME,
    DEFAULT_COMPRESS_ACTION_SERVER_REQUEST,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from actions.event_cache import DELTA_SUBPATH, RESEND, TRACKER_KEY
from rasa_ext.long_conversations.log import extends, keep, log_of, stock

SENT_CONVERSATIONS = 500  # conversations whose last action calls are remembered
SENT_POINTS = 4  # action calls remembered per conversation (EventCache.CALLS on the server)


@dataclasses.dataclass
class _Pending:
    body: dict[str, Any]
    events: list[Event]
    token: str
    delta: bool


_SENT: OrderedDict[tuple[str, str], list[tuple[str, list[Event]]]] = OrderedDict()
_NO_DELTA: set[str] = set()  # action server URLs without the event cache
_PENDING: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar(
    "shop_pending_action_call", default=None
)


class _StateWithEvents:
    """What ``RemoteAction._action_call_format`` reads of a tracker, with chosen events."""

    def __init__(self, tracker: DialogueStateTracker, events: list[Event], meta: dict) -> None:
        self.sender_id = tracker.sender_id
        self._tracker, self._events, self._meta = tracker, events, meta

    def current_state(self, event_verbosity: EventVerbosity = EventVerbosity.NONE) -> dict:
        state = self._tracker.current_state(EventVerbosity.NONE)
        state["events"] = [event.as_dict() for event in self._events]
        state[TRACKER_KEY] = self._meta
        return state


def _compressing() -> bool:
    value = os.environ.get(COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME)
    if value is None:
        return bool(DEFAULT_COMPRESS_ACTION_SERVER_REQUEST)
    return value.strip().lower() in ("1", "true", "yes")


def action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """``RemoteAction._action_call_format`` with only the events the server lacks.

    The body is Rasa's (built by Rasa's function from a view of the tracker); its
    tracker holds the events after the longest earlier call of this conversation that
    the tracker's events start with, or all of them, and :data:`TRACKER_KEY`.
    """
    original = stock["_action_call_format"]
    endpoint = self.action_endpoint
    if endpoint is None or _compressing() or log_of(tracker) is None:
        return original(self, tracker, domain)
    events = list(tracker.events)
    key = (str(endpoint.url), str(tracker.sender_id))
    sent = _SENT.get(key) or []
    token = uuid.uuid4().hex
    base = None
    if endpoint.url not in _NO_DELTA:
        base = next((b for b in reversed(sent) if extends(events, b[1])), None)
    if base is not None:
        meta = {"token": token, "base": base[0], "count": len(base[1])}
        view = _StateWithEvents(tracker, events[len(base[1]) :], meta)
    else:
        view = _StateWithEvents(tracker, events, {"token": token})
    body = original(self, view, domain)
    keep(sent, (token, events), SENT_POINTS)
    _SENT[key] = sent
    _SENT.move_to_end(key)
    while len(_SENT) > SENT_CONVERSATIONS:
        _SENT.popitem(last=False)
    _PENDING.set(_Pending(body, events, token, base is not None))
    return body


def _cache_missing(error: ClientResponseError, url: str) -> bool | None:
    """``True``: the action server lacks the event cache; ``False``: it lacks this call's base.

    ``None`` for any other error. rasa_sdk answers an unknown path with its generic 500
    (its exception handler wraps Sanic's "Requested URL ... not found").
    """
    raw = error.text
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    text = text.replace("\\/", "/")  # JSON may escape slashes
    if error.status == 409 and RESEND in text:
        return False
    path = urlsplit(concat_url(url, DELTA_SUBPATH)).path
    if error.status in (404, 405, 500) and f"Requested URL {path} not found" in text:
        return True
    return None


async def request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """``EndpointConfig.request``; sends a delta action call to ``/webhook/delta``.

    When the action server lacks the call's base (409) or the cache (an unknown path),
    the same call goes to ``/webhook`` with every event.
    """
    original = stock["request"]
    pending = _PENDING.get()
    if pending is None or kwargs.get("json") is not pending.body:
        return await original(self, method, subpath, content_type, compress, **kwargs)
    _PENDING.set(None)
    if pending.delta:
        try:
            return await original(self, method, DELTA_SUBPATH, content_type, compress, **kwargs)
        except ClientResponseError as error:
            missing = _cache_missing(error, str(self.url))
            if missing is None:
                raise
            if missing:
                _NO_DELTA.add(str(self.url))
        tracker = pending.body["tracker"]
        tracker["events"] = [event.as_dict() for event in pending.events]
        tracker[TRACKER_KEY] = {"token": pending.token}
    return await original(self, method, subpath, content_type, compress, **kwargs)


def forget() -> None:
    """Forgets the calls sent and the action servers without the cache (``uninstall``)."""
    _SENT.clear()
    _NO_DELTA.clear()

"""What is known about each conversation's events, shared by the patches of this package.

A tracker's events are only ever appended to, so the trackers of one conversation (the
one loaded, the processor's copies) hold the same event objects: the first event
identifies the conversation, and a result kept for a prefix of its events is reused.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from typing import Any

from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker

LOGS = 500  # conversations whose events are kept (as many as ShopSQLTrackerStore keeps)

# Rasa's functions, by name, while the patches are installed (``install``).
stock: dict[str, Any] = {}


def extends(events: Sequence[Event], known: Sequence[Event]) -> bool:
    """True when ``events`` starts with exactly the objects of ``known`` (C-speed check)."""
    n = len(known)
    if len(events) < n:
        return False
    if n and events[n - 1] is not known[-1]:
        return False
    return all(map(operator.is_, events, known))


@dataclasses.dataclass
class FoldPoint:
    raw: list[Event]  # the events folded
    applied: list[Event]  # their applied events
    loops: frozenset[str]  # the loop names among them


@dataclasses.dataclass
class CopyPoint:
    raw: list[Event]
    state: tuple[Any, ...]  # snapshot of a replay of ``raw``


class Log:
    """What is known about one conversation's events, shared by all trackers holding them."""

    def __init__(self) -> None:
        self.folds: list[FoldPoint] = []
        self.copies: list[CopyPoint] = []
        self.runs: dict[Any, Any] = {}  # states.StateRun by featurizer options


_LOGS: OrderedDict[int, tuple[Event, Log]] = OrderedDict()


def log_for(first: Event) -> Log:
    """The log of the conversation whose events start with the object ``first``.

    The :data:`LOGS` conversations used last are kept (a log holds its conversation's
    events; a dropped one is rebuilt from Rasa's functions when needed again).
    """
    key = id(first)
    found = _LOGS.get(key)
    if found is not None and found[0] is first:
        _LOGS.move_to_end(key)
        return found[1]
    log = Log()
    _LOGS[key] = (first, log)  # the event itself: its id stays unique while kept
    while len(_LOGS) > LOGS:
        _LOGS.popitem(last=False)
    return log


def log_of(tracker: DialogueStateTracker) -> Log | None:
    """The log of ``tracker``'s conversation; ``None`` for trackers left to Rasa's code."""
    if (
        type(tracker) is not DialogueStateTracker
        or tracker._max_event_history is not None
        or isinstance(tracker.slots, AnySlotDict)
        or not tracker.events
    ):
        return None
    return log_for(tracker.events[0])


def keep(points: list[Any], point: Any, size: int) -> None:
    points.append(point)
    del points[:-size]


# --- the replayed state of a tracker ---------------------------------------------------


def snapshot(tracker: DialogueStateTracker) -> tuple[Any, ...]:
    """Everything replaying events changes on a tracker (see ``DialogueStateTracker._reset``)."""
    loop = tracker.active_loop
    return (
        {name: (slot._value, slot._has_been_set) for name, slot in tracker.slots.items()},
        tracker._paused,
        tracker.followup_action,
        tracker.latest_action,
        tracker.latest_message,
        tracker.latest_bot_utterance,
        dataclasses.replace(loop) if loop is not None else None,
        len(tracker.events),
    )


def _fresh(message: UserUttered | None, utterance: BotUttered | None) -> tuple[Any, Any]:
    """The latest messages, with the placeholders ``DialogueStateTracker._reset`` creates
    made anew for each tracker (as a replay would), never shared between trackers."""
    if message is not None and message.text is None and not message.parse_data.get("intent"):
        message = UserUttered.empty()
    if utterance is not None and utterance.text is None and not utterance.data:
        utterance = BotUttered.empty()
    return message, utterance


def restore(tracker: DialogueStateTracker, state: tuple[Any, ...], events: Iterable[Event]) -> None:
    """Puts a snapshot back (``events``: the events the snapshot was taken after)."""
    slots, paused, followup, action, message, utterance, loop, _ = state
    message, utterance = _fresh(message, utterance)
    for name, (value, has_been_set) in slots.items():
        slot = tracker.slots[name]
        slot._value, slot._has_been_set = value, has_been_set
    tracker._paused = paused
    tracker.followup_action = followup
    tracker.latest_action = dict(action) if action is not None else None
    tracker.latest_message = message
    tracker.latest_bot_utterance = utterance
    tracker.active_loop = dataclasses.replace(loop) if loop is not None else None
    tracker.events = deque(events)


def forget() -> None:
    """Forgets every conversation's log (``uninstall``)."""
    _LOGS.clear()

"""``DialogueStateTracker``'s replays: applied events and copies from what was seen before.

``applied_events`` folds in only the new events, with Rasa's own undo helpers (the
stock function runs when a new form name appears, since Rasa's fold looks at every
loop name up front). ``copy`` and ``from_events`` restore the replayed state of the
longest known prefix of the events and replay only the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.long_conversations.log import (
    CopyPoint,
    FoldPoint,
    Log,
    extends,
    keep,
    log_for,
    log_of,
    restore,
    snapshot,
    stock,
)

FOLD_POINTS = 4  # applied-events results kept per conversation
COPY_POINTS = 4  # replayed copies kept per conversation


def _loop_names(events: Iterable[Event]) -> set[str]:
    """As ``DialogueStateTracker.applied_events`` collects them."""
    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def _fold(tracker: DialogueStateTracker, applied: list[Event], event: Event, loops: Any) -> None:
    """One step of ``DialogueStateTracker.applied_events``, with Rasa's helpers."""
    if isinstance(event, Restarted | SessionStarted):
        applied.clear()
    elif isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (
        isinstance(event, ActionExecuted)
        and event.action_name in loops
        and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
    ):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """``DialogueStateTracker.applied_events``, folding in only the events not seen before."""
    log = log_of(self)
    if log is None:
        return stock["applied_events"](self)
    events = self.events
    point = next((p for p in reversed(log.folds) if extends(events, p.raw)), None)
    if point is not None and len(point.raw) == len(events):
        return list(point.applied)
    new = _loop_names(itertools.islice(events, len(point.raw), None)) if point else set()
    if point is not None and new <= point.loops:
        applied, loops = list(point.applied), point.loops
        for event in itertools.islice(events, len(point.raw), None):
            _fold(self, applied, event, loops)
    else:  # the first call, or a form new to the conversation: Rasa's fold
        applied = stock["applied_events"](self)
        loops = frozenset(_loop_names(events))
    keep(log.folds, FoldPoint(list(events), applied, loops), FOLD_POINTS)
    return list(applied)


# --- copies ----------------------------------------------------------------------------


def _replayed(
    log: Log, tracker: DialogueStateTracker, events: Sequence[Event]
) -> DialogueStateTracker:
    """``tracker`` (fresh) after replaying ``events``, from the longest known prefix."""
    point = next((p for p in reversed(log.copies) if extends(events, p.raw)), None)
    done = 0
    if point is not None and point.state[0].keys() == tracker.slots.keys():
        restore(tracker, point.state, point.raw)
        done = len(point.raw)
    for event in itertools.islice(events, done, None):
        tracker.update(event)
    if done < len(events):
        keep(log.copies, CopyPoint(list(events), snapshot(tracker)), COPY_POINTS)
    return tracker


def copy(self: DialogueStateTracker) -> DialogueStateTracker:
    """``DialogueStateTracker.copy``: a replay of every event, here of the new ones only."""
    log = log_of(self)
    if log is None:
        return stock["copy"](self)
    return _replayed(log, self.init_copy(), self.events)


def from_events(
    cls: type[DialogueStateTracker],
    sender_id: str,
    evts: list[Event],
    slots: list[Slot] | None = None,
    max_event_history: int | None = None,
    sender_source: str | None = None,
    domain: Domain | None = None,
) -> DialogueStateTracker:
    """``DialogueStateTracker.from_events`` (forms build their temporary trackers with it).

    The same replay as :func:`copy` when ``evts`` begins with a conversation's events.
    """
    if cls is not DialogueStateTracker or slots is None or max_event_history or not evts:
        return stock["from_events"].__func__(
            cls, sender_id, evts, slots, max_event_history, sender_source, domain
        )
    tracker = cls(sender_id, slots, max_event_history, sender_source)
    return _replayed(log_for(evts[0]), tracker, evts)

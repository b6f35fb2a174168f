"""Rasa 3.6 patched so that a message costs the same at message 200 as at message 1.

Measured (docs/performance.md, "Conversation length"): one conversation of 200
pre-sale questions took 35 ms a message at first and 169 ms at the end. Stock Rasa
redoes work over the whole conversation for every message, and each message adds
about ten events. Profiling message 200 against message 1 showed where the time went:

1. **The policies' states.** RulePolicy and MemoizationPolicy call
   ``TrackerFeaturizer.prediction_states`` for every prediction (RulePolicy twice: for
   the text and the intent), and each call replays every applied event of the session
   into a fresh tracker (``Domain.states_for_tracker_history``), building one state
   per action. RulePolicy then matches its rules against all of them, formats all of
   them for a debug log, and JSON-dumps all of them as a "feature key" when no rule
   matched (about half the time at message 200).
2. **``DialogueStateTracker.applied_events``**, a pure-Python pass over every event,
   called by the above, by the session check of each message and by the copies below.
3. **``DialogueStateTracker.copy``**, which the processor makes before every action
   (``MessageProcessor._run_action``): a replay of every event.
4. **The action call.** ``RemoteAction`` sends the whole tracker, every event as JSON
   (about 1 MB at message 200), to the action server for every custom action and form
   validation; the action server parses it all again.

:func:`install` keeps every result identical and removes the growth:

* ``applied_events`` is computed incrementally: the events a tracker holds are only
  ever appended to, so the result for the events seen before is kept (per
  conversation, shared by the processor's copies, which hold the same event objects)
  and only the new events are folded in, with Rasa's own undo helpers. When a new
  form name appears (Rasa's fold looks at every loop name of the conversation up
  front), or anything else does not match, the stock function runs.
* The states are computed incrementally the same way for the two policies'
  featurizer (``MaxHistoryTrackerFeaturizer.prediction_states``, prediction only):
  the replay tracker, the states and Rasa's two loop variables are kept, with
  snapshots at the last 64 actions, because a form's next run or a revert rewrites the
  tail of the applied events and the replay restarts from the last action before it.
  Only the states a policy reads are handed out, as copies (the featurizer edits them
  in place): MemoizationPolicy reads ``max_history`` (4) states; RulePolicy, while it
  predicts, reads one state more than its longest rule or remembered rule key, which
  is exactly as far back as any rule can look (``RulePolicy._is_rule_applicable``
  accepts any turn beyond a rule's length; a feature key longer than every stored key
  matches none, so ``hide_rule_turn`` is unchanged). Training and other featurizers
  keep Rasa's functions.
* ``copy`` restores the replayed state of the longest known prefix of the events and
  replays only the rest (the slots' values, the active loop, the latest message,
  action and bot utterance, paused, follow-up action and the events).
* Custom action calls send only the events the action server has not seen (a
  ``/webhook/delta`` call naming the previous call's token); the action server rebuilds
  the full list, so every action still sees every event (``actions/event_cache.py``).
  An action server that does not know the token (restarted, another replica's) answers
  409, one without the cache 404, and the call is sent again in full.

Only the exact ``DialogueStateTracker`` class without ``max_event_history`` and with
domain slots is handled; anything else takes Rasa's code. Verified by
``tests/rasa_ext/test_long_conversations.py``: results equal to Rasa's for long and
branching random event logs and for the trained policies on every turn of the
conversation tests joined into one long conversation, and the work per message (events
replayed, states built, events sent) flat between message 20 and message 200.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import itertools
import json
import operator
import os
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from rasa.core.actions.action import RemoteAction
from rasa.core.constants import (
    COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME,
    DEFAULT_COMPRESS_ACTION_SERVER_REQUEST,
)
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.rule_policy import (
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RULES_NOT_IN_STORIES,
    RulePolicy,
)
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from actions.event_cache import DELTA_SUBPATH, RESEND, TRACKER_KEY

_MARK = "_shop_long_conversations"
FOLD_POINTS = 4  # applied-events results kept per conversation
COPY_POINTS = 4  # replayed copies kept per conversation
STATE_MARKS = 64  # snapshots of the states' replay kept per policy, one per action
LOGS = 500  # conversations whose events are kept (as many as ShopSQLTrackerStore keeps)
SENT_CONVERSATIONS = 500  # conversations whose last action calls are remembered
SENT_POINTS = 4  # action calls remembered per conversation (EventCache.CALLS on the server)


# --- a conversation's event log ------------------------------------------------------


def _extends(events: Sequence[Event], known: Sequence[Event]) -> bool:
    """True when ``events`` starts with exactly the objects of ``known`` (C-speed check)."""
    n = len(known)
    if len(events) < n:
        return False
    if n and events[n - 1] is not known[-1]:
        return False
    return all(map(operator.is_, events, known))


def _common_prefix(a: Sequence[Any], b: Sequence[Any], start: int) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (by identity).

    Items before ``start`` are checked at C speed; a mismatch there returns ``-1``.
    """
    n = min(len(a), len(b))
    start = min(start, n)
    if not all(map(operator.is_, itertools.islice(a, start), itertools.islice(b, start))):
        return -1
    for index in range(start, n):
        if a[index] is not b[index]:
            return index
    return n


@dataclasses.dataclass
class _FoldPoint:
    raw: list[Event]  # the events folded
    applied: list[Event]  # their applied events
    loops: frozenset[str]  # the loop names among them


@dataclasses.dataclass
class _CopyPoint:
    raw: list[Event]
    state: tuple[Any, ...]  # _snapshot of a replay of ``raw``


class _Log:
    """What is known about one conversation's events, shared by all trackers holding them."""

    def __init__(self) -> None:
        self.folds: list[_FoldPoint] = []
        self.copies: list[_CopyPoint] = []
        self.runs: dict[Any, _StateRun] = {}


_LOGS: OrderedDict[int, tuple[Event, _Log]] = OrderedDict()


def _log_for(first: Event) -> _Log:
    """The log of the conversation whose events start with the object ``first``.

    The :data:`LOGS` conversations used last are kept (a log holds its conversation's
    events; a dropped one is rebuilt from Rasa's functions when needed again).
    """
    key = id(first)
    found = _LOGS.get(key)
    if found is not None and found[0] is first:
        _LOGS.move_to_end(key)
        return found[1]
    log = _Log()
    _LOGS[key] = (first, log)  # the event itself: its id stays unique while kept
    while len(_LOGS) > LOGS:
        _LOGS.popitem(last=False)
    return log


def _log_of(tracker: DialogueStateTracker) -> _Log | None:
    """The log of ``tracker``'s conversation; ``None`` for trackers left to Rasa's code."""
    if (
        type(tracker) is not DialogueStateTracker
        or tracker._max_event_history is not None
        or isinstance(tracker.slots, AnySlotDict)
        or not tracker.events
    ):
        return None
    return _log_for(tracker.events[0])


def _keep(points: list[Any], point: Any, size: int) -> None:
    points.append(point)
    del points[:-size]


# --- the replayed state of a tracker ---------------------------------------------------


def _snapshot(tracker: DialogueStateTracker) -> tuple[Any, ...]:
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


def _restore(
    tracker: DialogueStateTracker, state: tuple[Any, ...], events: Iterable[Event]
) -> None:
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


# --- 2. applied events -------------------------------------------------------------------

_stock: dict[str, Any] = {}


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
    log = _log_of(self)
    if log is None:
        return _stock["applied_events"](self)
    events = self.events
    point = next((p for p in reversed(log.folds) if _extends(events, p.raw)), None)
    if point is not None and len(point.raw) == len(events):
        return list(point.applied)
    new = _loop_names(itertools.islice(events, len(point.raw), None)) if point else set()
    if point is not None and new <= point.loops:
        applied, loops = list(point.applied), point.loops
        for event in itertools.islice(events, len(point.raw), None):
            _fold(self, applied, event, loops)
    else:  # the first call, or a form new to the conversation: Rasa's fold
        applied = _stock["applied_events"](self)
        loops = frozenset(_loop_names(events))
    _keep(log.folds, _FoldPoint(list(events), applied, loops), FOLD_POINTS)
    return list(applied)


# --- 3. copies -------------------------------------------------------------------------


def _replayed(
    log: _Log, tracker: DialogueStateTracker, events: Sequence[Event]
) -> DialogueStateTracker:
    """``tracker`` (fresh) after replaying ``events``, from the longest known prefix."""
    point = next((p for p in reversed(log.copies) if _extends(events, p.raw)), None)
    done = 0
    if point is not None and point.state[0].keys() == tracker.slots.keys():
        _restore(tracker, point.state, point.raw)
        done = len(point.raw)
    for event in itertools.islice(events, done, None):
        tracker.update(event)
    if done < len(events):
        _keep(log.copies, _CopyPoint(list(events), _snapshot(tracker)), COPY_POINTS)
    return tracker


def copy(self: DialogueStateTracker) -> DialogueStateTracker:
    """``DialogueStateTracker.copy``: a replay of every event, here of the new ones only."""
    log = _log_of(self)
    if log is None:
        return _stock["copy"](self)
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
        return _stock["from_events"].__func__(
            cls, sender_id, evts, slots, max_event_history, sender_source, domain
        )
    tracker = cls(sender_id, slots, max_event_history, sender_source)
    return _replayed(_log_for(evts[0]), tracker, evts)


# --- 1. the policies' states ---------------------------------------------------------


@dataclasses.dataclass
class _Mark:
    index: int  # of an ActionExecuted in the applied events; the state before its turn
    states: int
    last_ml: Any
    hidden: bool
    replay: tuple[Any, ...]


class _StateRun:
    """``Domain.states_for_tracker_history`` for one conversation, kept between calls."""

    def __init__(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        ignore_rule_only_turns: bool,
        rule_only_data: dict[str, Any] | None,
    ) -> None:
        self.domain = domain
        self.ignore_rule_only_turns = ignore_rule_only_turns
        self.rule_only_data = rule_only_data
        self.template = tracker.init_copy()  # sender and slots; no events kept
        self._start()

    def _start(self) -> None:
        self.replay = self.template.init_copy()
        self.applied: list[Event] = []
        self.states: list[State] = []
        self.last_ml: Any = None
        self.hidden = False
        self.marks: list[_Mark] = []

    def _turn(self, hide_rule_turn: bool) -> tuple[Any, bool]:
        """The body of the loop in ``Domain.states_for_tracker_history``, for one turn."""
        domain, tr, states = self.domain, self.replay, self.states
        last_ml, hidden = self.last_ml, self.hidden
        if self.ignore_rule_only_turns:
            if not hidden:
                last_ml = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
                hidden = hide_rule_turn
            if hidden:
                return last_ml, hidden
        state = domain.get_active_state(tr)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml:
                state[PREVIOUS_ACTION] = last_ml
        states.append(domain._clean_state(state))
        return last_ml, hidden

    def states_for(self, applied: list[Event]) -> tuple[list[State], State | None]:
        """The states before each action of ``applied``, and the state after them all."""
        oldest = self.marks[0].index if self.marks else len(self.applied)
        common = _common_prefix(self.applied, applied, oldest)
        if common < len(self.applied):
            mark = next((m for m in reversed(self.marks) if m.index <= common), None)
            if mark is None:
                self._start()
            else:
                del self.marks[self.marks.index(mark) :]
                del self.applied[mark.index :]
                del self.states[mark.states :]
                self.last_ml, self.hidden = mark.last_ml, mark.hidden
                _restore(self.replay, mark.replay, ())
        for index in range(len(self.applied), len(applied)):
            event = applied[index]
            if isinstance(event, ActionExecuted):
                mark = _Mark(
                    index, len(self.states), self.last_ml, self.hidden, _snapshot(self.replay)
                )
                _keep(self.marks, mark, STATE_MARKS)
                self.last_ml, self.hidden = self._turn(event.hide_rule_turn)
            self.replay.update(event)
            self.applied.append(event)
        # The state after every event (the final ``yield tracker, False``): not kept.
        before = len(self.states)
        self._turn(False)
        final = self.states[before] if len(self.states) > before else None
        del self.states[before:]
        return self.states, final


def _run_key(ignore_rule_only_turns: bool, rule_only_data: dict[str, Any] | None) -> tuple:
    frozen = json.dumps(rule_only_data, sort_keys=True) if rule_only_data else None
    return (ignore_rule_only_turns, frozen)


def _copy_states(states: list[State]) -> list[State]:
    """Copies the featurizer may edit in place, sub-states shared as in the originals.

    Rasa's states share sub-states (a rule-only turn takes the previous state's user
    sub-state), so an edit of the last state shows in the one before; the copies keep
    that. Sub-states hold strings and tuples only.
    """
    copies: dict[int, dict[str, Any]] = {}

    def sub_copy(sub: dict[str, Any]) -> dict[str, Any]:
        found = copies.get(id(sub))
        if found is None:
            found = copies[id(sub)] = dict(sub)
        return found

    return [{kind: sub_copy(sub) for kind, sub in state.items()} for state in states]


def _is_unlikely_intent_turn(state: State) -> bool:
    from rasa.core.featurizers.tracker_featurizers import (
        _is_prev_action_unlikely_intent_in_state,
    )

    return bool(_is_prev_action_unlikely_intent_in_state(state))


def _window(
    states: list[State], final: State | None, size: int | None, skip_unlikely: bool
) -> list[State]:
    """The last ``size`` states (all when ``None``), as ``prediction_states`` slices them."""
    chosen: list[State] = []
    for state in itertools.chain([final] if final is not None else [], reversed(states)):
        if size is not None and len(chosen) >= size:
            break
        if skip_unlikely and _is_unlikely_intent_turn(state):
            continue
        chosen.append(state)
    chosen.reverse()
    return _copy_states(chosen)


_RULE_WINDOW: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "shop_rule_window", default=None
)


def prediction_states(
    self: MaxHistoryTrackerFeaturizer,
    trackers: list[DialogueStateTracker],
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
    ignore_action_unlikely_intent: bool = False,
) -> list[list[State]]:
    """``MaxHistoryTrackerFeaturizer.prediction_states`` from the kept states."""
    size = self.max_history or _RULE_WINDOW.get()
    result = []
    for tracker in trackers:
        log = _log_of(tracker)
        if log is None:
            result += _stock["prediction_states"](
                self,
                [tracker],
                domain,
                use_text_for_last_user_input=use_text_for_last_user_input,
                ignore_rule_only_turns=ignore_rule_only_turns,
                rule_only_data=rule_only_data,
                ignore_action_unlikely_intent=ignore_action_unlikely_intent,
            )
            continue
        key = _run_key(ignore_rule_only_turns, rule_only_data)
        run = log.runs.get(key)
        if run is None or run.domain is not domain:
            run = _StateRun(tracker, domain, ignore_rule_only_turns, rule_only_data)
            log.runs[key] = run
        states, final = run.states_for(tracker.applied_events())
        window = _window(states, final, size, ignore_action_unlikely_intent)
        self._choose_last_user_input([window], use_text_for_last_user_input)
        result.append(window)
    return result


def _rule_window(policy: RulePolicy) -> int:
    """One state more than the longest rule or rule key RulePolicy may compare with."""
    window = policy.__dict__.get(_MARK)
    if window is None:
        longest = 0
        for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES):
            for key in policy.lookup.get(table) or []:
                with contextlib.suppress(ValueError, TypeError):
                    states = json.loads(key)
                    if isinstance(states, list):
                        longest = max(longest, len(states))
        window = policy.__dict__[_MARK] = longest + 1
    return int(window)


def predict_action_probabilities(self: RulePolicy, *args: Any, **kwargs: Any) -> Any:
    """``RulePolicy.predict_action_probabilities`` reading only the states rules can match."""
    token = _RULE_WINDOW.set(_rule_window(self))
    try:
        return _stock["predict_action_probabilities"](self, *args, **kwargs)
    finally:
        _RULE_WINDOW.reset(token)


# --- 4. action calls ------------------------------------------------------------------


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
    original = _stock["_action_call_format"]
    endpoint = self.action_endpoint
    if endpoint is None or _compressing() or _log_of(tracker) is None:
        return original(self, tracker, domain)
    events = list(tracker.events)
    key = (str(endpoint.url), str(tracker.sender_id))
    sent = _SENT.get(key) or []
    token = uuid.uuid4().hex
    base = None
    if endpoint.url not in _NO_DELTA:
        base = next((b for b in reversed(sent) if _extends(events, b[1])), None)
    if base is not None:
        meta = {"token": token, "base": base[0], "count": len(base[1])}
        view = _StateWithEvents(tracker, events[len(base[1]) :], meta)
    else:
        view = _StateWithEvents(tracker, events, {"token": token})
    body = original(self, view, domain)
    _keep(sent, (token, events), SENT_POINTS)
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
    original = _stock["request"]
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


# --- installation ----------------------------------------------------------------------


_PATCHES: list[tuple[type, str, Any]] = [
    (DialogueStateTracker, "applied_events", applied_events),
    (DialogueStateTracker, "copy", copy),
    (DialogueStateTracker, "from_events", classmethod(from_events)),
    (MaxHistoryTrackerFeaturizer, "prediction_states", prediction_states),
    (RulePolicy, "predict_action_probabilities", predict_action_probabilities),
    (RemoteAction, "_action_call_format", action_call_format),
    (EndpointConfig, "request", request),
]


def install() -> None:
    """Replaces Rasa's functions once (idempotent); see the module docstring.

    ``SHOP_LONG_CONVERSATIONS=off`` leaves Rasa's functions in place (to measure
    stock Rasa, or as a way back should a Rasa upgrade break the patch).
    """
    if installed() or os.environ.get("SHOP_LONG_CONVERSATIONS", "").lower() in ("0", "off"):
        return
    for cls, name, patched in _PATCHES:
        _stock[name] = cls.__dict__[name]
        setattr(cls, name, patched)


def uninstall() -> None:
    """Puts Rasa's functions back and forgets everything kept (tests compare both)."""
    if not installed():
        return
    for cls, name, _ in _PATCHES:
        setattr(cls, name, _stock[name])
    _LOGS.clear()
    _SENT.clear()
    _NO_DELTA.clear()


def installed() -> bool:
    """Whether the patched functions are in place."""
    return DialogueStateTracker.__dict__["applied_events"] is applied_events

"""The policies' states (``MaxHistoryTrackerFeaturizer.prediction_states``), kept between calls.

The replay tracker, the states and Rasa's two loop variables are kept per conversation,
with snapshots at the last :data:`STATE_MARKS` actions, because a form's next run or a
revert rewrites the tail of the applied events and the replay restarts from the last
action before it. Only the states a policy reads are handed out, as copies:
MemoizationPolicy's ``max_history``, and for RulePolicy one state more than its
longest rule or rule key (``predict_action_probabilities`` sets that window).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import itertools
import json
import operator
from collections.abc import Sequence
from typing import Any

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.rule_policy import (
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RULES_NOT_IN_STORIES,
    RulePolicy,
)
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.long_conversations.log import keep, log_of, restore, snapshot, stock

_MARK = "_shop_long_conversations"
STATE_MARKS = 64  # snapshots of the states' replay kept per policy, one per action


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
class _Mark:
    index: int  # of an ActionExecuted in the applied events; the state before its turn
    states: int
    last_ml: Any
    hidden: bool
    replay: tuple[Any, ...]


class StateRun:
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
                restore(self.replay, mark.replay, ())
        for index in range(len(self.applied), len(applied)):
            event = applied[index]
            if isinstance(event, ActionExecuted):
                mark = _Mark(
                    index, len(self.states), self.last_ml, self.hidden, snapshot(self.replay)
                )
                keep(self.marks, mark, STATE_MARKS)
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
        log = log_of(tracker)
        if log is None:
            result += stock["prediction_states"](
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
            run = StateRun(tracker, domain, ignore_rule_only_turns, rule_only_data)
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
        return stock["predict_action_probabilities"](self, *args, **kwargs)
    finally:
        _RULE_WINDOW.reset(token)

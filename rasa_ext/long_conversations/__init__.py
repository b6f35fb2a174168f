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

One module per area: ``log`` (what is kept per conversation, shared), ``tracker``
(2 and 3), ``states`` (1), ``action_calls`` (4).
"""

from __future__ import annotations

import os
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from rasa_ext.long_conversations import action_calls, log, states, tracker

_PATCHES: list[tuple[type, str, Any]] = [
    (DialogueStateTracker, "applied_events", tracker.applied_events),
    (DialogueStateTracker, "copy", tracker.copy),
    (DialogueStateTracker, "from_events", classmethod(tracker.from_events)),
    (MaxHistoryTrackerFeaturizer, "prediction_states", states.prediction_states),
    (RulePolicy, "predict_action_probabilities", states.predict_action_probabilities),
    (RemoteAction, "_action_call_format", action_calls.action_call_format),
    (EndpointConfig, "request", action_calls.request),
]


def install() -> None:
    """Replaces Rasa's functions once (idempotent); see the module docstring.

    ``SHOP_LONG_CONVERSATIONS=off`` leaves Rasa's functions in place (to measure
    stock Rasa, or as a way back should a Rasa upgrade break the patch).
    """
    if installed() or os.environ.get("SHOP_LONG_CONVERSATIONS", "").lower() in ("0", "off"):
        return
    for cls, name, patched in _PATCHES:
        log.stock[name] = cls.__dict__[name]
        setattr(cls, name, patched)


def uninstall() -> None:
    """Puts Rasa's functions back and forgets everything kept (tests compare both)."""
    if not installed():
        return
    for cls, name, _ in _PATCHES:
        setattr(cls, name, log.stock[name])
    log.forget()
    action_calls.forget()


def installed() -> bool:
    """Whether the patched functions are in place."""
    return DialogueStateTracker.__dict__["applied_events"] is tracker.applied_events

"""rasa_ext/long_conversations/: Rasa's results, with work that does not grow.

Every patched function is compared with Rasa's own on the same events: a tracker of
the subclass ``Stock`` takes Rasa's code paths (the patch handles the exact
``DialogueStateTracker`` only), so both run side by side on shared event objects.
"""

from __future__ import annotations

import dataclasses
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import BooleanSlot, CategoricalSlot, FloatSlot, ListSlot, Slot
from rasa.shared.core.trackers import DialogueStateTracker

import channels  # noqa: F401 - installs the patch, as the Rasa server does
from rasa_ext import long_conversations as lc
from rasa_ext.long_conversations import action_calls as lc_calls
from rasa_ext.long_conversations import log as lc_log
from rasa_ext.long_conversations import states as lc_states
from rasa_ext.long_conversations import tracker as lc_tracker

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "shoe-shop.tar.gz"


class Stock(DialogueStateTracker):
    """A tracker the patch leaves to Rasa's code: the reference."""


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def test_installed_when_rasa_loads_the_channels() -> None:
    assert lc.installed()
    lc.install()  # idempotent
    assert DialogueStateTracker.__dict__["copy"] is lc_tracker.copy


# --- random event logs ------------------------------------------------------------------


def _value(slot: Slot, rng: random.Random) -> Any:
    if rng.random() < 0.2:
        return None
    if isinstance(slot, CategoricalSlot):
        return rng.choice(slot.values)
    if isinstance(slot, BooleanSlot):
        return rng.random() < 0.5
    if isinstance(slot, FloatSlot):
        return rng.uniform(slot.min_value, slot.max_value)
    if isinstance(slot, ListSlot):
        return [rng.choice(["a", "b"])]
    return rng.choice(["P001", "25.5", "宽脚"])


def _turn(domain: Domain, rng: random.Random) -> list[Event]:
    """A buyer's message and what the assistant did, with the rarer events mixed in."""
    forms = sorted(domain.form_names)
    actions = [a for a in domain.action_names_or_texts if a and a != "action_listen"]
    user = UserUttered(
        rng.choice(["在吗", "脚长25", "这双防水吗", "第一个"]),
        intent={"name": rng.choice(domain.intents), "confidence": 1.0},
        entities=[{"entity": rng.choice(domain.entities), "value": "x", "start": 0, "end": 1}]
        if rng.random() < 0.3
        else [],
    )
    events: list[Event] = [ActionExecuted("action_listen"), user]
    if rng.random() < 0.1:
        events.append(DefinePrevUserUtteredFeaturization(rng.random() < 0.5))
    if rng.random() < 0.1:
        events.append(EntitiesAdded([{"entity": "product", "value": "小白鞋"}]))
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        form = rng.choice(forms)
        if roll < 0.35:  # a form step: its ActionExecuted repeats, so Rasa's fold undoes
            events.append(ActionExecuted(form, hide_rule_turn=rng.random() < 0.3))
            events.append(ActiveLoop(form if rng.random() < 0.8 else None))
        else:
            events.append(ActionExecuted(rng.choice(actions), hide_rule_turn=rng.random() < 0.2))
        for _ in range(rng.randint(0, 3)):
            slot = rng.choice(domain.slots)
            events.append(SlotSet(slot.name, _value(slot, rng)))
        if rng.random() < 0.5:
            events.append(BotUttered("好的", metadata={"utter_action": "utter_x"}))
        extra = rng.random()
        if extra < 0.05:
            events.append(LoopInterrupted(rng.random() < 0.5))
        elif extra < 0.08:
            events.append(ActionExecutionRejected(form))
        elif extra < 0.11:
            events.append(FollowupAction(rng.choice(actions)))
        elif extra < 0.13:
            events.append(UserUtteranceReverted())
        elif extra < 0.15:
            events.append(ActionReverted())
        elif extra < 0.16:
            events.append(Restarted())
        elif extra < 0.17:
            events += [ActionExecuted("action_session_start"), SessionStarted()]
        elif extra < 0.18:
            events.append(ConversationPaused())
        elif extra < 0.19:
            events.append(ConversationResumed())
        elif extra < 0.20:
            events.append(AllSlotsReset())
    return events


def _message(message: Any, tracker: DialogueStateTracker) -> Any:
    """An event of the log by identity; a placeholder of ``_reset`` by content."""
    if any(message is e for e in tracker.events):
        return id(message)
    return (message.text, message.as_dict().get("parse_data"), message.as_dict().get("data"))


def _replayed_state(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything a replay sets, for comparing two trackers."""
    loop = tracker.active_loop
    state = tracker.current_state()
    del state["latest_event_time"]
    return {
        "events": [id(e) for e in tracker.events],
        "slots": {n: (s.value, s.has_been_set) for n, s in tracker.slots.items()},
        "loop": dataclasses.asdict(loop) if loop else None,
        "paused": tracker.is_paused(),
        "followup": tracker.followup_action,
        "action": tracker.latest_action,
        "message": _message(tracker.latest_message, tracker),
        "utterance": _message(tracker.latest_bot_utterance, tracker),
        "state": state,
    }


FEATURIZERS = [
    # MemoizationPolicy's, as the graph calls it; RulePolicy's, text and intent.
    (4, {"ignore_rule_only_turns": True, "ignore_action_unlikely_intent": True}),
    (None, {"use_text_for_last_user_input": True}),
    (None, {"use_text_for_last_user_input": False}),
]


def _check(live: DialogueStateTracker, stock: Stock, domain: Domain, rng: random.Random) -> None:
    assert [id(e) for e in live.applied_events()] == [id(e) for e in stock.applied_events()]
    assert _replayed_state(live.copy()) == _replayed_state(stock.copy())
    extra = _turn(domain, rng)
    evts = [*live.events, *extra]
    built = DialogueStateTracker.from_events("c", evts, slots=domain.slots)
    assert _replayed_state(built) == _replayed_state(Stock.from_events("c", evts, domain.slots))
    rule_only = {"rule_only_slots": ["requested_slot"], "rule_only_loops": ["rating_form"]}
    for max_history, kwargs in FEATURIZERS:
        featurizer = MaxHistoryTrackerFeaturizer(None, max_history=max_history)
        kwargs = {**kwargs, "rule_only_data": rule_only if max_history else None}
        got = featurizer.prediction_states([live], domain, **kwargs)
        want = lc_log.stock["prediction_states"](featurizer, [stock], domain, **kwargs)
        assert got == want
        token = lc_states._RULE_WINDOW.set(5)
        try:
            windowed = featurizer.prediction_states([live], domain, **kwargs)
        finally:
            lc_states._RULE_WINDOW.reset(token)
        assert windowed == [want[0][-(max_history or 5) :]]


@pytest.mark.parametrize("seed", range(6))
def test_random_conversations_give_rasas_results(domain: Domain, seed: int) -> None:
    """Long event logs with forms, reverts, restarts and temporary branches, checked often."""
    rng = random.Random(seed)
    live = DialogueStateTracker.from_events("c", [], slots=domain.slots)
    stock = Stock.from_events("c", [], domain.slots)
    for step in range(90):
        for event in _turn(domain, rng):
            live.update(event)
            stock.update(event)
            if rng.random() < 0.15:
                _check(live, stock, domain, rng)
        if step % 3 == 0:
            # The processor's copy for an action, with events that stay on the copy.
            branch = live.copy()
            for event in _turn(domain, rng):
                branch.update(event)
            reference = Stock.from_events("c", list(branch.events), domain.slots)
            _check(branch, reference, domain, rng)
    _check(live, stock, domain, rng)


def test_what_is_kept_is_bounded(domain: Domain) -> None:
    for n in range(lc_log.LOGS + 20):
        tracker = DialogueStateTracker.from_events(f"c{n}", [], slots=domain.slots)
        tracker.update(ActionExecuted("action_listen"))
        tracker.applied_events()
    assert len(lc_log._LOGS) == lc_log.LOGS


def test_a_tracker_rasa_loads_without_slots_takes_rasas_code(domain: Domain) -> None:
    plain = DialogueStateTracker("c", None)
    plain.update(ActionExecuted("action_listen"))
    assert lc_log.log_of(plain) is None
    assert plain.applied_events() == [plain.events[0]]


# --- the trained policies, turn by turn --------------------------------------------------


@dataclasses.dataclass
class Policies:
    rule: RulePolicy
    memo: MemoizationPolicy
    domain: Domain


@pytest.fixture(scope="module")
def policies() -> Iterator[Policies]:
    """RulePolicy and MemoizationPolicy as trained into models/shoe-shop.tar.gz."""
    if not MODEL.exists():
        pytest.fail("no trained model: run scripts/train_if_stale.sh (make test does)")
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    import nlu_components.chinese_normalizer  # noqa: F401 - named in the model's schema

    with tempfile.TemporaryDirectory() as tmp:
        storage, metadata = LocalModelStorage.from_model_archive(Path(tmp), MODEL)
        context = ExecutionContext(metadata.predict_schema, metadata.model_id)
        loaded: dict[type, Any] = {}
        for node in metadata.predict_schema.nodes.values():
            if node.uses in (RulePolicy, MemoizationPolicy):
                config = {**node.uses.get_default_config(), **node.config}
                loaded[node.uses] = node.uses.load(config, storage, node.resource, context)
        yield Policies(loaded[RulePolicy], loaded[MemoizationPolicy], metadata.domain)


def _story_events(domain: Domain) -> list[Event]:
    """tests/test_stories.yml, every story after the other: one long conversation."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    events: list[Event] = []
    for step in YAMLStoryReader(domain).read_from_file(str(ROOT / "tests" / "test_stories.yml")):
        for event in step.events:
            if isinstance(event, UserUttered) and not (
                events
                and isinstance(events[-1], ActionExecuted)
                and events[-1].action_name == "action_listen"
            ):
                events.append(ActionExecuted("action_listen"))
            events.append(event)
    return events


def _prediction(prediction: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(prediction).items() if k != "diagnostic_data"}


def test_trained_policies_predict_as_rasa_on_every_turn(policies: Policies) -> None:
    """The conversation tests joined (about 300 events, 3 times): identical predictions."""
    domain = policies.domain
    live = DialogueStateTracker.from_events("stories", [], slots=domain.slots)
    stock = Stock.from_events("stories", [], domain.slots)
    rule_only = policies.rule._get_rule_only_data()
    compared = 0
    for _ in range(3):
        for event in _story_events(domain):
            if isinstance(event, ActionExecuted) and live.events:
                for policy, kwargs in (
                    (policies.rule, {}),
                    (policies.memo, {"rule_only_data": rule_only}),
                ):
                    got = policy.predict_action_probabilities(live, domain, **kwargs)
                    want = policy.predict_action_probabilities(stock, domain, **kwargs)
                    assert _prediction(got) == _prediction(want), (compared, event)
                compared += 1
            live.update(event)
            stock.update(event)
    assert compared > 300


# --- the work per message ---------------------------------------------------------------


def _presale_turn(index: int) -> list[Event]:
    """One pre-sale question and its answer, as the tracker stores them."""
    intent = ["ask_material", "ask_function", "ask_shipping", "ask_return_policy"][index % 4]
    return [
        UserUttered(f"问题{index}", intent={"name": intent, "confidence": 1.0}),
        ActionExecuted(f"action_answer_{intent.removeprefix('ask_')}"),
        BotUttered("答案", metadata={"utter_action": "utter_x"}),
        SlotSet("product_id", "P001"),
        ActionExecuted("action_listen"),
    ]


def _work_for_message(policies: Policies, tracker: DialogueStateTracker, index: int) -> Counter:
    """What Rasa does for one more message: counts of replayed events and built states."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    counts: Counter = Counter()
    update, active_state = DialogueStateTracker.update, Domain.get_active_state

    def counted_update(self: DialogueStateTracker, *args: Any, **kwargs: Any) -> None:
        counts["events replayed"] += 1
        update(self, *args, **kwargs)

    def counted_state(self: Domain, *args: Any, **kwargs: Any) -> Any:
        counts["states built"] += 1
        return active_state(self, *args, **kwargs)

    action = RemoteAction("action_answer_material", EndpointConfig("http://127.0.0.1:9/webhook"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DialogueStateTracker, "update", counted_update)
        patch.setattr(Domain, "get_active_state", counted_state)
        for event in _presale_turn(index)[:1]:
            tracker.update(event)
        tracker.applied_events()  # the processor's session check
        for _ in range(2):  # the action, then action_listen
            policies.rule.predict_action_probabilities(tracker, policies.domain)
            policies.memo.predict_action_probabilities(
                tracker, policies.domain, rule_only_data=policies.rule._get_rule_only_data()
            )
            temporary = tracker.copy()
            body = action._action_call_format(temporary, policies.domain)
            counts["events sent"] += len(body["tracker"]["events"])
            lc_calls._PENDING.set(None)
        for event in _presale_turn(index)[1:]:
            tracker.update(event)
    return counts


def test_the_work_per_message_does_not_grow_with_the_conversation(policies: Policies) -> None:
    tracker = DialogueStateTracker.from_events("long", [], slots=policies.domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    work = [_work_for_message(policies, tracker, i) for i in range(200)]
    early, late = work[19], work[199]
    assert len(tracker.events) > 1000
    for kind in ("events replayed", "states built", "events sent"):
        assert late[kind] <= early[kind] + 2, (kind, early, late)

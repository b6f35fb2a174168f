"""The intent ensemble: DIET's ranking averaged with a logistic regression's."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.storage.resource import Resource

from nlu_components.intent_ensemble import IntentEnsemble, mix_rankings
from tests.nlu_components.featurized import featurized


def _ranking(**scores: float) -> list[dict[str, object]]:
    return [{"name": n, "confidence": s} for n, s in scores.items()]


def test_the_average_decides_when_the_two_disagree() -> None:
    diet = _ranking(ask_size_advice=0.6, out_of_scope=0.4)
    own = {"out_of_scope": 0.55, "ask_size_advice": 0.45}
    ranking = mix_rankings(diet, own, diet_weight=0.5)
    assert ranking[0]["name"] == "ask_size_advice"
    assert ranking[0]["confidence"] == pytest.approx(0.525)


def test_an_intent_missing_from_diets_truncated_ranking_counts_as_zero() -> None:
    ranking = mix_rankings(_ranking(greet=1.0), {"greet": 0.2, "thank": 0.8}, diet_weight=0.5)
    assert [r["name"] for r in ranking] == ["greet", "thank"]
    assert ranking[1]["confidence"] == pytest.approx(0.4)


@pytest.mark.parametrize(("weight", "winner"), [(0.0, "thank"), (1.0, "greet")])
def test_the_weight_at_its_edges_gives_one_opinion(weight: float, winner: str) -> None:
    ranking = mix_rankings(_ranking(greet=0.9, thank=0.1), {"thank": 0.9, "greet": 0.1}, weight)
    assert ranking[0]["name"] == winner
    assert ranking[0]["confidence"] == pytest.approx(0.9)


def test_the_ranking_is_cut_to_ten() -> None:
    own = {f"intent_{i}": 1 / 12 for i in range(12)}
    assert len(mix_rankings([], own, diet_weight=0.5)) == 10


def test_without_diets_ranking_the_regression_decides(tmp_path: Path) -> None:
    setup = featurized(tmp_path)
    storage, context, data = setup.storage, setup.context, setup.data
    config = IntentEnsemble.get_default_config()
    IntentEnsemble.create(config, storage, Resource("ens"), context).train(data)
    reloaded = IntentEnsemble.load(config, storage, Resource("ens"), context)
    message = setup.message("我的快递到哪了呀")
    reloaded.process([message])
    assert message.get("intent")["name"] == "check_order_status"
    # DIET's opinion, when present, is averaged in: a sure DIET turns the result.
    message.set("intent_ranking", _ranking(greet=1.0))
    reloaded.process([message])
    assert message.get("intent")["name"] == "greet"

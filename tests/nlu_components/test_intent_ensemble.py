"""The intent ensemble: DIET's ranking averaged with a logistic regression's."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.intent_ensemble import IntentEnsemble, mix_rankings

EXAMPLES = {
    "check_order_status": ["我的快递到哪了", "帮我查下物流", "我的鞋发货了吗"],
    "ask_shipping": ["多久发货", "发什么快递", "包邮吗"],
    "greet": ["你好", "在吗", "亲在不在"],
}


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
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    tokenizer = JiebaTokenizer.create(
        JiebaTokenizer.get_default_config(), storage, Resource("jieba"), context
    )
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "max_ngram": 3},
        storage,
        Resource("cvf"),
        context,
    )
    data = TrainingData(
        [
            Message(data={TEXT: text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    config = IntentEnsemble.get_default_config()
    IntentEnsemble.create(config, storage, Resource("ens"), context).train(data)
    reloaded = IntentEnsemble.load(config, storage, Resource("ens"), context)
    message = Message(data={TEXT: "我的快递到哪了呀"})
    tokenizer.process([message])
    featurizer.process([message])
    reloaded.process([message])
    assert message.get("intent")["name"] == "check_order_status"
    # DIET's opinion, when present, is averaged in: a sure DIET turns the result.
    message.set("intent_ranking", _ranking(greet=1.0))
    reloaded.process([message])
    assert message.get("intent")["name"] == "greet"

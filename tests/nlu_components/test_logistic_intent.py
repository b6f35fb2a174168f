"""The logistic-regression intent classifier: configurable C, trained and reloaded."""

from __future__ import annotations

from pathlib import Path

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

from nlu_components.logistic_intent import LogisticIntentClassifier

EXAMPLES = {
    "check_order_status": ["我的快递到哪了", "帮我查下物流", "我的鞋发货了吗"],
    "ask_shipping": ["多久发货", "发什么快递", "包邮吗"],
    "greet": ["你好", "在吗", "亲在不在"],
}


def test_c_comes_from_the_config(tmp_path: Path) -> None:
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LogisticIntentClassifier.get_default_config(), "C": 7}
    component = LogisticIntentClassifier.create(
        config, LocalModelStorage(tmp_path), Resource("lr"), context
    )
    assert component.clf.C == 7.0


def test_trains_predicts_and_reloads(tmp_path: Path) -> None:
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
    config = LogisticIntentClassifier.get_default_config()
    classifier = LogisticIntentClassifier.create(config, storage, Resource("lr"), context)
    classifier.train(data)
    reloaded = LogisticIntentClassifier.load(config, storage, Resource("lr"), context)
    message = Message(data={TEXT: "我的快递到哪了呀"})
    tokenizer.process([message])
    featurizer.process([message])
    reloaded.process([message])
    assert message.get("intent")["name"] == "check_order_status"
    assert reloaded.clf.C == 30.0

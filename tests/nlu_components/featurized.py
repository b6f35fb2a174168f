"""A small training set run through jieba and count featurizers, for the classifiers' tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

EXAMPLES = {
    "check_order_status": ["我的快递到哪了", "帮我查下物流", "我的鞋发货了吗"],
    "ask_shipping": ["多久发货", "发什么快递", "包邮吗"],
    "greet": ["你好", "在吗", "亲在不在"],
}


@dataclass
class Featurized:
    """The featurized examples, where components are stored, and the steps that made them."""

    data: TrainingData
    storage: LocalModelStorage
    context: ExecutionContext
    steps: list[Any] = field(default_factory=list)

    def message(self, text: str) -> Message:
        """A new message run through the same tokenizer and featurizers."""
        message = Message(data={TEXT: text})
        for step in self.steps:
            step.process([message])
        return message


def featurized(tmp_path: Path, *, words: bool = False) -> Featurized:
    """:data:`EXAMPLES` tokenized by jieba and counted in ``char_wb`` 1-3 n-grams
    (and words first, with ``words``)."""
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    steps: list[Any] = [
        JiebaTokenizer.create(
            JiebaTokenizer.get_default_config(), storage, Resource("jieba"), context
        )
    ]
    defaults = CountVectorsFeaturizer.get_default_config()
    if words:
        steps.append(CountVectorsFeaturizer.create(defaults, storage, Resource("words"), context))
    chars = {**defaults, "analyzer": "char_wb", "max_ngram": 3}
    steps.append(CountVectorsFeaturizer.create(chars, storage, Resource("cvf"), context))
    data = TrainingData(
        [
            Message(data={TEXT: text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    steps[0].process_training_data(data)
    for featurizer in steps[1:]:
        featurizer.train(data)
        featurizer.process_training_data(data)
    return Featurized(data, storage, context, steps)

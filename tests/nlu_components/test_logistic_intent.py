"""The logistic-regression intent classifier: configurable C, trained and reloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from nlu_components.logistic_intent import LogisticIntentClassifier, sentence_row
from tests.nlu_components.featurized import featurized


def test_c_comes_from_the_config(tmp_path: Path) -> None:
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LogisticIntentClassifier.get_default_config(), "C": 7}
    component = LogisticIntentClassifier.create(
        config, LocalModelStorage(tmp_path), Resource("lr"), context
    )
    assert component.clf.C == 7.0


def test_trains_predicts_and_reloads(tmp_path: Path) -> None:
    setup = featurized(tmp_path)
    storage, context, data = setup.storage, setup.context, setup.data
    config = LogisticIntentClassifier.get_default_config()
    classifier = LogisticIntentClassifier.create(config, storage, Resource("lr"), context)
    classifier.train(data)
    reloaded = LogisticIntentClassifier.load(config, storage, Resource("lr"), context)
    message = setup.message("我的快递到哪了呀")
    reloaded.process([message])
    assert message.get("intent")["name"] == "check_order_status"
    assert reloaded.clf.C == 30.0


def test_the_row_is_rasas_row_and_the_probabilities_rasas(tmp_path: Path) -> None:
    """The faster row and product give exactly Rasa's numbers (docs/performance.md)."""
    setup = featurized(tmp_path, words=True)
    data, storage, context = setup.data, setup.storage, setup.context
    messages = list(data.intent_examples)
    dense = np.arange(4, dtype=float).reshape(1, 4)
    messages[0].add_features(Features(dense, FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    for message in messages[1:]:
        message.add_features(Features(dense + 1, FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    config = LogisticIntentClassifier.get_default_config()
    ours = LogisticIntentClassifier.create(config, storage, Resource("lr"), context)
    rasas = LogisticRegressionClassifier._create_X(ours, messages)
    assert (ours._create_X(messages) != rasas).nnz == 0
    ours.train(data)
    assert ours.clf.coef_.flags.f_contiguous
    reloaded = LogisticIntentClassifier.load(config, storage, Resource("lr"), context)
    assert reloaded.clf.coef_.flags.f_contiguous
    x = ours._create_X(messages)
    got = ours.clf.predict_proba(x)
    ours.clf.coef_ = np.ascontiguousarray(ours.clf.coef_)  # the layout scikit-learn fits
    assert np.array_equal(got, ours.clf.predict_proba(x))


def test_a_message_without_features_gets_an_empty_row() -> None:
    assert sentence_row(Message(data={TEXT: "你好"})).shape == (1, 0)

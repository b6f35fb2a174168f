"""Intent classification by logistic regression on the sparse features.

On our own held-out split, a logistic regression over the same word and
character n-gram counts that DIET sees classified intents better than DIET
(docs/nlu.md has the figures): thousands of short, varied examples over 25
intents suit a linear model, which also trains in seconds. Rasa's own
``LogisticRegressionClassifier`` fixes the regularisation at ``C=1`` and 100
iterations, which underfits here, so this subclass makes ``C`` and
``max_iter`` configurable. DIET stays in the pipeline for the entities; placed
after it, this component sets ``intent`` and ``intent_ranking``.

Two costs per message were measured (py-spy, docs/performance.md) and removed,
with the same numbers out: Rasa builds the regression's row by combining every
featurizer's *sequence and* sentence features and then keeps the sentence row
only, so :meth:`LogisticIntentClassifier._create_X` stacks the sentence
features alone, in Rasa's column order; and scikit-learn's product with
``coef_.T`` copied the whole coefficient matrix for every message unless it is
stored column-major, which :meth:`LogisticIntentClassifier.probabilities`
ensures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message


def sentence_row(message: Message) -> scipy.sparse.csr_matrix:
    """The message's sentence features as one row: every sparse featurizer's, then
    every dense one's, in the order they were added (Rasa's combined order)."""
    sentence = [
        f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
    ]
    blocks = [scipy.sparse.csr_matrix(f.features) for f in sentence if f.is_sparse()]
    blocks += [scipy.sparse.csr_matrix(np.asarray(f.features)) for f in sentence if f.is_dense()]
    if not blocks:
        return scipy.sparse.csr_matrix((1, 0))
    return scipy.sparse.hstack(blocks, format="csr")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LogisticIntentClassifier(LogisticRegressionClassifier):
    """Rasa's logistic regression intent classifier with a configurable ``C``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults plus ``C`` (inverse regularisation strength)."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 30.0, "max_iter": 3000}

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: list[Message]) -> scipy.sparse.csr_matrix:  # noqa: N802
        """The messages' sentence features, one row each (see the module docstring)."""
        return scipy.sparse.vstack([sentence_row(m) for m in messages], format="csr")

    def probabilities(self, x: scipy.sparse.csr_matrix) -> np.ndarray:
        """``predict_proba``, with the coefficients kept column-major (no copy per call)."""
        if not self.clf.coef_.flags.f_contiguous:
            self.clf.coef_ = np.asfortranarray(self.clf.coef_)
        return self.clf.predict_proba(x)

    def process(self, messages: list[Message]) -> list[Message]:
        """Rasa's process, with :meth:`probabilities`."""
        if not messages:
            return messages
        probas = self.probabilities(self._create_X(messages))
        classes = [str(c) for c in self.clf.classes_]
        for message, row in zip(messages, probas, strict=True):
            scores = [float(p) for p in row]
            scored = sorted(zip(classes, scores, strict=True), key=lambda pair: -pair[1])
            ranking = [{"name": name, "confidence": score} for name, score in scored]
            length = int(self.config.get("ranking_length", 10))
            message.set("intent", ranking[0], add_to_output=True)
            message.set(
                "intent_ranking", ranking[:length] if length > 0 else ranking, add_to_output=True
            )
        return messages

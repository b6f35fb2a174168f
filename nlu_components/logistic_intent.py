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
stored column-major, which
:meth:`LogisticIntentClassifier.keep_coefficients_column_major` ensures after
training and loading.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


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

    def keep_coefficients_column_major(self) -> None:
        """Stores ``coef_`` column-major: scikit-learn's product with ``coef_.T``
        copied the whole row-major matrix for every message."""
        if hasattr(self.clf, "coef_"):
            self.clf.coef_ = np.asfortranarray(self.clf.coef_)

    def train(self, training_data: TrainingData) -> Resource:
        """Rasa's training; the coefficients then kept column-major."""
        resource = super().train(training_data)
        self.keep_coefficients_column_major()
        return resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LogisticIntentClassifier:
        """Rasa's loading; the coefficients then kept column-major."""
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(component, LogisticIntentClassifier)
        component.keep_coefficients_column_major()
        return component

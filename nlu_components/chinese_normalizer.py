"""Normalises buyer text before tokenization: one script, one width, bounded length.

Taiwan and Hong Kong buyers write traditional characters; the training data is
simplified. Converting at the start of the pipeline (with OpenCC's ``t2s``
tables) lets one set of training data serve both scripts. Full-width digits and
letters (``４２码``) become half-width (NFKC), and very long messages are cut so
a pasted essay cannot stall the classifier.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.text import normalize_text


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Rewrites each message's text to normalised simplified Chinese."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the defaults: OpenCC ``t2s`` and a 300-character cap."""
        return {"conversion": "t2s", "max_chars": 300}

    def __init__(self, config: dict[str, Any]) -> None:
        self._conversion = config["conversion"]
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNormalizer:
        """Creates the component (nothing to train or load)."""
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        """OpenCC provides the conversion tables."""
        return ["opencc"]

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        normalized = normalize_text(text, conversion=self._conversion, max_chars=self._max_chars)
        if normalized != text:
            # Entity offsets of training examples refer to the original text;
            # only rewrite when the length is kept so annotations stay aligned.
            if message.get("entities") and len(normalized) != len(text):
                return
            message.set(TEXT, normalized)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises every training example."""
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalises incoming messages."""
        for message in messages:
            self._normalize(message)
        return messages

"""Character n-grams of the whole message, across word boundaries, as sentence features.

Rasa's ``CountVectorsFeaturizer`` builds character n-grams per jieba token
(``char_wb``), or over the tokens joined by spaces (``char``), so 有货 written
as one token and 有 货 split by jieba never share an n-gram. Buyers' Chinese
is segmented inconsistently (typos, slang, run-on messages), and on our own
held-out split adding the whole message's 1-3 character n-grams, spaces
removed, raised the intent classifier's accuracy by about one point
(docs/nlu.md). Only sentence features are produced: the per-token n-grams are
already there for DIET's entity tagging.
"""

from __future__ import annotations

import json
import re
from typing import Any

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer

_SPACES = re.compile(r"\s+")
_VOCABULARY_FILE = "vocabulary.json"


def message_chars(text: str) -> str:
    """The text the n-grams are read from: lower case, no whitespace."""
    return _SPACES.sub("", text or "").lower()


# Punctuation, emoji and tildes at either end do not move the message's edges.
_EDGE_NOISE = re.compile(r"^[\W_]+|[\W_]+$")
START, END = "\x02", "\x03"  # characters no buyer types


def edge_ngrams(chars: str, max_ngram: int) -> list[str]:
    """The n-grams (2..``max_ngram``) touching the message's first or last character,
    marked: 不用了 opens with ``START``不 (a refusal), 透气不 ends with 不``END`` (a
    question). Inside-message n-grams cannot tell the two apart."""
    core = _EDGE_NOISE.sub("", chars)
    if not core:
        return []
    marked = f"{START}{core}{END}"
    grams = [marked[:n] for n in range(2, max_ngram + 1) if n <= len(marked)]
    grams += [marked[-n:] for n in range(2, max_ngram + 1) if n <= len(marked)]
    return list(dict.fromkeys(grams))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class MessageCharNgrams(SparseFeaturizer, GraphComponent):
    """Counts of the message's character n-grams (``min_ngram``..``max_ngram``)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """1-3 character n-grams seen at least ``min_df`` times in training."""
        defaults = SparseFeaturizer.get_default_config()
        return {**defaults, "min_ngram": 1, "max_ngram": 3, "min_df": 1, "edges": False}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """The n-gram range must be a non-empty range of positive lengths."""
        if not 1 <= int(config["min_ngram"]) <= int(config["max_ngram"]):
            raise ValueError("MessageCharNgrams needs 1 <= min_ngram <= max_ngram")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = dict(vocabulary or {})
        self._vectorizer = self._new_vectorizer(vocabulary)

    def _new_vectorizer(self, vocabulary: dict[str, int] | None) -> CountVectorizer:
        low, high = int(self._config["min_ngram"]), int(self._config["max_ngram"])
        edges = bool(self._config.get("edges"))

        def analyze(chars: str) -> list[str]:
            grams = [
                chars[i : i + n] for n in range(low, high + 1) for i in range(len(chars) - n + 1)
            ]
            return grams + edge_ngrams(chars, high) if edges else grams

        return CountVectorizer(
            analyzer=analyze,
            min_df=1 if vocabulary else int(self._config["min_df"]),
            lowercase=False,
            vocabulary=vocabulary,
        )

    @property
    def vocabulary(self) -> dict[str, int]:
        """The n-grams known to the component (empty before training)."""
        return dict(self._vocabulary)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageCharNgrams:
        """A new, untrained component."""
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the n-gram vocabulary from the training messages and persists it."""
        texts = [message_chars(m.get(TEXT)) for m in training_data.training_examples]
        texts = [t for t in texts if t]
        if texts:
            self._vectorizer.fit(texts)
            self._vocabulary = {k: int(v) for k, v in self._vectorizer.vocabulary_.items()}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _VOCABULARY_FILE).write_text(
                json.dumps(self._vocabulary, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MessageCharNgrams:
        """The trained component, with its vocabulary."""
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = json.loads((directory / _VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            vocabulary = None
        return cls(config, model_storage, resource, execution_context, vocabulary or None)

    def _featurize(self, message: Message) -> None:
        if not self._vocabulary:
            return
        text = message.get(TEXT)
        if not isinstance(text, str) or not message_chars(text):
            return
        counts = self._vectorizer.transform([message_chars(text)])
        self.add_features_to_message(
            sequence=None,
            sentence=scipy.sparse.coo_matrix(counts),
            attribute=TEXT,
            message=message,
        )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds the features to every training message that has text."""
        for message in training_data.training_examples:
            self._featurize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the features to incoming messages."""
        for message in messages:
            self._featurize(message)
        return messages

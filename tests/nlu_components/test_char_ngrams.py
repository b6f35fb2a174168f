"""Whole-message character n-grams: across word boundaries, trained, reloaded, edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.char_ngrams import MessageCharNgrams, message_chars


def _component(tmp_path: Path, **config: object) -> tuple[MessageCharNgrams, LocalModelStorage]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "chars")
    full = {**MessageCharNgrams.get_default_config(), **config}
    return MessageCharNgrams.create(full, storage, Resource("chars"), context), storage


def _sentence_features(message: Message) -> dict[str, int]:
    """The n-grams present in the message's sentence features, with their counts."""
    _, sentence = message.get_sparse_features(TEXT)
    assert sentence is not None
    return {
        str(col): int(v)
        for col, v in zip(sentence.features.col, sentence.features.data, strict=True)
    }


def test_message_chars_drops_whitespace_and_case() -> None:
    assert message_chars(" 有 货\t吗 OK ") == "有货吗ok"
    assert message_chars("") == ""


def test_ngrams_cross_word_boundaries_and_survive_reload(tmp_path: Path) -> None:
    component, storage = _component(tmp_path)
    data = TrainingData([Message(data={TEXT: "有货吗", "intent": "ask_stock"})])
    component.train(data)
    component.process_training_data(data)
    assert "有货" in component.vocabulary and "货吗" in component.vocabulary
    context = ExecutionContext(GraphSchema({}), "chars")
    config = {**MessageCharNgrams.get_default_config()}
    reloaded = MessageCharNgrams.load(config, storage, Resource("chars"), context)
    assert reloaded.vocabulary == component.vocabulary
    # Written with a space, the message still shares 有货 with the training text.
    message = Message(data={TEXT: "有 货 吗"})
    reloaded.process([message])
    counts = _sentence_features(message)
    assert str(reloaded.vocabulary["有货"]) in counts
    # Only sentence features: DIET's entity tagging keeps its per-token features.
    sequence, _ = message.get_sparse_features(TEXT)
    assert sequence is None


def test_unknown_or_empty_text_adds_no_features(tmp_path: Path) -> None:
    component, _ = _component(tmp_path)
    component.train(TrainingData([Message(data={TEXT: "包邮吗", "intent": "ask_shipping"})]))
    for text in ("", "   "):
        message = Message(data={TEXT: text})
        component.process([message])
        assert message.get_sparse_features(TEXT) == (None, None)
    unseen = Message(data={TEXT: "🙂🙂"})
    component.process([unseen])
    _, sentence = unseen.get_sparse_features(TEXT)
    assert sentence is not None and sentence.features.nnz == 0


def test_untrained_component_adds_nothing(tmp_path: Path) -> None:
    component, _ = _component(tmp_path)
    message = Message(data={TEXT: "有货吗"})
    component.process([message])
    assert message.get_sparse_features(TEXT) == (None, None)


def test_reload_without_a_vocabulary_is_untrained(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "chars")
    config = MessageCharNgrams.get_default_config()
    component = MessageCharNgrams.load(config, storage, Resource("never-trained"), context)
    assert component.vocabulary == {}


@pytest.mark.parametrize("low,high", [(0, 2), (3, 2)])
def test_rejects_an_empty_ngram_range(tmp_path: Path, low: int, high: int) -> None:
    with pytest.raises(ValueError):
        _component(tmp_path, min_ngram=low, max_ngram=high)

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

from nlu_components.char_ngrams import END, START, MessageCharNgrams, edge_ngrams, message_chars


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("透气不", [f"{START}透", f"{START}透气", f"不{END}", f"气不{END}"]),
        ("不用了", [f"{START}不", f"{START}不用", f"了{END}", f"用了{END}"]),
        ("透气不？～", [f"{START}透", f"{START}透气", f"不{END}", f"气不{END}"]),  # ends: no marks
        ("好", [f"{START}好", f"{START}好{END}", f"好{END}"]),  # each once
        ("？！", []),  # nothing but punctuation: no edges
        ("", []),
    ],
)
def test_edge_ngrams_mark_the_first_and_last_characters(text: str, expected: list[str]) -> None:
    assert edge_ngrams(message_chars(text), 3) == expected


def test_edges_tell_an_opening_no_from_a_closing_question(tmp_path: Path) -> None:
    """With ``edges``, 不用了 and 透气不 get different features for their 不."""
    component, _ = _component(tmp_path, edges=True)
    data = TrainingData(
        [Message(data={TEXT: t, "intent": i}) for t, i in (("不用了", "deny"), ("透气不", "ask"))]
    )
    component.train(data)
    vocabulary = component.vocabulary
    assert f"{START}不" in vocabulary and f"不{END}" in vocabulary and "不" in vocabulary
    (tmp_path / "plain").mkdir()
    plain, _ = _component(tmp_path / "plain")
    plain.train(data)
    assert not any(START in gram or END in gram for gram in plain.vocabulary)

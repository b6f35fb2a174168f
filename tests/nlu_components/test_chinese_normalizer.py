"""The normaliser: traditional to simplified, full width, bounded length."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.chinese_normalizer import ChineseNormalizer, normalize_text
from nlu_components.text import in_buyers_script


def test_traditional_becomes_simplified() -> None:
    assert normalize_text("這雙鞋會不會磨腳？運費險有嗎") == "这双鞋会不会磨脚?运费险有吗"


def test_hong_kong_and_taiwan_wording_is_converted() -> None:
    assert normalize_text("請問退貨運費誰出") == "请问退货运费谁出"


def test_full_width_digits_and_letters_become_half_width() -> None:
    assert normalize_text("脚长２５ｃｍ，穿４２码") == "脚长25cm,穿42码"


def test_simplified_text_is_unchanged() -> None:
    assert normalize_text("亲 这款偏大还是偏小😊") == "亲 这款偏大还是偏小😊"


def test_long_text_is_capped() -> None:
    assert len(normalize_text("鞋" * 5000, max_chars=300)) == 300


def test_empty_and_none_are_safe() -> None:
    assert normalize_text("") == ""
    assert normalize_text(None) == ""  # type: ignore[arg-type]


def test_process_rewrites_incoming_messages() -> None:
    component = ChineseNormalizer(ChineseNormalizer.get_default_config())
    message = Message(data={TEXT: "這款鞋防水嗎"})
    component.process([message])
    assert message.get(TEXT) == "这款鞋防水吗"


def test_training_examples_with_entities_keep_their_offsets() -> None:
    component = ChineseNormalizer({"conversion": "t2s", "max_chars": 300})
    example = Message(
        data={
            TEXT: "腳長25釐米",
            "intent": "inform",
            "entities": [{"start": 2, "end": 6, "value": "25釐米", "entity": "foot_length"}],
        }
    )
    component.process_training_data(TrainingData([example]))
    assert example.get(TEXT) == "脚长25厘米"
    entity = example.get("entities")[0]
    assert example.get(TEXT)[entity["start"] : entity["end"]] == "25厘米"


@pytest.mark.parametrize(
    ("simplified", "written", "quoted"),
    [
        ("运费怎么算", "我的快遞到哪了 另外運費怎麼算", "運費怎麼算"),  # typed traditional
        ("运费怎么算", "我的快递到哪了 另外运费怎么算", "运费怎么算"),  # typed simplified
        ("42码有货吗", "４２码有货吗", "42码有货吗"),  # full width alone is not a script
        ("", "", ""),
    ],
)
def test_a_quote_keeps_the_buyers_script(simplified: str, written: str, quoted: str) -> None:
    assert in_buyers_script(simplified, written) == quoted

"""jieba segmentation with the project dictionary, boundary warnings, dictionary edits."""

from __future__ import annotations

import pytest

from trainer import segment
from trainer.workspace import Workspace, read_log


def test_segmentation_uses_the_user_dictionary(workspace: Workspace) -> None:
    words = [t["word"] for t in segment.segment(workspace, "有运费险吗 頭層牛皮的")]
    assert "运费险" in words and "頭層牛皮" in words  # traditional cut like simplified


def test_boundary_warning_and_one_step_fix(workspace: Workspace) -> None:
    text = "我想要奶茶色高帮鞋"
    entity = {"start": 3, "end": 6, "entity": "color"}
    warnings = segment.boundary_warnings(segment.segment(workspace, text), [entity])
    assert warnings and warnings[0]["tokens"] == ["奶茶", "色高"]
    before = workspace.userdict.read_text(encoding="utf-8")
    change = segment.add_word(workspace, word="奶茶色", user="trainer1")
    after = workspace.userdict.read_text(encoding="utf-8")
    assert after == before + "奶茶色 3000 n\n"
    assert change["action"] == "dict_add" and read_log(workspace)[-1]["word"] == "奶茶色"
    assert segment.boundary_warnings(segment.segment(workspace, text), [entity]) == []


def test_dictionary_refuses_duplicates_and_bad_words(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match="已经有"):
        segment.add_word(workspace, word="運費險", user="t")  # traditional of 运费险
    for word in ("", "两个 词", "x" * 21):
        with pytest.raises(ValueError):
            segment.add_word(workspace, word=word, user="t")
    with pytest.raises(ValueError):
        segment.add_word(workspace, word="好词", user="t", tag="bad tag")

"""Saving examples: round-trip YAML, the right file, no duplicates, no evaluation text, logged."""

from __future__ import annotations

import pytest

from tests.trainer.conftest import EVAL_TEXT, ROOT
from trainer import nlu_files
from trainer.nlu_files import AnnotationError
from trainer.workspace import Workspace, read_log


def test_files_round_trip_byte_for_byte(workspace: Workspace) -> None:
    import io

    for path in sorted(workspace.nlu_dir.glob("*.yml")):
        yaml = nlu_files.yaml_rt()
        out = io.StringIO()
        yaml.dump(yaml.load(path.read_text(encoding="utf-8")), out)
        assert out.getvalue() == path.read_text(encoding="utf-8"), path.name


def test_example_lands_in_the_intents_file_keeping_the_rest(workspace: Workspace) -> None:
    path = workspace.nlu_dir / "presale_product.yml"
    before = path.read_text(encoding="utf-8")
    change = nlu_files.add_example(
        workspace,
        intent="ask_material",
        text="这双疾风鞋面是啥料子呀",
        entities=[{"start": 2, "end": 4, "entity": "product"}],
        user="trainer1",
        source={"conversation_id": "conv-a"},
    )
    after = path.read_text(encoding="utf-8")
    assert change["file"] == "data/nlu/presale_product.yml"
    added = [ln for ln in after.splitlines() if ln not in before.splitlines()]
    assert added == ["    - 这双[疾风](product)鞋面是啥料子呀"]
    # only one line more, every other line (comments included) unchanged and in order
    assert (
        after.splitlines()[: len(before.splitlines())] != []
        and len(after.splitlines()) == len(before.splitlines()) + 1
    )
    assert [ln for ln in after.splitlines() if ln != added[0]] == before.splitlines()
    # the new line sits at the end of the ask_material block
    loaded = nlu_files.read_examples(workspace)
    material = [ex for ex in loaded if ex.intent == "ask_material"]
    assert material[-1].line == "这双[疾风](product)鞋面是啥料子呀"
    assert read_log(workspace)[-1]["user"] == "trainer1"
    for other in workspace.nlu_dir.glob("*.yml"):
        if other != path:
            assert other.read_bytes() == (ROOT / "data" / "nlu" / other.name).read_bytes()


def test_comments_are_kept(workspace: Workspace) -> None:
    path = workspace.nlu_dir / "regex.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "# trailing comment\n- intent: greet\n"
        "  # a comment in the item\n  examples: |\n    - 早上好呀掌柜\n",
        encoding="utf-8",
    )
    before = path.read_text(encoding="utf-8")
    # greet lives in chitchat.yml first, so the example goes there; regex.yml is untouched
    nlu_files.add_example(workspace, intent="greet", text="掌柜的早上好啊", user="t")
    assert path.read_text(encoding="utf-8") == before
    nlu_files.add_example(workspace, intent="bot_challenge", text="你是不是人工智能呀", user="t")
    assert "你是不是人工智能呀" in (workspace.nlu_dir / "chitchat.yml").read_text("utf-8")


def test_duplicates_are_refused_also_across_intents(workspace: Workspace) -> None:
    existing = next(ex for ex in nlu_files.read_examples(workspace) if ex.intent == "thank")
    with pytest.raises(AnnotationError, match="已经有这个例句"):
        nlu_files.add_example(workspace, intent="thank", text=existing.text, user="t")
    with pytest.raises(AnnotationError, match="不能再标成 greet"):
        nlu_files.add_example(workspace, intent="greet", text=existing.text + "！！", user="t")
    nlu_files.add_example(workspace, intent="thank", text="太感谢你了老铁", user="t")
    with pytest.raises(AnnotationError):
        nlu_files.add_example(workspace, intent="thank", text="太感謝你了 老鐵", user="t")


def test_evaluation_text_is_refused(workspace: Workspace) -> None:
    before = {p.name: p.read_bytes() for p in workspace.nlu_dir.glob("*.yml")}
    for text in (EVAL_TEXT, EVAL_TEXT + "？", "请问" + EVAL_TEXT):
        with pytest.raises(AnnotationError, match="评测集"):
            nlu_files.add_example(workspace, intent="ask_size_advice", text=text, user="t")
    assert before == {p.name: p.read_bytes() for p in workspace.nlu_dir.glob("*.yml")}


@pytest.mark.parametrize(
    ("intent", "entities", "message"),
    [
        ("no_such_intent", [], "未知意图"),
        ("EXTERNAL_agent_closed", [], "未知意图"),
        ("nlu_fallback", [], "未知意图"),
        ("ask_material", [{"start": 0, "end": 2, "entity": "nope"}], "未知实体"),
        ("ask_material", [{"start": 3, "end": 2, "entity": "product"}], "实体位置"),
        ("ask_material", [{"start": 5, "end": 99, "entity": "product"}], "实体位置"),
    ],
)
def test_bad_annotations_are_refused(
    workspace: Workspace, intent: str, entities: list, message: str
) -> None:
    with pytest.raises(AnnotationError, match=message):
        nlu_files.add_example(
            workspace, intent=intent, text="这双疾风鞋面是啥料子", entities=entities, user="t"
        )


def test_value_markup_and_new_intent_file(workspace: Workspace) -> None:
    line = nlu_files.markup(
        "要绿的", [{"start": 1, "end": 3, "entity": "color", "value": "绿色"}], allowed=["color"]
    )
    assert line == '要[绿的]{"entity": "color", "value": "绿色"}'
    # an intent no file holds yet goes to data/nlu/trainer.yml
    for path in workspace.nlu_dir.glob("*.yml"):
        text = path.read_text(encoding="utf-8").replace("- intent: bot_challenge", "- intent: x_")
        path.write_text(text, encoding="utf-8")
    change = nlu_files.add_example(
        workspace, intent="bot_challenge", text="你是真人吗老板", user="t"
    )
    assert change["file"] == "data/nlu/trainer.yml"
    assert "- intent: bot_challenge" in (workspace.nlu_dir / "trainer.yml").read_text("utf-8")


def test_traditional_text_is_saved_simplified(workspace: Workspace) -> None:
    change = nlu_files.add_example(
        workspace, intent="ask_material", text="這雙鞋面是啥材質呀😊", user="t"
    )
    assert change["example"] == "这双鞋面是啥材质呀😊"

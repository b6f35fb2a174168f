"""The held-out split, scores, and the compare report (with fake model predictions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer import evaluation, nlu_files, split
from trainer.jobs import Job, read_job
from trainer.workspace import Workspace


def test_held_out_split_is_fixed_and_about_a_fifth(workspace: Workspace) -> None:
    examples = nlu_files.read_examples(workspace)
    held = split.held_out_examples(workspace)
    assert 0.15 < len(held) / len(examples) < 0.25
    assert [ex.text for ex in held] == [ex.text for ex in split.held_out_examples(workspace)]
    assert split.is_held_out("這鞋子咋回事啊!") == split.is_held_out("这鞋子咋回事啊")


def test_training_copy_leaves_out_the_split_but_keeps_trainer_examples(
    workspace: Workspace, tmp_path: Path
) -> None:
    text = next(t for t in (f"第{i}双鞋怎么洗才好呢" for i in range(200)) if split.is_held_out(t))
    nlu_files.add_example(workspace, intent="out_of_scope", text=text, user="t")
    held = split.held_out_examples(workspace)
    left_out = split.write_training_nlu(workspace, tmp_path / "nlu")
    assert left_out == len(held)
    copy = Workspace(**{**workspace.__dict__, "project_dir": tmp_path / "p"})
    (tmp_path / "p" / "data").mkdir(parents=True)
    (tmp_path / "nlu").rename(tmp_path / "p" / "data" / "nlu")
    trained = [ex.text for ex in nlu_files.read_examples(copy)]
    assert text in trained
    assert not set(trained) & {ex.text for ex in held}
    assert len(trained) + len(held) == len(nlu_files.read_examples(workspace))


def test_score_counts_and_f1() -> None:
    rows = [("a", "greet"), ("b", "greet"), ("c", "thank"), ("d", "out_of_scope")]
    result = evaluation.score(rows, ["greet", "thank", "thank", "nlu_fallback"])
    assert result["accuracy"] == 0.5
    assert result["per_intent"]["greet"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.667,
        "support": 2,
    }
    assert result["per_intent"]["thank"]["precision"] == 0.5
    lenient = evaluation.score(rows, ["greet", "thank", "thank", "nlu_fallback"], fallback_ok=True)
    assert lenient["accuracy"] == 0.75


def test_compare_report(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.candidates_dir.mkdir(parents=True)
    candidate = workspace.candidates_dir / "cand-1.tar.gz"
    current = workspace.candidates_dir / "current.tar.gz"
    candidate.write_bytes(b"x")
    current.write_bytes(b"y")
    held = evaluation.heldout_rows(workspace)

    def fake_predict(ws: Workspace, model: Path, texts: list[str]) -> list[str]:
        gold = dict(held) | dict(evaluation.eval_rows(ws))
        out = [gold[t] for t in texts]
        if model == current:
            out[1] = "nlu_fallback"  # the candidate fixes this one
        else:
            out[0] = "greet" if out[0] != "greet" else "thank"  # and breaks this one
        return out

    monkeypatch.setattr(evaluation, "predict", fake_predict)
    job = Job(workspace, "compare-test", "compare", "t")
    report = evaluation.compare(workspace, candidate=candidate, current=current, user="t", job=job)
    heldout = report["sets"]["heldout"]
    assert heldout["regressions"] == [
        {
            "text": held[0][0],
            "gold": held[0][1],
            "current": held[0][1],
            "candidate": "greet" if held[0][1] != "greet" else "thank",
        }
    ]
    assert [f["text"] for f in heldout["fixes"]] == [held[1][0]]
    assert heldout["candidate"]["accuracy"] == heldout["current"]["accuracy"]
    assert "shared_eval" in report["sets"]
    out_dir = workspace.candidates_dir / "cand-1.report"
    assert (out_dir / "confusion_heldout.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((out_dir / "report.json").read_text("utf-8"))["current"] == str(current)
    assert read_job(workspace, "compare-test")["stage"] != "failed"


def test_compare_without_eval_set_or_current(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(**{**workspace.__dict__, "eval_dir": workspace.eval_dir / "absent"})
    ws.candidates_dir.mkdir(parents=True)
    candidate = ws.candidates_dir / "cand-2.tar.gz"
    candidate.write_bytes(b"x")
    monkeypatch.setattr(evaluation, "predict", lambda ws, model, texts: ["greet"] * len(texts))
    report = evaluation.compare(
        ws, candidate=candidate, current=None, user="t", job=Job(ws, None, "compare", "t")
    )
    assert "shared_eval" not in report["sets"]
    assert any("不存在" in note for note in report["notes"])
    assert any("没有当前模型" in note for note in report["notes"])

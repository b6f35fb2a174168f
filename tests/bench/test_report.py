"""The benchmark's statistics, answer checks and report (no servers)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from bench.__main__ import (
    aggregate,
    aggregate_length,
    failures,
    length_table,
    markdown,
    ratios,
    table,
)
from bench.length import LengthResult
from bench.provenance import commit, model_fingerprint
from bench.results import Result, Sent, answer_names, check_answers
from bench.scenarios import CLICK_FIRST, LENGTH, REFERENCE, SHOP, T


def test_percentiles_and_rates() -> None:
    result = Result("embedded", 2, 10.0, latencies=[i / 1000 for i in range(1, 101)])
    summary = result.summary()
    assert summary["messages"] == 100 and summary["msgs_per_s"] == 10.0
    assert summary["p50_ms"] == 51.0 and summary["p95_ms"] == 96.0 and summary["p99_ms"] == 100.0


def test_ratios_against_the_reference() -> None:
    rows = [
        {"config": "reference", "buyers": 20, "msgs_per_s": 20.0, "p50_ms": 100.0, "p95_ms": 200.0},
        {"config": "embedded", "buyers": 20, "msgs_per_s": 60.0, "p50_ms": 50.0, "p95_ms": 100.0},
        {"config": "embedded", "buyers": 7, "msgs_per_s": 60.0, "p50_ms": 50.0, "p95_ms": 100.0},
    ]
    assert ratios(rows) == {"embedded@20": {"throughput_x": 3.0, "p50_x": 0.5, "p95_x": 0.5}}


def test_table_and_markdown_name_the_commit_the_model_and_the_machine() -> None:
    row = aggregate([Result("production", 1, 5.0, latencies=[0.05] * 10).summary()])
    text = table([row])
    assert text.splitlines()[0].startswith("| config |") and "| production | 1 | 10 |" in text
    report = {
        "commit": {"commit": "abc123", "ref": "refs/heads/main"},
        "models": {"production": {"model_id": "m1", "sha256": "f" * 64}},
        "machine": {"cpu": "x", "cores": 2, "memory_gb": 8, "python": "3.10", "load_before": [0]},
        "seconds": 5.0,
        "results": [row],
        "ratios_vs_reference": {},
    }
    text = markdown(report)
    assert "2 cores" in text and "abc123" in text and "m1 (sha256 ffffffffffff)" in text


# --- answers -----------------------------------------------------------------------------


def _conversation() -> tuple[list[Sent], list[dict]]:
    turns = [T("在吗", "utter_greet"), T("我的快递到哪了", "order_card")]
    sent = [Sent(f"m{i}", t.text, t, "s") for i, t in enumerate(turns)]
    events = [
        {"event": "user", "text": "在吗", "message_id": "m0"},
        {"event": "bot", "text": "亲在的", "metadata": {"utter_action": "utter_greet"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "我的快递到哪了", "message_id": "m1"},
        {"event": "bot", "text": "没太明白", "metadata": {"utter_action": "utter_default"}},
    ]
    return sent, events


def test_the_answer_is_read_from_the_tracker_by_response_name_and_card_type() -> None:
    events = [
        {"event": "bot", "metadata": {"utter_action": "utter_order_status_shipped"}},
        {"event": "bot", "data": {"custom": {"type": "order_card", "order_id": "1"}}},
        {"event": "user", "text": "x"},
    ]
    assert answer_names(events) == {"utter_order_status_shipped", "order_card"}


def test_a_wrong_answer_is_an_error() -> None:
    sent, events = _conversation()
    result = Result("embedded", 1, 1.0)
    check_answers(sent, events, result)
    assert result.wrong == 1 and result.errors == 1
    assert result.error_kinds == {"wrong_answer": 1}
    assert result.wrong_examples == [
        {
            "scenario": "s",
            "text": "我的快递到哪了",
            "expected": ["order_card"],
            "got": ["utter_default"],
        }
    ]
    events[-1] = {"event": "bot", "data": {"custom": {"type": "order_card"}}}
    right = Result("embedded", 1, 1.0)
    check_answers(sent, events, right)
    assert right.errors == 0 and right.lost == 0 and right.reordered == 0


def test_without_message_ids_messages_are_matched_by_text_in_order() -> None:
    sent, events = _conversation()
    for event in events:
        event.pop("message_id", None)
    result = Result("reference", 1, 1.0)
    check_answers(sent, events, result)
    assert (result.lost, result.wrong) == (0, 1)
    check_answers([*sent, Sent("m9", "再见", T("再见", "utter_goodbye"), "s")], events, result)
    assert result.lost == 1


def test_every_scripted_turn_states_its_answer() -> None:
    for scenario in [*SHOP, *REFERENCE, LENGTH]:
        for turn in scenario.turns:
            assert turn.expect and all(turn.expect), (scenario.name, turn)
    typed = {t.text for s in SHOP for t in s.turns}
    assert {"第一个", "尺码偏小了", "嗯 确认"} <= typed  # typed answers in the mix
    assert any(t.text == CLICK_FIRST for s in SHOP for t in s.turns)  # and clicks


# --- repeats and the conversation length -------------------------------------------------


def test_repeats_report_the_median_and_the_spread() -> None:
    runs = [
        Result("embedded", 20, 10.0, latencies=[x / 1000] * 100).summary() for x in (30, 50, 40)
    ]
    runs[1]["errors"], runs[1]["error_kinds"] = 2, {"http_500": 2}
    row = aggregate(runs)
    assert row["p50_ms"] == 40.0 and row["spread"]["p50_ms"] == [30.0, 50.0]
    assert row["messages"] == 300 and row["errors"] == 2 and row["repeats"] == 3
    assert "40 (30–50)" in table([row])


def test_latency_by_place_in_the_conversation() -> None:
    result = LengthResult("embedded", 200)
    result.latencies = [0.030] * 100 + [0.045] * 100
    result.cpu = [0.020] * 100 + [0.022] * 100
    result.events = [10 * (i + 1) for i in range(200)]
    result.tracker_bytes = [4096 * (i + 1) for i in range(200)]
    result.check = Result("embedded", 1, 0.0)
    summary = result.summary()
    assert [w["messages"] for w in summary["windows"]] == ["1-20", "41-60", "91-110", "181-200"]
    assert summary["windows"][-1] == {
        "messages": "181-200",
        "p50_ms": 45.0,
        "cpu_ms": 22.0,
        "events": 2000,
        "tracker_kb": 800,
    }
    assert summary["last_vs_first"] == 1.5 and summary["cpu_last_vs_first"] == 1.1
    row = aggregate_length([summary, summary])
    assert "45.0 / 22.0 (2000, 800)" in length_table([row])
    assert failures({"length": [row]}) == ["embedded length: the last messages 1.5× the first"]
    assert failures({"length": [{**row, "config": "reference"}]}) == []


# --- provenance -----------------------------------------------------------------------------


def test_the_commit_is_read_from_the_git_directory(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text("a" * 40 + "\n")
    assert commit(tmp_path) == {"commit": "a" * 40, "ref": "refs/heads/main"}
    (git / "refs" / "heads" / "main").unlink()
    (git / "packed-refs").write_text(f"# pack-refs\n{'b' * 40} refs/heads/main\n")
    assert commit(tmp_path)["commit"] == "b" * 40
    assert commit(tmp_path / "nowhere") == {"commit": None, "ref": None}


def test_the_model_fingerprint_comes_from_the_archive(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    data = json.dumps({"model_id": "abc", "trained_at": "2026-12-06T03:13:44"}).encode()
    with tarfile.open(model, "w:gz") as archive:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    fingerprint = model_fingerprint(model)
    assert fingerprint is not None
    assert fingerprint["model_id"] == "abc" and fingerprint["trained_at"].startswith("2026")
    assert len(fingerprint["sha256"]) == 64
    assert model_fingerprint(tmp_path / "missing.tar.gz") is None

"""The benchmark's statistics and report (no servers)."""

from __future__ import annotations

from bench.__main__ import markdown, ratios, table
from bench.load import Result


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


def test_table_and_markdown() -> None:
    row = Result("production", 1, 5.0, latencies=[0.05] * 10).summary()
    text = table([row])
    assert text.splitlines()[0].startswith("| config |") and "| production | 1 | 10 |" in text
    report = {
        "machine": {"cpu": "x", "cores": 2, "memory_gb": 8, "python": "3.10", "load_before": [0]},
        "seconds": 5.0,
        "results": [row],
        "ratios_vs_reference": {},
    }
    assert "2 cores" in markdown(report)

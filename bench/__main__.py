"""The load benchmark: ``python -m bench`` (``make bench``; ``make bench-smoke`` for CI).

Runs the same load against each set-up in turn (``bench/targets.py``): one
buyer (latency), 20 buyers (the issue's throughput point) and ``--buyers``
(default 50), each for ``--seconds``, ``--repeat`` times (``bench/load.py``); then
one conversation of ``--length`` messages (latency against the conversation's
length, ``bench/length.py``). Every answer is checked (``bench/results.py``).
Prints tables and the ratios against the stock ``rasa init`` reference, and writes
everything, with the commit, the models' fingerprints and the machine, as JSON and
Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.length import run_length
from bench.load import run_load
from bench.provenance import commit, machine, model_fingerprint
from bench.targets import CONFIGS, ROOT

LENGTH_LIMIT = 1.3  # message 200's p50 at most this many times message 1's (issue 18)
MEDIANS = ("msgs_per_s", "p50_ms", "p95_ms", "p99_ms", "mean_ms")
SUMS = ("messages", "errors", "wrong", "lost", "reordered", "unchecked")

COLUMNS = [
    ("config", "config", "{}"),
    ("buyers", "buyers", "{}"),
    ("messages", "msgs", "{}"),
    ("msgs_per_s", "msgs/s", "{:.1f}"),
    ("p50_ms", "p50 ms", "{:.0f}"),
    ("p95_ms", "p95 ms", "{:.0f}"),
    ("p99_ms", "p99 ms", "{:.0f}"),
    ("errors", "errors", "{}"),
    ("wrong", "wrong answers", "{}"),
    ("lost", "lost", "{}"),
    ("reordered", "reordered", "{}"),
    ("rss_mb_per_replica", "RSS MB/replica", "{}"),
]


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from repeated runs: medians, their spread (min, max), summed counts."""
    row = dict(runs[-1])
    for key in MEDIANS:
        values = [r[key] for r in runs if r.get(key) is not None]
        row[key] = round(statistics.median(values), 2) if values else None
        if len(runs) > 1 and values:
            row.setdefault("spread", {})[key] = [min(values), max(values)]
    for key in SUMS:
        row[key] = sum(r.get(key) or 0 for r in runs)
    row["error_kinds"] = {}
    for r in runs:
        for kind, count in (r.get("error_kinds") or {}).items():
            row["error_kinds"][kind] = row["error_kinds"].get(kind, 0) + count
    row["wrong_examples"] = [x for r in runs for x in r.get("wrong_examples") or []][:20]
    row["repeats"] = len(runs)
    if len(runs) > 1:
        row["runs"] = runs
    return row


def _cell(row: dict[str, Any], key: str, fmt: str) -> str:
    value = row.get(key)
    if value is None:
        return "-"
    text = fmt.format(value)
    spread = (row.get("spread") or {}).get(key)
    if spread:
        text += f" ({fmt.format(spread[0])}–{fmt.format(spread[1])})"
    return text


def table(rows: list[dict[str, Any]]) -> str:
    """The load rows as a Markdown table (medians, with min–max over repeats)."""
    head = "| " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    lines = [head, rule]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row, k, f) for k, _, f in COLUMNS) + " |")
    return "\n".join(lines)


def length_table(rows: list[dict[str, Any]]) -> str:
    """Latency by a message's place in one conversation: p50, the servers' CPU time per
    message, and the tracker's size (events, KB of JSON) at the end of each window."""
    spans = [w["messages"] for w in rows[0]["windows"]] if rows else []
    head = [
        "config",
        *(f"msgs {s}: p50 ms / CPU ms (events, KB)" for s in spans),
        "p50 last ÷ first",
        "CPU last ÷ first",
        "wrong",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in rows:
        cells = [row["config"]]
        for w in row["windows"]:
            cells.append(f"{w['p50_ms']} / {w.get('cpu_ms')} ({w['events']}, {w['tracker_kb']})")
        cells += [str(row.get("last_vs_first")), str(row.get("cpu_last_vs_first"))]
        cells.append(str(row.get("wrong", 0)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def aggregate_length(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One conversation-length row from repeats: the median p50 of each window."""
    row = dict(runs[-1])
    windows = []
    for index, window in enumerate(runs[-1]["windows"]):
        windows.append(dict(window))
        for key in ("p50_ms", "cpu_ms"):
            values = [r["windows"][index].get(key) for r in runs]
            values = [v for v in values if v is not None]
            windows[-1][key] = round(statistics.median(values), 1) if values else None
            if len(runs) > 1 and values:
                windows[-1][f"{key}_spread"] = [min(values), max(values)]
    row["windows"] = windows
    for key, name in (("p50_ms", "last_vs_first"), ("cpu_ms", "cpu_last_vs_first")):
        first = windows[0].get(key) if windows else None
        last = windows[-1].get(key) if len(windows) > 1 else None
        row[name] = round(last / first, 2) if first and last else None
    for key in ("errors", "wrong", "lost"):
        row[key] = sum(r.get(key) or 0 for r in runs)
    row["repeats"] = len(runs)
    if len(runs) > 1:
        row["runs"] = runs
    return row


def ratios(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Throughput and latency of each set-up relative to the reference, per buyer count."""
    ref = {r["buyers"]: r for r in rows if r["config"] == "reference"}
    out: dict[str, Any] = {}
    for row in rows:
        base = ref.get(row["buyers"])
        if row["config"] == "reference" or not base or not base["msgs_per_s"]:
            continue
        key = f"{row['config']}@{row['buyers']}"
        out[key] = {
            "throughput_x": round(row["msgs_per_s"] / base["msgs_per_s"], 2),
            "p50_x": round(row["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None,
            "p95_x": round(row["p95_ms"] / base["p95_ms"], 2) if base["p95_ms"] else None,
        }
    return out


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown, ready for docs/performance.md."""
    m = report["machine"]
    source = report.get("commit") or {}
    lines = [
        f"Commit {source.get('commit')} ({source.get('ref')}); models: "
        + ", ".join(
            f"{name} {fp.get('model_id')} (sha256 {str(fp.get('sha256'))[:12]})"
            for name, fp in (report.get("models") or {}).items()
            if fp
        )
        + ".",
        f"Machine: {m.get('hostname', '?')}, {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gb']} GB RAM, Python {m['python']}; load average before the run "
        f"{m['load_before']}.",
    ]
    if report.get("results"):
        lines += [
            f"Each level ran {report['seconds']:.0f} s, {report.get('repeat', 1)} time(s) "
            "(closed loop, no think time); medians, (min–max) over the repeats.",
            "",
            table(report["results"]),
            "",
            "Ratios against the stock `rasa init` bot (same machine, same run):",
            "",
        ]
        for key, value in report["ratios_vs_reference"].items():
            lines.append(f"- {key}: {value}")
    if report.get("length"):
        lines += [
            "",
            f"One conversation of {report['length'][0]['messages']} messages, one at a time:",
            "",
            length_table(report["length"]),
        ]
    return "\n".join(lines) + "\n"


def failures(report: dict[str, Any]) -> list[str]:
    """Why the run failed: lost, reordered, unchecked, > 1 % errors, growth over the limit."""
    out = []
    for row in report.get("results", []):
        name = f"{row['config']}@{row['buyers']}"
        if row["lost"] or row["reordered"] or row["unchecked"]:
            out.append(f"{name}: lost, reordered or unchecked messages")
        if not row["messages"] or row["errors"] > row["messages"] * 0.01:
            out.append(f"{name}: errors above 1 % ({row['error_kinds']})")
    for row in report.get("length", []):
        if row.get("errors") or row.get("lost"):
            out.append(f"{row['config']} length: errors {row['error_kinds']}, lost {row['lost']}")
        ratio = row.get("last_vs_first")
        if row["config"] != "reference" and ratio and ratio > LENGTH_LIMIT:
            out.append(f"{row['config']} length: the last messages {ratio}× the first")
    return out


def main(argv: list[str] | None = None) -> int:
    """Parses the arguments, runs every set-up and reports."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--levels", default="1,20", help="extra buyer counts, before --buyers")
    parser.add_argument("--configs", default="embedded,production,reference")
    parser.add_argument("--repeat", type=int, default=1, help="runs per level: median, spread")
    parser.add_argument(
        "--length", type=int, default=200, help="messages of the one-conversation run (0: none)"
    )
    parser.add_argument("--no-load", action="store_true", help="only the conversation length")
    parser.add_argument("--smoke", action="store_true", help="3 buyers, 5 s, 30 msgs, embedded")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = parser.parse_args(argv)
    if args.smoke:
        args.buyers, args.seconds, args.levels, args.configs = 3, 5.0, "", "embedded"
        args.length = 30
    levels = sorted({int(x) for x in args.levels.split(",") if x} | {args.buyers})
    if args.no_load:
        levels = []
    configs = [c for c in args.configs.split(",") if c]
    report: dict[str, Any] = {
        "commit": commit(ROOT),
        "machine": machine(),
        "models": {},
        "levels": levels,
        "seconds": args.seconds,
        "repeat": args.repeat,
    }
    rows: list[dict[str, Any]] = []
    lengths: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for config in configs:
            work = Path(tmp) / config
            work.mkdir()
            print(f"== {config}: starting", flush=True)
            with CONFIGS[config](work) as target:
                report["models"][config] = model_fingerprint(target.model)
                # Warm-up: the first messages load TensorFlow graphs and connections.
                asyncio.run(run_load(target, min(4, max(args.buyers, 1)), 3))
                for buyers in levels:
                    runs = []
                    for repeat in range(args.repeat):
                        print(f"   {buyers} buyer(s) for {args.seconds:.0f} s, run {repeat + 1}")
                        result = asyncio.run(run_load(target, buyers, args.seconds))
                        runs.append(result.summary())
                    rows.append(aggregate(runs))
                    print(table(rows[-1:]).splitlines()[-1], flush=True)
                if args.length and target.length:
                    runs = []
                    for repeat in range(args.repeat):
                        print(f"   one conversation of {args.length} messages, run {repeat + 1}")
                        runs.append(asyncio.run(run_length(target, args.length)).summary())
                    lengths.append(aggregate_length(runs))
                    print(length_table(lengths[-1:]).splitlines()[-1], flush=True)
    report["results"] = rows
    report["ratios_vs_reference"] = ratios(rows)
    report["length"] = lengths
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{'smoke-' if args.smoke else ''}{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    path.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    if rows:
        print("\n" + table(rows))
    if report["ratios_vs_reference"]:
        print("\nRatios against the stock rasa init bot (same machine, same run):")
        for key, value in report["ratios_vs_reference"].items():
            print(f"  {key}: {value}")
    if lengths:
        print("\n" + length_table(lengths))
    print(f"\nJSON: {path}")
    failed = failures(report)
    for why in failed:
        print(f"FAILED: {why}", file=sys.stderr)
    for row in [*rows, *lengths]:
        for example in row.get("wrong_examples") or []:
            print(f"  wrong answer ({row['config']}): {example}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

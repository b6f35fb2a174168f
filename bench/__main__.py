"""The load benchmark: ``python -m bench`` (``make bench``; ``make bench-smoke`` for CI).

Runs the same load against each set-up in turn (``bench/targets.py``): one
buyer (latency), 20 buyers (the issue's throughput point) and ``--buyers``
(default 50), each for ``--seconds``; prints a table and the ratios against
the stock ``rasa init`` reference, and writes everything as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.load import run_load
from bench.targets import CONFIGS, ROOT

COLUMNS = [
    ("config", "config", "{}"),
    ("buyers", "buyers", "{}"),
    ("messages", "msgs", "{}"),
    ("msgs_per_s", "msgs/s", "{:.1f}"),
    ("p50_ms", "p50 ms", "{:.0f}"),
    ("p95_ms", "p95 ms", "{:.0f}"),
    ("p99_ms", "p99 ms", "{:.0f}"),
    ("errors", "errors", "{}"),
    ("lost", "lost", "{}"),
    ("reordered", "reordered", "{}"),
    ("rss_mb_per_replica", "RSS MB/replica", "{}"),
]


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    import os

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": os.getloadavg(),
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    head = "| " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    lines = [head, rule]
    for row in rows:
        cells = []
        for key, _, fmt in COLUMNS:
            value = row.get(key)
            cells.append("-" if value is None else fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


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
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, "
        f"Python {m['python']}; load average before the run {m['load_before']}.",
        f"Each level ran {report['seconds']:.0f} s (closed loop, no think time).",
        "",
        table(report["results"]),
        "",
        "Ratios against the stock `rasa init` bot (same machine, same run):",
        "",
    ]
    for key, value in report["ratios_vs_reference"].items():
        lines.append(f"- {key}: {value}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parses the arguments, runs every set-up and reports."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--levels", default="1,20", help="extra buyer counts, before --buyers")
    parser.add_argument("--configs", default="embedded,production,reference")
    parser.add_argument("--smoke", action="store_true", help="3 buyers, 5 s, embedded only")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = parser.parse_args(argv)
    if args.smoke:
        args.buyers, args.seconds, args.levels, args.configs = 3, 5.0, "", "embedded"
    levels = sorted({int(x) for x in args.levels.split(",") if x} | {args.buyers})
    configs = [c for c in args.configs.split(",") if c]
    report: dict[str, Any] = {"machine": machine(), "levels": levels, "seconds": args.seconds}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for config in configs:
            work = Path(tmp) / config
            work.mkdir()
            print(f"== {config}: starting", flush=True)
            with CONFIGS[config](work) as target:
                # Warm-up: the first messages load TensorFlow graphs and connections.
                asyncio.run(run_load(target, min(4, args.buyers), 3))
                for buyers in levels:
                    print(f"   {buyers} buyer(s) for {args.seconds:.0f} s", flush=True)
                    result = asyncio.run(run_load(target, buyers, args.seconds))
                    rows.append(result.summary())
                    print(table(rows[-1:]).splitlines()[-1], flush=True)
    report["results"] = rows
    report["ratios_vs_reference"] = ratios(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{'smoke-' if args.smoke else ''}{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    path.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print("\n" + table(rows))
    if report["ratios_vs_reference"]:
        print("\nRatios against the stock rasa init bot (same machine, same run):")
        for key, value in report["ratios_vs_reference"].items():
            print(f"  {key}: {value}")
    print(f"\nJSON: {path}")
    broken = [r for r in rows if r["lost"] or r["reordered"] or r["unchecked"]]
    failed = [r for r in rows if not r["messages"] or r["errors"] > r["messages"] * 0.01]
    if broken or failed:
        print("FAILED: lost, reordered or unchecked messages, or errors above 1%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

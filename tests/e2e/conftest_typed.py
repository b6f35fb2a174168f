"""The typed conversation suite's figure: "typed conversations settled: N/M".

tests/e2e/test_typed_conversations.py records where each conversation failed in
``RESULTS``; the ``pytest_terminal_summary`` hook at the end of
tests/e2e/conftest.py calls :func:`report_settled`, which counts the suite's
tests from pytest's own outcomes (a server that never came up counts as not
settled), prints the line and writes it, with the failures, to
``var/typed_report.txt``. Nothing is written when no typed conversation ran.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "var" / "typed_report.txt"
SUITE = "test_typed_conversations.py::"
COMMAND = ".venv/bin/python -m pytest -q tests/e2e/test_typed_conversations.py"

# Conversation id -> None when it settled, else where and why it failed.
RESULTS: dict[str, str | None] = {}


def _conversation_id(nodeid: str) -> str:
    match = re.search(r"\[(.+)\]$", nodeid)
    return match.group(1) if match else nodeid


def settled(stats: dict[str, list[Any]]) -> tuple[list[str], list[str]]:
    """The suite's conversation ids that settled, and those that did not."""
    seen: dict[str, bool] = {}
    for category, reports in stats.items():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if SUITE not in nodeid:
                continue
            conversation = _conversation_id(nodeid)
            passed = category == "passed" and getattr(report, "when", "call") == "call"
            if category in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
                seen[conversation] = seen.get(conversation, True) and passed
            elif category == "" and getattr(report, "outcome", "") != "passed":
                seen[conversation] = False
    ok = [c for c, good in seen.items() if good]
    not_ok = [c for c, good in seen.items() if not good]
    return ok, not_ok


def report_settled(terminalreporter: Any) -> None:
    """Prints and writes the settled line, if any typed conversation ran."""
    ok, not_ok = settled(terminalreporter.stats)
    total = len(ok) + len(not_ok)
    if not total:
        return
    line = f"typed conversations settled: {len(ok)}/{total}"
    terminalreporter.write_sep("=", line)
    lines = [line, f"command: {COMMAND}", ""]
    for conversation in sorted(not_ok):
        why = RESULTS.get(conversation) or "did not run (setup error, see the pytest output)"
        lines.append(f"not settled  {conversation}: {why}")
    lines += [f"settled      {conversation}" for conversation in sorted(ok)]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")

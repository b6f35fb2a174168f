"""What a load run measured, and the check of every answer against its turn.

How answers are checked: the REST channel returns texts and buttons only, so the
answer of each message is read from the tracker after the run: the bot messages
between the buyer's message (found by its ``message_id``) and the next one, each
named by the ``utter_action`` Rasa stores in its metadata, or by the ``type`` of a
custom card. Comparing texts against domain.yml would also work, but responses
with variables or several variants make that fragile, and the tracker is read back
anyway.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.scenarios import Turn

WRONG_EXAMPLES = 20  # wrong answers kept, with what came instead


@dataclass
class Sent:
    """One message a buyer sent and got a 200 for."""

    message_id: str
    text: str
    turn: Turn
    scenario: str


@dataclass
class Result:
    """What one load run measured."""

    config: str
    buyers: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, answered messages
    errors: int = 0  # non-200, empty or wrong answer, timeout or connection error
    error_kinds: dict[str, int] = field(default_factory=dict)
    wrong: int = 0  # answered, but not with what the turn expects
    wrong_examples: list[dict[str, Any]] = field(default_factory=list)
    lost: int = 0  # answered, but missing from the tracker
    reordered: int = 0  # conversations whose tracker order differs from the send order
    unchecked: int = 0  # trackers that could not be read
    rss_mb: list[float] = field(default_factory=list)  # per Rasa replica, after the run

    def error(self, kind: str, count: int = 1) -> None:
        """Counts ``count`` errors of ``kind``."""
        self.errors += count
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + count

    def summary(self) -> dict[str, Any]:
        """The figures, rounded, as a JSON-ready dict."""
        lat = sorted(self.latencies)
        return {
            "config": self.config,
            "buyers": self.buyers,
            "seconds": round(self.seconds, 1),
            "messages": len(lat),
            "msgs_per_s": round(len(lat) / self.seconds, 2) if self.seconds else 0,
            "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95),
            "p99_ms": percentile(lat, 99),
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "wrong": self.wrong,
            "wrong_examples": self.wrong_examples,
            "lost": self.lost,
            "reordered": self.reordered,
            "unchecked": self.unchecked,
            "rss_mb_per_replica": [round(x) for x in self.rss_mb],
        }


def percentile(sorted_seconds: list[float], p: float) -> float | None:
    """The ``p``-th percentile of sorted latencies, in milliseconds (nearest rank)."""
    if not sorted_seconds:
        return None
    index = min(len(sorted_seconds) - 1, int(p / 100 * len(sorted_seconds)))
    return round(1000 * sorted_seconds[index], 1)


def answer_names(events: list[dict[str, Any]]) -> set[str]:
    """The response names (``utter_action``) and custom card types among bot events."""
    names: set[str] = set()
    for event in events:
        if event.get("event") != "bot":
            continue
        utter = (event.get("metadata") or {}).get("utter_action")
        if utter:
            names.add(str(utter))
        custom = (event.get("data") or {}).get("custom")
        if isinstance(custom, dict) and custom.get("type"):
            names.add(str(custom["type"]))
    return names


def check_answers(sent: list[Sent], events: list[dict[str, Any]], result: Result) -> None:
    """Counts lost, reordered and wrongly answered messages of one conversation.

    A message is found by its ``message_id``; a channel that drops it (the stock REST
    channel of the reference) is matched by text, in order.
    """
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    by_id = {events[i].get("message_id"): i for i in users if events[i].get("message_id")}
    found: list[int | None]
    if any(s.message_id in by_id for s in sent):
        found = [by_id.get(s.message_id) for s in sent]
    else:
        found, cursor = [], 0
        for s in sent:
            match = next((i for i in users[cursor:] if events[i].get("text") == s.text), None)
            found.append(match)
            if match is not None:
                cursor = users.index(match) + 1
    result.lost += sum(1 for index in found if index is None)
    kept = [index for index in found if index is not None]
    if kept != sorted(kept):
        result.reordered += 1
    for s, index in zip(sent, found, strict=True):
        if index is None or not s.turn.expect:
            continue
        after = next((i for i in users if i > index), len(events))
        names = answer_names(events[index + 1 : after])
        if not names & set(s.turn.expect):
            result.wrong += 1
            result.error("wrong_answer")
            if len(result.wrong_examples) < WRONG_EXAMPLES:
                result.wrong_examples.append(
                    {
                        "scenario": s.scenario,
                        "text": s.text,
                        "expected": list(s.turn.expect),
                        "got": sorted(names),
                    }
                )

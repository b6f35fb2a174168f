"""The conversation-length mode: one long conversation, latency and CPU per message.

Each message's latency, the servers' CPU time it cost and the tracker's size after it,
summarised per window of messages (1, 50, 100 and 200) and as last against first.
"""

from __future__ import annotations

import json
import os
import statistics
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import Target, send, tracker_events
from bench.results import Result, Sent, check_answers, percentile

WINDOWS = ((1, 20), (41, 60), (91, 110), (181, 200))  # messages 1, 50, 100 and 200


@dataclass
class LengthResult:
    """Latency against the position of a message in one long conversation."""

    config: str
    messages: int
    latencies: list[float | None] = field(default_factory=list)  # seconds, per message
    cpu: list[float] = field(default_factory=list)  # servers' CPU seconds, per message
    events: list[int] = field(default_factory=list)  # tracker events after each message
    tracker_bytes: list[int] = field(default_factory=list)  # their JSON size
    check: Result | None = None  # errors, wrong answers, lost

    def summary(self) -> dict[str, Any]:
        """p50 per window of messages, the tracker's size there, and last vs first."""
        windows: list[dict[str, Any]] = []
        for first, last in WINDOWS:
            if last > self.messages:
                break
            lat = sorted(x for x in self.latencies[first - 1 : last] if x is not None)
            cpu = self.cpu[first - 1 : last]
            windows.append(
                {
                    "messages": f"{first}-{last}",
                    "p50_ms": percentile(lat, 50),
                    "cpu_ms": round(1000 * statistics.fmean(cpu), 1) if cpu else None,
                    "events": self.events[last - 1] if len(self.events) >= last else None,
                    "tracker_kb": round(self.tracker_bytes[last - 1] / 1024)
                    if len(self.tracker_bytes) >= last
                    else None,
                }
            )

        def last_vs_first(key: str) -> float | None:
            first = windows[0][key] if windows else None
            last = windows[-1][key] if len(windows) > 1 else None
            return round(last / first, 2) if first and last else None

        check = self.check.summary() if self.check else {}
        return {
            "config": self.config,
            "messages": self.messages,
            "windows": windows,
            "last_vs_first": last_vs_first("p50_ms"),
            "cpu_last_vs_first": last_vs_first("cpu_ms"),
            "errors": check.get("errors", 0),
            "error_kinds": check.get("error_kinds", {}),
            "wrong": check.get("wrong", 0),
            "wrong_examples": check.get("wrong_examples", []),
            "lost": check.get("lost", 0),
        }


async def run_length(target: Target, messages: int, timeout: float = 120) -> LengthResult:
    """One conversation of ``messages`` messages cycling ``target.length``, one at a time."""
    assert target.length is not None
    scenario = target.length
    check = Result(target.name, 1, 0.0)
    out = LengthResult(target.name, messages, check=check)
    sender = f"bench-length-{uuid.uuid4().hex[:8]}"
    metadata = {"product_id": scenario.product_id} if scenario.product_id else {}
    sent: list[Sent] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for index in range(messages):
            turn = scenario.turns[index % len(scenario.turns)]
            message_id = uuid.uuid4().hex
            body = {"sender": sender, "message": turn.text, "metadata": metadata}
            body["message_id"] = message_id
            cpu_before = cpu_seconds(target.server_pids)
            replies, seconds = await send(target, session, body, check)
            out.cpu.append(cpu_seconds(target.server_pids) - cpu_before)
            out.latencies.append(seconds if replies is not None else None)
            if replies is not None:
                check.latencies.append(seconds)
                sent.append(Sent(message_id, turn.text, turn, scenario.name))
        events = await tracker_events(target, session, sender)
    if events is None:
        check.unchecked += 1
        return out
    check_answers(sent, events, check)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    ends = [*users[1:], len(events)]
    size = 0
    sizes = [0]
    for event in events:
        size += len(json.dumps(event, ensure_ascii=False).encode())
        sizes.append(size)
    out.events = ends
    out.tracker_bytes = [sizes[end] for end in ends]
    return out


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by ``pids`` and their children (Linux /proc)."""
    total = 0
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")

"""The load: N buyers chatting over REST for a fixed time, then a check of every tracker.

Closed loop: each buyer sends its next message as soon as the previous answer
arrived (no think time), so messages/s is the throughput at that concurrency.
Every message carries a unique ``message_id``; afterwards each conversation's
tracker must hold exactly the answered messages, in the order they were sent, and
each message's answer must hold what its turn expects (``bench/scenarios.py``).

How answers are checked: the REST channel returns texts and buttons only, so the
answer of each message is read from the tracker after the run: the bot messages
between the buyer's message (found by its ``message_id``) and the next one, each
named by the ``utter_action`` Rasa stores in its metadata, or by the ``type`` of a
custom card. Comparing texts against domain.yml would also work, but responses
with variables or several variants make that fragile, and the tracker is read back
anyway.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.scenarios import CLICK_FIRST, Scenario, Turn, pick

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


@dataclass
class Target:
    """Where to send the load and how to read trackers back."""

    name: str
    url: str  # base URL of the REST channel
    api_url: str  # base URL of Rasa's HTTP API
    api_headers: dict[str, str]
    scenarios: list[Scenario]
    token_for: Callable[[str], str] | None = None
    pids: list[int] = field(default_factory=list)  # Rasa replicas, for memory
    length: Scenario | None = None  # the cycle of the conversation-length mode
    model: Path | None = None  # the trained model it serves
    server_pids: list[int] = field(default_factory=list)  # Rasa and action servers, for CPU


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


async def _send(
    target: Target,
    session: aiohttp.ClientSession,
    body: dict[str, Any],
    result: Result,
) -> tuple[list[dict[str, Any]] | None, float]:
    """Posts one message; the replies (``None`` on an error, which is counted) and time."""
    started = time.monotonic()
    kind = None
    replies = None
    try:
        async with session.post(f"{target.url}/webhooks/rest/webhook", json=body) as r:
            replies = await r.json(content_type=None) if r.status == 200 else None
            if r.status != 200:
                kind = f"http_{r.status}"
            elif not replies:
                kind = "empty_answer"
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        kind, replies = type(error).__name__, None
    if kind:
        result.error(kind)
        return None, 0.0
    return replies, time.monotonic() - started


def _choices(replies: list[dict[str, Any]]) -> list[str]:
    """The payloads of the buttons offered that choose something (an order, a reason)."""
    payloads = [b["payload"] for m in replies for b in m.get("buttons") or [] if "payload" in b]
    return [p for p in payloads if "{" in p]


async def _buyer(
    target: Target,
    session: aiohttp.ClientSession,
    index: int,
    stop_at: float,
    result: Result,
    sent: dict[str, list[Sent]],
    run_tag: str,
) -> None:
    rng = random.Random(index)
    conversation = 0
    while time.monotonic() < stop_at:
        conversation += 1
        scenario = pick(target.scenarios, rng)
        sender = f"bench-{run_tag}-{index}-{conversation}"
        sent[sender] = []
        metadata: dict[str, Any] = {}
        if scenario.buyers and target.token_for:
            metadata["buyer_token"] = target.token_for(rng.choice(scenario.buyers))
        if scenario.product_id:
            metadata["product_id"] = scenario.product_id
        choices: list[str] = []
        for turn in scenario.turns:
            if time.monotonic() >= stop_at:
                return
            text = turn.text
            if text == CLICK_FIRST:
                if not choices:  # the turn expected a choice to click: a wrong answer before
                    result.error("no_choice_offered")
                    continue
                text = choices[0]
            message_id = uuid.uuid4().hex
            body = {"sender": sender, "message": text, "metadata": metadata}
            body["message_id"] = message_id
            replies, seconds = await _send(target, session, body, result)
            if replies is None:
                continue
            result.latencies.append(seconds)
            sent[sender].append(Sent(message_id, text, turn, scenario.name))
            choices = _choices(replies)


async def tracker_events(
    target: Target, session: aiohttp.ClientSession, sender: str
) -> list[dict[str, Any]] | None:
    """The conversation's events from Rasa's HTTP API (``None`` if unreadable)."""
    url = f"{target.api_url}/conversations/{sender}/tracker"
    try:
        async with session.get(url, headers=target.api_headers) as response:
            tracker = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None
    return tracker.get("events", []) if isinstance(tracker, dict) else None


async def _check_trackers(target: Target, sent: dict[str, list[Sent]], result: Result) -> None:
    semaphore = asyncio.Semaphore(8)
    timeout = aiohttp.ClientTimeout(total=60)

    async def check(session: aiohttp.ClientSession, sender: str, messages: list[Sent]) -> None:
        async with semaphore:
            events = await tracker_events(target, session, sender)
        if events is None:
            result.unchecked += 1
            return
        check_answers(messages, events, result)

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(check(session, s, m) for s, m in sent.items() if m))


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


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB (Linux /proc)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


async def run_load(target: Target, buyers: int, seconds: float, timeout: float = 120) -> Result:
    """Runs ``buyers`` concurrent buyers for ``seconds``, then checks the trackers."""
    result = Result(target.name, buyers, seconds)
    sent: dict[str, list[Sent]] = {}
    run_tag = uuid.uuid4().hex[:6]
    connector = aiohttp.TCPConnector(limit=buyers + 4)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        stop_at = started + seconds
        await asyncio.gather(
            *(_buyer(target, session, i, stop_at, result, sent, run_tag) for i in range(buyers))
        )
    result.seconds = time.monotonic() - started
    result.rss_mb = [_rss_mb(pid) for pid in target.pids]
    await _check_trackers(target, sent, result)
    return result


# --- the conversation-length mode --------------------------------------------------------

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
            replies, seconds = await _send(target, session, body, check)
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

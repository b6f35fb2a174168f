"""The load: N buyers chatting over REST for a fixed time, then a check of every tracker.

Closed loop: each buyer sends its next message as soon as the previous answer
arrived (no think time), so messages/s is the throughput at that concurrency.
Every message carries a unique ``message_id``; afterwards each conversation's
tracker must hold exactly the answered messages, in the order they were sent.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.scenarios import BUYERS, CLICK_FIRST, Scenario, pick


@dataclass
class Result:
    """What one load run measured."""

    config: str
    buyers: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, answered messages
    errors: int = 0  # non-200, empty answer, timeout or connection error
    error_kinds: dict[str, int] = field(default_factory=dict)
    lost: int = 0  # answered, but missing from the tracker
    reordered: int = 0  # conversations whose tracker order differs from the send order
    unchecked: int = 0  # trackers that could not be read
    rss_mb: list[float] = field(default_factory=list)  # per Rasa replica, after the run

    def summary(self) -> dict[str, Any]:
        """The figures, rounded, as a JSON-ready dict."""
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return round(1000 * lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 1)

        return {
            "config": self.config,
            "buyers": self.buyers,
            "seconds": round(self.seconds, 1),
            "messages": len(lat),
            "msgs_per_s": round(len(lat) / self.seconds, 2) if self.seconds else 0,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "lost": self.lost,
            "reordered": self.reordered,
            "unchecked": self.unchecked,
            "rss_mb_per_replica": [round(x) for x in self.rss_mb],
        }


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


async def _buyer(
    target: Target,
    session: aiohttp.ClientSession,
    index: int,
    stop_at: float,
    result: Result,
    sent: dict[str, list[tuple[str, str]]],
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
        if scenario.token and target.token_for:
            metadata["buyer_token"] = target.token_for(rng.choice(BUYERS))
        if scenario.product_id:
            metadata["product_id"] = scenario.product_id
        buttons: list[str] = []
        for turn in scenario.turns:
            if time.monotonic() >= stop_at:
                return
            text = turn
            if turn == CLICK_FIRST:
                # A choice (an order, a reason), as a buyer clicks one; no choice offered
                # (one order only, the answer came at once): nothing to click.
                choices = [b for b in buttons if "{" in b]
                if not choices:
                    continue
                text = choices[0]
            message_id = uuid.uuid4().hex
            body = {"sender": sender, "message": text, "metadata": metadata}
            body["message_id"] = message_id
            started = time.monotonic()
            kind = None
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
                result.errors += 1
                result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1
                continue
            result.latencies.append(time.monotonic() - started)
            sent[sender].append((message_id, text))
            buttons = [
                b["payload"]
                for m in replies or []
                for b in m.get("buttons") or []
                if "payload" in b
            ]


async def _check_trackers(
    target: Target, sent: dict[str, list[tuple[str, str]]], result: Result
) -> None:
    semaphore = asyncio.Semaphore(8)
    timeout = aiohttp.ClientTimeout(total=60)

    async def check(
        session: aiohttp.ClientSession, sender: str, pairs: list[tuple[str, str]]
    ) -> None:
        url = f"{target.api_url}/conversations/{sender}/tracker"
        async with semaphore:
            try:
                async with session.get(url, headers=target.api_headers) as response:
                    tracker = await response.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                result.unchecked += 1
                return
        users = [e for e in tracker.get("events", []) if e.get("event") == "user"]
        ids = [m for m, _ in pairs]
        stored = [e.get("message_id") for e in users]
        if not set(ids) & set(stored):  # a channel that drops message_id: compare texts
            ids, stored = [t for _, t in pairs], [e.get("text") for e in users]
        result.lost += sum((Counter(ids) - Counter(stored)).values())
        kept = set(stored)
        if [m for m in stored if m in set(ids)] != [m for m in ids if m in kept]:
            result.reordered += 1

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(check(session, s, ids) for s, ids in sent.items() if ids))


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
    sent: dict[str, list[tuple[str, str]]] = {}
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

"""The load: N buyers chatting over REST for a fixed time, then a check of every tracker.

Closed loop: each buyer sends its next message as soon as the previous answer
arrived (no think time), so messages/s is the throughput at that concurrency.
Every message carries a unique ``message_id``; afterwards each conversation's
tracker must hold exactly the answered messages, in the order they were sent, and
each message's answer must hold what its turn expects (``bench/scenarios.py``,
checked by ``bench/results.py``).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.results import Result, Sent, check_answers
from bench.scenarios import CLICK_FIRST, Scenario, pick


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


async def send(
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
            replies, seconds = await send(target, session, body, result)
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

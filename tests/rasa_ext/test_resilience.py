"""A failed custom action answers with an apology and a human offered, counted and traced."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest
from prometheus_client import REGISTRY
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from rasa_ext import resilience


async def _run(url: str) -> list[Any]:
    resilience.install(timeout=2)
    action = RemoteAction("action_anything", EndpointConfig(url))
    domain = Domain.empty()
    return await action.run(
        CollectingOutputChannel(),
        TemplatedNaturalLanguageGenerator(domain.responses),
        DialogueStateTracker("t", []),
        domain,
    )


async def test_action_server_down_gives_an_apology() -> None:
    events = await _run("http://127.0.0.1:1/webhook")
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == resilience.APOLOGY_TEXT
    assert events[0].data["buttons"][0]["payload"] == "/request_human"


async def test_a_hanging_action_server_times_out() -> None:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answers; returns when the client gives up

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        events = await _run(f"http://127.0.0.1:{port}/webhook")
        assert loop.time() - started < 10
        assert events[0].text == resilience.APOLOGY_TEXT
    finally:
        server.close()
        await server.wait_closed()


def test_install_is_idempotent() -> None:
    resilience.install(timeout=2)
    wrapped = RemoteAction.run
    resilience.install(timeout=2)
    assert RemoteAction.run is wrapped


def _errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """ERROR records, less asyncio's about sessions Rasa's endpoint left unclosed."""
    return [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.name != "asyncio"
    ]


def _failures(reason: str, action: str = "action_anything") -> float:
    value = REGISTRY.get_sample_value(
        "shop_action_failures_total", {"action": action, "reason": reason}
    )
    return value or 0.0


async def test_an_unreachable_action_server_is_counted_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = _failures("unreachable")
    with caplog.at_level(logging.ERROR):
        await _run("http://127.0.0.1:1/webhook")
    assert _failures("unreachable") == before + 1
    lines = _errors_logged(caplog)
    # Rasa's own line for the same failure is dropped: one line, with a trace id.
    assert len(lines) == 1 and re.search(r"\[trace [0-9a-f]{16}\]", lines[0]), lines


async def test_an_action_that_raised_keeps_the_action_servers_trace_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = b'{"error": "the action failed", "trace_id": "0123456789abcdef"}'

    async def fail(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(fail, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    before = _failures("error")
    try:
        with caplog.at_level(logging.ERROR):
            events = await _run(f"http://127.0.0.1:{port}/webhook")
    finally:
        server.close()
        await server.wait_closed()
    assert events[0].text == resilience.APOLOGY_TEXT
    assert _failures("error") == before + 1
    lines = _errors_logged(caplog)
    assert len(lines) == 1 and "[trace 0123456789abcdef]" in lines[0], lines

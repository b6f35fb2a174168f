"""A failed custom action answers with an apology and a human offered."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from channels import resilience


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

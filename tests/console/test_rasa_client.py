"""The console's Rasa client against a small aiohttp server: paths, query, token, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from console.rasa_client import RasaClient, RasaError
from tests.console.conftest import free_port


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.requests.append(
            {
                "method": request.method,
                "path": request.raw_path.split("?")[0],
                "query": dict(request.query),
                "auth": request.headers.get("Authorization"),
                "body": body,
            }
        )
        await asyncio.sleep(self.delay)
        if self.status >= 400:
            return web.json_response({"message": "nope"}, status=self.status)
        return web.json_response({"events": [{"event": "user"}], "intent": {"name": "greet"}})


@pytest.fixture()
async def fake_rasa() -> AsyncIterator[tuple[str, Recorder]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", recorder
    await runner.cleanup()


async def test_calls_without_a_token(fake_rasa: tuple[str, Recorder]) -> None:
    url, recorder = fake_rasa
    client = RasaClient(url, "")
    try:
        assert (await client.tracker("buyer-B005/x"))["events"] == [{"event": "user"}]
        await client.append_events("c1", [{"event": "bot", "text": "hi"}])
        await client.append_events("c1", [{"event": "resume"}], push=False)
        await client.trigger_intent("c1", "EXTERNAL_agent_handback")
        assert (await client.parse("你好"))["intent"] == {"name": "greet"}
    finally:
        await client.close()
    got = [(r["method"], r["path"], r["query"], r["body"]) for r in recorder.requests]
    assert got == [
        ("GET", "/conversations/buyer-B005%2Fx/tracker", {"include_events": "ALL"}, None),
        (
            "POST",
            "/conversations/c1/tracker/events",
            {
                "include_events": "NONE",
                "output_channel": "socketio",
                "execute_side_effects": "true",
            },
            [{"event": "bot", "text": "hi"}],
        ),
        (
            "POST",
            "/conversations/c1/tracker/events",
            {"include_events": "NONE"},
            [{"event": "resume"}],
        ),
        (
            "POST",
            "/conversations/c1/trigger_intent",
            {"output_channel": "socketio", "include_events": "NONE"},
            {"name": "EXTERNAL_agent_handback"},
        ),
        ("POST", "/model/parse", {}, {"text": "你好"}),
    ]
    assert all(r["auth"] is None for r in recorder.requests)


@pytest.mark.parametrize(
    ("token", "query", "auth"),
    [
        ("s3cret", {"token": "s3cret"}, None),  # rasa run --auth-token
        ("eyJh.eyJz.c2ln", {}, "Bearer eyJh.eyJz.c2ln"),  # a JWT: header only, never in a URL
    ],
)
async def test_the_token_goes_where_rasa_reads_it(
    fake_rasa: tuple[str, Recorder], token: str, query: dict[str, str], auth: str | None
) -> None:
    url, recorder = fake_rasa
    client = RasaClient(url, token)
    try:
        await client.parse("x")
    finally:
        await client.close()
    assert recorder.requests[0]["query"] == query
    assert recorder.requests[0]["auth"] == auth


async def test_errors_become_rasa_errors(fake_rasa: tuple[str, Recorder]) -> None:
    url, recorder = fake_rasa
    client = RasaClient(url, "", timeout=0.3)
    try:
        recorder.status = 404
        with pytest.raises(RasaError, match="404") as info:
            await client.trigger_intent("c1", "EXTERNAL_missing")
        assert info.value.status == 404
        recorder.status, recorder.delay = 200, 0.8
        with pytest.raises(RasaError, match="in time"):
            await client.parse("slow")
        await asyncio.sleep(0.8)  # let the slow handler finish before the server stops
    finally:
        await client.close()
    down = RasaClient(f"http://127.0.0.1:{free_port()}", "")
    try:
        with pytest.raises(RasaError, match="unreachable"):
            await down.tracker("c1")
    finally:
        await down.close()

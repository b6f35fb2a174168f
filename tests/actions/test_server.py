"""The action server's additions (actions/server.py): /metrics, counted and traced errors."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client import REGISTRY
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic

from actions import server


@pytest.fixture()
async def action_server() -> AsyncIterator[str]:
    """rasa-sdk's app with this project's actions and extensions, on a free port."""
    Sanic.test_mode = True  # several Sanic apps in one process (tests/console/conftest.py)
    app = create_app("actions")
    app.name = "rasa_sdk_test"
    server.extend(app)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    running = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert running is not None
    await running.startup()
    await running.before_start()
    await running.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await running.before_stop()
        await running.close()
        await running.after_stop()
        Sanic._app_registry.pop(app.name, None)


def _errors(action: str) -> float:
    return REGISTRY.get_sample_value("shop_action_errors_total", {"action": action}) or 0.0


async def test_an_action_that_raises_is_counted_and_traced_once(
    action_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    action = "action_answer_shipping"
    before = _errors(action)
    call = {"next_action": action, "tracker": "not a tracker", "domain": {}, "version": "3.6.2"}
    with caplog.at_level(logging.ERROR):
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{action_server}/webhook", json=call) as resp:
                assert resp.status == 500
                body = await resp.json()
            async with session.get(f"{action_server}/metrics") as resp:
                assert resp.status == 200 and "shop_action_seconds_bucket" in await resp.text()
            async with session.post(f"{action_server}/nothing", json={}) as resp:
                assert resp.status == 404  # Sanic's own errors are no action errors
    assert body["action_name"] == action and re.fullmatch(r"[0-9a-f]{16}", body["trace_id"])
    assert "request_body" not in body  # rasa-sdk echoed the buyer's whole tracker
    assert _errors(action) == before + 1
    records = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name != "asyncio"]
    assert len(records) == 1 and f"[trace {body['trace_id']}]" in records[0].getMessage()
    assert records[0].exc_text and "Traceback" in records[0].exc_text


async def test_unknown_action_names_are_no_label(action_server: str) -> None:
    call = {"next_action": "action_made_up_by_a_caller", "tracker": {}, "version": "3.6.2"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{action_server}/webhook", json=call) as resp,
    ):
        assert resp.status == 404  # rasa-sdk: no such action
    labels = {s.labels.get("action") for m in REGISTRY.collect() for s in m.samples}
    assert "action_made_up_by_a_caller" not in labels


def test_the_plugin_is_registered_once_on_import() -> None:
    server.install()
    server.install()
    names = [name for name, _ in plugin_manager().list_name_plugin()]
    assert names.count("shop_server") == 1

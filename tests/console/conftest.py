"""Fixtures of the console tests: the real Sanic app on a free port, a fake Rasa,
staff users on the demo shop, and logged-in aiohttp clients."""

from __future__ import annotations

import contextlib
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from console.app import create_app
from console.auth import hash_password
from console.rasa_client import RasaError
from console.responses import Responses
from console.staff import add_staff
from shop.clock import shop_now
from shop.db.models import Escalation
from shop.db.session import session_scope

PASSWORD = "secret-pass-1"
NOW = datetime(2026, 12, 1, 10, 0)
HEADERS = {"X-Console": "1"}


class FakeRasa:
    """Rasa's HTTP API in memory: trackers, the calls made, a canned parse and prediction."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[tuple[str, str, Any]] = []
        self.parse_result: dict[str, Any] = {"intent": {"name": "greet", "confidence": 0.5}}
        self.prediction: dict[str, Any] = {}  # /model/predict: {"scores", "confidence", ...}
        self.down = False
        self.closed = False

    def add(self, conversation_id: str, *events: dict[str, Any]) -> None:
        """Appends events (timestamps added) as if the buyer or the bot had acted."""
        stored = self.events.setdefault(conversation_id, [])
        for event in events:
            stored.append({"timestamp": time.time(), **event})

    def _check(self) -> None:
        if self.down:
            raise RasaError("Rasa unreachable (fake)")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        self._check()
        return {"sender_id": conversation_id, "events": list(self.events.get(conversation_id, []))}

    async def append_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, push: bool = True
    ) -> dict[str, Any]:
        self._check()
        self.calls.append(("events", conversation_id, {"events": events, "push": push}))
        self.add(conversation_id, *events)
        return {}

    async def trigger_intent(self, conversation_id: str, name: str) -> dict[str, Any]:
        self._check()
        self.calls.append(("trigger_intent", conversation_id, name))
        return {}

    async def parse(self, text: str) -> dict[str, Any]:
        self._check()
        self.calls.append(("parse", "", text))
        return {"text": text, **self.parse_result}

    async def predict(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        self._check()
        self.calls.append(("predict", "", events))
        return self.prediction

    async def close(self) -> None:
        self.closed = True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def staff(shop_db: None) -> dict[str, int]:
    """agent1, agent2 (agents, max 2 open), trainer and owner; username -> id."""
    ids = {}
    with session_scope() as session:
        for name, roles, max_open in [
            ("agent1", ["agent"], 2),
            ("agent2", ["agent"], 2),
            ("trainer", ["trainer"], 3),
            ("owner", ["owner"], 3),
        ]:
            user = add_staff(
                name,
                name.upper(),
                roles,
                "placeholder",
                session=session,
                now=NOW,
                max_open=max_open,
            )
            user.password_hash = password_hash()
            ids[name] = int(user.id)
    return ids


@cache
def password_hash() -> str:
    """The scrypt hash of :data:`PASSWORD`, computed once per run."""
    return hash_password(PASSWORD)


@pytest.fixture()
def escalation(shop_db: None) -> Callable[..., int]:
    """``escalation(conversation_id, buyer_id=..., order_id=..., priority=...)`` -> id."""

    def make(conversation_id: str = "", **fields: Any) -> int:
        with session_scope() as session:
            row = Escalation(
                conversation_id=conversation_id or f"conv-{uuid.uuid4().hex[:8]}",
                reason=fields.pop("reason", "request_human"),
                priority=fields.pop("priority", 2),
                summary=fields.pop("summary", "买家: 转人工"),
                status="waiting",
                created_at=fields.pop("created_at", shop_now().replace(microsecond=0)),
                **fields,
            )
            session.add(row)
            session.flush()
            return int(row.id)

    return make


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


JOINED = "人工客服{agent_name}已接入"
WELCOME = "不客气亲～"
DOMAIN = f"""
responses:
  utter_agent_joined:
    - text: "{JOINED}"
  utter_welcome:
    - text: "{WELCOME}"
  utter_greet:
    - text: "您好{{name}}"
  utter_default:
    - text: "没懂"
      buttons:
        - title: "转人工"
          payload: "/request_human"
"""
RULES = """
rules:
  - rule: thanks
    steps:
      - intent: thank
      - action: utter_welcome
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: fallback
    steps:
      - intent: nlu_fallback
      - action: utter_default
"""


@pytest.fixture()
def responses(tmp_path: Path) -> Responses:
    """Responses from a small test domain (not the project's, which changes)."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    (tmp_path / "rules" / "rules.yml").write_text(RULES, encoding="utf-8")
    return Responses(tmp_path / "domain.yml", tmp_path / "rules")


@pytest.fixture()
async def console(rasa: FakeRasa, responses: Responses, shop_db: None) -> AsyncIterator[str]:
    """The console app served on a free port with the fake Rasa; its base URL."""
    async with serve(create_app(f"console_test_{uuid.uuid4().hex[:8]}"), rasa, responses) as url:
        yield url


@contextlib.asynccontextmanager
async def serve(app: Sanic, rasa: FakeRasa, responses: Responses) -> AsyncIterator[str]:
    """Serves ``app`` (a console app) on a free port with the fake Rasa; its base URL.

    Sanic 21.12 rewrites its protocol class on start ("TouchUp"); a second app in
    the same process only starts in test mode, which keeps the original to
    rewrite again (what sanic-testing does). So test mode stays on.
    """
    Sanic.test_mode = True
    app.ctx.rasa = rasa
    app.ctx.responses = responses
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        Sanic._app_registry.pop(app.name, None)


Client = aiohttp.ClientSession


@pytest.fixture()
async def client() -> AsyncIterator[Callable[[], Client]]:
    """``client()`` -> a new aiohttp session with its own cookie jar (closed afterwards)."""
    made: list[Client] = []

    def new() -> Client:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        made.append(session)
        return session

    yield new
    for session in made:
        await session.close()


@pytest.fixture()
def login(
    console: str, client: Callable[[], Client], staff: dict[str, int]
) -> Callable[[str], Awaitable[Client]]:
    """``await login("agent1")`` -> a client with that user's session cookie."""

    async def _login(username: str) -> Client:
        session = client()
        async with session.post(
            f"{console}/console/api/login",
            json={"username": username, "password": PASSWORD},
            headers=HEADERS,
        ) as resp:
            assert resp.status == 200, await resp.text()
        return session

    return _login

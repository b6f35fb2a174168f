"""The console's client for Rasa's HTTP API (``rasa run --enable-api``).

One ``aiohttp`` session per client, made on first use inside the running loop.
``RASA_TOKEN`` goes where Rasa reads it: a JWT (``rasa run --jwt-secret``, the
production set-up, docs/deployment.md) as ``Authorization: Bearer``, never in a
URL; any other token (``rasa run --auth-token``) as the ``token`` query
parameter, the only place Rasa 3.6 looks for it. Every failure becomes
:class:`RasaError` with a one-line reason.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp

from shop.config import settings

logger = logging.getLogger(__name__)

OUTPUT_CHANNEL = "socketio"  # the widget's channel: pushed messages reach the buyer
JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class RasaError(RuntimeError):
    """Rasa could not be reached or refused the call."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Conversations(Protocol):
    """What the console needs from Rasa (the real client or a test fake)."""

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker, all events."""

    async def append_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, push: bool = True
    ) -> dict[str, Any]:
        """Appends events; ``push`` sends bot events to the buyer's widget."""

    async def trigger_intent(self, conversation_id: str, name: str) -> dict[str, Any]:
        """Triggers an (external) intent; the assistant's answer goes to the widget."""

    async def parse(self, text: str) -> dict[str, Any]:
        """NLU's parse of ``text``."""

    async def predict(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """The policies' next action for a conversation made of ``events`` (not stored)."""

    async def close(self) -> None:
        """Releases connections."""


class RasaClient:
    """Rasa's HTTP API over aiohttp."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        output_channel: str = OUTPUT_CHANNEL,
    ) -> None:
        self.base_url = (base_url or settings.rasa_url).rstrip("/")
        token = settings.rasa_token if token is None else token
        self.bearer = token if JWT.fullmatch(token) else ""
        self.query_token = "" if self.bearer else token
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 5.0))
        self.output_channel = output_channel
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}
            self._session = aiohttp.ClientSession(timeout=self.timeout, headers=headers)
        return self._session

    async def _call(
        self, method: str, path: str, *, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        query = dict(params or {})
        if self.query_token:
            query["token"] = self.query_token
        url = f"{self.base_url}{path}"
        try:
            async with self._http().request(method, url, params=query, json=body) as resp:
                text = await resp.text()
                if resp.status >= 400:
                    raise RasaError(
                        f"Rasa answered {resp.status} to {method} {path}: {text[:200]}",
                        resp.status,
                    )
                return await resp.json(content_type=None) if text else None
        except aiohttp.ClientError as exc:
            raise RasaError(f"Rasa unreachable at {self.base_url}: {exc}") from exc
        except asyncio.TimeoutError as exc:
            raise RasaError(f"Rasa did not answer {method} {path} in time") from exc
        except ValueError as exc:
            raise RasaError(f"Rasa sent bad JSON to {method} {path}") from exc

    @staticmethod
    def _conversation(conversation_id: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}"

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """``GET /conversations/{id}/tracker`` with every event."""
        path = f"{self._conversation(conversation_id)}/tracker"
        return await self._call("GET", path, params={"include_events": "ALL"}) or {}

    async def append_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, push: bool = True
    ) -> dict[str, Any]:
        """``POST .../tracker/events``; with ``push`` through the widget's channel."""
        params = {"include_events": "NONE"}
        if push:
            params |= {"output_channel": self.output_channel, "execute_side_effects": "true"}
        path = f"{self._conversation(conversation_id)}/tracker/events"
        return await self._call("POST", path, params=params, body=events) or {}

    async def trigger_intent(self, conversation_id: str, name: str) -> dict[str, Any]:
        """``POST .../trigger_intent?output_channel=...`` ``{"name": name}``."""
        path = f"{self._conversation(conversation_id)}/trigger_intent"
        params = {"output_channel": self.output_channel, "include_events": "NONE"}
        return await self._call("POST", path, params=params, body={"name": name}) or {}

    async def parse(self, text: str) -> dict[str, Any]:
        """``POST /model/parse`` ``{"text": text}``."""
        return await self._call("POST", "/model/parse", body={"text": text}) or {}

    async def predict(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST /model/predict`` with the events: ``{"scores", "confidence", "tracker"}``.

        Stateless: Rasa builds a throw-away tracker and stores nothing.
        """
        return await self._call("POST", "/model/predict", body=events) or {}

    async def close(self) -> None:
        """Closes the HTTP session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

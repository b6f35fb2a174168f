"""The web widget's Socket.IO channel: Rasa's ``socketio`` channel, made safe.

Differences from Rasa 3.6's ``SocketIOInput`` (protocol: ``docs/widget-channel.md``):

* ``enter_room``/``leave_room`` are awaited when python-socketio makes them
  coroutines (>= 5.10; Rasa issue #13027 left replies undelivered).
* The server picks the conversation: ``buyer-<id>`` from a verified buyer token,
  or a server-signed anonymous session; client-chosen ids are never used.
* Typed slash commands reach NLU as text; only payloads of buttons the assistant
  just offered in this conversation pass as commands.
* Metadata is cut to ``buyer_token`` (re-verified on every message) and ``product_id``.
* A human agent's text (event metadata ``agent_name``) reaches the widget with the name
  (``channels/socketio_output.py``).
* Photos: ``POST /webhooks/socketio/upload``, ``GET .../photos/<id>`` (``channels/uploads.py``).
* A message whose processing raises is counted, logged once with a trace id and
  answered with the apology (``shop/metrics.py``), never left unanswered.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.catchup import MISSED_EVENT, send_missed
from channels.commands import OfferedPayloads
from channels.session import SessionSigner, bind_session, clean_metadata
from channels.shared_state import offered_payloads
from channels.socketio_output import ShopSocketIOOutput
from channels.uploads import add_photo_routes
from rasa_ext.resilience import APOLOGY_BUTTONS, APOLOGY_TEXT
from shop.metrics import CHANNEL_ERRORS, MESSAGE_SECONDS, MESSAGES, report_error
from shop.rate_limit import RateLimit

STATIC_DIR = Path(__file__).resolve().parent / "static"

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
RATE_LIMIT_EVENTS = 12  # per socket, within RATE_LIMIT_SECONDS
RATE_LIMIT_SECONDS = 10.0


def _verify_buyer(token: Any) -> str | None:
    from shop.identity import buyer_id_from_token

    return buyer_id_from_token(token)


def _shop_secret() -> str:
    from shop.config import settings

    return settings.shop_secret


def _redis_url() -> str:
    from shop.config import settings

    return settings.redis_url


def _client_manager(redis_url: str) -> Any:
    """Socket.IO across replicas: rooms and emits go through Redis when configured."""
    if not redis_url:
        return None
    from socketio import AsyncRedisManager

    return AsyncRedisManager(redis_url)


async def _maybe_await(result: Any) -> None:
    """Awaits what python-socketio >= 5.10 returns as a coroutine."""
    if inspect.isawaitable(result):
        await result


@dataclass
class _Socket:
    """What the server knows about one connected socket."""

    sender_id: str | None = None
    buyer_id: str | None = None


class ShopSocketIOInput(InputChannel):
    """Socket.IO input channel for the shop's web widget."""

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's name, so ``output_channel=socketio`` reaches the widget."""
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Builds the channel from its ``credentials.yml`` section, as ``rasa run`` starts."""
        from shop.config import refuse_insecure_start

        refuse_insecure_start("Rasa server")
        credentials = credentials or {}
        secret_env = credentials.get("session_secret_env")
        secret = (os.environ.get(secret_env) if secret_env else None) or _shop_secret()
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            session_secret=secret,
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", "metadata"),
            cors_allowed_origins=credentials.get("cors_allowed_origins") or [],
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        socketio_path: str = "/socket.io",
        session_secret: str | None = None,
        jwt_key: str | None = None,
        jwt_method: str = "HS256",
        metadata_key: str = "metadata",
        cors_allowed_origins: list[str] | str | None = None,
        verify_buyer: Callable[[Any], str | None] = _verify_buyer,
    ) -> None:
        """Creates the channel; ``session_secret`` defaults to the shop secret."""
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.namespace = namespace
        self.socketio_path = socketio_path
        self.session_persistence = True  # always: sockets join their conversation's room
        self.jwt_key = jwt_key
        self.jwt_algorithm = jwt_method
        self.metadata_key = metadata_key
        self.cors_allowed_origins = cors_allowed_origins or []
        self.signer = SessionSigner(session_secret or _shop_secret())
        self.verify_buyer = verify_buyer
        self.offered: OfferedPayloads = offered_payloads(_redis_url())
        self.sio: AsyncServer | None = None
        self._webhook: Blueprint | None = None  # its app's agent holds the trackers
        self._sockets: dict[str, _Socket] = {}
        # Widget events per socket (shop/rate_limit.py). A socket lives on one replica,
        # so its count stays in this process's memory, even with Redis.
        self.events_limit = RateLimit("widget_events", RATE_LIMIT_EVENTS, RATE_LIMIT_SECONDS)

    def get_output_channel(self) -> OutputChannel | None:
        """The output for pushed events (``output_channel=socketio`` in the HTTP API)."""
        if self.sio is None:
            logger.warning("socketio output channel requested before the server started")
            return None
        return ShopSocketIOOutput(self.sio, self.bot_message_evt, self.offered, self.namespace)

    async def _error(self, sid: str, code: str) -> None:
        assert self.sio is not None
        await self.sio.emit("error", {"code": code}, room=sid, namespace=self.namespace)

    def _over_limit(self, sid: str) -> bool:
        """Counts one event of the socket; ``True`` when it sends too fast."""
        return self.events_limit.hit(sid) > 0

    def _connect_allowed(self, auth: Any) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        return bool(
            token
            and rasa.core.channels.channel.decode_bearer_token(
                token, self.jwt_key, self.jwt_algorithm
            )
        )

    async def session_request(self, sid: str, data: Any) -> None:
        """Binds the socket to its conversation and confirms the session id."""
        assert self.sio is not None
        state = self._sockets.setdefault(sid, _Socket())
        if self._over_limit(sid):
            await self._error(sid, "rate_limited")
            return
        data = data if isinstance(data, dict) else {}
        binding = bind_session(
            self.signer, data.get("session_id"), data.get("buyer_token"), self.verify_buyer
        )
        if state.sender_id and state.sender_id != binding.sender_id:
            await _maybe_await(self.sio.leave_room(sid, state.sender_id, namespace=self.namespace))
        await _maybe_await(self.sio.enter_room(sid, binding.sender_id, namespace=self.namespace))
        state.sender_id, state.buyer_id = binding.sender_id, binding.buyer_id
        await self.sio.emit(
            "session_confirm",
            {"session_id": binding.session_id, "server_time": time.time()},
            room=sid,
            namespace=self.namespace,
        )
        # What the assistant said while this widget was closed (channels/catchup.py).
        missed = ShopSocketIOOutput(self.sio, MISSED_EVENT, OfferedPayloads(), self.namespace)
        apps = self._webhook.apps if self._webhook and self._webhook.registered else ()
        await send_missed(missed, sid, binding.sender_id, data.get("since"), apps, self.offered)

    async def user_message(
        self, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Hands one buyer message to Rasa, in the socket's own conversation."""
        assert self.sio is not None
        state = self._sockets.get(sid)
        if state is None or state.sender_id is None:
            await self._error(sid, "no_session")
            return
        data = data if isinstance(data, dict) else {}
        text = data.get("message")
        if not isinstance(text, str) or not text.strip():
            return
        if self._over_limit(sid):
            await self._error(sid, "rate_limited")
            return
        raw = data.get(self.metadata_key)
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        token = raw.get("buyer_token") if isinstance(raw, dict) else None
        if self.verify_buyer(token) != state.buyer_id:
            await self._error(sid, "buyer_changed")
            return
        text = self.offered.screen(state.sender_id, text[:MAX_MESSAGE_CHARS])
        output = self.get_output_channel()
        message = UserMessage(
            text,
            output,
            state.sender_id,
            input_channel=self.name(),
            metadata=clean_metadata(raw, token if state.buyer_id else None),
        )
        MESSAGES.labels(self.name()).inc()
        try:
            with MESSAGE_SECONDS.labels(self.name()).time():
                await on_new_message(message)
        except Exception as error:
            errors = CHANNEL_ERRORS.labels(self.name())
            report_error(logger, errors, f"message of {state.sender_id} not processed", error)
            if output is not None:
                await output.send_text_with_buttons(state.sender_id, APOLOGY_TEXT, APOLOGY_BUTTONS)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The Sanic blueprint: health routes plus the Socket.IO server."""
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.cors_allowed_origins,
            client_manager=_client_manager(_redis_url()),
        )
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        self._webhook = webhook

        @webhook.route("/", methods=["GET"])
        async def root(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # The widget and a demo product page: /webhooks/socketio/webchat/widget.js
        # and /webhooks/socketio/webchat/demo.html (channels/static, built from web/).
        webhook.static("/webchat", str(STATIC_DIR), name="webchat")

        # Photos: POST /webhooks/socketio/upload, GET .../photos/<id> (channels/uploads.py).
        add_photo_routes(webhook, self, on_new_message)

        @webhook.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            return self._connect_allowed(auth)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_: Any) -> None:  # python-socketio >= 5.12 adds a reason
            self._sockets.pop(sid, None)
            self.events_limit.clear(sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            await self.session_request(sid, data)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            await self.user_message(sid, data, on_new_message)

        return webhook

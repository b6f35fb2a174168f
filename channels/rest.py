"""The REST channel, hardened: ``POST /webhooks/rest/webhook`` as in Rasa, but safe.

Differences from Rasa 3.6's ``RestInput`` (same URL, same name ``rest``):

* **Server-to-server only.** The REST channel takes ``sender`` from the caller, so
  a public caller could write into any conversation. Who may post:

  - a caller with an admin JWT for the Rasa API (``Authorization: Bearer``,
    ``RASA_JWT_SECRET``, ``exp`` required: ``rasa_ext/api_auth.py``) is trusted:
    its text and metadata pass unchanged and it is not rate limited;
  - with ``SHOP_REST_TOKEN`` set, a server sending it as ``X-Shop-Token``
    (compared in constant time); anyone else gets 401 ``unauthorized``;
  - without ``SHOP_REST_TOKEN``, anyone, but only in demo mode (``make run``,
    the tests); outside demo mode nobody but admin JWTs (401).

  A caller without a JWT or the token may not use the widget's conversation ids
  (``buyer-…``, ``anon-…``: bound to verified buyers and signed sessions by
  ``channels/socketio.py``): 403 ``reserved_sender``, and nothing reaches Rasa.
* Bad requests get a clear 4xx JSON error: not JSON or not an object (400
  ``bad_request``), larger than ``SHOP_MAX_REQUEST_BYTES`` (413 ``too_large``),
  too many messages (429 ``rate_limited`` with ``Retry-After``; per conversation
  and, for public callers, per client address, shared through Redis when
  ``REDIS_URL`` is set: ``shop/rate_limit.py``; ``X-Forwarded-For`` counts only
  from a proxy listed in ``SHOP_TRUSTED_PROXIES``).
* A failure inside Rasa (the tracker store gone, a bug) is never a quiet 200: it
  is counted (``shop_channel_errors_total{channel="rest"}``), logged once with a
  trace id, and answered 500 ``{"error": "internal_error", "trace_id": …,
  "messages": [the apology]}`` with ``X-Trace-Id``: a relaying server may show the
  apology, and its monitoring sees the failure.
* The text is cut to 2,000 characters; a blank text gets ``[]`` without a turn.
* Typed slash commands (``/restart``) reach NLU as text; only the payloads of
  buttons the assistant just offered in this conversation act as commands,
  as in the widget channel (admin JWT callers excepted).
* Untrusted metadata is cut to ``buyer_token`` and ``product_id``.
* An optional ``message_id`` (1-64 of ``A-Za-z0-9_.:-``) is kept in the tracker's
  user event: a client can check afterwards that nothing was lost or reordered.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.session import clean_metadata
from channels.shared_state import offered_payloads
from rasa_ext.api_auth import admin_claims
from rasa_ext.resilience import APOLOGY_BUTTONS, APOLOGY_TEXT
from shop import net
from shop.metrics import CHANNEL_ERRORS, MESSAGE_SECONDS, MESSAGES, report_error
from shop.rate_limit import RateLimit

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
MAX_TOKEN_CHARS = 4096
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
TOKEN_HEADER = "X-Shop-Token"
# The widget channel's conversation ids: verified buyers and server-signed sessions.
RESERVED_SENDER = re.compile(r"\s*(?:buyer|anon)-", re.IGNORECASE)
# admin: an admin JWT; server: the REST token; public: nobody (demo mode without a token).
Caller = Literal["admin", "server", "public"]


def _error(status: int, code: str, **extra: Any) -> HTTPResponse:
    headers = {"Retry-After": str(int(extra["retry_after"]) + 1)} if "retry_after" in extra else {}
    return response.json({"error": code, **extra}, status=status, headers=headers)


class ShopRestInput(InputChannel):
    """Rasa's REST channel for servers: a token, limits, validation and command screening."""

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's name and URL: ``/webhooks/rest/webhook``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Builds the channel as ``rasa run`` starts; refuses insecure settings first."""
        from shop.config import refuse_insecure_start

        refuse_insecure_start("Rasa server")
        return cls()

    def __init__(self, *, token: str | None = None, demo_mode: bool | None = None) -> None:
        """Creates the channel; every setting comes from ``shop.config`` unless given."""
        from shop.config import settings

        self.jwt_secret = settings.rasa_jwt_secret
        self.token = settings.rest_token if token is None else token
        # Without a token, public posts only in demo mode (make run, the tests).
        self.open_without_token = settings.demo_mode if demo_mode is None else demo_mode
        self.max_bytes = settings.max_request_bytes
        self.offered = offered_payloads(settings.redis_url)
        # Messages per minute (shop/rate_limit.py): shared through Redis when configured.
        self.per_conversation = RateLimit(
            "rest_conversation", settings.rate_per_conversation, 60, settings.redis_url
        )
        self.per_address = RateLimit(
            "rest_address", settings.rate_per_address, 60, settings.redis_url
        )
        self.proxies = net.networks(settings.trusted_proxies)

    def trusted(self, request: Request) -> bool:
        """Whether the caller holds an admin JWT for the Rasa API (with ``exp``)."""
        return admin_claims(request.headers.get("Authorization", ""), self.jwt_secret) is not None

    def caller(self, request: Request) -> Caller | None:
        """Who posts: an admin, a server with the REST token, the public; ``None``: refused."""
        if self.trusted(request):
            return "admin"
        if self.token:
            given = request.headers.get(TOKEN_HEADER, "").encode("utf-8", "surrogateescape")
            return "server" if hmac.compare_digest(given, self.token.encode()) else None
        return "public" if self.open_without_token else None

    def client_address(self, request: Request) -> str:
        """The client's address; ``X-Forwarded-For`` only from a trusted proxy (nginx)."""
        forwarded = request.headers.get("X-Forwarded-For", "")
        return net.client_address(request.ip or "", forwarded, self.proxies)

    def _parse(self, request: Request) -> tuple[dict[str, Any] | None, HTTPResponse | None]:
        if len(request.body or b"") > self.max_bytes:
            return None, _error(413, "too_large", max_bytes=self.max_bytes)
        try:
            body = request.json
        except Exception:
            body = None
        if not isinstance(body, dict):
            return None, _error(400, "bad_request", detail="a JSON object is expected")
        sender, message = body.get("sender", "default"), body.get("message")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            return None, _error(400, "bad_request", detail="sender: 1-128 characters")
        if message is not None and not isinstance(message, str):
            return None, _error(400, "bad_request", detail="message must be a string")
        return body, None

    def _metadata(self, raw: Any, trusted: bool) -> dict[str, Any]:
        if trusted:
            return raw if isinstance(raw, dict) else {}
        token = raw.get("buyer_token") if isinstance(raw, dict) else None
        ok = isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_CHARS
        return clean_metadata(raw, token if ok else None)

    async def handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """One buyer message in, the bot's replies out (a JSON list); 4xx refusals, 500 failures."""
        caller = self.caller(request)
        if caller is None:
            return _error(401, "unauthorized", detail=f"server-to-server only: send {TOKEN_HEADER}")
        content_length = request.headers.get("Content-Length", "0")
        if content_length.isdigit() and int(content_length) > self.max_bytes:
            return _error(413, "too_large", max_bytes=self.max_bytes)
        body, problem = self._parse(request)
        if problem is not None or body is None:
            return problem or _error(400, "bad_request")
        sender = body.get("sender", "default")
        if caller == "public" and RESERVED_SENDER.match(sender):
            return _error(403, "reserved_sender", detail="buyer-/anon- ids are the widget's")
        text = (body.get("message") or "")[:MAX_MESSAGE_CHARS]
        trusted = caller == "admin"
        if not trusted:
            # A server relays many buyers from one address: only public callers per address.
            wait = 0.0
            if caller == "public":
                wait = self.per_address.hit(f"ip:{self.client_address(request)}")
            wait = wait or self.per_conversation.hit(f"conv:{sender}")
            if wait:
                return _error(429, "rate_limited", retry_after=round(wait, 1))
        if not text.strip():
            return response.json([])
        if not trusted:
            text = self.offered.screen(sender, text)
        collector = CollectingOutputChannel()
        message_id = body.get("message_id")
        message = UserMessage(
            text,
            collector,
            sender,
            input_channel=self.name(),
            metadata=self._metadata(body.get("metadata"), trusted),
            message_id=message_id
            if isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)
            else None,
        )
        MESSAGES.labels(self.name()).inc()
        try:
            with MESSAGE_SECONDS.labels(self.name()).time():
                await on_new_message(message)
        except Exception as error:
            errors = CHANNEL_ERRORS.labels(self.name())
            trace = report_error(logger, errors, f"message of {sender} not processed", error)
            collector.messages.append(
                {"recipient_id": sender, "text": APOLOGY_TEXT, "buttons": APOLOGY_BUTTONS}
            )
            self._remember(sender, collector.messages)
            return response.json(
                {"error": "internal_error", "trace_id": trace, "messages": collector.messages},
                status=500,
                headers={"X-Trace-Id": trace},
            )
        self._remember(sender, collector.messages)
        return response.json(collector.messages)

    def _remember(self, sender: str, messages: list[dict[str, Any]]) -> None:
        for sent in messages:
            self.offered.remember(sender, sent)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /webhooks/rest/`` (health) and ``POST /webhooks/rest/webhook``."""
        webhook = Blueprint("custom_webhook_ShopRestInput", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        return webhook

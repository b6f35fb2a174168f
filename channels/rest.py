"""The REST channel, hardened: ``POST /webhooks/rest/webhook`` as in Rasa, but safe.

Differences from Rasa 3.6's ``RestInput`` (same URL, same name ``rest``):

* Bad requests get a clear 4xx JSON error, never a 5xx: not JSON or not an
  object (400 ``bad_request``), larger than ``SHOP_MAX_REQUEST_BYTES`` (413
  ``too_large``), too many messages (429 ``rate_limited`` with ``Retry-After``;
  per conversation and per client address, shared through Redis when
  ``REDIS_URL`` is set; ``X-Forwarded-For`` counts only from a proxy listed in
  ``SHOP_TRUSTED_PROXIES``). A failure inside Rasa still answers 200 with an apology.
* The text is cut to 2,000 characters; a blank text gets ``[]`` without a turn.
* Typed slash commands (``/restart``) reach NLU as text; only the payloads of
  buttons the assistant just offered in this conversation act as commands,
  as in the widget channel. Callers with an admin JWT for the Rasa API
  (``Authorization: Bearer``, ``RASA_JWT_SECRET``) are trusted: their text and
  metadata pass unchanged and they are not rate limited.
* Untrusted metadata is cut to ``buyer_token`` and ``product_id``.
* An optional ``message_id`` (1-64 of ``A-Za-z0-9_.:-``) is kept in the tracker's
  user event: a client can check afterwards that nothing was lost or reordered.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.resilience import APOLOGY_BUTTONS, APOLOGY_TEXT
from channels.session import clean_metadata
from channels.shared_state import offered_payloads, rate_limiter

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
MAX_TOKEN_CHARS = 4096
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _error(status: int, code: str, **extra: Any) -> HTTPResponse:
    headers = {"Retry-After": str(int(extra["retry_after"]) + 1)} if "retry_after" in extra else {}
    return response.json({"error": code, **extra}, status=status, headers=headers)


class ShopRestInput(InputChannel):
    """Rasa's REST channel with limits, validation and command screening."""

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's name and URL: ``/webhooks/rest/webhook``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Builds the channel; its settings come from ``actions.config``."""
        return cls()

    def __init__(self) -> None:
        """Creates the channel with the configured limits."""
        from actions.config import settings

        self.jwt_secret = settings.rasa_jwt_secret
        self.max_bytes = settings.max_request_bytes
        self.offered = offered_payloads(settings.redis_url)
        self.per_conversation = rate_limiter(settings.rate_per_conversation, settings.redis_url)
        self.per_address = rate_limiter(settings.rate_per_address, settings.redis_url)
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies]

    def trusted(self, request: Request) -> bool:
        """Whether the caller holds an admin JWT for the Rasa API."""
        header = request.headers.get("Authorization", "")
        if not self.jwt_secret or not header.startswith("Bearer "):
            return False
        try:
            payload = jwt.decode(header[7:].strip(), self.jwt_secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            return False
        user = payload.get("user") if isinstance(payload, dict) else None
        return isinstance(user, dict) and user.get("role") == "admin"

    def client_address(self, request: Request) -> str:
        """The client's address; ``X-Forwarded-For`` only from a trusted proxy (nginx)."""
        peer = request.ip or ""
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded and self._from_proxy(peer):
            return forwarded.split(",")[-1].strip() or peer
        return peer

    def _from_proxy(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

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
        """One buyer message in, the bot's replies out (a JSON list)."""
        content_length = request.headers.get("Content-Length", "0")
        if content_length.isdigit() and int(content_length) > self.max_bytes:
            return _error(413, "too_large", max_bytes=self.max_bytes)
        body, problem = self._parse(request)
        if problem is not None or body is None:
            return problem or _error(400, "bad_request")
        sender = body.get("sender", "default")
        text = (body.get("message") or "")[:MAX_MESSAGE_CHARS]
        trusted = self.trusted(request)
        if not trusted:
            wait = self.per_address.hit(f"ip:{self.client_address(request)}") or (
                self.per_conversation.hit(f"conv:{sender}")
            )
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
        try:
            await on_new_message(message)
        except Exception as error:
            logger.exception("message of %s not processed: %s", sender, error)
            collector.messages.append(
                {"recipient_id": sender, "text": APOLOGY_TEXT, "buttons": APOLOGY_BUTTONS}
            )
        for sent in collector.messages:
            self.offered.remember(sender, sent)
        return response.json(collector.messages)

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

"""Photos from the widget: ``POST /webhooks/socketio/upload`` and ``GET .../photos/<id>``.

The conversation is resolved as the socket binds it (``channels.session``): a
verified buyer token means ``buyer-<id>``, else a genuine anonymous session id;
anything else is refused, so nobody can put a photo into (or read one from)
someone else's conversation. The body is read up to a fixed limit only; the
image is checked and re-encoded without metadata (``shop.images``) and stored
with its ``Photo`` row, linked to the buyer's open return request, by
``shop.photos`` (this module is the HTTP side only). Then the server
itself sends ``/send_photo{"photo_id": ...}`` into the conversation, so the
assistant answers in the widget (or, while an agent has the conversation, the
agent sees it). Protocol: ``docs/widget-channel.md``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.headers import parse_content_header
from sanic.request import Request, parse_multipart_form
from sanic.response import HTTPResponse

from channels.session import ANON_PREFIX, BUYER_PREFIX, SessionSigner, clean_metadata
from shop import photos
from shop.images import MAX_BYTES, PhotoRejectedError, clean_photo
from shop.rate_limit import RateLimit

logger = logging.getLogger(__name__)

MAX_BODY = MAX_BYTES + 32 * 1024  # the photo plus the form's other fields
UPLOADS_PER_WINDOW = 10  # per conversation
UPLOAD_WINDOW_SECONDS = 600.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class UploadError(Exception):
    """A refused request; ``code`` and ``status`` go to the client as JSON."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


class SocketChannel(Protocol):
    """What the upload routes need of the widget's channel (``channels.socketio``)."""

    signer: SessionSigner

    def verify_buyer(self, token: Any) -> str | None: ...

    def get_output_channel(self) -> Any: ...

    def name(self) -> str: ...


@dataclass(frozen=True)
class Caller:
    """Whose conversation a request acts on."""

    sender_id: str
    buyer_id: str | None
    buyer_token: str | None


def resolve_caller(channel: SocketChannel, session_id: Any, buyer_token: Any) -> Caller:
    """The conversation of a request, by the socket's binding rules.

    Raises:
        UploadError: ``buyer_changed`` (403) for a buyer's session id without
            that buyer's valid token; ``no_session`` (401) for anything unsigned.
    """
    buyer_id = channel.verify_buyer(buyer_token)
    if buyer_id:
        return Caller(f"{BUYER_PREFIX}{buyer_id}", buyer_id, str(buyer_token))
    claimed = channel.signer.verify(session_id)
    if claimed and claimed.startswith(ANON_PREFIX):
        return Caller(claimed, None, None)
    if claimed:
        raise UploadError("buyer_changed", 403)
    raise UploadError("no_session", 401)


def upload_limit() -> RateLimit:
    """Uploads per conversation (shop/rate_limit.py): through Redis when configured,
    so a buyer's uploads count together on every replica."""
    from shop.config import settings

    return RateLimit("upload", UPLOADS_PER_WINDOW, UPLOAD_WINDOW_SECONDS, settings.redis_url)


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, never more than ``limit`` bytes of it (413 beyond)."""
    stream = request.stream
    if stream is None:  # not a streaming request (e.g. some test clients)
        body = request.body or b""
        if len(body) > limit:
            raise UploadError("too_large", 413)
        return body
    # Sanic lifts the limit for streaming handlers; set ours (also for draining).
    stream.request_max_size = limit
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UploadError("too_large", 413)
    body = bytearray()
    try:
        while (chunk := await stream.read()) is not None:
            body += chunk
            if len(body) > limit:
                raise UploadError("too_large", 413)
    except PayloadTooLarge:
        raise UploadError("too_large", 413) from None
    return bytes(body)


def parse_form(request: Request, body: bytes) -> tuple[dict[str, str], bytes]:
    """The form's text fields and the ``file`` part's bytes."""
    kind, params = parse_content_header(request.headers.get("content-type", ""))
    if kind != "multipart/form-data" or not params.get("boundary"):
        raise UploadError("bad_request", 400)
    try:
        fields, files = parse_multipart_form(body, str(params["boundary"]).encode())
    except Exception:
        raise UploadError("bad_request", 400) from None
    part = files.get("file")
    if part is None:
        raise UploadError("no_file", 400)
    text = {
        name: str(fields.get(name) or "") for name in ("session_id", "buyer_token", "product_id")
    }
    return text, part.body


def _error(code: str, status: int) -> HTTPResponse:
    body: dict[str, Any] = {"error": code}
    headers = {}
    if code == "too_large":
        body["max_bytes"] = MAX_BYTES
    if code == "rate_limited":
        body["retry_after"] = int(UPLOAD_WINDOW_SECONDS)
        headers["Retry-After"] = str(int(UPLOAD_WINDOW_SECONDS))
    return response.json(body, status=status, headers=headers)


def add_photo_routes(
    blueprint: Blueprint, channel: SocketChannel, on_new_message: OnNewMessage
) -> None:
    """Adds ``POST /upload`` and ``GET /photos/<id>`` to the channel's blueprint."""
    limiter = upload_limit()
    tasks: set[asyncio.Future[Any]] = set()

    def tell_the_assistant(caller: Caller, photo_id: str, product_id: str) -> None:
        text = "/send_photo" + json.dumps({"photo_id": photo_id}, separators=(",", ":"))
        message = UserMessage(
            text,
            channel.get_output_channel(),
            caller.sender_id,
            input_channel=channel.name(),
            metadata=clean_metadata({"product_id": product_id}, caller.buyer_token),
        )
        task: asyncio.Future[Any] = asyncio.ensure_future(on_new_message(message))
        tasks.add(task)
        task.add_done_callback(_finished)

    def _finished(task: asyncio.Future[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("handing a photo to the assistant failed", exc_info=task.exception())

    async def upload(request: Request) -> HTTPResponse:
        try:
            fields, data = parse_form(request, await read_body(request))
            caller = resolve_caller(channel, fields["session_id"], fields["buyer_token"] or None)
            if limiter.hit(caller.sender_id):
                raise UploadError("rate_limited", 429)
            photo = await asyncio.to_thread(clean_photo, data)
            photo_id, return_id = await photos.store(photo, caller.sender_id, caller.buyer_id)
        except (UploadError, PhotoRejectedError) as exc:
            return _error(exc.code, exc.status)
        except photos.StorageUnavailableError:
            return _error("storage_unavailable", 503)
        except Exception:
            logger.exception("storing an uploaded photo failed")
            return _error("storage_unavailable", 503)
        tell_the_assistant(caller, photo_id, fields["product_id"])
        return response.json(
            {
                "photo_id": photo_id,
                "return_id": return_id,
                "content_type": photo.content_type,
                "width": photo.width,
                "height": photo.height,
            },
            status=201,
        )

    async def photo(request: Request, photo_id: str) -> HTTPResponse:
        try:
            caller = resolve_caller(
                channel, request.headers.get("x-session-id"), request.headers.get("x-buyer-token")
            )
            stored = await photos.find(photo_id)
            if stored is None or stored.conversation_id != caller.sender_id:
                raise UploadError("not_found", 404)  # the same for someone else's photo
            thumb = request.args.get("size") == "thumb"
            data = await asyncio.to_thread(
                photos.thumbnail if thumb else Path.read_bytes, stored.path
            )
        except UploadError as exc:
            return _error(exc.code, exc.status)
        except Exception:
            logger.exception("reading photo %s failed", photo_id)
            return _error("storage_unavailable", 503)
        headers = {
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        }
        content_type = "image/webp" if thumb else stored.content_type
        return response.raw(data, content_type=content_type, headers=headers)

    blueprint.add_route(upload, "/upload", methods=["POST"], stream=True)
    blueprint.add_route(photo, "/photos/<photo_id>", methods=["GET"])

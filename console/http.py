"""The console's HTTP helpers: errors, JSON bodies, static files, the database-down
answer and the client's address, in one place for every blueprint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from shop import net
from shop.config import settings
from shop.db.session import ShopDataUnavailableError

MIME_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
}
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
_TRUSTED = net.networks(settings.trusted_proxies)


def error(code: str, status: int, **extra: Any) -> HTTPResponse:
    """``{"error": code}`` with the status."""
    return response.json({"error": code, **extra}, status=status)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or ``{}`` when the body is missing, bad or not an object."""
    try:
        body = request.json
    except Exception:  # Sanic raises on malformed JSON
        return {}
    return body if isinstance(body, dict) else {}


def client_address(request: Request) -> str:
    """The client's address; ``X-Forwarded-For`` only from a trusted proxy (nginx)."""
    return net.client_address(
        request.ip or "", request.headers.get("x-forwarded-for", ""), _TRUSTED
    )


def answer_database_down(bp: Blueprint) -> None:
    """The blueprint answers 503 ``database_unavailable`` when the shop database is down."""

    @bp.exception(ShopDataUnavailableError, sa.exc.OperationalError)
    async def database_down(request: Request, exc: Exception) -> HTTPResponse:
        return error("database_unavailable", 503)


async def static_file(
    folder: Path, name: str, kinds: tuple[str, ...], headers: dict[str, str] | None = None
) -> HTTPResponse:
    """A file of ``folder`` whose plain name ends in one of ``kinds``; anything else is 404."""
    pattern = rf"[a-z0-9][a-z0-9_-]{{0,60}}\.({'|'.join(map(re.escape, kinds))})"
    match = re.fullmatch(pattern, name)
    path = folder / name
    if match is None or not path.is_file():
        raise NotFound("not found")
    return await response.file(
        path, mime_type=MIME_TYPES[match.group(1)], headers={**SAFE_HEADERS, **(headers or {})}
    )

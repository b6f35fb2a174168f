"""The shop's quick replies (快捷回复) and the buyers' photos.

Quick replies are shared by all agents; any agent may add, change or delete one
in the console, and the owner manages them on ``/console/quick-replies`` (API
``/console/api/owner/quick-replies``). The demo set-up seeds useful ones
(``console/staff.py``). A photo is served from ``settings.upload_dir`` by its
database row only: the stored relative path must stay inside the upload directory.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from console import views
from console.agent_common import current_staff
from console.auth import authenticate, requires
from console.http import answer_database_down, error, json_body
from console.pages import _HEADERS as PAGE_HEADERS
from console.pages import PAGE_DIR
from shop.clock import shop_now
from shop.config import settings
from shop.db.models import Photo, QuickReply
from shop.db.session import in_transaction
from shop.photos import photo_file

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_TITLE, MAX_TEXT = 50, 1000


def list_quick_replies(*, session: Session) -> list[QuickReply]:
    """Every quick reply, by title."""
    return list(
        session.execute(select(QuickReply).order_by(QuickReply.title, QuickReply.id)).scalars()
    )


def save_quick_reply(
    reply_id: int | None, title: str, text: str, *, session: Session, by: str, now: datetime
) -> QuickReply | None:
    """Creates (``reply_id`` None) or updates a quick reply; ``None`` if it does not exist."""
    row = QuickReply(created_by=by) if reply_id is None else session.get(QuickReply, reply_id)
    if row is None:
        return None
    row.title, row.text, row.updated_at = title, text, now
    session.add(row)
    session.flush()
    return row


def delete_quick_reply(reply_id: int, *, session: Session) -> bool:
    """Deletes the quick reply; whether it existed."""
    row = session.get(QuickReply, reply_id)
    if row is not None:
        session.delete(row)
    return row is not None


def _fields(request: Request) -> tuple[str, str] | HTTPResponse:
    body = json_body(request)
    title, text = body.get("title"), body.get("text")
    if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE:
        return error("invalid", 400, field="title")
    if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_TEXT:
        return error("invalid", 400, field="text")
    return title.strip(), text.strip()


def _quick_reply_routes(bp: Blueprint, path: str, role: str) -> None:
    """List, add, change and delete quick replies at ``path`` for ``role``."""

    @bp.get(path, name=f"quick_replies_{role}")
    @requires(role)
    async def quick_replies(request: Request) -> HTTPResponse:
        rows = await in_transaction(
            lambda s: [views.quick_reply(r) for r in list_quick_replies(session=s)]
        )
        return response.json(rows)

    async def _save(request: Request, reply_id: int | None) -> HTTPResponse:
        fields = _fields(request)
        if isinstance(fields, HTTPResponse):
            return fields
        staff = await current_staff(request)

        def work(session: Session) -> dict[str, Any] | None:
            row = save_quick_reply(
                reply_id, *fields, session=session, by=staff.username, now=shop_now()
            )
            return views.quick_reply(row) if row else None

        saved = await in_transaction(work)
        if saved is None:
            return error("not_found", 404)
        return response.json(saved, status=201 if reply_id is None else 200)

    @bp.post(path, name=f"create_quick_reply_{role}")
    @requires(role)
    async def create_quick_reply(request: Request) -> HTTPResponse:
        return await _save(request, None)

    @bp.put(f"{path}/<reply_id:int>", name=f"update_quick_reply_{role}")
    @requires(role)
    async def update_quick_reply(request: Request, reply_id: int) -> HTTPResponse:
        return await _save(request, reply_id)

    @bp.delete(f"{path}/<reply_id:int>", name=f"remove_quick_reply_{role}")
    @requires(role)
    async def remove_quick_reply(request: Request, reply_id: int) -> HTTPResponse:
        found = await in_transaction(lambda s: delete_quick_reply(reply_id, session=s))
        return response.empty(status=204) if found else error("not_found", 404)


def extras_blueprint() -> Blueprint:
    """Quick replies and photos under ``/console/api``; the owner's quick-reply page."""
    bp = Blueprint("console_agent_extras", url_prefix="/console")

    answer_database_down(bp)

    _quick_reply_routes(bp, "/api/quick-replies", "agent")
    _quick_reply_routes(bp, "/api/owner/quick-replies", "owner")

    @bp.get("/quick-replies")
    async def quick_reply_page(request: Request) -> HTTPResponse:
        """The owner's page for the shop's quick replies (login first at ``/console``)."""
        staff = await authenticate(request)
        if staff is None:
            return response.redirect("/console", headers={"Cache-Control": "no-store"})
        if "owner" not in staff.roles:
            return error("forbidden", 403)
        return await response.file(
            PAGE_DIR / "quick_replies.html",
            mime_type="text/html; charset=utf-8",
            headers=dict(PAGE_HEADERS),
        )

    @bp.get("/api/photos/<photo_id:str>")
    @requires("agent")
    async def photo(request: Request, photo_id: str) -> HTTPResponse:
        row = (
            await in_transaction(lambda s: s.get(Photo, photo_id)) if len(photo_id) <= 64 else None
        )
        path = (
            await asyncio.to_thread(photo_file, row.storage_path, settings.upload_dir)
            if row
            else None
        )
        if row is None or path is None:
            return error("not_found", 404)
        kind = row.content_type if row.content_type in IMAGE_TYPES else "application/octet-stream"
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'",
            "Content-Disposition": "inline",
        }
        return await response.file(path, mime_type=kind, headers=headers)

    return bp

"""Conversation records (聊天记录) for agents and owners: the page, the API, the access log.

* ``GET /console/records`` (page) and ``GET /console/api/records``: search every
  conversation (filters: ``buyer, order, from, to, intent, handled_by, q``;
  ``page``, ``size``), latest activity first.
* ``GET /console/records/conversation?id=…`` and ``GET /console/api/records/conversation?id=…``:
  one conversation as staff read it (:mod:`shop.transcript`).
* ``GET /console/api/records/export?format=json|csv&…``: the whole search result,
  masked, streamed (:mod:`console.records_export`).
* ``GET /console/api/records/access-log`` (owner): who searched, viewed or exported what.

Every search, view and export writes a ``record_access_log`` row. The search itself
lives in :mod:`console.records_store`; this module is the thin web layer.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import conversation, owner, records_export
from console.auth import Staff, authenticate, requires
from console.http import answer_database_down, error
from console.records_store import (
    HANDLED,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    Filters,
    InvalidFilterError,
    ShopLinks,
    all_ids,
    buyer_of,
    count,
    events_of,
    page,
    shop_conversations,
    summary,
)
from console.views import iso
from rasa_ext.events import has_events
from shop.clock import shop_now
from shop.db.models import Buyer, RecordAccess
from shop.db.session import session_scope
from shop.lexicon import INTENT_LABELS

ROLES = "agent,owner"
STYLE = Path(__file__).resolve().parent / "static" / "records" / "records.css"
ACCESS_LOG_ROWS = 200


def tracker_engine() -> sa.engine.Engine:
    """Rasa's tracker store, shared with the owner's report."""
    return owner.tracker_engine()


def log_access(staff: Staff, action: str, **fields: Any) -> None:
    """Writes one access-log row (its own transaction)."""
    with session_scope() as session:
        session.add(
            RecordAccess(
                staff_id=staff.id, username=staff.username, action=action,
                filters=fields.pop("filters", {}), created_at=shop_now(), **fields,
            )
        )  # fmt: skip


def _size(request: Request) -> tuple[int, int]:
    try:
        number = max(1, int(request.args.get("page", 1)))
        size = min(max(1, int(request.args.get("size", PAGE_SIZE))), MAX_PAGE_SIZE)
    except ValueError:
        raise InvalidFilterError("page") from None
    return number, size


def _names(ids: set[str]) -> dict[str, str]:
    with session_scope() as session:
        query = sa.select(Buyer.id, Buyer.name).where(Buyer.id.in_(sorted(ids)))
        return {str(i): str(n) for i, n in session.execute(query)}


def search(filters: Filters, number: int, size: int) -> dict[str, Any]:
    """One page of results with each conversation's rendered summary."""
    with session_scope() as session:
        links = shop_conversations(filters, session)
    with tracker_engine().connect() as connection:
        if not has_events(connection):
            found, rows, events = 0, [], {}
        else:
            found = count(connection, filters, links)
            rows = page(connection, filters, links, number=number, size=size)
            events = events_of(connection, [r[0] for r in rows], filters)
    names = _names({b for b in (buyer_of(r[0]) for r in rows) if b})
    shown = []
    for cid, first, last, messages in rows:
        item = summary(cid, events.get(cid) or [])
        item.update(
            buyer_name=names.get(item["buyer_id"] or ""),
            first_at=conversation.iso_time(first),
            last_at=conversation.iso_time(last),
            messages=int(messages),
        )
        shown.append(item)
    pages = max(1, math.ceil(found / size))
    return {"total": found, "page": number, "size": size, "pages": pages,
            "filters": filters.json(), "conversations": shown}  # fmt: skip


def one(conversation_id: str) -> dict[str, Any] | None:
    """The whole conversation as staff read it, or ``None`` when nothing is stored."""
    with tracker_engine().connect() as connection:
        if not has_events(connection):
            return None
        events = events_of(connection, [conversation_id])[conversation_id]
    if not events:
        return None
    buyer_id = buyer_of(conversation_id)
    return {
        **summary(conversation_id, events),
        "buyer_name": _names({buyer_id}).get(buyer_id) if buyer_id else None,
        "messages": conversation.messages(events),
    }


def access_log() -> list[dict[str, Any]]:
    """The latest access-log rows, newest first."""
    with session_scope() as session:
        rows = session.execute(
            sa.select(RecordAccess).order_by(RecordAccess.id.desc()).limit(ACCESS_LOG_ROWS)
        ).scalars()
        return [
            {"username": r.username, "action": r.action, "conversation_id": r.conversation_id,
             "filters": r.filters, "format": r.export_format, "count": r.result_count,
             "at": iso(r.created_at)}
            for r in rows
        ]  # fmt: skip


def _query(filters: Filters, **extra: Any) -> str:
    return urlencode({**filters.json(), **extra})


def _render(name: str, **values: Any) -> HTTPResponse:
    html = owner._templates.get_template(f"records/{name}.html").render(
        handled=HANDLED, intents=INTENT_LABELS, query=_query, **values
    )
    return response.html(html, headers=dict(owner._HEADERS))


async def _page_staff(request: Request) -> Staff | HTTPResponse:
    staff = await authenticate(request)
    if staff is None:
        return response.redirect("/console")
    if not set(ROLES.split(",")) & set(staff.roles):
        return owner._forbidden(staff)
    return staff


def records_blueprint() -> Blueprint:
    """The records page and API."""
    bp = Blueprint("console_records")

    @bp.exception(InvalidFilterError)
    async def invalid(request: Request, exc: InvalidFilterError) -> HTTPResponse:
        return error("invalid", 400, field=exc.field)

    answer_database_down(bp)

    @bp.get("/console/records", strict_slashes=False)
    async def records_page(request: Request) -> HTTPResponse:
        staff = await _page_staff(request)
        if not isinstance(staff, Staff):
            return staff
        filters = Filters.parse(request.args)
        number, size = _size(request)
        found = await asyncio.to_thread(search, filters, number, size)
        await asyncio.to_thread(log_access, staff, "search", filters=filters.json(),
                                result_count=found["total"])  # fmt: skip
        return _render("list", staff=staff, found=found, filters=filters)

    @bp.get("/console/records/conversation")
    async def conversation_page(request: Request) -> HTTPResponse:
        staff = await _page_staff(request)
        if not isinstance(staff, Staff):
            return staff
        cid = str(request.args.get("id") or "")[:255]
        found = await asyncio.to_thread(one, cid) if cid else None
        await asyncio.to_thread(log_access, staff, "view", conversation_id=cid)
        return _render("detail", staff=staff, found=found, conversation_id=cid)

    @bp.get("/console/records/records.css")
    async def style(_: Request) -> HTTPResponse:
        return await response.file(STYLE, mime_type="text/css; charset=utf-8")

    @bp.get("/console/api/records")
    @requires(ROLES)
    async def api_search(request: Request) -> HTTPResponse:
        staff = await _staff(request)
        filters = Filters.parse(request.args)
        number, size = _size(request)
        found = await asyncio.to_thread(search, filters, number, size)
        await asyncio.to_thread(log_access, staff, "search", filters=filters.json(),
                                result_count=found["total"])  # fmt: skip
        return response.json(found, ensure_ascii=False)

    @bp.get("/console/api/records/conversation")
    @requires(ROLES)
    async def api_one(request: Request) -> HTTPResponse:
        staff = await _staff(request)
        cid = str(request.args.get("id") or "")
        if not cid or len(cid) > 255:
            return error("invalid", 400, field="id")
        found = await asyncio.to_thread(one, cid)
        await asyncio.to_thread(log_access, staff, "view", conversation_id=cid)
        return response.json(found, ensure_ascii=False) if found else error("not_found", 404)

    # It streams, so it answers None once everything is sent.
    @bp.get("/console/api/records/export")  # type: ignore[arg-type]
    @requires(ROLES)
    async def api_export(request: Request) -> HTTPResponse | None:
        staff = await _staff(request)
        kind = request.args.get("format", "json")
        if kind not in records_export.FORMATS:
            return error("invalid", 400, field="format")
        filters = Filters.parse(request.args)
        ids = await asyncio.to_thread(_all_ids, filters)
        await asyncio.to_thread(log_access, staff, "export", filters=filters.json(),
                                export_format=kind, result_count=len(ids))  # fmt: skip
        name = f"records-{shop_now():%Y%m%d-%H%M%S}.{kind}"
        out = await request.respond(
            content_type=records_export.FORMATS[kind],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
        assert out is not None
        await out.send(records_export.json_head(filters, len(ids)) if kind == "json"
                       else records_export.csv_head())  # fmt: skip
        engine = tracker_engine()
        for index, chunk in enumerate(records_export.chunks(ids)):
            rows = await asyncio.to_thread(
                records_export.masked_conversations, engine, chunk, filters
            )
            text = (records_export.json_chunk(rows, index == 0) if kind == "json"
                    else records_export.csv_chunk(rows))  # fmt: skip
            await out.send(text)
        await out.send(records_export.JSON_TAIL if kind == "json" else "", end_stream=True)
        return None

    @bp.get("/console/api/records/access-log")
    @requires("owner")
    async def api_access_log(request: Request) -> HTTPResponse:
        return response.json({"entries": await asyncio.to_thread(access_log)}, ensure_ascii=False)

    return bp


def _all_ids(filters: Filters) -> list[str]:
    with session_scope() as session:
        links: ShopLinks = shop_conversations(filters, session)
    with tracker_engine().connect() as connection:
        if not has_events(connection):
            return []
        return list(all_ids(connection, filters, links))


async def _staff(request: Request) -> Staff:
    staff = await authenticate(request)
    assert staff is not None  # @requires ran first
    return staff

"""The agents' JSON API: queue, presence, claim, conversation, reply, hand back, close, export.

Every route needs the ``agent`` role; each request runs one short transaction in a
worker thread and reaches the conversation only through Rasa's HTTP API
(``app.ctx.rasa``; tests put a fake there). Protocol: ``docs/console-api.md``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from console import conversation, views
from console.auth import Staff, authenticate, requires
from console.http import answer_database_down, error, json_body
from console.rasa_client import Conversations, RasaClient, RasaError
from console.responses import ResponseMissingError, Responses
from console.suggestions import Suggester
from shop.clock import shop_now
from shop.db import escalations as queue
from shop.db.models import Escalation, StaffUser
from shop.db.session import in_transaction

logger = logging.getLogger(__name__)

RELEASE_COOLDOWN = 300.0  # seconds before a released conversation goes back to its agent
TRACKER_FETCHES = 8  # trackers read at once for a queue answer
STATUS = {
    "not_found": 404,
    "already_claimed": 409,
    "agent_full": 409,
    "not_assigned": 409,
    "invalid": 400,
}
HANDBACK_INTENT = "EXTERNAL_agent_handback"
CLOSED_INTENT = "EXTERNAL_agent_closed"
JOINED_RESPONSE = "utter_agent_joined"
PAUSE = {"event": "pause"}
# A paused conversation ends on the handoff action, without the action_listen a user
# turn follows; rules (EXTERNAL_agent_handback -> utter_handed_back) need it.
RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


def rasa(app: Sanic) -> Conversations:
    """The app's Rasa client."""
    return app.ctx.rasa


def _queue_error(exc: queue.QueueError) -> HTTPResponse:
    return error(exc.code, STATUS.get(exc.code, 403))


def _text(request: Request, field: str, limit: int) -> str | None:
    body = json_body(request)
    value = body.get(field)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= limit else None


def agent_event(text: str, name: str, agent_id: int) -> dict[str, Any]:
    """The ``bot`` event of an agent's message (the widget labels it with the name)."""
    return {"event": "bot", "text": text, "metadata": {"agent_name": name, "agent_id": agent_id}}


async def push_joined(app: Sanic, conversation_id: str, name: str, agent_id: int) -> None:
    """Pauses the assistant (also for escalations queued without a pause) and tells the
    buyer an agent joined (``utter_agent_joined``); failures are logged."""
    try:
        text = app.ctx.responses.text(JOINED_RESPONSE, agent_name=name)
        events = [PAUSE, agent_event(text, name, agent_id)]
        await rasa(app).append_events(conversation_id, events)
    except (RasaError, ResponseMissingError) as exc:
        logger.warning("could not tell %s that %s joined: %r", conversation_id, name, exc)


async def with_activity(app: Sanic, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fills ``last_buyer_message_at`` and ``unread`` of ``E`` rows from the trackers."""
    limit = asyncio.Semaphore(TRACKER_FETCHES)

    async def fetch(conversation_id: str) -> tuple[str | None, int]:
        async with limit:
            try:
                tracker = await rasa(app).tracker(conversation_id)
            except RasaError as exc:
                logger.warning("tracker of %s unavailable: %s", conversation_id, exc)
                return None, 0
        return conversation.activity(tracker.get("events") or [])

    ids = sorted({row["conversation_id"] for row in rows})
    found = dict(zip(ids, await asyncio.gather(*(fetch(i) for i in ids)), strict=True))
    for row in rows:
        row["last_buyer_message_at"], row["unread"] = found[row["conversation_id"]]
    return rows


def _released(app: Sanic) -> set[tuple[int, int]]:
    now = time.monotonic()
    memory: dict[tuple[int, int], float] = app.ctx.released
    for pair in [pair for pair, until in memory.items() if until <= now]:
        memory.pop(pair, None)
    return set(memory)


def escalation_rows(
    rows: list[Escalation], *, session: Session, now: datetime
) -> list[dict[str, Any]]:
    """``E`` for each row, with ``buyer_left`` (已离开) and ``buyer_seen_at``."""
    shown = views.escalations(rows, session=session, now=now)
    for row, item in zip(rows, shown, strict=True):
        item["buyer_left"] = queue.buyer_left(row, now)
        item["buyer_seen_at"] = views.iso(queue.buyer_seen(row))
    return shown


def agent_rows(*, session: Session, now: datetime) -> list[dict[str, Any]]:
    """``A`` for every agent: ``status`` is the switch, ``online`` also needs a live console;
    ``open`` counts active conversations (what ``max_open`` limits), ``left`` the others."""
    counts = queue.open_counts(session=session, now=now)
    left = queue.open_counts(session=session, now=now, left=True)
    return [
        {
            **views.agent(user, counts.get(user.id, 0), now),
            "status": user.presence,
            "online": queue.is_online(user, now),
            "left": left.get(user.id, 0),
        }
        for user in queue.agents(session=session)
    ]


def _me(
    staff: Staff, session: Session, now: datetime, rows: list[dict[str, Any]] | None = None
) -> dict[str, Any] | None:
    """The logged-in agent's ``A`` (from ``rows`` when already built)."""
    found = agent_rows(session=session, now=now) if rows is None else rows
    return next((a for a in found if a["username"] == staff.username), None)


def _one(escalation_id: int, session: Session) -> dict[str, Any]:
    row = session.get(Escalation, escalation_id)
    if row is None:
        raise queue.QueueError("not_found")
    return escalation_rows([row], session=session, now=shop_now())[0]


async def _start_clients(app: Sanic, _: Any) -> None:
    if getattr(app.ctx, "rasa", None) is None:
        app.ctx.rasa = RasaClient()
    if getattr(app.ctx, "responses", None) is None:
        app.ctx.responses = Responses()
    app.ctx.released = {}
    app.ctx.suggester = Suggester(lambda: rasa(app), lambda: app.ctx.responses)


async def _close_clients(app: Sanic, _: Any) -> None:
    await rasa(app).close()


@requires("agent")
async def queue_view(request: Request) -> HTTPResponse:
    staff = await _staff(request)
    now = shop_now()
    avoid = _released(request.app)

    def work(session: Session) -> tuple[list[tuple[str, str, int]], dict[str, Any]]:
        new = queue.poll(staff.id, session=session, now=now, avoid=avoid)
        joined = [(e.conversation_id, *_agent_name(e.agent_id, session)) for e in new]
        lists = queue.list_queue(staff.id, session=session, now=now)
        body: dict[str, Any] = {
            name: escalation_rows(getattr(lists, name), session=session, now=now)
            for name in ("waiting", "mine", "others")
        }
        body["agents"] = agent_rows(session=session, now=now)
        body["me"] = _me(staff, session, now, body["agents"])
        body["buyer_left_minutes"] = int(queue.BUYER_LEFT_AFTER.total_seconds() // 60)
        return joined, body

    joined, body = await in_transaction(work)
    await asyncio.gather(*(push_joined(request.app, *item) for item in joined))
    await with_activity(request.app, body["waiting"] + body["mine"] + body["others"])
    return response.json(body)


@requires("agent")
async def presence(request: Request) -> HTTPResponse:
    staff = await _staff(request)
    mine = await in_transaction(lambda s: _me(staff, s, shop_now()))
    return response.json(mine) if mine else error("not_found", 404)


@requires("agent")
async def set_presence(request: Request) -> HTTPResponse:
    staff = await _staff(request)
    status = json_body(request).get("status")
    if status not in queue.PRESENCES:
        return error("invalid", 400, field="status")
    now = shop_now()

    def work(session: Session) -> dict[str, Any] | None:
        queue.set_presence(staff.id, str(status), session=session, now=now)
        return _me(staff, session, now)

    mine = await in_transaction(work)
    return response.json(mine) if mine else error("not_found", 404)


@requires("agent")
async def claim(request: Request, escalation_id: int) -> HTTPResponse:
    staff = await _staff(request)

    def work(session: Session) -> tuple[bool, dict[str, Any]]:
        _, changed = queue.claim(escalation_id, staff.id, session=session, now=shop_now())
        return changed, _one(escalation_id, session)

    try:
        changed, row = await in_transaction(work)
    except queue.QueueError as exc:
        return _queue_error(exc)
    if changed:
        await push_joined(request.app, row["conversation_id"], staff.display_name, staff.id)
    return response.json((await with_activity(request.app, [row]))[0])


@requires("agent")
async def detail(request: Request, escalation_id: int) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        row = session.get(Escalation, escalation_id)
        if row is None:
            raise queue.QueueError("not_found")
        shown = escalation_rows([row], session=session, now=shop_now())[0]
        return {"escalation": shown, **views.context(row, session=session)}

    try:
        body = await in_transaction(work)
        tracker = await rasa(request.app).tracker(body["escalation"]["conversation_id"])
    except queue.QueueError as exc:
        return _queue_error(exc)
    except RasaError as exc:
        logger.warning("tracker unavailable: %s", exc)
        return error("rasa_unavailable", 502)
    events = tracker.get("events") or []
    escalation = body.pop("escalation")
    escalation["last_buyer_message_at"], escalation["unread"] = conversation.activity(events)
    return response.json(
        {
            "escalation": escalation,
            "messages": conversation.messages(events),
            **body,
            "suggestions": await request.app.ctx.suggester.suggest(
                escalation["conversation_id"], events
            ),
        }
    )


@requires("agent")
async def reply(request: Request, escalation_id: int) -> HTTPResponse:
    staff = await _staff(request)
    text = _text(request, "text", 1000)
    if text is None:
        return error("invalid", 400, field="text")
    try:
        cid = await _assigned(escalation_id, staff)
        event = agent_event(text, staff.display_name, staff.id)
        await rasa(request.app).append_events(cid, [event])
    except queue.QueueError as exc:
        return _queue_error(exc)
    except RasaError as exc:
        logger.warning("reply not delivered: %s", exc)
        return error("rasa_unavailable", 502)
    await in_transaction(
        lambda s: queue.record_first_reply(escalation_id, session=s, now=shop_now())
    )
    return response.json({"ok": True})


async def _finish(
    request: Request, escalation_id: int, intent: str, outcome: str, note: str | None
) -> HTTPResponse:
    staff = await _staff(request)
    try:
        cid = await _assigned(escalation_id, staff)
        await rasa(request.app).append_events(cid, RESUME, push=False)
        await rasa(request.app).trigger_intent(cid, intent)
    except queue.QueueError as exc:
        return _queue_error(exc)
    except RasaError as exc:
        logger.warning("hand back failed: %s", exc)
        return error("rasa_unavailable", 502)

    def work(session: Session) -> dict[str, Any]:
        queue.resolve(escalation_id, staff.id, outcome, session=session, now=shop_now(), note=note)
        return _one(escalation_id, session)

    try:
        row = await in_transaction(work)
    except queue.QueueError as exc:
        return _queue_error(exc)
    return response.json((await with_activity(request.app, [row]))[0])


@requires("agent")
async def handback(request: Request, escalation_id: int) -> HTTPResponse:
    return await _finish(request, escalation_id, HANDBACK_INTENT, "handed_back", None)


@requires("agent")
async def close(request: Request, escalation_id: int) -> HTTPResponse:
    note = _text(request, "note", 500)
    if note is None:
        return error("invalid", 400, field="note")
    return await _finish(request, escalation_id, CLOSED_INTENT, "closed", note)


@requires("agent")
async def release(request: Request, escalation_id: int) -> HTTPResponse:
    staff = await _staff(request)

    def work(session: Session) -> dict[str, Any]:
        queue.release(escalation_id, staff.id, session=session)
        return _one(escalation_id, session)

    try:
        row = await in_transaction(work)
    except queue.QueueError as exc:
        return _queue_error(exc)
    request.app.ctx.released[(escalation_id, staff.id)] = time.monotonic() + RELEASE_COOLDOWN
    return response.json((await with_activity(request.app, [row]))[0])


@requires("agent")
async def export(request: Request, escalation_id: int) -> HTTPResponse:
    kind = request.args.get("format", "json")
    if kind not in ("json", "csv"):
        return error("invalid", 400, field="format")

    def work(session: Session) -> tuple[dict[str, Any], list[str]]:
        row = session.get(Escalation, escalation_id)
        if row is None:
            raise queue.QueueError("not_found")
        orders = views.context(row, session=session)["orders"]
        shown = escalation_rows([row], session=session, now=shop_now())[0]
        return shown, [o["address"] for o in orders if o["address"]]

    try:
        row, addresses = await in_transaction(work)
        tracker = await rasa(request.app).tracker(row["conversation_id"])
    except queue.QueueError as exc:
        return _queue_error(exc)
    except RasaError as exc:
        logger.warning("tracker unavailable: %s", exc)
        return error("rasa_unavailable", 502)
    events = tracker.get("events") or []
    row["last_buyer_message_at"], row["unread"] = conversation.activity(events)
    filename = f"conversation-{escalation_id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "csv":
        return response.text(
            conversation.export_csv(events, addresses),
            content_type="text/csv; charset=utf-8",
            headers=headers,
        )
    return response.json(
        conversation.export_json(row, events, addresses), headers=headers, ensure_ascii=False
    )


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/queue", queue_view),
    ("GET", "/presence", presence),
    ("PUT", "/presence", set_presence),
    ("POST", "/escalations/<escalation_id:int>/claim", claim),
    ("GET", "/escalations/<escalation_id:int>", detail),
    ("POST", "/escalations/<escalation_id:int>/reply", reply),
    ("POST", "/escalations/<escalation_id:int>/handback", handback),
    ("POST", "/escalations/<escalation_id:int>/close", close),
    ("POST", "/escalations/<escalation_id:int>/release", release),
    ("GET", "/escalations/<escalation_id:int>/export", export),
]


def agent_blueprint() -> Blueprint:
    """The agents' routes under ``/console/api``."""
    bp = Blueprint("console_agents", url_prefix="/console/api")
    bp.listener("before_server_start")(_start_clients)
    bp.listener("after_server_stop")(_close_clients)
    answer_database_down(bp)
    for method, uri, handler in ROUTES:
        bp.add_route(handler, uri, methods=[method])
    return bp


async def _staff(request: Request) -> Staff:
    staff = await authenticate(request)
    assert staff is not None  # @requires ran first
    return staff


def _agent_name(agent_id: int | None, session: Session) -> tuple[str, int]:
    user = session.get(StaffUser, agent_id) if agent_id else None
    return (user.display_name, int(user.id)) if user else ("", 0)


async def _assigned(escalation_id: int, staff: Staff) -> str:
    """The conversation id of the escalation if it is the agent's, else QueueError."""
    return await in_transaction(
        lambda s: queue.assigned_to(escalation_id, staff.id, session=s).conversation_id
    )

"""One conversation for its agent: the detail with suggestions, reply, hand back, close, export.

Replies and hand-backs reach the buyer only through Rasa's HTTP API.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from console import conversation, views
from console.agent_common import (
    agent_event,
    assigned_conversation,
    current_staff,
    escalation_row,
    escalation_rows,
    queue_error,
    rasa,
    text_field,
    with_activity,
)
from console.auth import requires
from console.http import error
from console.rasa_client import RasaError
from shop.clock import shop_now
from shop.db import escalations as queue
from shop.db.models import Escalation
from shop.db.session import in_transaction

logger = logging.getLogger(__name__)

HANDBACK_INTENT = "EXTERNAL_agent_handback"


CLOSED_INTENT = "EXTERNAL_agent_closed"


# A paused conversation ends on the handoff action, without the action_listen a user
# turn follows; rules (EXTERNAL_agent_handback -> utter_handed_back) need it.
RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


async def _escalation_and_events(
    request: Request, escalation_id: int
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]] | HTTPResponse:
    """The escalation as the queue shows it (with the buyer's activity), its context
    (buyer, orders, returns) and the conversation's events; or the error response."""

    def work(session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
        row = session.get(Escalation, escalation_id)
        if row is None:
            raise queue.QueueError("not_found")
        shown = escalation_rows([row], session=session, now=shop_now())[0]
        return shown, views.context(row, session=session)

    try:
        shown, context = await in_transaction(work)
        tracker = await rasa(request.app).tracker(shown["conversation_id"])
    except queue.QueueError as exc:
        return queue_error(exc)
    except RasaError as exc:
        logger.warning("tracker unavailable: %s", exc)
        return error("rasa_unavailable", 502)
    events = tracker.get("events") or []
    shown["last_buyer_message_at"], shown["unread"] = conversation.activity(events)
    return shown, context, events


@requires("agent")
async def detail(request: Request, escalation_id: int) -> HTTPResponse:
    found = await _escalation_and_events(request, escalation_id)
    if isinstance(found, HTTPResponse):
        return found
    escalation, context, events = found
    return response.json(
        {
            "escalation": escalation,
            "messages": conversation.messages(events),
            **context,
            "suggestions": await request.app.ctx.suggester.suggest(
                escalation["conversation_id"], events
            ),
        }
    )


@requires("agent")
async def reply(request: Request, escalation_id: int) -> HTTPResponse:
    staff = await current_staff(request)
    text = text_field(request, "text", 1000)
    if text is None:
        return error("invalid", 400, field="text")
    try:
        cid = await assigned_conversation(escalation_id, staff)
        event = agent_event(text, staff.display_name, staff.id)
        await rasa(request.app).append_events(cid, [event])
    except queue.QueueError as exc:
        return queue_error(exc)
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
    staff = await current_staff(request)
    try:
        cid = await assigned_conversation(escalation_id, staff)
        await rasa(request.app).append_events(cid, RESUME, push=False)
        await rasa(request.app).trigger_intent(cid, intent)
    except queue.QueueError as exc:
        return queue_error(exc)
    except RasaError as exc:
        logger.warning("hand back failed: %s", exc)
        return error("rasa_unavailable", 502)

    def work(session: Session) -> dict[str, Any]:
        queue.resolve(escalation_id, staff.id, outcome, session=session, now=shop_now(), note=note)
        return escalation_row(escalation_id, session)

    try:
        row = await in_transaction(work)
    except queue.QueueError as exc:
        return queue_error(exc)
    return response.json((await with_activity(request.app, [row]))[0])


@requires("agent")
async def handback(request: Request, escalation_id: int) -> HTTPResponse:
    return await _finish(request, escalation_id, HANDBACK_INTENT, "handed_back", None)


@requires("agent")
async def close(request: Request, escalation_id: int) -> HTTPResponse:
    note = text_field(request, "note", 500)
    if note is None:
        return error("invalid", 400, field="note")
    return await _finish(request, escalation_id, CLOSED_INTENT, "closed", note)


@requires("agent")
async def export(request: Request, escalation_id: int) -> HTTPResponse:
    kind = request.args.get("format", "json")
    if kind not in ("json", "csv"):
        return error("invalid", 400, field="format")
    found = await _escalation_and_events(request, escalation_id)
    if isinstance(found, HTTPResponse):
        return found
    row, context, events = found
    addresses = [o["address"] for o in context["orders"] if o["address"]]
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

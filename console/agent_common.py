"""What the agents' JSON API handlers share: the Rasa client, rows, errors, the agent.

Rows are the protocol's ``E`` (escalation) and ``A`` (agent) objects
(``docs/console-api.md``); the buyer's activity comes from the trackers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from console import conversation, views
from console.auth import Staff, authenticate
from console.http import error, json_body
from console.rasa_client import Conversations, RasaError
from console.responses import ResponseMissingError
from shop.clock import shop_now
from shop.db import escalations as queue
from shop.db.models import Escalation, StaffUser
from shop.db.session import in_transaction

logger = logging.getLogger(__name__)

TRACKER_FETCHES = 8  # trackers read at once for a queue answer


STATUS = {
    "not_found": 404,
    "already_claimed": 409,
    "agent_full": 409,
    "not_assigned": 409,
    "invalid": 400,
}


JOINED_RESPONSE = "utter_agent_joined"


PAUSE = {"event": "pause"}


def rasa(app: Sanic) -> Conversations:
    """The app's Rasa client."""
    return app.ctx.rasa


def queue_error(exc: queue.QueueError) -> HTTPResponse:
    return error(exc.code, STATUS.get(exc.code, 403))


def text_field(request: Request, field: str, limit: int) -> str | None:
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


def own_row(
    staff: Staff, session: Session, now: datetime, rows: list[dict[str, Any]] | None = None
) -> dict[str, Any] | None:
    """The logged-in agent's ``A`` (from ``rows`` when already built)."""
    found = agent_rows(session=session, now=now) if rows is None else rows
    return next((a for a in found if a["username"] == staff.username), None)


def escalation_row(escalation_id: int, session: Session) -> dict[str, Any]:
    row = session.get(Escalation, escalation_id)
    if row is None:
        raise queue.QueueError("not_found")
    return escalation_rows([row], session=session, now=shop_now())[0]


async def current_staff(request: Request) -> Staff:
    staff = await authenticate(request)
    assert staff is not None  # @requires ran first
    return staff


def agent_name(agent_id: int | None, session: Session) -> tuple[str, int]:
    user = session.get(StaffUser, agent_id) if agent_id else None
    return (user.display_name, int(user.id)) if user else ("", 0)


async def assigned_conversation(escalation_id: int, staff: Staff) -> str:
    """The conversation id of the escalation if it is the agent's, else QueueError."""
    return await in_transaction(
        lambda s: queue.assigned_to(escalation_id, staff.id, session=s).conversation_id
    )

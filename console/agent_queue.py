"""The agents' queue and presence: the lists, 在线/忙碌/离开, claim and release.

Polling the queue assigns waiting conversations to online agents; a released
conversation is not offered back to its agent for ``RELEASE_COOLDOWN`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from console.agent_common import (
    agent_name,
    agent_rows,
    current_staff,
    escalation_row,
    escalation_rows,
    own_row,
    push_joined,
    queue_error,
    with_activity,
)
from console.auth import requires
from console.http import error, json_body
from shop.clock import shop_now
from shop.db import escalations as queue
from shop.db.session import in_transaction

RELEASE_COOLDOWN = 300.0  # seconds before a released conversation goes back to its agent


def released_pairs(app: Sanic) -> set[tuple[int, int]]:
    now = time.monotonic()
    memory: dict[tuple[int, int], float] = app.ctx.released
    for pair in [pair for pair, until in memory.items() if until <= now]:
        memory.pop(pair, None)
    return set(memory)


@requires("agent")
async def queue_view(request: Request) -> HTTPResponse:
    staff = await current_staff(request)
    now = shop_now()
    avoid = released_pairs(request.app)

    def work(session: Session) -> tuple[list[tuple[str, str, int]], dict[str, Any]]:
        new = queue.poll(staff.id, session=session, now=now, avoid=avoid)
        joined = [(e.conversation_id, *agent_name(e.agent_id, session)) for e in new]
        lists = queue.list_queue(staff.id, session=session, now=now)
        body: dict[str, Any] = {
            name: escalation_rows(getattr(lists, name), session=session, now=now)
            for name in ("waiting", "mine", "others")
        }
        body["agents"] = agent_rows(session=session, now=now)
        body["me"] = own_row(staff, session, now, body["agents"])
        body["buyer_left_minutes"] = int(queue.BUYER_LEFT_AFTER.total_seconds() // 60)
        return joined, body

    joined, body = await in_transaction(work)
    await asyncio.gather(*(push_joined(request.app, *item) for item in joined))
    await with_activity(request.app, body["waiting"] + body["mine"] + body["others"])
    return response.json(body)


@requires("agent")
async def presence(request: Request) -> HTTPResponse:
    staff = await current_staff(request)
    mine = await in_transaction(lambda s: own_row(staff, s, shop_now()))
    return response.json(mine) if mine else error("not_found", 404)


@requires("agent")
async def set_presence(request: Request) -> HTTPResponse:
    staff = await current_staff(request)
    status = json_body(request).get("status")
    if status not in queue.PRESENCES:
        return error("invalid", 400, field="status")
    now = shop_now()

    def work(session: Session) -> dict[str, Any] | None:
        queue.set_presence(staff.id, str(status), session=session, now=now)
        return own_row(staff, session, now)

    mine = await in_transaction(work)
    return response.json(mine) if mine else error("not_found", 404)


@requires("agent")
async def claim(request: Request, escalation_id: int) -> HTTPResponse:
    staff = await current_staff(request)

    def work(session: Session) -> tuple[bool, dict[str, Any]]:
        _, changed = queue.claim(escalation_id, staff.id, session=session, now=shop_now())
        return changed, escalation_row(escalation_id, session)

    try:
        changed, row = await in_transaction(work)
    except queue.QueueError as exc:
        return queue_error(exc)
    if changed:
        await push_joined(request.app, row["conversation_id"], staff.display_name, staff.id)
    return response.json((await with_activity(request.app, [row]))[0])


@requires("agent")
async def release(request: Request, escalation_id: int) -> HTTPResponse:
    staff = await current_staff(request)

    def work(session: Session) -> dict[str, Any]:
        queue.release(escalation_id, staff.id, session=session)
        return escalation_row(escalation_id, session)

    try:
        row = await in_transaction(work)
    except queue.QueueError as exc:
        return queue_error(exc)
    request.app.ctx.released[(escalation_id, staff.id)] = time.monotonic() + RELEASE_COOLDOWN
    return response.json((await with_activity(request.app, [row]))[0])

"""The agents' JSON API: queue, presence, claim, conversation, reply, hand back, close, export.

Every route needs the ``agent`` role; each request runs one short transaction in a
worker thread and reaches the conversation only through Rasa's HTTP API
(``app.ctx.rasa``; tests put a fake there). Protocol: ``docs/console-api.md``. The
handlers live by area: ``agent_queue.py`` (queue, presence, claim, release) and
``agent_conversation.py`` (one conversation); ``agent_common.py`` holds what they share.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Sanic

from console.agent_common import rasa
from console.agent_conversation import close, detail, export, handback, reply
from console.agent_queue import claim, presence, queue_view, release, set_presence
from console.http import answer_database_down
from console.rasa_client import RasaClient
from console.responses import Responses
from console.suggestions import Suggester


async def _start_clients(app: Sanic, _: Any) -> None:
    if getattr(app.ctx, "rasa", None) is None:
        app.ctx.rasa = RasaClient()
    if getattr(app.ctx, "responses", None) is None:
        app.ctx.responses = Responses()
    app.ctx.released = {}
    app.ctx.suggester = Suggester(lambda: rasa(app), lambda: app.ctx.responses)


async def _close_clients(app: Sanic, _: Any) -> None:
    await rasa(app).close()


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

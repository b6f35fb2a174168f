"""The owner's page and API: the analytics report with charts, and shop events.

* ``GET /console/owner?days=7``: the report as a page (role ``owner``; without a
  session it sends the browser to the console's login at ``/console``).
* ``GET /console/api/owner/report?days=7``: the same numbers as JSON.
* ``GET /console/api/owner/charts/<name>.png?days=7``: a chart (cached PNG).
* ``POST /console/api/shop/orders/<id>/shipped`` ``{"courier", "tracking_number"}``
  and ``POST /console/api/shop/orders/<id>/delivered``: the shop's system marks
  an order; the buyer is told (``docs/proactive.md``). ``409 {"error": "refused"}``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from actions.config import settings
from actions.db.returns import ReturnError
from actions.db.session import session_scope
from actions.db.shop_events import ShopEventError, mark_order_delivered, mark_order_shipped
from console.analytics import Report, build_report, today
from console.auth import authenticate, error, requires
from console.charts import CHARTS, ChartCache

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STYLE = Path(__file__).resolve().parent / "static" / "owner" / "owner.css"
DEFAULT_DAYS, MAX_DAYS = 7, 90
CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_templates = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
charts = ChartCache()


@cache
def tracker_engine() -> Engine:
    """Rasa's tracker store (``TRACKER_DB_URL``), read only."""
    return create_engine(settings.tracker_db_url, future=True, pool_pre_ping=True)


def _days(request: Request) -> int:
    try:
        days = int(request.args.get("days", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return min(max(days, 1), MAX_DAYS)


def _report(days: int) -> Report:
    end = today()
    with session_scope() as session:
        return build_report(
            end - timedelta(days - 1), end, session=session, tracker_engine=tracker_engine()
        )


def report_json(report: Report) -> dict[str, Any]:
    """The report as the API returns it."""
    returns = report.returns
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "days": [p.row() for p in report.days],
        "weeks": [p.row() for p in report.weeks],
        "total": report.total.row(),
        "ratings_by_handling": {
            k: {"ratings": n, "average": a} for k, (n, a) in report.by_handling.items()
        },
        "returns": {
            "total": returns.total,
            "by_reason": [dict(zip(("reason", "name", "returns", "exchanges"), r, strict=True))
                          for r in returns.by_reason],
            "by_product": [dict(zip(("product_id", "name", "returns", "exchanges"), r, strict=True))
                           for r in returns.by_product],
            "by_size": [{"size": s, "requests": n} for s, n in returns.by_size],
            "fit_suggestions": [dataclasses.asdict(f) for f in returns.fit],
        },
    }  # fmt: skip


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


_templates.filters["pct"] = _pct
_templates.filters["num"] = _num


def owner_blueprint() -> Blueprint:
    """The owner's routes."""
    bp = Blueprint("console_owner")

    @bp.get("/console/owner", strict_slashes=False)
    async def page(request: Request) -> HTTPResponse:
        staff = await authenticate(request)
        if staff is None:
            return response.redirect("/console")
        if "owner" not in staff.roles:
            return response.text("forbidden: owners only", status=403)
        days = _days(request)
        report = await asyncio.to_thread(_report, days)
        html = _templates.get_template("owner/report.html").render(
            report=report, days=days, staff=staff, charts=list(CHARTS), choices=(7, 14, 30)
        )
        return response.html(html, headers=dict(_HEADERS))

    @bp.get("/console/owner/owner.css")
    async def style(_: Request) -> HTTPResponse:
        return await response.file(STYLE, mime_type="text/css; charset=utf-8")

    @bp.get("/console/api/owner/report")
    @requires("owner")
    async def report(request: Request) -> HTTPResponse:
        return response.json(report_json(await asyncio.to_thread(_report, _days(request))))

    @bp.get("/console/api/owner/charts/<name:str>")
    @requires("owner")
    async def chart(request: Request, name: str) -> HTTPResponse:
        kind = name.removesuffix(".png")
        if not name.endswith(".png") or kind not in CHARTS:
            raise NotFound("no such chart")
        days = _days(request)

        def render() -> bytes:
            return charts.get((kind, days, today()), lambda: CHARTS[kind](_report(days)))

        png = await asyncio.to_thread(render)
        headers = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"}
        return response.raw(png, content_type="image/png", headers=headers)

    @bp.post("/console/api/shop/orders/<order_id:str>/<step:str>")
    @requires("owner")
    async def mark_order(request: Request, order_id: str, step: str) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else {}
        if step not in ("shipped", "delivered"):
            raise NotFound("no such step")

        def mark() -> int:
            with session_scope() as session:
                if step == "shipped":
                    event = mark_order_shipped(
                        order_id, str(body.get("courier") or ""),
                        str(body.get("tracking_number") or ""), session=session,
                    )  # fmt: skip
                else:
                    event = mark_order_delivered(order_id, session=session)
                return int(event.id)

        try:
            event_id = await asyncio.to_thread(mark)
        except (ShopEventError, ReturnError) as exc:
            return error("refused", 409, detail=str(exc))
        return response.json({"order_id": order_id, "status": step, "event_id": event_id})

    return bp

"""The owner's page and API: the analytics report with charts, and shop events.

* ``GET /console/owner?days=7``: the report as a page (role ``owner``; without a
  session it sends the browser to the console's login at ``/console``).
* ``GET /console/api/owner/report?days=7``: the same numbers as JSON.
* ``GET /console/api/owner/charts/<name>.png?days=7[&size=phone]``: a chart (cached
  PNG, 700 px wide or 420 px for a phone);
  ``503 {"error": "chart_unavailable", "message"}`` when it cannot show its Chinese
  (no CJK font: the page then shows that message instead of the chart).
* ``POST /console/api/shop/orders/<id>/shipped`` ``{"courier", "tracking_number"}``
  and ``POST /console/api/shop/orders/<id>/delivered``: the shop's system marks
  an order; the buyer is told (``docs/proactive.md``). ``409 {"error": "refused"}``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
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

from console.analytics import Report, build_report, today
from console.auth import Staff, authenticate, requires
from console.charts import (
    CHARTS,
    SIZES,
    ChartCache,
    ChartFontError,
    font_problem,
    render,
)
from console.http import error
from console.review_insights import reviews_json
from shop.config import settings
from shop.db.returns import ReturnError
from shop.db.session import session_scope
from shop.db.shop_events import ShopEventError, mark_order_delivered, mark_order_shipped
from shop.lexicon import CHART_TITLES

logger = logging.getLogger(__name__)

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
        "reviews": reviews_json(report.reviews),
    }  # fmt: skip


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _labels(name: str) -> dict[str, str]:
    """A Chinese display-name table of ``shop.lexicon`` (``INTENT_LABELS`` …), if it has one."""
    from shop import lexicon

    table = getattr(lexicon, name, None)
    return table if isinstance(table, dict) else {}


def _label(code: str, table: str) -> str:
    """The Chinese name the lexicon gives ``code``, else the code itself."""
    return _labels(table).get(code) or code


_templates.filters["pct"] = _pct
_templates.filters["num"] = _num
_templates.filters["intent"] = lambda code: _label(code, "INTENT_LABELS")
_templates.filters["reason"] = lambda code: _label(code, "ESCALATION_REASON_LABELS")


def _chart_key(kind: str, days: int, size: str = "wide") -> tuple:
    return (kind, days, size, today())


def prerender(report: Report, days: int) -> dict[str, ChartFontError]:
    """Renders (and caches) the page's charts now; ``{chart: why it failed}``.

    The page shows each failure as a message where the chart would be, so an owner
    never sees boxes instead of Chinese, nor a broken image. The phone size has the
    same labels, so it is drawn when a phone asks for it.
    """
    failed: dict[str, ChartFontError] = {}
    for kind in CHARTS:
        try:
            charts.get(_chart_key(kind, days), functools.partial(render, kind, report))
        except ChartFontError as exc:
            logger.error("owner chart %s not drawn: %s", kind, exc)
            failed[kind] = exc
    return failed


def _forbidden(staff: Staff) -> HTTPResponse:
    html = _templates.get_template("owner/forbidden.html").render(staff=staff)
    return response.html(html, status=403, headers=dict(_HEADERS))


def owner_blueprint() -> Blueprint:
    """The owner's routes."""
    bp = Blueprint("console_owner")

    @bp.listener("before_server_start")
    async def check_font(*_: Any) -> None:
        font_problem()  # logs an error at start-up when the charts could not be drawn

    @bp.get("/console/owner", strict_slashes=False)
    async def page(request: Request) -> HTTPResponse:
        staff = await authenticate(request)
        if staff is None:
            return response.redirect("/console")
        if "owner" not in staff.roles:
            return _forbidden(staff)
        days = _days(request)

        def build() -> tuple[Report, dict[str, ChartFontError]]:
            report = _report(days)
            return report, prerender(report, days)

        report, failed = await asyncio.to_thread(build)
        html = _templates.get_template("owner/report.html").render(
            report=report, days=days, staff=staff, charts=list(CHARTS), titles=CHART_TITLES,
            failed=failed, choices=(7, 14, 30), pages=staff.pages(),
        )  # fmt: skip
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
        size = request.args.get("size", "wide")
        if size not in SIZES:
            size = "wide"

        def draw() -> bytes:
            return charts.get(
                _chart_key(kind, days, size), lambda: render(kind, _report(days), size)
            )

        try:
            png = await asyncio.to_thread(draw)
        except ChartFontError as exc:
            logger.error("owner chart %s not drawn: %s", kind, exc)
            return error("chart_unavailable", 503, message=str(exc))
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

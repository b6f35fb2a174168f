"""The demo shop's own web site: shop front, product pages and 我的订单.

A realistic embedding of the chat widget: these pages live on the console's
port and load the widget with one script tag from the Rasa server
(``settings.rasa_public_url``), which the widget then talks socket.io to.

Only with ``settings.demo_mode`` (``SHOP_DEMO=1``) the header has a demo buyer
switcher: it sets the ``shop_demo_buyer`` cookie and the pages hand that buyer's
signed token to the widget. Without demo mode the switcher is absent and the
demo routes (``/orders``, ``/demo/buyer``) answer 404.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from console import demo_shop_data as data
from console.http import static_file
from shop.config import settings
from shop.db.session import session_scope
from shop.identity import issue_token

SHOP_NAME = "步云鞋业"
COOKIE = "shop_demo_buyer"
COOKIE_MAX_AGE = 30 * 24 * 3600
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "shop"
ASSET_DIR = Path(__file__).resolve().parent / "static" / "shop"
_PRODUCT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}

_templates = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def demo_token(buyer_id: str, *, now: datetime | None = None) -> str:
    """The demo buyer's token, the same all day (expires at the second UTC midnight).

    The widget keys its stored transcript on a fingerprint of the token, so a
    token that changed on every page would wipe the chat at each navigation.
    """
    now = now or datetime.now(timezone.utc)
    expires = datetime.combine(now.date() + timedelta(days=2), time(), tzinfo=timezone.utc)
    # issue_token counts from its own "now"; the half second absorbs the gap and
    # the JWT's truncation to whole seconds, so ``exp`` is exactly ``expires``.
    hours = ((expires - datetime.now(timezone.utc)).total_seconds() + 0.5) / 3600
    return issue_token(buyer_id, hours=hours)


def _safe_next(value: Any) -> str:
    """A local path to go back to after switching buyer; anything else is ``/``."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 32 for c in value) or len(value) > 200:
        return "/"
    return value


def _read(fn: Any, *args: Any) -> Any:
    with session_scope() as session:
        return fn(*args, session=session)


async def _query(fn: Any, *args: Any) -> Any:
    """Runs one read of the shop database in a worker thread (one event loop serves all)."""
    return await asyncio.to_thread(_read, fn, *args)


async def _demo_context(request: Request) -> dict[str, Any]:
    """The switcher's buyers and the chosen one (demo mode only)."""
    if not settings.demo_mode:
        return {"demo": False, "buyers": [], "buyer": None}
    buyers = await _query(data.demo_buyers)
    chosen = request.cookies.get(COOKIE)
    buyer = next((b for b in buyers if b["id"] == chosen), None)
    return {"demo": True, "buyers": buyers, "buyer": buyer}


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    product_id: str | None = None,
    status: int = 200,
) -> HTTPResponse:
    buyer = context.get("buyer")
    widget = {
        "src": f"{settings.rasa_public_url}/webhooks/socketio/webchat/widget.js",
        "server": settings.rasa_public_url,
        "product_id": product_id,
        "buyer_token": demo_token(buyer["id"]) if buyer and settings.demo_mode else None,
    }
    html = _templates.get_template(template).render(
        shop_name=SHOP_NAME, path=request.path, widget=widget, **context
    )
    return response.html(html, status=status, headers=dict(_HEADERS))


def _demo_only() -> None:
    if not settings.demo_mode:
        raise NotFound("not found")


def demo_shop_blueprint() -> Blueprint:
    """A new blueprint of the demo shop's pages (one per app)."""
    bp = Blueprint("demo_shop")

    @bp.get("/")
    async def front(request: Request) -> HTTPResponse:
        context = await _demo_context(request)
        products = await _query(data.catalogue)
        facts = await _query(data.shop_facts)
        return _page(request, "front.html", {**context, "products": products, "facts": facts})

    @bp.get("/products/<product_id:str>")
    async def product(request: Request, product_id: str) -> HTTPResponse:
        context = await _demo_context(request)
        details = None
        if _PRODUCT_ID.fullmatch(product_id):
            details = await _query(data.product_details, product_id)
        if details is None:
            return _page(request, "not_found.html", context, status=404)
        return _page(
            request, "product.html", {**context, "product": details}, product_id=details["id"]
        )

    @bp.get("/orders")
    async def orders(request: Request) -> HTTPResponse:
        _demo_only()
        context = await _demo_context(request)
        buyer = context["buyer"]
        found = await _query(data.buyer_orders, buyer["id"]) if buyer else []
        return _page(request, "orders.html", {**context, "orders": found})

    @bp.post("/demo/buyer")
    async def switch_buyer(request: Request) -> HTTPResponse:
        _demo_only()
        buyers = await _query(data.demo_buyers)
        chosen = request.form.get("buyer") or ""
        resp = response.redirect(_safe_next(request.form.get("next")), status=303)
        if any(b["id"] == chosen for b in buyers):
            resp.cookies[COOKIE] = chosen
            resp.cookies[COOKIE]["max-age"] = COOKIE_MAX_AGE
            resp.cookies[COOKIE]["httponly"] = True
            resp.cookies[COOKIE]["samesite"] = "Lax"
        else:  # 游客 (or an unknown id): forget the buyer
            del resp.cookies[COOKIE]
        return resp

    @bp.get("/shop/static/<name:str>")
    async def asset(_: Request, name: str) -> HTTPResponse:
        return await static_file(
            ASSET_DIR, name, ("css", "js", "svg"), {**_HEADERS, "Cache-Control": "max-age=300"}
        )

    return bp

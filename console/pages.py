"""The agent console's page: ``/console/`` and its static files.

The page (``console/static/console/index.html``) is one HTML file with plain ES
modules and one stylesheet; it shows the login form or the console depending on
``GET /console/api/me`` and does everything else through the JSON API
(docs/console-api.md). It is also every staff member's login: a logged-in user
without the ``agent`` role is sent to their own page (trainer page, owner page)
instead of an agent console they may not use. Only flat file names under
``console/static/console/`` are served, with a strict Content-Security-Policy: no
inline script, no other origin. ``labels.js`` is no file: it is built from the
lexicon's tables (shop/lexicon/labels.py), so the scripts spell no label.
"""

from __future__ import annotations

import json
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.auth import authenticate
from console.http import MIME_TYPES, static_file
from shop.lexicon import CONSOLE_SCRIPT_LABELS

PAGE_DIR = Path(__file__).resolve().parent / "static" / "console"
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

LABELS_SCRIPT = "labels.js"


def labels_script() -> str:
    """The lexicon's tables the console's scripts show, as an ES module."""
    lines = ["// Built by console/pages.py from shop/lexicon/labels.py."]
    for name, table in CONSOLE_SCRIPT_LABELS.items():
        lines.append(f"export const {name} = {json.dumps(table, ensure_ascii=False)};")
    return "\n".join(lines) + "\n"


bp = Blueprint("console_pages")


@bp.get("/console", strict_slashes=False)
async def console_page(request: Request) -> HTTPResponse:
    """The console: the page itself decides between the login form and the queue.

    A logged-in trainer or owner (no ``agent`` role) lands on their own page.
    """
    staff = await authenticate(request)
    if staff is not None and "agent" not in staff.roles and staff.home:
        return response.redirect(staff.home, headers={"Cache-Control": "no-store"})
    return await response.file(
        PAGE_DIR / "index.html", mime_type="text/html; charset=utf-8", headers=dict(_HEADERS)
    )


@bp.get("/console/static/<name:str>")
async def console_static(_: Request, name: str) -> HTTPResponse:
    """One of the page's scripts, stylesheets or images; anything else is 404."""
    if name == LABELS_SCRIPT:
        return response.text(labels_script(), content_type=MIME_TYPES["js"], headers=_HEADERS)
    return await static_file(PAGE_DIR, name, ("js", "css", "svg", "png", "ico"), _HEADERS)

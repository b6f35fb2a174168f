"""The agent console's page (console/pages.py) on the real console app: the page and
its files with a strict CSP, nothing else under /console/static, and a page
without a session gets 401 from the API it calls."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from console.pages import LABELS_SCRIPT, PAGE_DIR
from tests.console.conftest import Client

pytestmark = pytest.mark.usefixtures("staff")


async def test_the_page_is_served_with_a_strict_policy(
    console: str, client: Callable[[], Client]
) -> None:
    http = client()
    for path in ("/console/", "/console"):
        async with http.get(f"{console}{path}", allow_redirects=False) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/html")
            csp = resp.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert resp.headers["X-Frame-Options"] == "DENY"
            page = await resp.text()
    assert 'id="login-form"' in page
    assert "<script>" not in page and "style=" not in page  # nothing inline for the CSP


async def test_every_file_the_page_loads_is_served(
    console: str, client: Callable[[], Client]
) -> None:
    http = client()
    html = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
    wanted = set(re.findall(r'(?:src|href)="/console/static/([^"]+)"', html))
    for script in PAGE_DIR.glob("*.js"):
        wanted |= set(re.findall(r'from "\./([^"]+)"', script.read_text(encoding="utf-8")))
    assert {"main.js", "console.css", "api.js"} <= wanted
    for name in sorted(wanted):
        assert (PAGE_DIR / name).is_file() or name == LABELS_SCRIPT, name
        async with http.get(f"{console}/console/static/{name}") as resp:
            assert resp.status == 200, name
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            assert resp.headers["Content-Type"].startswith(kind)
            assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "missing.js",
        "..%2Fpages.py",
        "..%2F..%2Fconsole%2Fpages.py",
        "MAIN.JS",
        ".x.js",
    ],
)
async def test_nothing_else_is_served(
    console: str, client: Callable[[], Client], name: str
) -> None:
    async with client().get(f"{console}/console/static/{name}") as resp:
        assert resp.status == 404


def test_the_page_modules_stay_small() -> None:
    for path in Path(PAGE_DIR).iterdir():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 350, f"{path.name}: {lines} lines"


async def test_without_a_session_the_api_the_page_uses_says_401(
    console: str, client: Callable[[], Client]
) -> None:
    http = client()
    for path in ("/console/api/me", "/console/api/queue", "/console/api/quick-replies"):
        async with http.get(f"{console}{path}") as resp:
            assert resp.status == 401
            assert await resp.json() == {"error": "unauthorized"}
    async with http.post(
        f"{console}/console/api/escalations/1/claim", headers={"X-Console": "1"}
    ) as resp:
        assert resp.status == 401

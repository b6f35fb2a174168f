"""Every route under ``/console/api`` refuses requests without a session (401) and,
where it needs a role, sessions without it (403). The routes are read from the app
itself, so a route added later is covered without touching this file."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from console.app import create_app
from tests.console.conftest import HEADERS, PASSWORD

PUBLIC = {"/console/api/login", "/console/api/logout"}


def _routes() -> list[tuple[str, str, str | None]]:
    app = create_app(f"route_list_{uuid.uuid4().hex[:8]}")
    found = []
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        if not path.startswith("/console/api/") or path in PUBLIC:
            continue
        concrete = re.sub(r"<[^>:]+:int>", "1", path)
        concrete = re.sub(r"<[^>]+>", "x1", concrete)
        role = getattr(route.handler, "console_role", None)
        found.extend((method, concrete, role) for method in sorted(route.methods))
    return found


ROUTES = _routes()


def test_the_contract_routes_are_all_there() -> None:
    paths = {(method, path) for method, path, _ in ROUTES}
    for expected in [
        ("GET", "/console/api/queue"),
        ("POST", "/console/api/escalations/1/claim"),
        ("GET", "/console/api/escalations/1"),
        ("POST", "/console/api/escalations/1/reply"),
        ("POST", "/console/api/escalations/1/handback"),
        ("POST", "/console/api/escalations/1/close"),
        ("POST", "/console/api/escalations/1/release"),
        ("GET", "/console/api/escalations/1/export"),
        ("GET", "/console/api/photos/x1"),
        ("GET", "/console/api/quick-replies"),
        ("POST", "/console/api/quick-replies"),
        ("PUT", "/console/api/quick-replies/1"),
        ("DELETE", "/console/api/quick-replies/1"),
        ("GET", "/console/api/me"),
    ]:
        assert expected in paths


@pytest.mark.parametrize(("method", "path", "role"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
async def test_no_session_is_401(
    console: str, client: Callable[[], aiohttp.ClientSession], method: str, path: str,
    role: str | None,
) -> None:  # fmt: skip
    session = client()
    for cookies in ({}, {"shop_console": "not-a-token"}):
        session.cookie_jar.update_cookies(cookies)
        async with session.request(method, console + path, json={}, headers=HEADERS) as resp:
            assert resp.status == 401, (method, path)
            assert await resp.json() == {"error": "unauthorized"}


ROLE_ROUTES = [r for r in ROUTES if r[2]]


@pytest.mark.parametrize(
    ("method", "path", "role"), ROLE_ROUTES, ids=[f"{m} {p}" for m, p, _ in ROLE_ROUTES]
)
async def test_missing_role_is_403(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int],
    method: str, path: str, role: str,
) -> None:  # fmt: skip
    username = next(name for name in ("trainer", "owner", "agent1") if name != role)
    if role == "agent":
        username = "trainer"
    session = client()
    async with session.post(
        f"{console}/console/api/login",
        json={"username": username, "password": PASSWORD},
        headers=HEADERS,
    ) as resp:
        assert resp.status == 200
    async with session.request(method, console + path, json={}, headers=HEADERS) as resp:
        assert resp.status == 403, (method, path)
        assert (await resp.json())["error"] == "forbidden"


CHANGES = [r for r in ROLE_ROUTES if r[0] not in ("GET", "HEAD")]


@pytest.mark.parametrize(
    ("method", "path", "role"), CHANGES, ids=[f"{m} {p}" for m, p, _ in CHANGES]
)
async def test_changes_without_the_console_header_are_403(
    console: str, login: Callable[[str], Awaitable[aiohttp.ClientSession]], method: str,
    path: str, role: str,
) -> None:  # fmt: skip
    session = await login("agent1" if role == "agent" else role)
    async with session.request(method, console + path, json={}) as resp:
        assert resp.status == 403, (method, path)
        assert (await resp.json())["error"] == "forbidden"

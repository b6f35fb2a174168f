"""Every route under ``/console/api`` refuses requests without a session (401) and,
where it needs a role, sessions without it (403). The routes are read from the app
itself, so a route added later is covered without touching this file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from console.app import create_app
from console.auth import COOKIE
from console.staff import add_staff
from shop.db.migrate import upgrade_database
from shop.db.session import get_engine, session_scope
from tests.console.conftest import HEADERS, NOW, PASSWORD, free_port, password_hash

ROOT = Path(__file__).resolve().parents[2]

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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real console (``python -m console``) for the module, on its own database."""
    work = tmp_path_factory.mktemp("guard")
    url = f"sqlite:///{work / 'shop.db'}"
    upgrade_database(url)
    engine = get_engine(url)
    with session_scope(engine) as session:
        for name, roles in [("agent1", ["agent"]), ("trainer", ["trainer"]), ("owner", ["owner"])]:
            user = add_staff(name, name, roles, "placeholder-pass", session=session, now=NOW)
            user.password_hash = password_hash()
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "SHOP_UPLOAD_DIR": str(work / "uploads"),
        "SHOP_VAR_DIR": str(work),
    }
    log = work / "console.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if process.poll() is not None:
                pytest.fail(f"console exited: {log.read_text()[-2000:]}")
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def sessions(site: str) -> dict[str, requests.Session]:
    """A logged-in ``requests`` session per staff user."""
    found = {}
    for name in ("agent1", "trainer", "owner"):
        session = requests.Session()
        resp = session.post(
            f"{site}/console/api/login",
            headers=HEADERS,
            timeout=10,
            json={"username": name, "password": PASSWORD},
        )
        assert resp.status_code == 200, resp.text
        found[name] = session
    return found


def _ids(routes: list[tuple[str, str, str | None]]) -> list[str]:
    return [f"{method} {path}" for method, path, _ in routes]


@pytest.mark.parametrize(("method", "path", "role"), ROUTES, ids=_ids(ROUTES))
def test_no_session_is_401(site: str, method: str, path: str, role: str | None) -> None:
    for cookies in ({}, {COOKIE: "not-a-token"}):
        resp = requests.request(
            method, site + path, json={}, headers=HEADERS, cookies=cookies, timeout=10
        )
        assert resp.status_code == 401, (method, path)
        assert resp.json() == {"error": "unauthorized"}


ROLE_ROUTES = [r for r in ROUTES if r[2]]


@pytest.mark.parametrize(("method", "path", "role"), ROLE_ROUTES, ids=_ids(ROLE_ROUTES))
def test_missing_role_is_403(
    sessions: dict[str, requests.Session], site: str, method: str, path: str, role: str
) -> None:
    for name, session in sessions.items():
        roles = role.split(",")  # "agent,owner": either may
        if name in roles or ("agent" in roles and name.startswith("agent")):
            continue
        resp = session.request(method, site + path, json={}, headers=HEADERS, timeout=10)
        assert resp.status_code == 403, (name, method, path)
        assert resp.json()["error"] == "forbidden"


CHANGES = [r for r in ROLE_ROUTES if r[0] not in ("GET", "HEAD")]


@pytest.mark.parametrize(("method", "path", "role"), CHANGES, ids=_ids(CHANGES))
def test_changes_without_the_console_header_are_403(
    sessions: dict[str, requests.Session], site: str, method: str, path: str, role: str
) -> None:
    session = sessions["agent1" if role == "agent" else role]
    resp = session.request(method, site + path, json={}, timeout=10)
    assert resp.status_code == 403, (method, path)
    assert resp.json()["error"] == "forbidden"

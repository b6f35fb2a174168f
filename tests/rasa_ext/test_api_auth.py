"""Admin JWTs need ``exp``: in the REST channel's check and in Rasa's own HTTP API."""

from __future__ import annotations

import socket
import time
import uuid

import aiohttp
import jwt
import pytest
from rasa.server import create_app
from sanic import Sanic

import channels  # noqa: F401 (installs rasa_ext/api_auth.py as rasa run does)
from rasa_ext.api_auth import admin_claims
from shop.api_token import admin_token

SECRET = "api-auth-test-secret-0123456789abcdef"


def _bearer(claims: dict) -> str:
    return f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"


ADMIN = {"user": {"username": "console", "role": "admin"}}


@pytest.mark.parametrize(
    ("header", "trusted"),
    [
        (f"Bearer {admin_token(SECRET, 1)}", True),
        (_bearer(ADMIN), False),  # no exp: would be valid forever
        (_bearer({**ADMIN, "exp": int(time.time()) - 10}), False),
        (_bearer({"user": {"username": "x", "role": "user"}, "exp": time.time() + 60}), False),
        (f"Bearer {admin_token('another-secret-0123456789abcdef0123', 1)}", False),
        ("Basic abc", False),
        ("", False),
    ],
)
def test_admin_claims(header: str, trusted: bool) -> None:
    assert (admin_claims(header, SECRET) is not None) is trusted
    assert admin_claims(header, "") is None


async def test_rasas_http_api_refuses_a_jwt_without_expiry() -> None:
    Sanic.test_mode = True  # a second Sanic app in this process (see tests/console/conftest.py)
    app = create_app(jwt_secret=SECRET, jwt_method="HS256")
    app.name = f"rasa_auth_{uuid.uuid4().hex[:8]}"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    url = f"http://127.0.0.1:{port}/status"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(url, headers={"Authorization": _bearer(ADMIN)}) as resp:
                assert resp.status == 401
            token = f"Bearer {admin_token(SECRET, 1)}"
            async with session.get(url, headers={"Authorization": token}) as resp:
                assert resp.status != 401
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        Sanic._app_registry.pop(app.name, None)

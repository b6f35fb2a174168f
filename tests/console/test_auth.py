"""Console login: password hashing, the session cookie, roles, CSRF header, throttling."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

import aiohttp
import jwt
import pytest

from console import auth
from console.app import create_app
from console.responses import Responses
from console.staff import set_password
from shop.db.models import StaffUser
from shop.db.session import session_scope
from tests.console.conftest import HEADERS, PASSWORD, FakeRasa, serve

Login = Callable[[str], Awaitable[aiohttp.ClientSession]]


def test_hash_and_verify() -> None:
    stored = auth.hash_password("correct horse")
    algorithm, n, r, p, salt, digest = stored.split("$")
    assert (algorithm, n, r, p) == ("scrypt", "16384", "8", "1")
    assert auth.verify_password("correct horse", stored)
    assert not auth.verify_password("correct horsE", stored)
    assert auth.hash_password("correct horse") != stored  # a fresh salt each time


@pytest.mark.parametrize(
    "stored", ["", "plain", "md5$1$2$3$a$b", "scrypt$x$8$1$AA==$AA==", "scrypt$16384$8$1$!!$AA=="]
)
def test_malformed_hashes_never_verify(stored: str) -> None:
    assert not auth.verify_password("anything", stored)


def _user(password_hash: str = "scrypt$1$1$1$AA==$AA==") -> StaffUser:
    return StaffUser(id=7, username="agent1", password_hash=password_hash, roles=["agent"])


def test_session_tokens_round_trip_and_expire() -> None:
    token = auth.issue_session(_user())
    claims = auth.read_session(token)
    assert claims is not None and claims["sub"] == "agent1" and claims["uid"] == 7
    old = datetime.now(timezone.utc) - auth.SESSION - timedelta(seconds=5)
    assert auth.read_session(auth.issue_session(_user(), now=old)) is None
    head, body, sig = token.split(".")
    assert auth.read_session(f"{head}.{body}.{sig[:-2]}xx") is None
    assert auth.read_session(None) is None and auth.read_session("x" * 5000) is None


def test_a_buyer_token_or_another_key_is_not_a_session() -> None:
    from shop.config import settings

    now = datetime.now(timezone.utc)
    claims = {"sub": "agent1", "uid": 7, "pwf": "x", "aud": auth.AUDIENCE, "iat": now}
    claims["exp"] = now + auth.SESSION
    assert auth.read_session(jwt.encode(claims, settings.shop_secret, algorithm="HS256")) is None
    assert auth.read_session(jwt.encode(claims, auth._key(), algorithm="HS256")) is not None
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert auth.read_session(unsigned) is None


def test_throttle_counts_failures_per_key_within_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])  # the clock shop.rate_limit reads
    throttle = auth.login_throttle(failures=3, window=60)
    key, other = f"agent1-{uuid.uuid4().hex}|1.2.3.4", f"agent1-{uuid.uuid4().hex}|5.6.7.8"
    for _ in range(3):
        assert throttle.retry_after(key) == 0
        throttle.hit(key)
    assert 0 < throttle.retry_after(key) <= 60
    assert throttle.retry_after(other) == 0
    now[0] += 61
    assert throttle.retry_after(key) == 0
    throttle.hit(key)
    throttle.clear(key)
    assert throttle.retry_after(key) == 0


def test_login_throttle_is_five_failures_in_fifteen_minutes() -> None:
    throttle = auth.login_throttle()
    assert (throttle.name, throttle.limit, throttle.window) == ("login_failures", 5, 900)


async def _post(session: aiohttp.ClientSession, url: str, body: dict, headers: dict | None = None):
    async with session.post(url, json=body, headers=HEADERS if headers is None else headers) as r:
        return r.status, await r.json(), r


async def test_login_sets_a_strict_http_only_cookie(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int]
) -> None:
    session = client()
    status, body, resp = await _post(
        session, f"{console}/console/api/login", {"username": "agent1", "password": PASSWORD}
    )
    assert status == 200
    assert body == {
        "username": "agent1",
        "display_name": "AGENT1",
        "roles": ["agent"],
        "home": "/console/",
        "pages": [
            {"id": "agent", "role": "agent", "href": "/console/", "label": "客服工作台"},
            {
                "id": "records",
                "role": "agent,owner",
                "href": "/console/records",
                "label": "聊天记录",
            },
        ],
    }
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("shop_console=")
    for part in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
        assert part.lower() in cookie.lower()
    async with session.get(f"{console}/console/api/me") as resp:
        assert resp.status == 200 and (await resp.json())["username"] == "agent1"
    status, body, resp = await _post(session, f"{console}/console/api/logout", {})
    assert status == 200 and "max-age=0" in resp.headers["Set-Cookie"].lower()
    async with session.get(f"{console}/console/api/me") as resp:
        assert resp.status == 401 and await resp.json() == {"error": "unauthorized"}


@pytest.mark.parametrize(
    "body",
    [
        {"username": "agent1", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "agent1"},
        {"username": "agent1", "password": ""},
        {"username": 5, "password": PASSWORD},
    ],
)
async def test_bad_credentials_get_one_answer(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int], body: dict
) -> None:
    status, answer, _ = await _post(client(), f"{console}/console/api/login", body)
    assert (status, answer) == (401, {"error": "bad_credentials"})


async def test_login_and_logout_need_the_console_header(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int]
) -> None:
    body = {"username": "agent1", "password": PASSWORD}
    for path in ("login", "logout"):
        status, answer, _ = await _post(client(), f"{console}/console/api/{path}", body, {})
        assert status == 403 and answer["error"] == "forbidden"


async def test_login_is_throttled_per_username_and_address(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int]
) -> None:
    session, url = client(), f"{console}/console/api/login"
    for _ in range(5):
        status, _, _ = await _post(session, url, {"username": "agent1", "password": "nope-nope"})
        assert status == 401
    status, answer, resp = await _post(session, url, {"username": "agent1", "password": PASSWORD})
    assert status == 429 and answer["error"] == "too_many_attempts"
    assert int(resp.headers["Retry-After"]) > 0
    status, _, _ = await _post(session, url, {"username": "agent2", "password": PASSWORD})
    assert status == 200  # another username from the same address is not blocked


async def test_disabled_user_or_new_password_ends_the_session(
    login: Callable[[str], Awaitable[aiohttp.ClientSession]], console: str
) -> None:
    session = await login("agent1")
    me = f"{console}/console/api/me"
    async with session.get(me) as resp:
        assert resp.status == 200
    with session_scope() as db:
        set_password("agent1", "another-password", session=db)
    async with session.get(me) as resp:
        assert resp.status == 401
    session = await login("agent2")
    with session_scope() as db:
        user = auth.staff_by_username("agent2", session=db)
        assert user is not None
        user.active = False
    async with session.get(me) as resp:
        assert resp.status == 401
    status, _, _ = await _post(
        session, f"{console}/console/api/login", {"username": "agent2", "password": PASSWORD}
    )
    assert status == 401


async def test_tampered_cookie_is_refused(
    login: Callable[[str], Awaitable[aiohttp.ClientSession]],
    console: str,
    client: Callable[[], aiohttp.ClientSession],
) -> None:
    session = await login("agent1")
    token = next(c.value for c in session.cookie_jar if c.key == auth.COOKIE)
    head, body, sig = token.split(".")
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "sub": "agent2", "uid": 2},
        "a-guessed-signing-key-of-32-bytes-or-more",
        algorithm="HS256",
    )
    cases = [(token, 200), (f"{head}.{body}x.{sig}", 401), (forged, 401), ("garbage", 401)]
    for value, expected in cases:
        other = client()
        other.cookie_jar.update_cookies({auth.COOKIE: value})
        async with other.get(f"{console}/console/api/me") as resp:
            assert resp.status == expected


async def test_throttle_uses_the_forwarded_address_behind_a_trusted_proxy(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int]
) -> None:
    session, url = client(), f"{console}/console/api/login"
    wrong = {"username": "agent1", "password": "nope-nope"}
    for _ in range(5):
        status, _, _ = await _post(session, url, wrong, {**HEADERS, "X-Forwarded-For": "1.1.1.1"})
        assert status == 401
    right = {"username": "agent1", "password": PASSWORD}
    status, _, _ = await _post(session, url, right, {**HEADERS, "X-Forwarded-For": "1.1.1.1"})
    assert status == 429
    status, _, _ = await _post(session, url, right, {**HEADERS, "X-Forwarded-For": "2.2.2.2"})
    assert status == 200


async def test_malformed_json_is_a_plain_refusal(
    console: str, client: Callable[[], aiohttp.ClientSession], staff: dict[str, int]
) -> None:
    session = client()
    headers = {**HEADERS, "Content-Type": "application/json"}
    async with session.post(f"{console}/console/api/login", data="{bad", headers=headers) as r:
        assert (r.status, await r.json()) == (401, {"error": "bad_credentials"})


@pytest.mark.parametrize(("proxies", "secure"), [(1, True), (0, False)])
async def test_cookie_is_secure_behind_a_trusted_tls_proxy_only(
    rasa: FakeRasa,
    responses: Responses,
    staff: dict[str, int],
    proxies: int,
    secure: bool,
) -> None:
    # nginx terminating TLS sets both headers; only SHOP_PROXIES_COUNT makes Sanic trust them.
    app = create_app(f"console_proxy_{proxies}", proxies_count=proxies)
    nginx = {**HEADERS, "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    async with serve(app, rasa, responses) as url, aiohttp.ClientSession() as session:
        body = {"username": "agent1", "password": PASSWORD}
        status, _, resp = await _post(session, f"{url}/console/api/login", body, nginx)
        assert status == 200
        assert ("; secure" in resp.headers["Set-Cookie"].lower()) is secure
        status, _, resp = await _post(session, f"{url}/console/api/logout", {}, nginx)
        assert ("; secure" in resp.headers["Set-Cookie"].lower()) is secure

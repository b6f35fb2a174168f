"""Staff login for the console: scrypt passwords, a signed session cookie, roles.

The session is a JWT (HS256) in the ``HttpOnly; SameSite=Strict`` cookie
``shop_console``, signed with a key derived from ``SHOP_SECRET`` (so a buyer
token can never pass for it) and valid for 12 hours. It names the staff user
and a fingerprint of their password hash: a new password or a disabled account
ends every session at once. Requests that change something must carry
``X-Console: 1``, which a cross-site page cannot add. Failed logins are
throttled per username and client address. Protocol: ``docs/console-api.md``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache, wraps
from typing import Any

import jwt
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.http import client_address, error, json_body
from shop.config import settings
from shop.db.models import StaffUser
from shop.db.session import in_transaction
from shop.rate_limit import RateLimit

COOKIE = "shop_console"
SESSION = timedelta(hours=12)
AUDIENCE = "shop-console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROLES = ("agent", "trainer", "owner")
# The staff pages (id, roles that may use it, comma-separated; address, label) in landing
# order: a user lands on the first their roles allow, and the navigation bar lists exactly these.
PAGES = (
    ("agent", "agent", "/console/", "客服工作台"),
    ("trainer", "trainer", "/console/trainer", "训练师工作台"),
    ("owner", "owner", "/console/owner", "店铺数据"),
    ("quick-replies", "owner", "/console/quick-replies", "快捷回复"),
    ("records", "agent,owner", "/console/records", "聊天记录"),
)
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32
MAX_PASSWORD = 200

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=64 * 1024 * 1024
    )


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time; malformed → False)."""
    try:
        algorithm, n, r, p, salt, digest = stored.split("$")
        if algorithm != "scrypt" or int(n) > 2**20 or int(r) > 32 or int(p) > 16:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(
            password, base64.b64decode(salt, validate=True), int(n), int(r), int(p), len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist (same timing)."""
    return hash_password(secrets.token_hex(8))


def _key() -> bytes:
    return hmac.new(settings.shop_secret.encode(), b"shop-console-session", "sha256").digest()


def _fingerprint(password_hash: str) -> str:
    return hmac.new(_key(), password_hash.encode(), "sha256").hexdigest()[:16]


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member, as plain values."""

    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    max_open: int

    @classmethod
    def of(cls, user: StaffUser) -> Staff:
        """Copies the row's values."""
        roles = tuple(str(role) for role in (user.roles or []))
        return cls(int(user.id), user.username, user.display_name, roles, int(user.max_open))

    def pages(self) -> list[dict[str, str]]:
        """The staff pages this user may open (the navigation bar), in landing order."""
        return pages_for(self.roles)

    @property
    def home(self) -> str | None:
        """Where this user lands after login: the first page their roles allow."""
        return home_for(self.roles)

    def json(self) -> dict[str, Any]:
        """The API's view of the user, with their landing page and navigation."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "roles": self.roles,
            "home": self.home,
            "pages": self.pages(),
        }


def pages_for(roles: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """``[{"id", "role", "href", "label"}]`` of the pages ``roles`` may use, in landing order."""
    return [
        {"id": page, "role": role, "href": href, "label": label}
        for page, role, href, label in PAGES
        if allowed(role, roles)
    ]


def home_for(roles: tuple[str, ...] | list[str]) -> str | None:
    """The landing page of a user with ``roles`` (agent console, trainer page, owner page)."""
    return next((href for _, role, href, _ in PAGES if allowed(role, roles)), None)


def allowed(role: str, roles: tuple[str, ...] | list[str]) -> bool:
    """Whether a user with ``roles`` has ``role`` (or one of ``"agent,owner"``)."""
    return any(wanted in roles for wanted in role.split(","))


def issue_session(user: StaffUser, *, now: datetime | None = None) -> str:
    """A session token for ``user``, valid for :data:`SESSION`."""
    issued = now or datetime.now(timezone.utc)
    claims = {
        "sub": user.username,
        "uid": int(user.id),
        "pwf": _fingerprint(user.password_hash),
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + SESSION,
    }
    return jwt.encode(claims, _key(), algorithm="HS256")


def read_session(token: str | None) -> dict[str, Any] | None:
    """The token's claims, or ``None`` when missing, forged or expired."""
    if not token or len(token) > 2048:
        return None
    try:
        return jwt.decode(
            token,
            _key(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "uid", "pwf"]},
        )
    except jwt.PyJWTError:
        return None


def staff_by_username(username: str, *, session: Session) -> StaffUser | None:
    """The staff user with this username (any state)."""
    return session.execute(
        select(StaffUser).where(StaffUser.username == username)
    ).scalar_one_or_none()


def _session_user(claims: dict[str, Any], session: Session) -> Staff | None:
    user = session.get(StaffUser, int(claims["uid"]))
    if user is None or not user.active or user.username != claims["sub"]:
        return None
    if not hmac.compare_digest(_fingerprint(user.password_hash), str(claims["pwf"])):
        return None
    return Staff.of(user)


async def authenticate(request: Request) -> Staff | None:
    """The staff member whose valid session cookie came with ``request``."""
    if hasattr(request.ctx, "staff"):
        return request.ctx.staff
    claims = read_session(request.cookies.get(COOKIE))
    staff = None
    if claims is not None:
        staff = await in_transaction(lambda session: _session_user(claims, session))
    request.ctx.staff = staff
    return staff


def csrf_ok(request: Request) -> bool:
    """Reads are fine; changes need the ``X-Console: 1`` header."""
    return request.method in SAFE_METHODS or request.headers.get("x-console") == "1"


def requires(role: str) -> Callable[[Handler], Handler]:
    """Decorates a handler: session (401), ``X-Console`` on changes and ``role`` (403).

    ``role`` may name alternatives: ``"agent,owner"`` lets either in.
    """

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            staff = await authenticate(request)
            if staff is None:
                return error("unauthorized", 401)
            if not csrf_ok(request):
                return error("forbidden", 403, reason="x_console_header")
            if not allowed(role, staff.roles):
                return error("forbidden", 403)
            return await handler(request, *args, **kwargs)

        wrapped.console_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorate


LOGIN_FAILURES = 5  # failed logins per username and address ...
LOGIN_WINDOW_SECONDS = 900  # ... within 15 minutes


def login_throttle(
    failures: int = LOGIN_FAILURES, window: float = LOGIN_WINDOW_SECONDS
) -> RateLimit:
    """Failed logins per username and client address (shop/rate_limit.py): a failure is
    a hit, a success clears the key; shared through Redis when configured."""
    return RateLimit("login_failures", failures, window, settings.redis_url)


def _throttle_key(username: str, address: str) -> str:
    return f"{username.lower()}|{address}"


def _check_login(username: str, password: str, session: Session) -> tuple[Staff, str] | None:
    user = staff_by_username(username, session=session)
    if user is None or not user.active:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, user.password_hash):
        return None
    return Staff.of(user), issue_session(user)


def _set_cookie(resp: HTTPResponse, request: Request, value: str, max_age: int) -> None:
    resp.cookies[COOKIE] = value
    cookie = resp.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if request.scheme == "https":
        cookie["secure"] = True


def auth_blueprint(throttle: RateLimit | None = None) -> Blueprint:
    """``/console/api/login``, ``/logout`` and ``/me``."""
    bp = Blueprint("console_auth", url_prefix="/console/api")
    limiter = throttle or login_throttle()

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        if not csrf_ok(request):
            return error("forbidden", 403, reason="x_console_header")
        body = json_body(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return error("bad_credentials", 401)
        username = username.strip()[:50]
        key = _throttle_key(username, client_address(request))
        wait = int(limiter.retry_after(key))
        if wait:
            resp = error("too_many_attempts", 429, retry_after=wait)
            resp.headers["Retry-After"] = str(wait)
            return resp
        found = None
        if username and 0 < len(password) <= MAX_PASSWORD:
            found = await in_transaction(lambda session: _check_login(username, password, session))
        else:
            await asyncio.to_thread(verify_password, password[:MAX_PASSWORD], _dummy_hash())
        if found is None:
            limiter.hit(key)
            return error("bad_credentials", 401)
        limiter.clear(key)
        staff, token = found
        resp = response.json(staff.json())
        _set_cookie(resp, request, token, int(SESSION.total_seconds()))
        return resp

    @bp.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        if not csrf_ok(request):
            return error("forbidden", 403, reason="x_console_header")
        resp = response.json({"ok": True})
        _set_cookie(resp, request, "", 0)
        return resp

    @bp.get("/me")
    async def me(request: Request) -> HTTPResponse:
        staff = await authenticate(request)
        return error("unauthorized", 401) if staff is None else response.json(staff.json())

    return bp


def logout_form_blueprint() -> Blueprint:
    """``POST /console/logout``: logout for a page without script (the owner page), then login.

    A plain form cannot send ``X-Console``; ending a session is harmless, and the
    ``SameSite=Strict`` cookie is not sent by other sites' forms anyway.
    """
    bp = Blueprint("console_logout_form")

    @bp.post("/console/logout")
    async def logout_form(request: Request) -> HTTPResponse:
        resp = response.redirect("/console", status=303)
        _set_cookie(resp, request, "", 0)
        return resp

    return bp

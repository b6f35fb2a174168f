"""Admin JWTs (``rasa run --jwt-secret``): HS256, ``user.role`` admin, and always ``exp``.

The console and other trusted servers call Rasa's HTTP API, and may call the REST
channel, with ``Authorization: Bearer <JWT>`` signed with ``RASA_JWT_SECRET``
(``python -m shop.api_token`` mints one valid for a given number of days).
A token without ``exp`` would be valid forever, so neither place accepts one:

* :func:`admin_claims` is the REST channel's check (``channels/rest.py``);
* Rasa 3.6 checks its API's tokens with sanic-jwt, which verifies ``exp`` when it
  is there but lets a token without it pass. :func:`install` (run on import of the
  ``channels`` package, as ``rasa run`` does for ``credentials.yml``) makes it
  refuse such a token with 401, like an expired one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from rasa_ext.patching import wrap_once

ALGORITHM = "HS256"


def admin_claims(header: str, secret: str) -> dict[str, Any] | None:
    """The claims of an ``Authorization`` header's admin JWT, or ``None``.

    ``None`` when there is no secret, no ``Bearer`` token, a bad signature, no or a
    past ``exp``, or a role other than ``admin``.
    """
    if not secret or not header.startswith("Bearer "):
        return None
    try:
        claims = jwt.decode(
            header[7:].strip(), secret, algorithms=[ALGORITHM], options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        return None
    user = claims.get("user") if isinstance(claims, dict) else None
    return claims if isinstance(user, dict) and user.get("role") == "admin" else None


def _require_exp(decode: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    from sanic_jwt.exceptions import InvalidVerificationError

    async def decode_with_exp(
        self: Any, token: str, verify: bool = True, inline_claims: Any = None
    ) -> Any:
        claims = await decode(self, token, verify=verify, inline_claims=inline_claims)
        if verify and (not isinstance(claims, dict) or "exp" not in claims):
            raise InvalidVerificationError("The token has no expiry (exp).")
        return claims

    return decode_with_exp


def install() -> None:
    """Makes Rasa's HTTP API (sanic-jwt) refuse tokens without ``exp``; idempotent."""
    from sanic_jwt.authentication import Authentication

    wrap_once(Authentication, "_decode", _require_exp, key="api_auth")

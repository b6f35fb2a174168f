"""Tokens for Rasa's HTTP API in production (``rasa run --jwt-secret``).

The console and other trusted services send ``Authorization: Bearer <token>``;
Rasa 3.6 accepts an HS256 JWT whose ``user.role`` is ``admin``. Print one with
``python -m shop.api_token [--days 30]`` (needs ``RASA_JWT_SECRET``).
"""

from __future__ import annotations

import argparse
import sys
import time

import jwt

from shop.config import settings


def admin_token(secret: str, days: float = 30, username: str = "console") -> str:
    """An admin JWT for Rasa's HTTP API, valid for ``days``."""
    if not secret:
        raise ValueError("RASA_JWT_SECRET is not set")
    now = int(time.time())
    payload = {
        "user": {"username": username, "role": "admin"},
        "iat": now,
        "exp": now + int(days * 86400),
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> int:
    """Prints an admin token signed with ``RASA_JWT_SECRET``."""
    parser = argparse.ArgumentParser(prog="python -m shop.api_token", description=__doc__)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--username", default="console")
    args = parser.parse_args(argv)
    try:
        print(admin_token(settings.rasa_jwt_secret, args.days, args.username))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

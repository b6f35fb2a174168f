"""Who is asking: the shop's signed buyer token, or an order verified by phone.

A logged-in buyer's messages carry ``metadata.buyer_token``: a JWT (HS256,
secret ``SHOP_SECRET``) with claims ``buyer_id`` and ``exp``. An expired,
unsigned or badly signed token counts as no token. Without one, a buyer proves
an order is theirs with its number and the last four digits of its phone; the
orders proven so far live in the ``verified_order_ids`` slot, which only the
verification code sets.

``python -m shop.identity B005 [--hours 24]`` prints a token for a demo buyer.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt

from shop.config import settings

ALGORITHM = "HS256"
MAX_VERIFY_ATTEMPTS = 3


def issue_token(buyer_id: str, *, secret: str | None = None, hours: float = 24) -> str:
    """A token for ``buyer_id`` valid for ``hours``, as the shop's site would issue."""
    expires = datetime.now(timezone.utc) + timedelta(hours=hours)
    return jwt.encode(
        {"buyer_id": buyer_id, "exp": expires}, secret or settings.shop_secret, algorithm=ALGORITHM
    )


def buyer_id_from_token(token: Any, *, secret: str | None = None) -> str | None:
    """The token's ``buyer_id``, or ``None`` when it is missing, expired or forged."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(
            token,
            secret or settings.shop_secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "buyer_id"]},
        )
    except jwt.PyJWTError:
        return None
    buyer_id = claims.get("buyer_id")
    return str(buyer_id) if isinstance(buyer_id, str | int) and str(buyer_id) else None


def main(argv: Sequence[str] | None = None) -> int:
    """Prints a buyer token signed with ``SHOP_SECRET``."""
    parser = argparse.ArgumentParser(description="Print a signed buyer token for a buyer id.")
    parser.add_argument("buyer_id", help="the buyer's id in the shop database, e.g. B005")
    parser.add_argument("--hours", type=float, default=24, help="validity (default 24)")
    args = parser.parse_args(argv)
    print(issue_token(args.buyer_id, hours=args.hours))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

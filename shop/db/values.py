"""Values of the shop data: allowed statuses and kinds, dates (absolute or
relative to the import), and money in yuan converted to fen."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from shop.config import settings

# Allowed values; the statuses and kinds are those listed in shop/db/*_models.py.
GENDERS = ("men", "women", "kids", "unisex")
FUNCTION_KEYS = (
    "waterproof", "breathable", "anti_slip", "running",
    "warm", "lightweight", "hiking", "wear_resistant",
)  # fmt: skip
FUNCTION_LEVELS = ("yes", "partial", "no")
PROMOTION_KINDS = ("coupon", "full_reduction", "discount")
POSTAGE_PAYERS = ("buyer", "shop")
ORDER_STATUSES = ("pending_payment", "paid", "shipped", "delivered", "completed", "cancelled")
RETURN_KINDS = ("return", "exchange")
# Who pays the return postage follows the reason: the buyer for no_reason and size
# (unless freight insurance covers it), the shop for quality and wrong_item.
RETURN_REASONS = (
    "no_reason",
    "size",
    "quality",
    "not_as_described",
    "shipping_damage",
    "wrong_item",
)
RETURN_STATUSES = (
    "requested", "awaiting_shipment", "in_transit", "received",
    "inspected", "refunded", "exchanged", "rejected",
)  # fmt: skip
SHIPPED_STATUSES = frozenset({"shipped", "delivered", "completed"})
DELIVERED_STATUSES = frozenset({"delivered", "completed"})
PAID_STATUSES = frozenset({"paid"}) | SHIPPED_STATUSES
PARCEL_SENT_STATUSES = frozenset({"in_transit", "received", "inspected", "refunded", "exchanged"})
# How a reviewer found the fit (偏小 / 正常 / 偏大; labels: shop/lexicon.py FIT_LABELS).
REVIEW_FITS = ("small", "true", "large")

JsonPath = tuple[str | int, ...]
Problem = tuple[JsonPath, str]

_RELATIVE = re.compile(r"^([+-])(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_SECTIONS = (
    "$comment",
    "policy",
    "promotions",
    "products",
    "buyers",
    "orders",
    "return_requests",
    "reviews",
)


def parse_datetime(value: str, now: datetime) -> datetime:
    """Read an ISO-8601 date-time or a relative offset such as ``-3d4h`` from ``now``.

    Date-times with a UTC offset are converted to the shop's naive local time.

    Raises:
        ValueError: ``value`` is neither form.
    """
    match = _RELATIVE.match(value)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        days, hours, minutes = (int(part or 0) for part in match.groups()[1:])
        try:
            return now + sign * timedelta(days=days, hours=hours, minutes=minutes)
        except OverflowError as exc:
            raise ValueError(f"{value!r} is out of range") from exc
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    return parsed


def parse_date(value: str, today: date) -> date:
    """Read an ISO date or a relative offset (only its days count: ``+2d`` is in two days).

    Raises:
        ValueError: ``value`` is neither form.
    """
    match = _RELATIVE.match(value)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        try:
            return today + timedelta(days=sign * int(match.group(2) or 0))
        except OverflowError as exc:
            raise ValueError(f"{value!r} is out of range") from exc
    return date.fromisoformat(value)


def to_fen(yuan: Any) -> int:
    """Yuan with at most two decimals (``399.00``) to integer fen (``39900``).

    Raises:
        ValueError: not a number, negative, or finer than one fen.
    """
    try:
        fen = Decimal(str(yuan)) * 100
    except InvalidOperation as exc:
        raise ValueError(f"{yuan!r} is not an amount") from exc
    if isinstance(yuan, bool) or not fen.is_finite() or fen < 0 or fen != fen.to_integral_value():
        raise ValueError(f"{yuan!r} is not an amount in yuan with at most 2 decimals")
    return int(fen)


def yuan(fen: int | None) -> str:
    """Fen as a price label: ``39900`` -> ``¥399.00`` (the demo shop's pages, the assistant)."""
    return f"¥{(fen or 0) / 100:.2f}"


def format_path(path: JsonPath) -> str:
    """``("orders", 12, "items", 0)`` -> ``orders[12].items[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"

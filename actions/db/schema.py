"""Validation of a shop import file: JSON schema, dates, money and cross-references.

A file is checked whole before anything is written, and every problem is
reported with its JSON position (``orders[12].items[0].product_id: ...``) so a
shop owner can fix them all in one pass. The format is described in
``docs/shop-data.md``; the allowed values mirror the comments in
``actions/db/models.py``.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from actions.config import settings

# Allowed values; the statuses and kinds are those listed in actions/db/models.py.
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

JsonPath = tuple[str | int, ...]
Problem = tuple[JsonPath, str]

_RELATIVE = re.compile(r"^([+-])(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_SECTIONS = ("$comment", "policy", "promotions", "products", "buyers", "orders", "return_requests")


def local_now() -> datetime:
    """The shop's current naive local time (``settings.timezone``), to the second."""
    return datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)


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


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("shop-datetime", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(parse_datetime(value, datetime(2000, 1, 1)))


@_FORMATS.checks("shop-date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(parse_date(value, date(2000, 1, 1)))


def _text(max_length: int, **extra: Any) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_length, **extra}


def _obj(required: dict, optional: dict | None = None) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": False,
    }


def _array(items: dict, min_items: int = 0) -> dict:
    return {"type": "array", "items": items, "minItems": min_items}


_ID = _text(32, pattern=r"^[A-Za-z0-9_-]+$", **{"x-hint": "ids use letters, digits, _ and -"})
_ORDER_ID = {"type": "string", "pattern": r"^\d{16}$", "x-hint": "order ids are 16 digits"}
_DATETIME = {"type": "string", "format": "shop-datetime"}
_DATE = {"type": "string", "format": "shop-date"}
_MONEY = {"type": "number", "minimum": 0}
_SIZE = {"type": "number", "minimum": 20, "maximum": 50, "multipleOf": 0.5}
_COUNT = {"type": "integer", "minimum": 0}
_BOOL = {"type": "boolean"}
_PHONE = {"type": "string", "pattern": r"^1[3-9]\d{9}$", "x-hint": "a mobile is 11 digits, 1[3-9]…"}


def _enum(values: Iterable[str]) -> dict:
    return {"type": "string", "enum": list(values)}


_POLICY = _obj({
    "no_reason_return_days": {"type": "integer", "minimum": 0, "maximum": 365},
    "quality_return_days": {"type": "integer", "minimum": 0, "maximum": 365},
    "return_condition": _text(300),
    "no_reason_postage_payer": _enum(POSTAGE_PAYERS),
    "quality_postage_payer": _enum(POSTAGE_PAYERS),
    "freight_insurance": _text(300),
    "refund_days": _text(50),
    "ship_within_hours": {"type": "integer", "minimum": 1, "maximum": 720},
    "cutoff_time": {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "x-hint": "HH:MM"},
    "couriers": _array(_text(30), 1),
    "ship_from": _text(100),
    "free_shipping": _text(300),
    "remote_areas": _text(300),
    "return_address": _text(300),
    "return_recipient": _text(50),
    "return_phone": _text(30),
})  # fmt: skip
_PRODUCT = _obj(
    {"id": _ID, "name": _text(100), "category": _text(50), "gender": _enum(GENDERS),
     "price": _MONEY,
     "size_chart": _array(_obj({"size": _SIZE, "foot_length_mm": {
         "type": "integer", "minimum": 100, "maximum": 350}}), 1),
     "stock": _array(_obj({"color": _text(30), "size": _SIZE, "quantity": _COUNT},
                          {"reserved": _COUNT}))},
    {"aliases": _array(_text(100)), "description": {"type": "string"},
     "material_upper": _text(200), "material_lining": _text(200), "material_sole": _text(200),
     "fit_note": _text(200), "fit_adjust": {"type": "number", "minimum": -2, "maximum": 2,
                                            "multipleOf": 0.5},
     "wide_last": _BOOL, "half_sizes": _BOOL,
     "functions": _array(_obj({"key": _enum(FUNCTION_KEYS), "level": _enum(FUNCTION_LEVELS),
                               "claim": _text(300)}))},
)  # fmt: skip
_PROMOTION = _obj(
    {"id": _ID, "title": _text(100), "kind": _enum(PROMOTION_KINDS),
     "description": _text(300), "starts_on": _DATE, "ends_on": _DATE},
    {"stackable": _BOOL},
)  # fmt: skip
_BUYER = _obj({"id": _ID, "name": _text(50), "phone": _PHONE})
_ORDER = _obj(
    {"id": _ORDER_ID, "buyer_id": _ID, "status": _enum(ORDER_STATUSES), "created_at": _DATETIME,
     "recipient_name": _text(50), "recipient_phone": _text(20, pattern=r"^[0-9+() -]+$"),
     "address": _text(300),
     "items": _array(_obj({"product_id": _ID, "color": _text(30), "size": _SIZE},
                          {"quantity": {"type": "integer", "minimum": 1}, "price": _MONEY}), 1)},
    {"paid_at": _DATETIME, "delivered_at": _DATETIME, "freight_insurance": _BOOL,
     "total": _MONEY,
     "shipments": _array(_obj(
         {"courier": _text(30), "tracking_number": _text(40, pattern=r"^[A-Za-z0-9]+$"),
          "shipped_at": _DATETIME},
         {"expected_on": _DATE,
          "events": _array(_obj({"happened_at": _DATETIME, "location": _text(100),
                                 "description": _text(200)}))}))},
)  # fmt: skip
_RETURN = _obj(
    {"id": _ID, "order_id": _ORDER_ID, "kind": _enum(RETURN_KINDS),
     "reason": _enum(RETURN_REASONS), "status": _enum(RETURN_STATUSES), "created_at": _DATETIME},
    {"item_index": _COUNT, "buyer_words": {"type": "string"},
     "return_tracking_number": _text(40, pattern=r"^[A-Za-z0-9]+$"),
     "exchange_size": _SIZE, "exchange_color": _text(30), "updated_at": _DATETIME},
)  # fmt: skip
SHOP_SCHEMA = _obj(
    {"policy": _POLICY, "products": _array(_PRODUCT, 1), "buyers": _array(_BUYER),
     "orders": _array(_ORDER)},
    {"$comment": {"type": "string"}, "promotions": _array(_PROMOTION),
     "return_requests": _array(_RETURN)},
)  # fmt: skip
_VALIDATOR = Draft7Validator(SHOP_SCHEMA, format_checker=_FORMATS)


def format_path(path: JsonPath) -> str:
    """``("orders", 12, "items", 0)`` -> ``orders[12].items[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def _schema_problem(error: ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    if error.validator == "required":
        match = re.match(r"'(.+?)' is a required property", error.message)
        return (*path, match.group(1) if match else "?"), "missing required field"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return path, "unknown field(s): " + ", ".join(extra)
    if error.validator == "format":
        return path, (f"bad date {error.instance!r}: use ISO-8601 (2026-11-20T10:00:00, "
                      "2026-11-20) or a relative offset (-3d4h, +2d)")  # fmt: skip
    if error.validator == "enum":
        return path, f"{error.instance!r} is not one of: {', '.join(error.validator_value)}"
    if error.validator == "pattern" and "x-hint" in error.schema:
        return path, f"{error.instance!r} is malformed: {error.schema['x-hint']}"
    return path, error.message


def _records(data: dict, section: str) -> list[tuple[int, dict]]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _rows(record: dict, field: str) -> list[tuple[int, dict]]:
    return _records(record, field)


def _guarded(problems: Iterator[Problem]) -> list[Problem]:
    """Collect a record's problems; a malformed record stops its own checks only.

    Its malformed parts are reported by the schema, so nothing is lost.
    """
    found: list[Problem] = []
    with contextlib.suppress(TypeError, ValueError, AttributeError, KeyError):
        found.extend(problems)
    return found


def _duplicates(section: JsonPath, records: list[tuple[int, dict]], key: Any) -> Iterator[Problem]:
    """Report repeated values of ``key`` (a field name or a function of the record)."""
    first: dict[Any, int] = {}
    for index, record in records:
        value = key(record) if callable(key) else record.get(key)
        if value is None:
            continue
        if value in first:
            field = (key,) if isinstance(key, str) else ()
            yield (
                (*section, index, *field),
                (f"duplicate {value!r} (first at {format_path((*section, first[value]))})"),
            )
        else:
            first[value] = index


def _money(path: JsonPath, value: Any) -> Iterator[Problem]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            to_fen(value)
        except ValueError as exc:
            yield path, str(exc)


def _when(record: dict, field: str, now: datetime) -> datetime | None:
    value = record.get(field)
    try:
        return parse_datetime(value, now) if isinstance(value, str) else None
    except ValueError:
        return None


def _scalar(value: Any) -> str | float | None:
    """``value`` if it can be a set member, else ``None`` (a bad type is a schema error)."""
    return value if isinstance(value, str | int | float) else None


def _on(record: dict, field: str, now: datetime) -> date | None:
    value = record.get(field)
    try:
        return parse_date(value, now.date()) if isinstance(value, str) else None
    except ValueError:
        return None


def _check_product(path: JsonPath, product: dict) -> Iterator[Problem]:
    yield from _money((*path, "price"), product.get("price"))
    chart = _rows(product, "size_chart")
    yield from _duplicates((*path, "size_chart"), chart, "size")
    sizes = {row["size"] for _, row in chart}
    has_half = any(size % 1 for size in sizes)
    if product.get("half_sizes") is True and not has_half:
        yield (*path, "half_sizes"), "is true but the size_chart has no half sizes"
    if product.get("half_sizes") is False:
        for index, row in chart:
            if row["size"] % 1:
                yield (*path, "size_chart", index, "size"), "half size but half_sizes is false"
    ordered = sorted(chart, key=lambda item: item[1]["size"])
    for (_, low), (index, high) in itertools.pairwise(ordered):
        if high["foot_length_mm"] <= low["foot_length_mm"]:
            yield (
                (*path, "size_chart", index, "foot_length_mm"),
                (f"must be longer than that of size {low['size']:g} ({low['foot_length_mm']})"),
            )
    stock = _rows(product, "stock")
    yield from _duplicates((*path, "stock"), stock, lambda row: (row["color"], row["size"]))
    for index, row in stock:
        if row["size"] not in sizes:
            yield (*path, "stock", index, "size"), f"size {row['size']:g} is not in the size_chart"
    yield from _duplicates((*path, "functions"), _rows(product, "functions"), "key")


def _check_labels(products: list[tuple[int, dict]]) -> Iterator[Problem]:
    """Names and aliases must point to one product, or the assistant cannot tell them apart."""
    owner: dict[Any, Any] = {}
    for index, product in products:
        labels: list[tuple[JsonPath, Any]] = [(("name",), product.get("name"))]
        labels += [(("aliases", i), alias) for i, alias in enumerate(product.get("aliases") or [])]
        for field, label in labels:
            other = owner.setdefault(label, product.get("id"))
            if isinstance(label, str) and other != product.get("id"):
                yield ("products", index, *field), f"{label!r} is also a name or alias of {other}"


def _check_order(
    path: JsonPath, order: dict, ctx: dict[str, Any], now: datetime
) -> Iterator[Problem]:
    if order.get("buyer_id") not in ctx["buyers"]:
        yield (*path, "buyer_id"), f"unknown buyer {order.get('buyer_id')!r}"
    for index, item in _rows(order, "items"):
        at = (*path, "items", index)
        product = ctx["products"].get(item.get("product_id"))
        yield from _money((*at, "price"), item.get("price"))
        if product is None:
            yield (*at, "product_id"), f"unknown product {item.get('product_id')!r}"
            continue
        colours, sizes = product
        if item.get("color") not in colours:
            known = ", ".join(sorted(colours))
            yield (
                (*at, "color"),
                (f"product {item['product_id']} has no colour {item.get('color')!r} (has {known})"),
            )
        if isinstance(item.get("size"), int | float) and item["size"] not in sizes:
            yield (*at, "size"), f"product {item['product_id']} has no size {item['size']:g}"
    yield from _money((*path, "total"), order.get("total"))
    status, shipments = order.get("status"), _rows(order, "shipments")
    created, paid = _when(order, "created_at", now), _when(order, "paid_at", now)
    delivered = _when(order, "delivered_at", now)
    if shipments and status not in SHIPPED_STATUSES:
        yield (*path, "shipments"), f"an order with status {status!r} cannot have shipments"
    if status in SHIPPED_STATUSES and not shipments:
        yield (*path, "shipments"), f"status {status!r} needs at least one shipment"
    if status in DELIVERED_STATUSES and "delivered_at" not in order:
        yield (*path, "delivered_at"), f"missing: required when status is {status!r}"
    if status not in DELIVERED_STATUSES and "delivered_at" in order:
        yield (*path, "delivered_at"), f"an order with status {status!r} is not delivered"
    if status in PAID_STATUSES and "paid_at" not in order:
        yield (*path, "paid_at"), f"missing: required when status is {status!r}"
    if status == "pending_payment" and "paid_at" in order:
        yield (*path, "paid_at"), "an order pending payment has no paid_at"
    for field, when in (("created_at", created), ("paid_at", paid), ("delivered_at", delivered)):
        if when and when > now:
            yield (*path, field), "is in the future"
    if created and paid and paid < created:
        yield (*path, "paid_at"), "is before created_at"
    for index, shipment in shipments:
        at = (*path, "shipments", index)
        shipped = _when(shipment, "shipped_at", now)
        if shipment.get("courier") not in ctx["couriers"]:
            yield (*at, "courier"), f"{shipment.get('courier')!r} is not in policy.couriers"
        if shipped and (shipped < (paid or created or shipped) or shipped > now):
            yield (*at, "shipped_at"), "must be after paid_at and not in the future"
        if shipped and delivered and delivered < shipped:
            yield (*path, "delivered_at"), "is before the shipment's shipped_at"
        for event_index, event in _rows(shipment, "events"):
            happened = _when(event, "happened_at", now)
            if happened and happened > now:
                yield (*at, "events", event_index, "happened_at"), "is in the future"


def _check_return(
    path: JsonPath, request: dict, ctx: dict[str, Any], now: datetime
) -> Iterator[Problem]:
    order = ctx["orders"].get(request.get("order_id"))
    if order is None:
        yield (*path, "order_id"), f"unknown order {request.get('order_id')!r}"
        return
    if order.get("status") not in DELIVERED_STATUSES:
        yield (*path, "order_id"), f"order status is {order.get('status')!r}: only delivered " \
                                   "or completed orders can be returned"  # fmt: skip
    items = order.get("items") or []
    index = request.get("item_index", 0)
    if isinstance(index, int) and index >= len(items):
        yield (*path, "item_index"), f"order {request['order_id']} has {len(items)} item(s)"
        return
    kind, status = request.get("kind"), request.get("status")
    exchange_fields = [f for f in ("exchange_size", "exchange_color") if f in request]
    if kind == "exchange" and not exchange_fields:
        yield path, "an exchange needs exchange_size and/or exchange_color"
    if kind == "return" and exchange_fields:
        yield (*path, exchange_fields[0]), "only an exchange has exchange_size/exchange_color"
    if (kind, status) in (("return", "exchanged"), ("exchange", "refunded")):
        yield (*path, "status"), f"a {kind} cannot be {status!r}"
    if status in PARCEL_SENT_STATUSES and not request.get("return_tracking_number"):
        yield (*path, "return_tracking_number"), f"missing: required when status is {status!r}"
    product = (
        ctx["products"].get(items[index].get("product_id")) if isinstance(index, int) else None
    )
    if product and "exchange_size" in request and request["exchange_size"] not in product[1]:
        yield (*path, "exchange_size"), f"product has no size {request['exchange_size']:g}"
    if product and "exchange_color" in request and request["exchange_color"] not in product[0]:
        yield (*path, "exchange_color"), f"product has no colour {request['exchange_color']!r}"
    created, updated = _when(request, "created_at", now), _when(request, "updated_at", now)
    delivered = _when(order, "delivered_at", now)
    if created and delivered and created < delivered:
        yield (*path, "created_at"), "is before the order was delivered"
    if created and created > now:
        yield (*path, "created_at"), "is in the future"
    if created and updated and not created <= updated <= now:
        yield (*path, "updated_at"), "must be between created_at and now"


def _cross_checks(data: dict, now: datetime) -> list[Problem]:
    """Uniqueness, references and status rules that a JSON schema cannot express."""
    products, buyers = _records(data, "products"), _records(data, "buyers")
    orders, returns = _records(data, "orders"), _records(data, "return_requests")
    promotions = _records(data, "promotions")
    problems: list[Problem] = []
    for section, records in (("products", products), ("buyers", buyers), ("orders", orders),
                             ("promotions", promotions), ("return_requests", returns)):  # fmt: skip
        problems += _guarded(_duplicates((section,), records, "id"))
    problems += _guarded(_duplicates(("products",), products, "name"))
    problems += _guarded(_duplicates(("buyers",), buyers, "phone"))
    problems += _guarded(_check_labels(products))
    for index, product in products:
        problems += _guarded(_check_product(("products", index), product))
    for index, promotion in promotions:
        starts, ends = _on(promotion, "starts_on", now), _on(promotion, "ends_on", now)
        if starts and ends and ends < starts:
            problems.append((("promotions", index, "ends_on"), "is before starts_on"))
    policy = data["policy"] if isinstance(data.get("policy"), dict) else {}
    couriers = policy.get("couriers")
    ctx: dict[str, Any] = {
        "buyers": {_scalar(buyer.get("id")) for _, buyer in buyers},
        "products": {
            _scalar(product.get("id")): (
                {_scalar(row.get("color")) for _, row in _rows(product, "stock")},
                {_scalar(row.get("size")) for _, row in _rows(product, "size_chart")},
            )
            for _, product in products
            if _scalar(product.get("id")) is not None
        },
        "orders": {
            order["id"]: order for _, order in orders if _scalar(order.get("id")) is not None
        },
        "couriers": {_scalar(c) for c in couriers} if isinstance(couriers, list) else set(),
    }
    for index, order in orders:
        problems += _guarded(_check_order(("orders", index), order, ctx, now))
    for index, request in returns:
        problems += _guarded(_check_return(("return_requests", index), request, ctx, now))
    return problems


def _sort_key(problem: Problem) -> tuple:
    path = problem[0]
    section = _SECTIONS.index(path[0]) if path and path[0] in _SECTIONS else -1
    return (section, [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in path])


def validate_shop(data: Any, *, now: datetime | None = None) -> list[str]:
    """Check a whole shop file; return every problem as ``position: message``.

    Args:
        data: The parsed JSON file.
        now: The import time that relative dates count from (default: now, local time).

    Returns:
        The problems, in file order; empty when the file can be imported.
    """
    problems = [_schema_problem(error) for error in _VALIDATOR.iter_errors(data)]
    if isinstance(data, dict):
        problems += _cross_checks(data, now or local_now())
    unique = sorted(set(problems), key=_sort_key)
    return [f"{format_path(path)}: {message}" for path, message in unique]

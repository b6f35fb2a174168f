"""The rules of a shop file that a JSON schema cannot express.

Uniqueness (ids, names, aliases, phones), references between records (an order's
buyer and products, a return's order and item, a review's order), and the rules of
statuses, dates and money. A malformed record stops its own checks only: its
malformed parts are reported by the schema (``shop/db/shop_file.py``).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from shop.db.values import (
    DELIVERED_STATUSES,
    PAID_STATUSES,
    PARCEL_SENT_STATUSES,
    SHIPPED_STATUSES,
    JsonPath,
    Problem,
    format_path,
    parse_date,
    parse_datetime,
    to_fen,
)


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


def _check_review(
    path: JsonPath, review: dict, ctx: dict[str, Any], now: datetime
) -> Iterator[Problem]:
    """A review's product, size, date and (in a whole shop file) its order must agree."""
    product = ctx["products"].get(review.get("product_id"))
    if product is None:
        if not ctx["catalogue"]:  # --update: it may be a product of the database
            yield (*path, "product_id"), f"unknown product {review.get('product_id')!r}"
        return
    if isinstance(review.get("size"), int | float) and review["size"] not in product[1]:
        yield (*path, "size"), f"product {review['product_id']} has no size {review['size']:g}"
    reviewed = _when(review, "reviewed_at", now)
    if reviewed and reviewed > now:
        yield (*path, "reviewed_at"), "is in the future"
    if "order_id" not in review or ctx["catalogue"]:
        return  # --update checks an order link against the database (catalogue.py)
    order = ctx["orders"].get(review["order_id"])
    if order is None:
        yield (*path, "order_id"), f"unknown order {review['order_id']!r}"
        return
    if order.get("status") not in DELIVERED_STATUSES:
        yield (*path, "order_id"), f"order status is {order.get('status')!r}: only a " \
                                   "delivered or completed order can be reviewed"  # fmt: skip
    if review["product_id"] not in {item.get("product_id") for _, item in _rows(order, "items")}:
        yield (*path, "product_id"), f"order {review['order_id']} has no {review['product_id']}"
    delivered = _when(order, "delivered_at", now)
    if reviewed and delivered and reviewed < delivered:
        yield (*path, "reviewed_at"), "is before the order was delivered"


def cross_checks(data: dict, now: datetime) -> list[Problem]:
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
    if "price_protection_rule" in policy and not policy.get("price_protection_days"):
        problems.append((
            ("policy", "price_protection_days"),
            "missing or 0 but price_protection_rule is given: how many days after payment?",
        ))  # fmt: skip
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
        "catalogue": "orders" not in data,
    }
    for index, order in orders:
        problems += _guarded(_check_order(("orders", index), order, ctx, now))
    for index, request in returns:
        problems += _guarded(_check_return(("return_requests", index), request, ctx, now))
    for index, review in _records(data, "reviews"):
        problems += _guarded(_check_review(("reviews", index), review, ctx, now))
    return problems

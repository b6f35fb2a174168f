"""Import a shop (catalogue, policy, promotions, buyers, orders, returns, reviews) from one
JSON file.

``python -m shop.db.importer FILE.json [--replace | --if-empty | --update]
[--database-url URL]``. The whole file is validated first; on any problem every bad
record is printed with its JSON position and nothing is written (exit 1). Otherwise
the database is migrated and everything is loaded in one transaction. ``--replace``
keeps the rows about conversations and relinks them (``shop/db/runtime_rows.py``);
``--update`` refreshes only the catalogue, stock, promotions and policy
(``shop/db/catalogue.py``). Format: ``docs/shop-data.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shop.clock import local_now
from shop.config import settings
from shop.db import runtime_rows
from shop.db.migrate import upgrade_database
from shop.db.models import (
    Buyer,
    Order,
    OrderItem,
    Product,
    ProductFunction,
    ProductReview,
    Promotion,
    ReturnRequest,
    ReturnStatusChange,
    Shipment,
    ShopEvent,
    ShopPolicy,
    SizeChartRow,
    StockItem,
    TrackingEvent,
)
from shop.db.records import (
    ShopDataError,
    optional_datetime,
    product_from_record,
    review_from_record,
)
from shop.db.session import get_engine, session_scope
from shop.db.shop_file import validate_shop
from shop.db.values import format_path, parse_date, parse_datetime, to_fen

__all__ = ["ShopDataError", "has_shop", "load_shop", "main", "validate_shop", "wipe_shop"]

# Children before parents, so deleting in this order never breaks a foreign key. Rows
# about conversations that point here are kept and relinked (shop/db/runtime_rows.py).
SHOP_TABLES = (
    ShopEvent, ReturnStatusChange, ProductReview,
    TrackingEvent, ReturnRequest, Shipment, OrderItem, Order, Buyer,
    StockItem, SizeChartRow, ProductFunction, Product, Promotion, ShopPolicy,
)  # fmt: skip


def _shop_table_names() -> set[str]:
    return {model.__tablename__ for model in SHOP_TABLES}


def wipe_shop(*, session: Session) -> runtime_rows.RuntimeRows:
    """Delete every shop row (in the caller's transaction), children first.

    Rows about conversations (photos, escalations, ratings, complaints, delivery
    cases) are unlinked or set aside first, never deleted with the shop; hand the
    result to ``runtime_rows.restore`` once the new shop is in (``load_shop`` does).
    """
    kept = runtime_rows.set_aside(_shop_table_names(), session=session)
    for model in SHOP_TABLES:
        session.execute(delete(model))
    return kept


def find_conflicts(data: dict, *, session: Session) -> list[str]:
    """Records of ``data`` whose ids (or product names) already exist in the database."""
    conflicts: list[str] = []
    if session.execute(select(ShopPolicy.id).limit(1)).first() is not None:
        conflicts.append("policy: the database already has a shop policy")
    checks = (
        ("promotions", "id", Promotion.id), ("products", "id", Product.id),
        ("products", "name", Product.name), ("buyers", "id", Buyer.id),
        ("orders", "id", Order.id), ("return_requests", "id", ReturnRequest.id),
    )  # fmt: skip
    if data.get("reviews") and session.execute(select(ProductReview.id).limit(1)).first():
        conflicts.append("reviews: the database already has reviews")
    for section, field, column in checks:
        wanted = {record[field]: index for index, record in enumerate(data.get(section, []))}
        if not wanted:
            continue
        existing = session.execute(select(column).where(column.in_(list(wanted)))).scalars()
        for value in sorted(existing, key=lambda value: wanted[value]):
            position = format_path((section, wanted[value], field))
            conflicts.append(f"{position}: {value!r} already exists in the database")
    return conflicts


def _order(record: dict, prices: dict[str, int], now: datetime) -> Order:
    items = [
        OrderItem(
            product_id=row["product_id"],
            color=row["color"],
            size=float(row["size"]),
            quantity=row.get("quantity", 1),
            price_fen=to_fen(row["price"]) if "price" in row else prices[row["product_id"]],
        )
        for row in record["items"]
    ]
    shipments = [
        Shipment(
            courier=row["courier"],
            tracking_number=row["tracking_number"],
            shipped_at=parse_datetime(row["shipped_at"], now),
            expected_on=parse_date(row["expected_on"], now.date())
            if "expected_on" in row
            else None,
            events=[
                TrackingEvent(
                    happened_at=parse_datetime(event["happened_at"], now),
                    location=event["location"],
                    description=event["description"],
                )
                for event in row.get("events", [])
            ],
        )
        for row in record.get("shipments", [])
    ]
    total = sum(item.price_fen * item.quantity for item in items)
    return Order(
        id=record["id"],
        buyer_id=record["buyer_id"],
        status=record["status"],
        created_at=parse_datetime(record["created_at"], now),
        paid_at=optional_datetime(record, "paid_at", now),
        delivered_at=optional_datetime(record, "delivered_at", now),
        recipient_name=record["recipient_name"],
        recipient_phone=record["recipient_phone"],
        address=record["address"],
        freight_insurance=record.get("freight_insurance", False),
        total_fen=to_fen(record["total"]) if "total" in record else total,
        items=items,
        shipments=shipments,
    )


def _return_request(record: dict, orders: dict[str, Order], now: datetime) -> ReturnRequest:
    order = orders[record["order_id"]]
    created = parse_datetime(record["created_at"], now)
    exchange_size = record.get("exchange_size")
    return ReturnRequest(
        id=record["id"],
        order=order,
        item=order.items[record.get("item_index", 0)],
        kind=record["kind"],
        reason=record["reason"],
        status=record["status"],
        buyer_words=record.get("buyer_words", ""),
        return_tracking_number=record.get("return_tracking_number"),
        exchange_size=float(exchange_size) if exchange_size is not None else None,
        exchange_color=record.get("exchange_color"),
        shop_note=record.get("shop_note"),  # why it was rejected, told to the buyer
        created_at=created,
        updated_at=optional_datetime(record, "updated_at", now) or created,
    )


def load_shop(
    data: dict, *, session: Session, replace: bool = False, now: datetime | None = None
) -> dict[str, int]:
    """Validate ``data`` and add the whole shop to ``session`` (flushed, not committed).

    The caller owns the transaction (``session_scope`` commits or rolls back),
    so a failure leaves the database as it was.

    Args:
        data: The parsed shop file.
        session: The session to write with.
        replace: Delete the existing shop first; otherwise existing ids are conflicts.
            Rows about conversations are kept and relinked (``shop/db/runtime_rows.py``).
        now: The import time that relative dates count from (default: now, local time).

    Returns:
        The number of rows added per kind of record.

    Raises:
        ShopDataError: The file is invalid or its ids already exist.
    """
    now = now or local_now()
    errors = validate_shop(data, now=now)
    if errors:
        raise ShopDataError(errors)
    kept = None
    if replace:
        kept = wipe_shop(session=session)
    else:
        conflicts = find_conflicts(data, session=session)
        if conflicts:
            raise ShopDataError(conflicts)
    policy = ShopPolicy(id=1, **data["policy"])
    promotions = [
        Promotion(
            id=row["id"],
            title=row["title"],
            kind=row["kind"],
            description=row["description"],
            starts_on=parse_date(row["starts_on"], now.date()),
            ends_on=parse_date(row["ends_on"], now.date()),
            stackable=row.get("stackable", False),
        )
        for row in data.get("promotions", [])
    ]
    products = [product_from_record(row, now) for row in data["products"]]
    prices = {product.id: product.price_fen for product in products}
    buyers = [Buyer(id=row["id"], name=row["name"], phone=row["phone"]) for row in data["buyers"]]
    orders = [_order(row, prices, now) for row in data["orders"]]
    by_id = {order.id: order for order in orders}
    returns = [_return_request(row, by_id, now) for row in data.get("return_requests", [])]
    order_buyers = {order.id: order.buyer_id for order in orders}
    reviews = [review_from_record(row, order_buyers, now) for row in data.get("reviews", [])]
    session.add_all([policy, *promotions, *products, *buyers, *orders, *returns, *reviews])
    session.flush()
    if kept is not None:
        runtime_rows.restore(kept, _shop_table_names(), session=session)
    return {
        "policy": 1,
        "promotions": len(promotions),
        "products": len(products),
        "product_functions": sum(len(product.functions) for product in products),
        "size_chart_rows": sum(len(product.size_chart) for product in products),
        "stock_items": sum(len(product.stock) for product in products),
        "buyers": len(buyers),
        "orders": len(orders),
        "order_items": sum(len(order.items) for order in orders),
        "shipments": sum(len(order.shipments) for order in orders),
        "tracking_events": sum(len(s.events) for order in orders for s in order.shipments),
        "return_requests": len(returns),
        "reviews": len(reviews),
    }


def read_shop_file(path: Path) -> Any:
    """Parse the JSON file at ``path``.

    Raises:
        ShopDataError: The file is missing or not valid JSON (with line and column).
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ShopDataError([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise ShopDataError([f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"]) from exc
    except UnicodeDecodeError as exc:
        raise ShopDataError([f"{path}: not UTF-8 text: {exc.reason}"]) from exc


def _fail(errors: Sequence[str], what: str) -> int:
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(errors)} {what}; nothing was imported.", file=sys.stderr)
    return 1


def has_shop(*, session: Session) -> bool:
    """Whether the database already holds a shop (a policy or any product)."""
    return any(
        session.execute(select(column).limit(1)).first() is not None
        for column in (ShopPolicy.id, Product.id)
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import command; return the process exit code (0 done or skipped, 1 refused)."""
    parser = argparse.ArgumentParser(
        prog="python -m shop.db.importer",
        description="Validate a shop JSON file and load it into the shop database.",
    )
    parser.add_argument("file", type=Path, help="the shop file, e.g. seed/demo_shop.json")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--replace", action="store_true", help="wipe the shop first (same transaction)"
    )
    mode.add_argument("--if-empty", action="store_true", help="skip if the database holds a shop")
    mode.add_argument(
        "--update",
        action="store_true",
        help="upsert the catalogue, stock, promotions and policy only (a catalogue file)",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL or sqlite:///var/shop.db")
    args = parser.parse_args(argv)
    url = args.database_url or settings.database_url
    shown = make_url(url).render_as_string(hide_password=True)
    now = local_now()
    try:
        data = read_shop_file(args.file)
    except ShopDataError as exc:
        return _fail(exc.errors, "error(s)")
    from shop.db.catalogue import update_catalogue, validate_catalogue

    errors = (validate_catalogue if args.update else validate_shop)(data, now=now)
    if errors:
        return _fail(errors, "problem(s) in the file")
    try:
        upgrade_database(url)
        with session_scope(get_engine(url)) as session:
            if args.if_empty and has_shop(session=session):
                print(f"{shown} already holds a shop; nothing imported (--if-empty).")
                return 0
            if args.update:
                counts = update_catalogue(data, session=session, now=now)
            else:
                counts = load_shop(data, session=session, replace=args.replace, now=now)
    except ShopDataError as exc:
        hint = "" if args.update else " (--replace wipes the shop first)"
        return _fail(exc.errors, f"conflict(s) with the database{hint}")
    except SQLAlchemyError as exc:
        return _fail([f"database error: {exc}"], "error(s)")
    how = " (replaced)" if args.replace else " (updated)" if args.update else ""
    print(f"Imported {args.file} into {shown}{how}:")
    for name, count in counts.items():
        print(f"  {name:<18} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

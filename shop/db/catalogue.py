"""``--update``: refresh a live shop's catalogue, stock, promotions and policy from a file.

A shop may run it as often as it likes, e.g. daily from its own product system:
``python -m shop.db.importer catalogue.json --update``. The file holds the shop
format's ``products`` (required), ``policy`` and ``promotions`` (optional); it is
validated whole first (``validate_catalogue``) and then applied in one transaction.
Buyers, orders, parcels, return requests and everything about conversations are
never touched. The rules (also in ``docs/shop-data.md``):

* **products**, by id: a new one is added; an existing one takes the file's fields,
  functions and size chart. One the file does not list stays as it is (orders
  refer to it) and is counted as ``products_not_in_file``.
* **stock**, by colour and size: ``quantity`` and ``restock_on`` from the file,
  ``reserved`` too when the file gives it, else the database's (pairs the assistant
  reserved for exchanges). A row the file does not list is removed, unless it holds
  reservations: then it stays, with quantity 0.
* **policy**: the file's replaces the database's (the file must have one when the
  database has none).
* **promotions**: when the file has the key, it is the complete list.
* **reviews**: when the file has the key, it is the complete list of the shop's
  imported reviews (those given in chats stay); a review's product must be in the
  file or the database, its ``order_id`` (optional) an order of the database with
  that product.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from shop.clock import local_now
from shop.db.base import Base
from shop.db.models import Order, OrderItem, Product, ProductReview, Promotion, ShopPolicy
from shop.db.records import ShopDataError, product_from_record, review_from_record
from shop.db.shop_file import validate_catalogue
from shop.db.values import format_path, parse_date

__all__ = ["update_catalogue", "validate_catalogue"]


def _copy_columns(target: Base, source: Base, *, skip: tuple[str, ...] = ()) -> None:
    """Sets ``target``'s column values to ``source``'s (not keys, links or ``skip``).

    A value ``source`` left unset takes the column's scalar default, as an insert would.
    """
    for column in type(target).__table__.columns:
        if column.primary_key or column.foreign_keys or column.key in skip:
            continue
        value = getattr(source, column.key)
        if value is None and column.default is not None and column.default.is_scalar:
            value = column.default.arg
        setattr(target, column.key, value)


def _copy(source: Base, **links: Any) -> Base:
    """A new row of ``source``'s kind with its column values (for another parent)."""
    row = type(source)(**links)
    _copy_columns(row, source)
    return row


def _label_conflicts(data: dict, others: list[Product]) -> list[str]:
    """Names and aliases the file gives that belong to a product it does not list."""
    owner = {label: product.id for product in others for label in [product.name, *product.aliases]}
    problems = []
    for index, record in enumerate(data["products"]):
        labels: list[tuple[tuple[str | int, ...], str]] = [(("name",), record["name"])]
        labels += [(("aliases", i), alias) for i, alias in enumerate(record.get("aliases", []))]
        for field, label in labels:
            if label in owner:
                position = format_path(("products", index, *field))
                problems.append(f"{position}: {label!r} is a name or alias of {owner[label]}")
    return problems


def _update_product(product: Product, fresh: Product, record: dict) -> None:
    _copy_columns(product, fresh)
    functions = {row.key: row for row in product.functions}
    for row in fresh.functions:
        if row.key in functions:
            _copy_columns(functions.pop(row.key), row)
        else:
            product.functions.append(_copy(row))
    for row in functions.values():
        product.functions.remove(row)
    chart = {row.size: row for row in product.size_chart}
    for row in fresh.size_chart:
        if row.size in chart:
            _copy_columns(chart.pop(row.size), row)
        else:
            product.size_chart.append(_copy(row))
    for row in chart.values():
        product.size_chart.remove(row)
    given = {(row["color"], float(row["size"])): row for row in record["stock"]}
    stock = {(row.color, row.size): row for row in product.stock}
    for row in fresh.stock:
        key = (row.color, row.size)
        if key not in stock:
            product.stock.append(_copy(row))
            continue
        skip = () if "reserved" in given[key] else ("reserved",)
        _copy_columns(stock.pop(key), row, skip=skip)
    for row in stock.values():
        if row.reserved:  # an exchange holds a pair: keep the row, sold out
            row.quantity, row.restock_on = 0, None
        else:
            product.stock.remove(row)


def _update_policy(data: dict, session: Session) -> int:
    policy = session.get(ShopPolicy, 1)
    if "policy" not in data:
        if policy is None:
            raise ShopDataError(["policy: the database has no shop policy; the file must give one"])
        return 0
    fresh = ShopPolicy(id=1, **data["policy"])
    if policy is None:
        session.add(fresh)
    else:
        _copy_columns(policy, fresh)
    return 1


def _update_promotions(data: dict, now: datetime, session: Session) -> int:
    if "promotions" not in data:
        return 0
    rows = data["promotions"]
    session.execute(delete(Promotion).where(Promotion.id.not_in([row["id"] for row in rows])))
    for row in rows:
        promotion = session.get(Promotion, row["id"]) or Promotion(id=row["id"])
        promotion.title, promotion.kind = row["title"], row["kind"]
        promotion.description = row["description"]
        promotion.starts_on = parse_date(row["starts_on"], now.date())
        promotion.ends_on = parse_date(row["ends_on"], now.date())
        promotion.stackable = row.get("stackable", False)
        session.add(promotion)
    return len(rows)


def _review_problems(data: dict, known_products: set[str], session: Session) -> list[str]:
    """Reviews naming a product or order the database (after the update) does not have."""
    reviews = data.get("reviews") or []
    wanted = {row["order_id"] for row in reviews if "order_id" in row}
    items = session.execute(
        select(OrderItem.order_id, OrderItem.product_id).where(OrderItem.order_id.in_(wanted))
    ).all()
    orders: dict[str, set[str]] = {}
    for order_id, product_id in items:
        orders.setdefault(order_id, set()).add(product_id)
    problems = []
    for index, row in enumerate(reviews):
        if row["product_id"] not in known_products:
            position = format_path(("reviews", index, "product_id"))
            problems.append(f"{position}: unknown product {row['product_id']!r}")
        elif "order_id" in row and row["product_id"] not in orders.get(row["order_id"], set()):
            position = format_path(("reviews", index, "order_id"))
            problems.append(
                f"{position}: no order {row['order_id']!r} with {row['product_id']} in the database"
            )
    return problems


def _update_reviews(data: dict, now: datetime, session: Session) -> int:
    """The file's reviews replace the imported ones (reviews given in chats stay)."""
    if "reviews" not in data:
        return 0
    rows = data["reviews"]
    wanted = [row["order_id"] for row in rows if "order_id" in row]
    buyers = dict(
        session.execute(select(Order.id, Order.buyer_id).where(Order.id.in_(wanted))).all()
    )
    session.execute(delete(ProductReview).where(ProductReview.source == "import"))
    session.add_all([review_from_record(row, buyers, now) for row in rows])
    return len(rows)


def update_catalogue(
    data: dict, *, session: Session, now: datetime | None = None
) -> dict[str, int]:
    """Validate a catalogue and upsert it into ``session`` (flushed, not committed).

    Args:
        data: The parsed catalogue file.
        session: The session to write with; the caller commits or rolls back.
        now: The time relative dates count from (default: now, local time).

    Returns:
        Counts: policy, promotions, reviews, products added / updated / not in the
        file, stock rows in the file.

    Raises:
        ShopDataError: The file is invalid or a name belongs to another product.
    """
    now = now or local_now()
    errors = validate_catalogue(data, now=now)
    if errors:
        raise ShopDataError(errors)
    products = {
        product.id: product
        for product in session.execute(
            select(Product).options(
                selectinload(Product.functions),
                selectinload(Product.size_chart),
                selectinload(Product.stock),
            )
        ).scalars()
    }
    listed = {record["id"] for record in data["products"]}
    conflicts = _label_conflicts(data, [p for p in products.values() if p.id not in listed])
    if conflicts:
        raise ShopDataError(conflicts)
    problems = _review_problems(data, set(products) | listed, session)
    if problems:
        raise ShopDataError(problems)
    counts = {"policy": _update_policy(data, session)}
    counts["promotions"] = _update_promotions(data, now, session)
    added = updated = 0
    for record in data["products"]:
        fresh = product_from_record(record, now)
        if record["id"] in products:
            _update_product(products[record["id"]], fresh, record)
            updated += 1
        else:
            session.add(fresh)
            added += 1
    session.flush()
    counts["reviews"] = _update_reviews(data, now, session)
    session.flush()
    counts |= {
        "products_added": added,
        "products_updated": updated,
        "products_not_in_file": len(set(products) - listed),
        "stock_items": sum(len(record["stock"]) for record in data["products"]),
    }
    return counts

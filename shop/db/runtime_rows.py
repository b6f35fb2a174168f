"""``--replace`` on a live shop: the rows the shop file does not hold survive it.

A shop file replaces the shop's own state: catalogue, policy, promotions, buyers,
orders, parcels and return requests (``SHOP_TABLES`` in ``shop/db/importer.py``,
deleted children first), together with what only describes that state, the history
of return statuses and the shop-event notices (:data:`REMOVED`). What the running
assistant recorded about conversations, which stay in the tracker store, is kept,
in the import's one transaction:

* :data:`RELINKED` (photos, escalations, ratings, complaints): their links to shop
  rows are cleared before the old rows are deleted, and restored by id once the new
  ones are in (``buyer-B005``'s escalation points at buyer ``B005`` again); a link
  whose id the new file lacks stays empty.
* :data:`REINSERTED` (delivery cases, which need their order): set aside and put
  back when the new file has their order, else dropped.
* :data:`MADE_IN_CHATS` (reviews buyers gave the assistant): rows of a shop table
  (``product_reviews``) that the file does not hold. Set aside and put back, with new
  ids, when the new file has their product; a link to an order or buyer the new file
  lacks is cleared. The reviews that came from the old file go with the shop.

So a re-import never fails on a foreign key, whatever the conversations left behind.
``tests/db/test_db_live_import.py`` checks that every table pointing at a shop
table is in one of these groups, so a new kind of runtime row cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from shop.db.models import (
    Complaint,
    ConversationRating,
    DeliveryCase,
    Escalation,
    Photo,
    ProductReview,
    ReturnStatusChange,
    ShopEvent,
)

REMOVED = (ShopEvent, ReturnStatusChange)
RELINKED = (Photo, Escalation, ConversationRating, Complaint)
REINSERTED = (DeliveryCase,)
MADE_IN_CHATS = ((ProductReview, ProductReview.source == "chat"),)
_CHUNK = 500  # ids per IN (...): far below SQLite's and PostgreSQL's parameter limits


@dataclass
class _Links:
    """One column's links set aside: ``(primary key, referenced id)`` pairs."""

    table: Table
    key: Column
    column: Column
    parent: Column
    pairs: list[tuple[Any, Any]]


@dataclass
class RuntimeRows:
    """What :func:`set_aside` took out of the way, for :func:`restore`."""

    links: list[_Links] = field(default_factory=list)
    rows: list[tuple[Table, list[dict[str, Any]]]] = field(default_factory=list)
    made: list[tuple[Table, list[dict[str, Any]]]] = field(default_factory=list)


def _shop_links(table: Table, shop_tables: set[str]) -> Iterator[tuple[Column, Column]]:
    """``(column, referenced column)`` of each of ``table``'s links into the shop tables."""
    for column in table.columns:
        for foreign_key in column.foreign_keys:
            if foreign_key.column.table.name in shop_tables:
                yield column, foreign_key.column


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _present(parent: Column, ids: Iterable[Any], session: Session) -> set[Any]:
    """Which of ``ids`` exist in ``parent``'s column now."""
    found: set[Any] = set()
    for chunk in _chunks(sorted(set(ids))):
        found.update(session.execute(select(parent).where(parent.in_(chunk))).scalars())
    return found


def set_aside(shop_tables: set[str], *, session: Session) -> RuntimeRows:
    """Unlinks the kept runtime rows from the shop tables (in the caller's transaction)."""
    kept = RuntimeRows()
    for model in RELINKED:
        table: Table = model.__table__
        (key,) = table.primary_key.columns
        for column, parent in _shop_links(table, shop_tables):
            pairs = session.execute(select(key, column).where(column.is_not(None))).all()
            if pairs:
                kept.links.append(_Links(table, key, column, parent, [tuple(p) for p in pairs]))
                session.execute(
                    update(table).where(column.is_not(None)).values({column.name: None})
                )
    for model in REINSERTED:
        table = model.__table__
        rows = [dict(row._mapping) for row in session.execute(select(table))]
        if rows:
            kept.rows.append((table, rows))
            session.execute(delete(table))
    for model, made_in_chat in MADE_IN_CHATS:
        table = model.__table__
        keys = {column.name for column in table.primary_key.columns}
        rows = [
            {k: v for k, v in row._mapping.items() if k not in keys}
            for row in session.execute(select(table).where(made_in_chat))
        ]
        if rows:  # the shop's wipe deletes the table's rows
            kept.made.append((table, rows))
    return kept


def restore(kept: RuntimeRows, shop_tables: set[str], *, session: Session) -> dict[str, int]:
    """Relinks and puts back what :func:`set_aside` took, where the new shop has the ids.

    Returns:
        How many links were restored per ``table.column`` (``photos.return_id``…) and
        how many rows were put back per table (``delivery_cases``).
    """
    counts: dict[str, int] = {}
    for links in kept.links:
        present = _present(links.parent, (value for _, value in links.pairs), session)
        again = [{"_key": key, "_id": value} for key, value in links.pairs if value in present]
        if again:
            statement = (
                update(links.table)
                .where(links.key == bindparam("_key"))
                .values({links.column.name: bindparam("_id")})
            )
            session.execute(statement, again)
        counts[f"{links.table.name}.{links.column.name}"] = len(again)
    for table, rows in kept.rows:
        keep = rows
        for column, parent in _shop_links(table, shop_tables):
            present = _present(parent, (row[column.name] for row in keep), session)
            keep = [row for row in keep if row[column.name] in present | {None}]
        if keep:
            session.execute(insert(table), keep)
        counts[table.name] = len(keep)
    for table, rows in kept.made:
        keep = rows
        for column, parent in _shop_links(table, shop_tables):
            present = _present(parent, (row[column.name] for row in keep), session) | {None}
            if column.nullable:
                keep = [row if row[column.name] in present else {**row, column.name: None}
                        for row in keep]  # fmt: skip
            else:
                keep = [row for row in keep if row[column.name] in present]
        if keep:
            session.execute(insert(table), keep)
        counts[table.name] = len(keep)
    return counts

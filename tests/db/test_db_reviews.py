"""Reviews in the shop data: validation with positions, import, ``--update``
(the file's reviews replace the imported ones), ``--replace`` (reviews given in chats
survive), on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from shop.db.catalogue import update_catalogue
from shop.db.importer import ShopDataError, load_shop
from shop.db.migrate import upgrade_database
from shop.db.models import ProductReview
from shop.db.session import get_engine, session_scope
from shop.db.shop_file import validate_catalogue, validate_shop

NOW = datetime(2026, 11, 20, 15, 0, 0)
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
COMPLETED = "2026101794569025"  # B001's completed 经典小白板鞋 42 (P006)
PAID = "2026101994084208"  # B002's paid order: not delivered


def _review(**fields: Any) -> dict[str, Any]:
    return {"product_id": "P006", "rating": 4, "text": "好穿", "buyer": "李**",
            "reviewed_at": "-2d", **fields}  # fmt: skip


def test_the_demo_reviews_are_valid_and_varied(demo_data: dict[str, Any]) -> None:
    reviews = demo_data["reviews"]
    assert validate_shop(demo_data, now=NOW) == []
    assert {r["rating"] for r in reviews} == {1, 2, 3, 4, 5}
    reviewed = {r["product_id"] for r in reviews}
    assert {p["id"] for p in demo_data["products"]} - reviewed  # some shoes have none
    assert any("order_id" in r for r in reviews) and any("order_id" not in r for r in reviews)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"product_id": "P999"}, "reviews[0].product_id: unknown product 'P999'"),
        ({"rating": 6}, "reviews[0].rating: 6 is greater than the maximum of 5"),
        ({"rating": 0}, "reviews[0].rating: 0 is less than the minimum of 1"),
        ({"fit": "tight"}, "reviews[0].fit: 'tight' is not one of: small, true, large"),
        ({"size": 33}, "reviews[0].size: product P006 has no size 33"),
        ({"reviewed_at": "+1d"}, "reviews[0].reviewed_at: is in the future"),
        ({"order_id": "2026000000000000"}, "reviews[0].order_id: unknown order '2026000000000000'"),
        ({"order_id": PAID}, "reviews[0].order_id: order status is 'paid'"),
        ({"order_id": COMPLETED, "product_id": "P001"}, f"order {COMPLETED} has no P001"),
        ({"order_id": COMPLETED, "reviewed_at": "-50d"}, "is before the order was delivered"),
        ({"stars": 5}, "reviews[0]: unknown field(s): stars"),
    ],
)
def test_bad_reviews_are_reported_with_their_position(
    demo_data: dict[str, Any], fields: dict[str, Any], error: str
) -> None:
    demo_data["reviews"] = [_review(**fields)]
    errors = validate_shop(demo_data, now=NOW)
    assert any(error in e for e in errors), errors


def test_a_review_without_text_size_fit_or_order_is_fine(demo_data: dict[str, Any]) -> None:
    demo_data["reviews"] = [{"product_id": "P012", "rating": 5, "buyer": "匿名买家",
                             "reviewed_at": "2026-11-01"}]  # fmt: skip
    assert validate_shop(demo_data, now=NOW) == []


def _count(engine: Engine, source: str | None = None) -> int:
    with session_scope(engine) as session:
        query = select(func.count()).select_from(ProductReview)
        if source:
            query = query.where(ProductReview.source == source)
        return session.execute(query).scalar_one()


def _chat_review(engine: Engine, order_id: str | None = COMPLETED) -> None:
    with session_scope(engine) as session:
        session.add(
            ProductReview(product_id="P006", order_id=order_id, buyer_id="B001", nickname="王**",
                          rating=2, text="开胶了", reviewed_at=NOW, source="chat",
                          conversation_id="buyer-B001")
        )  # fmt: skip


def _check_imports(engine: Engine, demo: dict[str, Any]) -> None:
    with session_scope(engine) as session:
        counts = load_shop(demo, session=session, now=NOW)
    assert counts["reviews"] == len(demo["reviews"]) == _count(engine, "import")
    with session_scope(engine) as session:
        linked = session.execute(
            select(ProductReview).where(ProductReview.order_id == COMPLETED)
        ).scalar_one()
        assert (linked.buyer_id, linked.product_id, linked.size) == ("B001", "P006", 42.0)
    _chat_review(engine)

    # --replace: the file's reviews again, the chat's kept; a vanished order is unlinked
    again = copy.deepcopy(demo)
    again["orders"] = [o for o in again["orders"] if o["id"] != COMPLETED]
    again["reviews"] = [r for r in again["reviews"] if r.get("order_id") != COMPLETED]
    with session_scope(engine) as session:
        load_shop(again, session=session, replace=True, now=NOW)
    assert _count(engine, "import") == len(again["reviews"])
    with session_scope(engine) as session:
        chat = session.execute(
            select(ProductReview).where(ProductReview.source == "chat")
        ).scalar_one()
        assert (chat.product_id, chat.order_id, chat.buyer_id, chat.text) == (
            "P006", None, "B001", "开胶了")  # fmt: skip

    # --update with reviews: they replace the imported ones, the chat's stay
    catalogue = {"products": copy.deepcopy(again["products"]),
                 "reviews": [_review(order_id="2026092872514712", product_id="P006",
                                     reviewed_at="-1d")]}  # fmt: skip
    assert validate_catalogue(catalogue, now=NOW) == []
    with session_scope(engine) as session:
        counts = update_catalogue(catalogue, session=session, now=NOW)
    assert counts["reviews"] == 1
    assert (_count(engine, "import"), _count(engine, "chat")) == (1, 1)

    # --update without reviews leaves them; a review of an order the database lacks is refused
    with session_scope(engine) as session:
        update_catalogue({"products": catalogue["products"]}, session=session, now=NOW)
    assert _count(engine) == 2
    catalogue["reviews"] = [_review(order_id=COMPLETED)]
    with pytest.raises(ShopDataError) as refused, session_scope(engine) as session:
        update_catalogue(catalogue, session=session, now=NOW)
    assert refused.value.errors == [
        f"reviews[0].order_id: no order '{COMPLETED}' with P006 in the database"
    ]
    assert _count(engine) == 2


def test_import_replace_and_update_on_sqlite(demo_data: dict[str, Any], sqlite_url: str) -> None:
    upgrade_database(sqlite_url)
    engine = get_engine(sqlite_url)
    try:
        _check_imports(engine, demo_data)
    finally:
        engine.dispose()


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL, dropped afterwards."""
    schema = f"t_reviews_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, future=True)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_import_replace_and_update_on_postgresql(demo_data: dict[str, Any], pg_url: str) -> None:
    upgrade_database(pg_url)
    engine = get_engine(pg_url)
    try:
        _check_imports(engine, demo_data)
    finally:
        engine.dispose()

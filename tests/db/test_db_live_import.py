"""Imports on a live shop: ``--replace`` keeps and relinks what conversations left behind,
``--update`` refreshes the catalogue and leaves orders and conversations alone.

On a SQLite file and on a throw-away schema of the PostgreSQL at 127.0.0.1:5432
(``TEST_POSTGRES_URL``); PostgreSQL unreachable is a failure, never a skip.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shop.db.catalogue import update_catalogue
from shop.db.importer import SHOP_TABLES, ShopDataError, load_shop
from shop.db.models import (
    Base,
    Complaint,
    ConversationRating,
    DeliveryCase,
    Escalation,
    Order,
    Photo,
    Product,
    Promotion,
    ReturnRequest,
    ReturnStatusChange,
    ShopEvent,
    ShopPolicy,
    StaffUser,
    StockItem,
)
from shop.db.returns import transition
from shop.db.runtime_rows import REINSERTED, RELINKED, REMOVED
from shop.db.session import get_engine, session_scope
from shop.db.shop_events import record_event

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 20, 15, 0, 0)
LATER = datetime(2026, 11, 21, 9, 0, 0)
B004_ORDER = "2026031740072167"  # shipped, parcel stuck
B005_ORDER = "2026010506679357"  # delivered 2 days ago
B012_ORDER = "2026120213887976"  # delivered, return RT0001 requested


def _postgres() -> Iterator[Engine]:
    """A private schema in the test PostgreSQL with the models' tables, dropped afterwards."""
    admin = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 5})
    name = f"live_import_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL not reachable at {PG_URL} ({exc.__class__.__name__}): these tests "
            "need it; start it (make test does, pg_ctlcluster 15 main start) or set "
            "TEST_POSTGRES_URL"
        )
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    engine = get_engine(url)
    try:
        Base.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The demo shop on a fresh SQLite file or PostgreSQL schema (foreign keys enforced)."""
    if request.param == "postgres":
        made = _postgres()
        engine = next(made)
    else:
        engine = get_engine(f"sqlite:///{tmp_path / 'shop.db'}")
        Base.metadata.create_all(engine)
    demo = json.loads((ROOT / "seed" / "demo_shop.json").read_text(encoding="utf-8"))
    with session_scope(engine) as session:
        load_shop(demo, session=session, now=NOW)
    yield engine
    if request.param == "postgres":
        next(made, None)
    else:
        engine.dispose()


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    """The demo shop file (copied by the tests that change it)."""
    return json.loads((ROOT / "seed" / "demo_shop.json").read_text(encoding="utf-8"))


def _runtime_rows(session: Session) -> dict[str, Any]:
    """One row of each kind the running assistant and the shop's tools add; their ids."""
    agent = StaffUser(username="agent1", display_name="小美", password_hash="x",
                      roles=["agent"], max_open=3, active=True, created_at=NOW)  # fmt: skip
    session.add(agent)
    session.flush()
    order = session.get(Order, B005_ORDER)
    runtime_return = ReturnRequest(  # opened by a buyer in the widget, not in the file
        id="RT0010", order=order, item=order.items[0], kind="exchange", reason="size",
        status="requested", buyer_words="小了", exchange_size=43.0, created_at=NOW,
        updated_at=NOW,
    )  # fmt: skip
    session.add(runtime_return)
    session.flush()  # photos have no relationship to order them after it
    photos = {
        "file_return": Photo(id="a" * 32, conversation_id="buyer-B012", buyer_id="B012",
                             return_id="RT0001", **_photo()),
        "runtime_return": Photo(id="b" * 32, conversation_id="buyer-B005", buyer_id="B005",
                                return_id="RT0010", **_photo()),
    }  # fmt: skip
    session.add_all(photos.values())
    escalation = Escalation(
        conversation_id="buyer-B004", buyer_id="B004", order_id=B004_ORDER,
        reason="delivery_problem", priority=1, summary="物流不动", status="assigned",
        created_at=NOW, agent_id=agent.id, assigned_at=NOW,
    )  # fmt: skip
    session.add(escalation)
    session.flush()
    session.add_all([
        ConversationRating(conversation_id="buyer-B004", buyer_id="B004", handling="agent",
                           escalation_id=escalation.id, score=4, created_at=NOW),
        Complaint(conversation_id="buyer-B004", buyer_id="B004", order_id=B004_ORDER,
                  category="logistics", buyer_words="太慢了", created_at=NOW),
        DeliveryCase(id="DC0001", order_id=B004_ORDER, kind="stuck", buyer_words="不动了",
                     status="open", created_at=NOW),
    ])  # fmt: skip
    record_event("order_delivered", buyer_id="B005", order_id=B005_ORDER, session=session, now=NOW)
    transition("RT0001", "awaiting_shipment", actor="shop", session=session, now=NOW)
    session.flush()
    return {"escalation": escalation.id, "agent": agent.id}


def _photo() -> dict[str, Any]:
    return {"content_type": "image/jpeg", "size_bytes": 1000, "width": 64, "height": 64,
            "sha256": "0" * 64, "storage_path": "2026/11/x.jpg", "created_at": NOW}  # fmt: skip


def _count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_every_table_pointing_at_the_shop_is_replaced_kept_or_put_back() -> None:
    shop = {model.__tablename__ for model in SHOP_TABLES}
    handled = shop | {m.__tablename__ for m in (*RELINKED, *REINSERTED)}
    for table in Base.metadata.sorted_tables:
        parents = {fk.column.table.name for fk in table.foreign_keys}
        if parents & shop:
            assert table.name in handled, f"{table.name}: not handled by --replace"
    assert {m.__tablename__ for m in REMOVED} <= shop


def test_replace_keeps_and_relinks_runtime_rows(engine: Engine, demo: dict[str, Any]) -> None:
    with session_scope(engine) as session:
        ids = _runtime_rows(session)
        first_import = session.get(Order, B005_ORDER).created_at
    with session_scope(engine) as session:
        counts = load_shop(demo, session=session, replace=True, now=LATER)
    assert counts["orders"] == 60
    with session_scope(engine) as session:
        kept = session.get(Photo, "a" * 32)
        assert (kept.buyer_id, kept.return_id) == ("B012", "RT0001")
        orphan = session.get(Photo, "b" * 32)  # its request was the widget's, not the file's
        assert (orphan.buyer_id, orphan.return_id) == ("B005", None)
        escalation = session.get(Escalation, ids["escalation"])
        assert (escalation.buyer_id, escalation.order_id) == ("B004", B004_ORDER)
        assert (escalation.status, escalation.agent_id) == ("assigned", ids["agent"])
        rating = session.execute(select(ConversationRating)).scalar_one()
        assert (rating.buyer_id, rating.escalation_id) == ("B004", ids["escalation"])
        complaint = session.execute(select(Complaint)).scalar_one()
        assert (complaint.buyer_id, complaint.order_id) == ("B004", B004_ORDER)
        assert session.get(DeliveryCase, "DC0001").order_id == B004_ORDER
        # The shop's own state is the file's again: fresh dates, no runtime history.
        assert session.get(ReturnRequest, "RT0010") is None
        assert session.get(ReturnRequest, "RT0001").status == "requested"
        assert _count(session, ReturnStatusChange) == _count(session, ShopEvent) == 0
        assert session.get(Order, B005_ORDER).created_at - first_import == LATER - NOW


def test_replace_with_ids_gone_clears_links_and_drops_cases(
    engine: Engine, demo: dict[str, Any]
) -> None:
    with session_scope(engine) as session:
        ids = _runtime_rows(session)
    smaller = copy.deepcopy(demo)
    smaller["orders"] = [o for o in smaller["orders"] if o["id"] != B004_ORDER]
    with session_scope(engine) as session:
        load_shop(smaller, session=session, replace=True, now=LATER)
    with session_scope(engine) as session:
        escalation = session.get(Escalation, ids["escalation"])
        assert (escalation.buyer_id, escalation.order_id) == ("B004", None)
        assert session.execute(select(Complaint.order_id)).scalar_one() is None
        assert session.get(DeliveryCase, "DC0001") is None  # its order is required
        assert _count(session, Photo) == 2


def test_replace_twice_in_a_row_and_a_failed_replace_changes_nothing(
    engine: Engine, demo: dict[str, Any]
) -> None:
    with session_scope(engine) as session:
        _runtime_rows(session)
    for _ in range(2):
        with session_scope(engine) as session:
            load_shop(demo, session=session, replace=True, now=LATER)
    broken = copy.deepcopy(demo)
    broken["orders"][0]["buyer_id"] = "B999"
    with pytest.raises(ShopDataError), session_scope(engine) as session:
        load_shop(broken, session=session, replace=True, now=LATER)
    with session_scope(engine) as session:
        assert _count(session, Order) == 60 and _count(session, Photo) == 2
        assert session.get(Photo, "a" * 32).return_id == "RT0001"


def _catalogue(demo: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy({key: demo[key] for key in ("policy", "promotions", "products")})


def test_update_refreshes_the_catalogue_and_leaves_orders_and_conversations(
    engine: Engine, demo: dict[str, Any]
) -> None:
    with session_scope(engine) as session:
        ids = _runtime_rows(session)
        session.get(Order, B005_ORDER).address = "浙江省杭州市西湖区文三路1号"  # a runtime change
        held = session.execute(  # an exchange holds a pair of a row the feed will drop
            select(StockItem).where(StockItem.product_id == "P001", StockItem.color == "黑色",
                                    StockItem.size == 38.0)
        ).scalar_one()  # fmt: skip
        held.reserved = 1
        orders_before = _count(session, Order)
    catalogue = _catalogue(demo)
    p001 = catalogue["products"][0]
    p001["price"] = 359.00
    p001["stock"] = [row for row in p001["stock"] if row["color"] != "黑色" or row["size"] > 39]
    p001["stock"][0]["quantity"] = 99
    p001["functions"] = [f for f in p001["functions"] if f["key"] != "waterproof"]
    catalogue["products"].append({**copy.deepcopy(p001), "id": "P013", "name": "疾风二代跑鞋",
                                  "aliases": ["疾风二代"]})  # fmt: skip
    del catalogue["products"][5]  # P006 is not in today's feed
    catalogue["policy"]["refund_days"] = "1个工作日"
    catalogue["promotions"] = catalogue["promotions"][:2]
    with session_scope(engine) as session:
        counts = update_catalogue(catalogue, session=session, now=LATER)
    assert counts["products_added"] == 1 and counts["products_updated"] == 11
    assert counts["products_not_in_file"] == 1 and counts["policy"] == 1
    with session_scope(engine) as session:
        product = session.get(Product, "P001")
        assert product.price_fen == 35900
        assert "waterproof" not in {f.key for f in product.functions}
        stock = {(row.color, row.size): row for row in product.stock}
        assert stock[("黑色", 38.0)].quantity == 0 and stock[("黑色", 38.0)].reserved == 1
        assert ("黑色", 39.0) not in stock
        first = p001["stock"][0]
        assert stock[(first["color"], float(first["size"]))].quantity == 99
        assert session.get(Product, "P013").name == "疾风二代跑鞋"
        assert session.get(Product, "P006") is not None  # orders refer to it
        assert session.get(ShopPolicy, 1).refund_days == "1个工作日"
        assert sorted(session.execute(select(Promotion.id)).scalars()) == ["PM001", "PM002"]
        # Orders, returns and everything about conversations untouched.
        assert _count(session, Order) == orders_before
        assert session.get(Order, B005_ORDER).address == "浙江省杭州市西湖区文三路1号"
        assert session.get(ReturnRequest, "RT0010") is not None
        assert session.get(Escalation, ids["escalation"]).order_id == B004_ORDER
        assert _count(session, ShopEvent) == _count(session, ReturnStatusChange) == 1
        assert _count(session, Photo) == 2
    with session_scope(engine) as session:  # the same feed the next day: nothing moves
        again = update_catalogue(catalogue, session=session, now=LATER)
    assert again["products_added"] == 0 and again["products_updated"] == 12


def test_update_refuses_a_name_of_another_product_and_changes_nothing(
    engine: Engine, demo: dict[str, Any]
) -> None:
    catalogue = _catalogue(demo)
    catalogue["products"] = [catalogue["products"][0]]
    catalogue["products"][0]["name"] = "轻羽女子跑鞋"  # P002's, which the file does not list
    catalogue["products"][0]["price"] = 1.00
    with pytest.raises(ShopDataError) as error, session_scope(engine) as session:
        update_catalogue(catalogue, session=session, now=LATER)
    assert error.value.errors == ["products[0].name: '轻羽女子跑鞋' is a name or alias of P002"]
    with session_scope(engine) as session:
        assert session.get(Product, "P001").price_fen == 39900


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shop.db.importer", *args, "--database-url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_demo_reset_and_daily_update_on_a_live_shop(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    seed = str(ROOT / "seed" / "demo_shop.json")
    assert _cli(url, seed).returncode == 0
    engine = get_engine(url)
    with session_scope(engine) as session:
        _runtime_rows(session)
    reset = _cli(url, seed, "--replace")  # make demo-reset
    assert reset.returncode == 0, reset.stderr
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps(_catalogue(demo), ensure_ascii=False), encoding="utf-8")
    update = _cli(url, str(catalogue), "--update")
    assert update.returncode == 0, update.stderr
    assert "products_updated   12" in update.stdout
    refused = _cli(url, seed, "--update")  # a whole shop file is not a catalogue
    assert refused.returncode == 1
    assert "(file): unknown field(s): buyers, orders, return_requests" in refused.stderr
    with session_scope(engine) as session:
        assert _count(session, Photo) == 2 and _count(session, Escalation) == 1
    engine.dispose()

"""The shop importer: validation with JSON positions, all-or-nothing loading, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from shop.db.importer import ShopDataError, load_shop
from shop.db.models import Order, Product, ReturnRequest, TrackingEvent
from shop.db.session import session_scope
from shop.db.shop_file import validate_shop
from shop.db.values import parse_date, parse_datetime, to_fen

ROOT = Path(__file__).resolve().parents[2]
# Relative dates count from here, so every expectation is deterministic.
IMPORT_NOW = datetime(2026, 11, 20, 15, 0, 0)

EXPECTED_COUNTS = {
    "policy": 1,
    "promotions": 4,
    "products": 12,
    "buyers": 30,
    "orders": 60,
    "return_requests": 9,
}


def _index(data: dict[str, Any], status: str) -> int:
    return next(i for i, order in enumerate(data["orders"]) if order["status"] == status)


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


# --- dates and money -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-3d", datetime(2026, 11, 17, 15, 0)),
        ("-3d4h", datetime(2026, 11, 17, 11, 0)),
        ("-2h30m", datetime(2026, 11, 20, 12, 30)),
        ("+2d", datetime(2026, 11, 22, 15, 0)),
        ("2026-11-20T10:00:00", datetime(2026, 11, 20, 10, 0)),
        ("2026-11-20T02:00:00Z", datetime(2026, 11, 20, 10, 0)),  # UTC -> Asia/Shanghai
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text, IMPORT_NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-3d4h", date(2026, 11, 17)),
        ("+2d", date(2026, 11, 22)),
        ("2026-11-20", date(2026, 11, 20)),
    ],
)
def test_parse_date_uses_the_day_part(text: str, expected: date) -> None:
    assert parse_date(text, IMPORT_NOW.date()) == expected


@pytest.mark.parametrize("text", ["3d", "-d", "-3x", "2026-13-01", "yesterday", "-"])
def test_bad_dates_raise(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text, IMPORT_NOW)


def test_money_is_stored_in_fen() -> None:
    assert (to_fen(399.00), to_fen(0.1), to_fen(129), to_fen(19.99)) == (39900, 10, 12900, 1999)
    for bad in (19.999, -1, "abc"):
        with pytest.raises(ValueError):
            to_fen(bad)


# --- the demo file --------------------------------------------------------------------


def test_demo_file_validates(demo_data: dict[str, Any]) -> None:
    assert validate_shop(demo_data, now=IMPORT_NOW) == []


def test_demo_file_loads_with_expected_counts(
    demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    with session_scope(tmp_engine) as session:
        counts = load_shop(demo_data, session=session, now=IMPORT_NOW)
    assert {key: counts[key] for key in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert counts["order_items"] == sum(len(order["items"]) for order in demo_data["orders"])
    assert _count(tmp_engine, Order) == 60
    assert _count(tmp_engine, TrackingEvent) == counts["tracking_events"] > 0
    with session_scope(tmp_engine) as session:
        p001 = session.get(Product, "P001")
        assert p001.price_fen == 39900 and p001.half_sizes and p001.aliases == ["疾风", "疾风跑鞋"]
        exchange = session.execute(
            select(ReturnRequest).where(ReturnRequest.kind == "exchange").limit(1)
        ).scalar_one()
        assert exchange.item.order_id == exchange.order_id


# --- bad records: every class is reported with its position, nothing is written ------

Mutation = Callable[[dict[str, Any]], str]


def _unknown_product(data: dict[str, Any]) -> str:
    i = _index(data, "completed")
    data["orders"][i]["items"][0]["product_id"] = "P099"
    return f"orders[{i}].items[0].product_id: unknown product 'P099'"


def _duplicate_id(data: dict[str, Any]) -> str:
    data["buyers"][5]["id"] = "B001"
    return "buyers[5].id: duplicate 'B001' (first at buyers[0])"


def _bad_date(data: dict[str, Any]) -> str:
    data["orders"][3]["created_at"] = "2026-13-01"
    return "orders[3].created_at: bad date '2026-13-01'"


def _bad_status(data: dict[str, Any]) -> str:
    data["orders"][7]["status"] = "lost"
    return "orders[7].status: 'lost' is not one of: pending_payment, paid"


def _missing_field(data: dict[str, Any]) -> str:
    del data["products"][2]["name"]
    return "products[2].name: missing required field"


def _shipment_on_unpaid_order(data: dict[str, Any]) -> str:
    i = _index(data, "pending_payment")
    shipped = data["orders"][_index(data, "shipped")]["shipments"]
    data["orders"][i]["shipments"] = shipped
    return f"orders[{i}].shipments: an order with status 'pending_payment' cannot have shipments"


def _unknown_colour(data: dict[str, Any]) -> str:
    data["orders"][0]["items"][0]["color"] = "紫色"
    return "orders[0].items[0].color: product P001 has no colour '紫色'"


def _size_out_of_range(data: dict[str, Any]) -> str:
    data["products"][0]["size_chart"][0]["size"] = 52
    return "products[0].size_chart[0].size: 52 is greater than the maximum of 50"


def _delivered_without_date(data: dict[str, Any]) -> str:
    i = _index(data, "delivered")
    del data["orders"][i]["delivered_at"]
    return f"orders[{i}].delivered_at: missing: required when status is 'delivered'"


def _unknown_buyer(data: dict[str, Any]) -> str:
    data["orders"][1]["buyer_id"] = "B999"
    return "orders[1].buyer_id: unknown buyer 'B999'"


def _fraction_of_a_fen(data: dict[str, Any]) -> str:
    data["products"][1]["price"] = 369.005
    return "products[1].price: 369.005 is not an amount in yuan with at most 2 decimals"


def _unknown_field(data: dict[str, Any]) -> str:
    data["buyers"][0]["price_fen"] = 1
    return "buyers[0]: unknown field(s): price_fen"


def _return_of_undelivered_order(data: dict[str, Any]) -> str:
    data["return_requests"][0]["order_id"] = data["orders"][_index(data, "paid")]["id"]
    return "return_requests[0].order_id: order status is 'paid'"


@pytest.mark.parametrize(
    "mutate",
    [
        _unknown_product,
        _duplicate_id,
        _bad_date,
        _bad_status,
        _missing_field,
        _shipment_on_unpaid_order,
        _unknown_colour,
        _size_out_of_range,
        _delivered_without_date,
        _unknown_buyer,
        _fraction_of_a_fen,
        _unknown_field,
        _return_of_undelivered_order,
    ],
)
def test_bad_record_is_reported_and_nothing_written(
    mutate: Mutation, demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    expected = mutate(demo_data)
    errors = validate_shop(demo_data, now=IMPORT_NOW)
    assert any(error.startswith(expected) for error in errors), errors
    with pytest.raises(ShopDataError) as raised, session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    assert raised.value.errors == errors
    assert _count(tmp_engine, Product) == 0


def test_every_problem_is_reported_at_once(demo_data: dict[str, Any]) -> None:
    expected = [mutate(demo_data) for mutate in (_unknown_product, _bad_status, _missing_field)]
    errors = validate_shop(demo_data, now=IMPORT_NOW)
    for message in expected:
        assert any(error.startswith(message) for error in errors), errors


def test_conflicting_ids_are_refused_without_replace(
    demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    with session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    with pytest.raises(ShopDataError) as raised, session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    assert "products[0].id: 'P001' already exists in the database" in raised.value.errors
    assert _count(tmp_engine, Order) == 60


def test_replace_wipes_the_shop_in_the_same_transaction(
    demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    with session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    kept = {r["order_id"] for r in demo_data["return_requests"]}
    demo_data["orders"] = [
        o for o in demo_data["orders"] if o["id"] in kept or o["buyer_id"] < "B010"
    ]
    orders = {o["id"] for o in demo_data["orders"]}
    demo_data["reviews"] = [r for r in demo_data["reviews"] if r.get("order_id", "-") in orders]
    demo_data["products"][0]["price"] = 299.00
    with session_scope(tmp_engine) as session:
        counts = load_shop(demo_data, session=session, replace=True, now=IMPORT_NOW)
    assert counts["orders"] == len(demo_data["orders"]) == _count(tmp_engine, Order) < 60
    with session_scope(tmp_engine) as session:
        assert session.get(Product, "P001").price_fen == 29900


# --- the command line -----------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shop.db.importer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_imports_skips_refuses_and_replaces(sqlite_url: str) -> None:
    demo = str(ROOT / "seed" / "demo_shop.json")
    first = _run(demo, "--if-empty", "--database-url", sqlite_url)
    assert first.returncode == 0, first.stderr
    assert re.search(r"^\s+orders\s+60$", first.stdout, re.MULTILINE), first.stdout
    skipped = _run(demo, "--if-empty", "--database-url", sqlite_url)
    assert skipped.returncode == 0, skipped.stderr
    assert "already holds a shop; nothing imported" in skipped.stdout
    again = _run(demo, "--database-url", sqlite_url)
    assert again.returncode == 1
    assert "products[0].id: 'P001' already exists" in again.stderr
    assert "--replace wipes the shop first" in again.stderr
    replaced = _run(demo, "--replace", "--database-url", sqlite_url)
    assert replaced.returncode == 0, replaced.stderr
    assert "(replaced)" in replaced.stdout


def test_cli_rejects_a_bad_file_and_writes_nothing(
    tmp_path: Path, sqlite_url: str, demo_data: dict[str, Any]
) -> None:
    expected = [_unknown_product(demo_data), _shipment_on_unpaid_order(demo_data)]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(demo_data, ensure_ascii=False), encoding="utf-8")
    result = _run(str(bad), "--database-url", sqlite_url)
    assert result.returncode == 1
    for message in expected:
        assert message in result.stderr
    assert "nothing was imported" in result.stderr
    assert not (tmp_path / "shop.db").exists()


def test_cli_reports_invalid_json_with_line_and_column(tmp_path: Path, sqlite_url: str) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "policy": {,\n}', encoding="utf-8")
    result = _run(str(broken), "--database-url", sqlite_url)
    assert result.returncode == 1
    assert f"{broken}:2:" in result.stderr and "invalid JSON" in result.stderr


# --- restock dates and price protection ------------------------------------------------


def test_restock_dates_and_price_protection_are_loaded(
    demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    from shop.db.models import ShopPolicy, StockItem

    black_43 = next(
        row
        for row in demo_data["products"][0]["stock"]
        if (row["color"], row["size"]) == ("黑色", 43)
    )
    assert black_43["restock_on"] == "+5d"
    demo_data["products"][1]["stock"][0]["restock_on"] = "2026-12-01"
    with session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    with session_scope(tmp_engine) as session:
        rows = {
            (row.product_id, row.color, row.size): row.restock_on
            for row in session.execute(select(StockItem)).scalars()
        }
        policy = session.execute(select(ShopPolicy)).scalar_one()
        assert (policy.price_protection_days, policy.price_protection_rule[:7]) == (
            15,
            "付款后15天内",
        )
    assert rows[("P001", "黑色", 43.0)] == date(2026, 11, 25)  # +5d from the import
    assert rows[("P001", "黑色", 43.5)] is None  # no date known
    first = demo_data["products"][1]["stock"][0]
    assert rows[("P002", first["color"], float(first["size"]))] == date(2026, 12, 1)


def test_a_policy_without_price_protection_means_none(
    demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    from shop.db.models import ShopPolicy

    del demo_data["policy"]["price_protection_days"], demo_data["policy"]["price_protection_rule"]
    assert validate_shop(demo_data, now=IMPORT_NOW) == []
    with session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    with session_scope(tmp_engine) as session:
        policy = session.execute(select(ShopPolicy)).scalar_one()
        assert (policy.price_protection_days, policy.price_protection_rule) == (0, None)


def _bad_restock_date(data: dict[str, Any]) -> str:
    data["products"][0]["stock"][1]["restock_on"] = "next week"
    return "products[0].stock[1].restock_on: bad date 'next week'"


def _restock_datetime_field_name(data: dict[str, Any]) -> str:
    data["products"][0]["stock"][1]["restock_at"] = "+3d"
    return "products[0].stock[1]: unknown field(s): restock_at"


def _negative_price_protection(data: dict[str, Any]) -> str:
    data["policy"]["price_protection_days"] = -1
    return "policy.price_protection_days: -1 is less than the minimum of 0"


def _rule_without_days(data: dict[str, Any]) -> str:
    data["policy"]["price_protection_days"] = 0
    return "policy.price_protection_days: missing or 0 but price_protection_rule is given"


def _empty_rule(data: dict[str, Any]) -> str:
    data["policy"]["price_protection_rule"] = ""
    return "policy.price_protection_rule: '' is too short"


@pytest.mark.parametrize(
    "mutate",
    [
        _bad_restock_date,
        _restock_datetime_field_name,
        _negative_price_protection,
        _rule_without_days,
        _empty_rule,
    ],
)
def test_bad_restock_or_price_protection_is_reported(
    mutate: Mutation, demo_data: dict[str, Any], tmp_engine: Engine
) -> None:
    expected = mutate(demo_data)
    errors = validate_shop(demo_data, now=IMPORT_NOW)
    assert any(error.startswith(expected) for error in errors), errors
    with pytest.raises(ShopDataError), session_scope(tmp_engine) as session:
        load_shop(demo_data, session=session, now=IMPORT_NOW)
    assert _count(tmp_engine, Product) == 0

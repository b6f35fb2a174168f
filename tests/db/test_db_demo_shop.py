"""The demo shop covers what the assistant must handle, and its documentation matches it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shop.db.values import ORDER_STATUSES, parse_date, parse_datetime

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 15, 0, 0)

# The product names and aliases the NLU data is written against.
CATALOGUE = {
    "P001": ("疾风男子跑鞋", ["疾风", "疾风跑鞋"]),
    "P002": ("轻羽女子跑鞋", ["轻羽", "轻羽跑鞋"]),
    "P003": ("城市牛津皮鞋", ["牛津鞋", "牛津皮鞋"]),
    "P004": ("暖冬雪地靴", ["雪地靴", "暖冬靴"]),
    "P005": ("山野防水徒步鞋", ["徒步鞋", "登山鞋", "山野"]),
    "P006": ("经典小白板鞋", ["小白鞋", "板鞋"]),
    "P007": ("复古切尔西靴", ["切尔西靴", "切尔西"]),
    "P008": ("乐乐儿童运动鞋", ["儿童运动鞋", "童鞋", "乐乐"]),
    "P009": ("萌趣儿童雨靴", ["雨靴", "儿童雨靴", "雨鞋"]),
    "P010": ("优雅细跟高跟鞋", ["高跟鞋", "细跟鞋"]),
    "P011": ("舒适羊皮乐福鞋", ["乐福鞋", "豆豆鞋"]),
    "P012": ("清凉沙滩凉鞋", ["凉鞋", "沙滩鞋"]),
}
SIZE_RANGES = {"men": (38, 46), "women": (34, 40), "kids": (26, 35), "unisex": (35, 44)}


def _ago(value: str) -> timedelta:
    return NOW - parse_datetime(value, NOW)


def test_catalogue_names_aliases_and_sizes(demo_raw: dict[str, Any]) -> None:
    products = {p["id"]: p for p in demo_raw["products"]}
    assert {pid: (p["name"], p["aliases"]) for pid, p in products.items()} == CATALOGUE
    for product in products.values():
        sizes = [row["size"] for row in product["size_chart"]]
        assert (min(sizes), max(sizes)) == SIZE_RANGES[product["gender"]], product["id"]
        for row in product["size_chart"]:  # the national standard, half sizes rounded down
            assert row["foot_length_mm"] == int((row["size"] + 10) * 5)
    assert {p["half_sizes"] for p in products.values()} == {True, False}
    assert [products[pid]["fit_adjust"] for pid in ("P003", "P004", "P006")] == [0.5, -1, 0]
    assert [p["id"] for p in products.values() if p["wide_last"]] == ["P005"]
    assert any(row["quantity"] == 0 for p in products.values() for row in p["stock"])
    missing = [p["id"] for p in products.values() if len(p["functions"]) < 8]
    assert len(missing) == 12  # every product leaves some functions unsaid
    assert "waterproof" not in {f["key"] for f in products["P011"]["functions"]}
    waterproof = {f["key"]: f for f in products["P004"]["functions"]}["waterproof"]
    assert waterproof["level"] == "partial" and "防泼水" in waterproof["claim"]


def test_promotions_current_expired_and_future(demo_raw: dict[str, Any]) -> None:
    today = NOW.date()
    spans = [
        (parse_date(p["starts_on"], today), parse_date(p["ends_on"], today))
        for p in demo_raw["promotions"]
    ]
    assert sum(start <= today <= end for start, end in spans) >= 2
    assert any(end < today for _, end in spans) and any(start > today for start, _ in spans)


def test_buyers_and_orders(demo_raw: dict[str, Any]) -> None:
    buyers, orders = demo_raw["buyers"], demo_raw["orders"]
    assert [b["id"] for b in buyers] == [f"B{i:03d}" for i in range(1, 31)]
    assert all(re.fullmatch(r"1[358]\d{9}", b["phone"]) for b in buyers)
    assert len({b["phone"][-4:] for b in buyers}) == 30
    assert len(orders) == 60 and len({o["id"] for o in orders}) == 60
    assert all(re.fullmatch(r"\d{16}", o["id"]) for o in orders)
    assert set(ORDER_STATUSES) == {o["status"] for o in orders}
    per_buyer = Counter(o["buyer_id"] for o in orders)
    assert set(per_buyer) == {b["id"] for b in buyers}
    assert 1 in per_buyer.values() and max(per_buyer.values()) >= 3
    assert any(o["freight_insurance"] for o in orders)


def test_order_scenarios(demo_raw: dict[str, Any]) -> None:
    orders = demo_raw["orders"]
    shipped = [o for o in orders if o["status"] == "shipped"]
    last_scans = [_ago(o["shipments"][0]["events"][-1]["happened_at"]) for o in shipped]
    assert any(age >= timedelta(days=4) for age in last_scans)  # stuck parcel
    assert any(age <= timedelta(hours=3) for age in last_scans)  # fresh tracking
    delivered_days = {_ago(o["delivered_at"]).days for o in orders if "delivered_at" in o}
    assert {2, 6, 10, 20} <= delivered_days
    couriers = {s["courier"] for o in orders for s in o.get("shipments", [])}
    assert couriers == {"中通快递", "顺丰速运"}


def test_return_requests_cover_every_state(demo_raw: dict[str, Any]) -> None:
    requests = demo_raw["return_requests"]
    statuses = {r["status"] for r in requests}
    assert {"requested", "awaiting_shipment", "in_transit", "received", "refunded", "rejected"} <= (
        statuses
    )
    assert any(r["kind"] == "exchange" for r in requests)


def test_documented_buyer_table_matches_the_demo(demo_raw: dict[str, Any]) -> None:
    doc = (ROOT / "docs" / "shop-data.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if re.match(r"\|\s*B\d{3}\s*\|", line)]
    buyers = {b["id"]: b for b in demo_raw["buyers"]}
    returns = {r["id"]: r for r in demo_raw["return_requests"]}
    assert len(rows) == len(buyers)
    for row in rows:
        buyer_id, name, last4, orders_cell, what = (c.strip() for c in row.strip("|").split("|"))
        buyer = buyers[buyer_id]
        assert (name, last4) == (buyer["name"], buyer["phone"][-4:]), row
        listed = dict(re.findall(r"`(\d{16})` (\w+)", orders_cell))
        actual = {o["id"]: o["status"] for o in demo_raw["orders"] if o["buyer_id"] == buyer_id}
        assert listed == actual, row
        for request_id, status in re.findall(r"(RT\d{4}) \((\w+)", what):
            assert returns[request_id]["status"] == status, row
            assert returns[request_id]["order_id"] in actual, row

"""Rows built from the shop file's records, shared by the full import
(``shop/db/importer.py``) and the catalogue update (``shop/db/catalogue.py``)."""

from __future__ import annotations

from datetime import date, datetime

from shop.db.models import Product, ProductFunction, ProductReview, SizeChartRow, StockItem
from shop.db.values import parse_date, parse_datetime, to_fen


class ShopDataError(Exception):
    """The file cannot be imported; ``errors`` lists every reason with its position."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the shop data")
        self.errors = errors


def product_from_record(record: dict, now: datetime) -> Product:
    """A product of the shop file with its functions, size chart and stock."""
    chart = record["size_chart"]
    return Product(
        id=record["id"],
        name=record["name"],
        aliases=list(record.get("aliases", [])),
        category=record["category"],
        gender=record["gender"],
        price_fen=to_fen(record["price"]),
        description=record.get("description", ""),
        material_upper=record.get("material_upper"),
        material_lining=record.get("material_lining"),
        material_sole=record.get("material_sole"),
        fit_note=record.get("fit_note"),
        fit_adjust=float(record.get("fit_adjust", 0)),
        wide_last=record.get("wide_last", False),
        half_sizes=record.get("half_sizes", any(row["size"] % 1 for row in chart)),
        functions=[
            ProductFunction(key=row["key"], level=row["level"], claim=row["claim"])
            for row in record.get("functions", [])
        ],
        size_chart=[
            SizeChartRow(size=float(row["size"]), foot_length_mm=row["foot_length_mm"])
            for row in chart
        ],
        stock=[
            StockItem(
                color=row["color"],
                size=float(row["size"]),
                quantity=row["quantity"],
                reserved=row.get("reserved", 0),
                restock_on=optional_date(row, "restock_on", now),
            )
            for row in record["stock"]
        ],
    )


def optional_datetime(record: dict, field: str, now: datetime) -> datetime | None:
    return parse_datetime(record[field], now) if field in record else None


def optional_date(record: dict, field: str, now: datetime) -> date | None:
    return parse_date(record[field], now.date()) if field in record else None


def review_from_record(record: dict, buyers: dict[str, str], now: datetime) -> ProductReview:
    """A review of the shop file (``source`` ``import``); ``buyers`` maps order id to buyer."""
    size = record.get("size")
    return ProductReview(
        product_id=record["product_id"],
        order_id=record.get("order_id"),
        buyer_id=buyers.get(record.get("order_id") or ""),
        nickname=record["buyer"],
        rating=record["rating"],
        text=record.get("text", ""),
        size=float(size) if size is not None else None,
        fit=record.get("fit"),
        reviewed_at=parse_datetime(record["reviewed_at"], now),
        source="import",
    )

"""The JSON schema of a shop import file (Draft 7), with the shop's own formats."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from shop.db.values import (
    FUNCTION_KEYS,
    FUNCTION_LEVELS,
    GENDERS,
    ORDER_STATUSES,
    POSTAGE_PAYERS,
    PROMOTION_KINDS,
    RETURN_KINDS,
    RETURN_REASONS,
    RETURN_STATUSES,
    REVIEW_FITS,
    parse_date,
    parse_datetime,
)

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
}, {
    "price_protection_days": {"type": "integer", "minimum": 0, "maximum": 365},
    "price_protection_rule": _text(300),
})  # fmt: skip
_PRODUCT = _obj(
    {"id": _ID, "name": _text(100), "category": _text(50), "gender": _enum(GENDERS),
     "price": _MONEY,
     "size_chart": _array(_obj({"size": _SIZE, "foot_length_mm": {
         "type": "integer", "minimum": 100, "maximum": 350}}), 1),
     "stock": _array(_obj({"color": _text(30), "size": _SIZE, "quantity": _COUNT},
                          {"reserved": _COUNT, "restock_on": _DATE}))},
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
     "exchange_size": _SIZE, "exchange_color": _text(30), "updated_at": _DATETIME,
     "shop_note": _text(300)},
)  # fmt: skip
_REVIEW = _obj(
    {"product_id": _ID, "rating": {"type": "integer", "minimum": 1, "maximum": 5},
     "reviewed_at": _DATETIME, "buyer": _text(50)},
    {"text": {"type": "string", "maxLength": 1000}, "size": _SIZE, "fit": _enum(REVIEW_FITS),
     "order_id": _ORDER_ID},
)  # fmt: skip
SHOP_SCHEMA = _obj(
    {"policy": _POLICY, "products": _array(_PRODUCT, 1), "buyers": _array(_BUYER),
     "orders": _array(_ORDER)},
    {"$comment": {"type": "string"}, "promotions": _array(_PROMOTION),
     "return_requests": _array(_RETURN), "reviews": _array(_REVIEW)},
)  # fmt: skip
_VALIDATOR = Draft7Validator(SHOP_SCHEMA, format_checker=_FORMATS)

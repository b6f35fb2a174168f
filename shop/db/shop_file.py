"""Validation of a shop import file: JSON schema, dates, money and cross-references.

A file is checked whole before anything is written, and every problem is
reported with its JSON position (``orders[12].items[0].product_id: ...``) so a
shop owner can fix them all in one pass. The format is described in
``docs/shop-data.md``; the allowed values mirror the comments in the models
(``shop/db/catalogue_models.py``, ``shop/db/order_models.py``). The rules across
records that a schema cannot express are in ``shop/db/shop_rules.py``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from shop.clock import local_now
from shop.db.json_schema import _VALIDATOR, SHOP_SCHEMA
from shop.db.shop_rules import cross_checks
from shop.db.values import _SECTIONS, Problem, format_path


def _schema_problem(error: ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    if error.validator == "required":
        match = re.match(r"'(.+?)' is a required property", error.message)
        return (*path, match.group(1) if match else "?"), "missing required field"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return path, "unknown field(s): " + ", ".join(extra)
    if error.validator == "format":
        return path, (f"bad date {error.instance!r}: use ISO-8601 (2026-11-20T10:00:00, "
                      "2026-11-20) or a relative offset (-3d4h, +2d)")  # fmt: skip
    if error.validator == "enum":
        return path, f"{error.instance!r} is not one of: {', '.join(error.validator_value)}"
    if error.validator == "pattern" and "x-hint" in error.schema:
        return path, f"{error.instance!r} is malformed: {error.schema['x-hint']}"
    return path, error.message


def _sort_key(problem: Problem) -> tuple:
    path = problem[0]
    section = _SECTIONS.index(path[0]) if path and path[0] in _SECTIONS else -1
    return (section, [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in path])


def validate_shop(data: Any, *, now: datetime | None = None) -> list[str]:
    """Check a whole shop file; return every problem as ``position: message``.

    Args:
        data: The parsed JSON file.
        now: The import time that relative dates count from (default: now, local time).

    Returns:
        The problems, in file order; empty when the file can be imported.
    """
    return _validate(_VALIDATOR, data, now)


# ``--update`` reads a catalogue: the shop format's policy, promotions, products and reviews.
CATALOGUE_SECTIONS = ("policy", "promotions", "products", "reviews")
_CATALOGUE_VALIDATOR = Draft7Validator(
    {
        **SHOP_SCHEMA,
        "required": ["products"],
        "properties": {
            key: value
            for key, value in SHOP_SCHEMA["properties"].items()
            if key in (*CATALOGUE_SECTIONS, "$comment")
        },
    },
    format_checker=_VALIDATOR.format_checker,
)


def validate_catalogue(data: Any, *, now: datetime | None = None) -> list[str]:
    """Check a catalogue file for ``--update`` (``policy``, ``promotions``, ``products``,
    ``reviews``).

    The same rules as :func:`validate_shop` for those sections; ``products`` is
    required, the others optional, and buyers or orders are refused as unknown fields
    (an update never touches them). A review's ``order_id`` is checked against the
    database by the update itself.
    """
    return _validate(_CATALOGUE_VALIDATOR, data, now)


def _validate(validator: Draft7Validator, data: Any, now: datetime | None) -> list[str]:
    problems = [_schema_problem(error) for error in validator.iter_errors(data)]
    if isinstance(data, dict):
        problems += cross_checks(data, now or local_now())
    unique = sorted(set(problems), key=_sort_key)
    return [f"{format_path(path)}: {message}" for path, message in unique]

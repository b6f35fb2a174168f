"""Why shoes come back: returns and exchanges by reason, product and size, and
the products whose size returns say the fit note is wrong.

A size return points *small* when the buyer exchanges to a larger size or says
so (小了, 挤脚, 换大 …), *large* for the opposite. A product with at least
:data:`MIN_SIZE_RETURNS` size returns of which :data:`DOMINANT_SHARE` point one
way gets a suggested fit note, unless its ``fit_adjust`` already says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.models import OrderItem, Product, ReturnRequest
from shop.lexicon import (
    FIT_SUGGESTION_LABELS,
    RETURN_REASON_LABELS,
    SIZE_RETURN_LARGE_WORDS,
    SIZE_RETURN_SMALL_WORDS,
    label,
)

MIN_SIZE_RETURNS = 3
DOMINANT_SHARE = 0.6


@dataclass(frozen=True)
class FitSuggestion:
    """A product whose size returns lean one way."""

    product_id: str
    name: str
    size_returns: int
    too_small: int
    too_large: int
    fit_note: str
    suggestion: str  # '' when the current note already says so


@dataclass(frozen=True)
class ReturnInsights:
    """Return and exchange requests opened in a period."""

    total: int
    by_reason: list[tuple[str, str, int, int]]  # reason, name, returns, exchanges
    by_product: list[tuple[str, str, int, int]]  # product id, name, returns, exchanges
    by_size: list[tuple[float, int]]  # ordered size, requests
    fit: list[FitSuggestion]


def size_direction(words: str, size: float, exchange_size: float | None) -> str | None:
    """``small``, ``large`` or None: which way a size return says the shoe runs."""
    if exchange_size is not None and exchange_size != size:
        return "small" if exchange_size > size else "large"
    small = any(word in words for word in SIZE_RETURN_SMALL_WORDS)
    large = any(word in words for word in SIZE_RETURN_LARGE_WORDS)
    if small != large:
        return "small" if small else "large"
    return None


def _fit(
    rows: list[tuple[ReturnRequest, OrderItem, Product]],
) -> list[FitSuggestion]:
    votes: dict[str, Counter[str]] = {}
    products: dict[str, Product] = {}
    for request, item, product in rows:
        if request.reason != "size":
            continue
        direction = size_direction(request.buyer_words or "", item.size, request.exchange_size)
        votes.setdefault(product.id, Counter())[direction or "unknown"] += 1
        products[product.id] = product
    found = []
    for product_id, counter in votes.items():
        total = sum(counter.values())
        if total < MIN_SIZE_RETURNS:
            continue
        product = products[product_id]
        for way in ("small", "large"):
            if counter[way] / total < DOMINANT_SHARE:
                continue
            noted = product.fit_adjust > 0 if way == "small" else product.fit_adjust < 0
            found.append(
                FitSuggestion(
                    product_id, product.name, total, counter["small"], counter["large"],
                    product.fit_note or "", "" if noted else FIT_SUGGESTION_LABELS[way],
                )
            )  # fmt: skip
    return sorted(found, key=lambda s: (-s.size_returns, s.product_id))


def return_insights(*, session: Session, start: datetime, end: datetime) -> ReturnInsights:
    """Requests created in ``[start, end)`` (naive shop-local times)."""
    rows = [
        tuple(row)
        for row in session.execute(
            select(ReturnRequest, OrderItem, Product)
            .join(OrderItem, ReturnRequest.order_item_id == OrderItem.id)
            .join(Product, OrderItem.product_id == Product.id)
            .where(ReturnRequest.created_at >= start, ReturnRequest.created_at < end)
            .order_by(ReturnRequest.id)
        )
    ]
    reasons: Counter[tuple[str, str]] = Counter()
    products: Counter[tuple[str, str]] = Counter()
    names: dict[str, str] = {}
    sizes: Counter[float] = Counter()
    for request, item, product in rows:
        reasons[(request.reason, request.kind)] += 1
        products[(product.id, request.kind)] += 1
        names[product.id] = product.name
        sizes[item.size] += 1
    by_reason = [
        (reason, label(RETURN_REASON_LABELS, reason), reasons[(reason, "return")],
         reasons[(reason, "exchange")])
        for reason in sorted({r for r, _ in reasons}, key=lambda r: (-sum(
            n for (x, _), n in reasons.items() if x == r), r))
    ]  # fmt: skip
    by_product = sorted(
        ((pid, names[pid], products[(pid, "return")], products[(pid, "exchange")])
         for pid in names),
        key=lambda row: (-(row[2] + row[3]), row[0]),
    )  # fmt: skip
    return ReturnInsights(
        total=len(rows),
        by_reason=by_reason,
        by_product=by_product,
        by_size=sorted(sizes.items()),
        fit=_fit(rows),
    )

"""What buyers' reviews say, for the owner: rating distribution and monthly trend per
product, the topics of 中差评, and products whose reviews contradict their fit note.

Every figure is counted from the stored reviews (``product_reviews``) with the pure
functions of :mod:`shop.review_stats`; topics come from the word list
``REVIEW_TOPIC_WORDS`` of ``shop/lexicon.py``, never guessed. The trend covers the
:data:`MONTHS` calendar months up to the report's last day; the rest covers all reviews.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.models import Product
from shop.db.reviews import reviews_by_product
from shop.lexicon import FIT_LABELS
from shop.review_stats import (
    NEGATIVE_MAX_RATING,
    fit_disagreement,
    negative_topics,
    summarize,
    trend,
)

MONTHS = 6


@dataclass(frozen=True)
class ProductReviews:
    """One product's reviews in figures."""

    product_id: str
    name: str
    count: int
    average: float | None
    distribution: tuple[int, int, int, int, int]  # 1..5 stars
    trend: list[float | None]  # average per month of ``ReviewInsights.months``
    small_pct: int
    large_pct: int


@dataclass(frozen=True)
class FitContradiction:
    """A product whose reviews found it ``found`` while its note says ``noted``."""

    product_id: str
    name: str
    fit_note: str
    noted: str  # 偏小 / 正常 / 偏大, from fit_adjust
    found: str  # 偏小 / 偏大
    percent: int
    fit_count: int


@dataclass(frozen=True)
class ReviewInsights:
    """The shop's reviews for the owner's report."""

    total: int
    negative: int  # 中差评: at most NEGATIVE_MAX_RATING stars
    months: list[str]  # 2026-07 … (the trend's columns)
    products: list[ProductReviews]  # most reviewed first; products without reviews last
    topics: list[tuple[str, int]]  # topic, 中差评 mentioning it
    contradictions: list[FitContradiction]

    @property
    def month_labels(self) -> list[str]:
        """The months as the page shows them: 7月, 8月 …"""
        return [f"{int(month[5:])}月" for month in self.months]


def no_reviews() -> ReviewInsights:
    """The figures of a shop without reviews."""
    return ReviewInsights(0, 0, [], [], [], [])


def _months(end: date, count: int) -> list[str]:
    year, month = end.year, end.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def review_insights(*, session: Session, end: date, months: int = MONTHS) -> ReviewInsights:
    """The review figures of every product, with the trend up to ``end``'s month."""
    grouped = reviews_by_product(session=session)
    columns = _months(end, months)
    products: list[ProductReviews] = []
    contradictions: list[FitContradiction] = []
    for product in session.execute(select(Product).order_by(Product.id)).scalars():
        reviews = grouped.get(product.id, [])
        summary = summarize(reviews)
        products.append(
            ProductReviews(
                product.id, product.name, summary.count, summary.average,
                summary.distribution, trend(reviews, columns), summary.share("small"),
                summary.share("large"),
            )
        )  # fmt: skip
        found = fit_disagreement(product.fit_adjust, summary)
        if found is not None:
            contradictions.append(
                FitContradiction(
                    product.id, product.name, product.fit_note or "", FIT_LABELS[found.expected],
                    FIT_LABELS[found.fit], found.percent, found.fit_count,
                )
            )  # fmt: skip
    products.sort(key=lambda p: (-p.count, p.product_id))
    every = [review for reviews in grouped.values() for review in reviews]
    return ReviewInsights(
        total=len(every),
        negative=sum(review.rating <= NEGATIVE_MAX_RATING for review in every),
        months=columns,
        products=products,
        topics=negative_topics(every),
        contradictions=contradictions,
    )


def reviews_json(insights: ReviewInsights) -> dict[str, Any]:
    """The review figures as the owner's report API returns them (names and labels)."""
    return {
        "total": insights.total,
        "negative": insights.negative,
        "months": insights.months,
        "products": [dataclasses.asdict(p) for p in insights.products],
        "negative_topics": [{"topic": t, "reviews": n} for t, n in insights.topics],
        "fit_contradictions": [dataclasses.asdict(c) for c in insights.contradictions],
    }

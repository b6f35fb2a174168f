"""The owner's review figures on the demo shop, counted from seed/demo_shop.json by hand
(console/review_insights.py), and the chart that draws them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from console import charts
from console.analytics import Report
from console.analytics_periods import periods
from console.return_insights import ReturnInsights
from console.review_insights import review_insights
from shop.db.models import ProductReview


def test_the_demo_shops_reviews_in_figures(session: Session) -> None:
    insights = review_insights(session=session, end=date.today())
    assert (insights.total, insights.negative) == (46, 11)
    by_name = {p.name: p for p in insights.products}
    p001 = by_name["疾风男子跑鞋"]
    assert (p001.count, p001.average, p001.distribution) == (10, 4.1, (0, 1, 1, 4, 4))
    assert (p001.small_pct, p001.large_pct) == (40, 0)
    assert by_name["萌趣儿童雨靴"].count == 0 and by_name["萌趣儿童雨靴"].average is None
    assert insights.products[0].name == "疾风男子跑鞋"  # most reviewed first
    assert insights.topics == [
        ("磨脚", 5), ("偏小", 5), ("偏大", 3), ("味道", 2), ("开胶", 1), ("掉色", 1), ("质量", 1),
    ]  # fmt: skip
    found = {(c.name, c.noted, c.found, c.percent, c.fit_count) for c in insights.contradictions}
    assert found == {
        ("疾风男子跑鞋", "正常", "偏小", 40, 10),
        ("舒适羊皮乐福鞋", "正常", "偏大", 33, 6),
    }
    assert len(insights.months) == 6 and insights.months[-1] == date.today().strftime("%Y-%m")


def test_the_trend_is_the_average_per_month(session: Session) -> None:
    for day, rating in ((3, 5), (20, 2)):
        session.add(
            ProductReview(product_id="P012", nickname="x", rating=rating, text="",
                          reviewed_at=datetime(2026, 3, day), source="chat")
        )  # fmt: skip
    session.flush()
    insights = review_insights(session=session, end=date(2026, 4, 30), months=2)
    assert insights.months == ["2026-03", "2026-04"]
    assert insights.month_labels == ["3月", "4月"]
    p012 = next(p for p in insights.products if p.product_id == "P012")
    assert p012.trend == [3.5, None]


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_the_review_chart_draws_every_product_name(session: Session, size: str) -> None:
    days, weeks = periods(date(2026, 3, 1), date(2026, 3, 7))
    report = Report(
        days[0].start, days[-1].start, days, weeks, days[0], {},
        ReturnInsights(total=0, by_reason=[], by_product=[], by_size=[], fit=[]),
        review_insights(session=session, end=date.today()),
    )  # fmt: skip
    figure = charts.FIGURES["reviews"](report, size)
    charts._png(figure)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[-1] == "疾风男子跑鞋" and len(labels) == 10  # ten most reviewed
    assert charts.missing_glyphs(figure) == set()
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["5星", "4星", "3星", "2星", "1星"]

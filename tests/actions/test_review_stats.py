"""The review statistics against fixtures with known answers (shop/review_stats.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from shop.review_stats import (
    FIT_MIN_REVIEWS,
    FIT_MIN_SHARE,
    ReviewFacts,
    expected_fit,
    fit_disagreement,
    fit_from_text,
    is_complaint,
    negative_topics,
    percent,
    pick_quotes,
    problem_topics,
    short,
    summarize,
    topics_in,
    trend,
)


def _fits(small: int = 0, true: int = 0, large: int = 0, silent: int = 0) -> list[ReviewFacts]:
    return (
        [ReviewFacts(4, fit="small")] * small
        + [ReviewFacts(4, fit="true")] * true
        + [ReviewFacts(4, fit="large")] * large
        + [ReviewFacts(4)] * silent
    )


def test_summary_of_known_reviews() -> None:
    reviews = [
        ReviewFacts(5, fit="true"), ReviewFacts(4, fit="small"), ReviewFacts(3, fit="small"),
        ReviewFacts(2), ReviewFacts(1, fit="large"), ReviewFacts(5, fit="true"),
    ]  # fmt: skip
    summary = summarize(reviews)
    assert summary.count == 6
    assert summary.average == 3.3  # 20 / 6 = 3.33
    assert (summary.good, summary.middle, summary.bad) == (3, 1, 2)
    assert summary.fit_count == 5
    assert (summary.small, summary.true, summary.large) == (2, 2, 1)
    assert summary.distribution == (1, 1, 1, 1, 2)
    assert (summary.share("small"), summary.share("true"), summary.share("large")) == (40, 40, 20)


def test_summary_of_nothing() -> None:
    summary = summarize([])
    assert summary.count == 0 and summary.average is None
    assert summary.share("small") == 0


def test_average_rounds_halves_up() -> None:
    assert (
        summarize([ReviewFacts(4), ReviewFacts(5), ReviewFacts(4), ReviewFacts(4)]).average == 4.3
    )
    assert summarize([ReviewFacts(5), ReviewFacts(4)]).average == 4.5


@pytest.mark.parametrize(
    ("part", "whole", "expected"), [(1, 3, 33), (2, 3, 67), (1, 8, 13), (0, 0, 0)]
)
def test_percent(part: int, whole: int, expected: int) -> None:
    assert percent(part, whole) == expected


def test_the_thresholds_are_what_the_brief_says() -> None:
    assert (FIT_MIN_REVIEWS, FIT_MIN_SHARE) == (5, 0.30)


@pytest.mark.parametrize(
    ("adjust", "expected"), [(0, "true"), (None, "true"), (0.5, "small"), (-1, "large")]
)
def test_expected_fit_follows_the_fit_adjustment(adjust: float | None, expected: str) -> None:
    assert expected_fit(adjust) == expected


def test_disagreement_at_the_edges() -> None:
    # 3 of 10 = exactly 30 %: disagrees
    found = fit_disagreement(0, summarize(_fits(small=3, true=7)))
    assert found is not None and (found.fit, found.percent, found.fit_count) == ("small", 30, 10)
    # 2 of 7 = 28.6 %: below the share
    assert fit_disagreement(0, summarize(_fits(small=2, true=5))) is None
    # 2 of 4 = 50 % but only 4 reviews say how it fit (the silent ones do not count)
    assert fit_disagreement(0, summarize(_fits(small=2, true=2, silent=5))) is None
    # 5 reviews, 2 small = 40 %: the brief's example
    found = fit_disagreement(0, summarize(_fits(small=2, true=3)))
    assert found is not None and found.percent == 40


def test_no_disagreement_when_the_note_already_says_so() -> None:
    assert fit_disagreement(0.5, summarize(_fits(small=4, true=1))) is None  # runs small: noted
    found = fit_disagreement(-1, summarize(_fits(small=3, large=2)))  # noted large, found small
    assert found is not None and (found.fit, found.expected) == ("small", "large")


def test_the_larger_direction_wins() -> None:
    found = fit_disagreement(0, summarize(_fits(small=3, large=4, true=3)))
    assert found is not None and found.fit == "large" and found.percent == 40


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("新鞋磨脚后跟，还有股胶味", ["磨脚", "味道"]),
        ("羊皮很软，不磨脚", ["舒适"]),
        ("没有味道，也没开胶", []),
        ("穿了一个月就开胶了，质量太差", ["开胶", "质量"]),
        ("偏小，前掌挤脚", ["偏小"]),
        ("有点大，走路掉跟", ["偏大"]),
        ("浅色袜子会染黑，掉色", ["掉色"]),
        ("质量不错", []),
    ],
)
def test_topics_in_words(text: str, topics: list[str]) -> None:
    assert topics_in(text) == topics


def test_problems_fit_and_complaints() -> None:
    assert problem_topics("偏小，磨脚") == ["磨脚"]
    assert fit_from_text("偏小一点") == "small"
    assert fit_from_text("有点大") == "large"
    assert fit_from_text("有的地方挤脚，长度又偏大") is None  # both: not said clearly
    assert is_complaint(2, "")
    assert not is_complaint(3, "一般般")
    assert is_complaint(4, "好看，就是有点磨脚")
    assert not is_complaint(5, "很舒服，不磨脚")


def test_negative_topics_count_only_low_reviews() -> None:
    reviews = [
        ReviewFacts(1, "开胶了，质量太差"),
        ReviewFacts(2, "磨脚", fit="small"),
        ReviewFacts(3, "有点磨脚，挺舒服"),
        ReviewFacts(3, "偏小"),
        ReviewFacts(5, "磨脚是没有的，开胶也没有"),
        ReviewFacts(4, "有点磨脚"),  # 4 stars: not 中差评
    ]
    assert negative_topics(reviews) == [("磨脚", 2), ("偏小", 2), ("开胶", 1), ("质量", 1)]


def test_quotes_prefer_the_topic_then_both_sides() -> None:
    day = datetime(2026, 11, 1)
    old_good = ReviewFacts(5, "很好", reviewed_at=day.replace(day=1))
    new_good = ReviewFacts(4, "不错，轻", reviewed_at=day.replace(day=5))
    bad = ReviewFacts(2, "磨脚，难受", reviewed_at=day.replace(day=3))
    blank = ReviewFacts(1, "", reviewed_at=day.replace(day=9))
    reviews = [old_good, new_good, bad, blank]
    assert pick_quotes(reviews) == [new_good, bad]
    assert pick_quotes(reviews, "磨脚") == [bad]
    assert pick_quotes(reviews, "开胶") == []
    assert pick_quotes([old_good, new_good]) == [new_good, old_good]


def test_short_quotes() -> None:
    assert short("很好") == "很好"
    assert short("一" * 40, 10) == "一" * 9 + "…"


def test_trend_by_month() -> None:
    reviews = [
        ReviewFacts(5, reviewed_at=datetime(2026, 10, 3)),
        ReviewFacts(2, reviewed_at=datetime(2026, 10, 20)),
        ReviewFacts(4, reviewed_at=datetime(2026, 12, 1)),
    ]
    assert trend(reviews, ["2026-10", "2026-11", "2026-12"]) == [3.5, None, 4.0]

"""Edges of the size rules: parsing lengths and sizes, and picking a size."""

from __future__ import annotations

import pytest

from actions import sizing
from actions.sizing import ChartRow, recommend_size

CHART = [ChartRow(size, int((size + 10) * 5)) for size in (38, 38.5, 39, 39.5, 40, 40.5, 41)]
WHOLE = [ChartRow(size, int((size + 10) * 5)) for size in (38, 39, 40, 41, 42)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.5厘米", 25.5),
        ("脚长二十五点五公分", 25.5),
        ("255mm", 25.5),
        ("255毫米", 25.5),
        ("脚长25", 25.0),
        ("25", 25.0),
        ("255", 25.5),
        ("24cm半", 24.5),
        ("２５ｃｍ", 25.0),
        ("我脚长26厘米，平时穿42码", 26.0),
        ("一百厘米", 100.0),
        ("abc", None),
        ("", None),
        ("42", None),
        ("平时穿42码", None),
    ],
)
def test_parse_foot_length(text: str, expected: float | None) -> None:
    assert sizing.parse_foot_length_cm(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42.0),
        ("42码", 42.0),
        ("我平时穿四十二码", 42.0),
        ("41半", 41.5),
        ("39码半", 39.5),
        ("38.5码", 38.5),
        ("穿耐克42", 42.0),
        ("25", None),
        ("随便", None),
        ("想换大一码", None),
    ],
)
def test_parse_shoe_size(text: str, expected: float | None) -> None:
    assert sizing.parse_shoe_size(text) == expected


@pytest.mark.parametrize(
    ("cm", "ok"), [(11.9, False), (12.0, True), (25.5, True), (32.0, True), (32.1, False)]
)
def test_plausible_foot_length_edges(cm: float, ok: bool) -> None:
    assert sizing.is_plausible_foot_length(cm) is ok


@pytest.mark.parametrize(
    ("size", "ok"),
    [(19.5, False), (20, True), (41.5, True), (41.3, False), (50, True), (51, False)],
)
def test_plausible_size_edges(size: float, ok: bool) -> None:
    assert sizing.is_plausible_size(size) is ok


def test_size_to_foot_length_follows_the_national_standard() -> None:
    assert sizing.size_to_foot_length_cm(40) == 25.0
    assert sizing.size_to_foot_length_cm(35.5) == 22.75


def test_exact_chart_length_takes_that_size() -> None:
    advice = recommend_size(CHART, 25.0)
    assert advice is not None
    assert (advice.size, advice.chart_size, advice.reasons) == (40, 40, [])


def test_one_millimetre_over_takes_the_next_size() -> None:
    advice = recommend_size(CHART, 25.1)
    assert advice is not None and advice.size == 40.5


def test_runs_small_adds_the_fit_adjustment() -> None:
    advice = recommend_size(CHART, 25.0, fit_adjust=0.5)
    assert advice is not None
    assert (advice.size, advice.chart_size, advice.reasons) == (40.5, 40, ["fit_adjust"])


def test_runs_large_goes_down_but_not_below_the_chart() -> None:
    advice = recommend_size(CHART, 24.0, fit_adjust=-1)
    assert advice is not None and advice.size == 38


def test_wide_foot_adds_half_a_size() -> None:
    advice = recommend_size(CHART, 25.0, foot_shape="wide")
    assert advice is not None
    assert (advice.size, advice.reasons) == (40.5, ["wide_foot"])


def test_wide_last_needs_no_extra_room() -> None:
    advice = recommend_size(CHART, 25.0, foot_shape="high_instep", wide_last=True)
    assert advice is not None
    assert (advice.size, advice.reasons) == (40, ["wide_last"])


def test_narrow_foot_changes_nothing() -> None:
    advice = recommend_size(CHART, 25.0, foot_shape="narrow")
    assert advice is not None and advice.size == 40 and advice.reasons == []


def test_no_half_sizes_rounds_up() -> None:
    advice = recommend_size(WHOLE, 25.0, foot_shape="wide")
    assert advice is not None
    assert (advice.size, advice.reasons) == (41, ["wide_foot", "rounded_up"])


def test_adjustment_beyond_the_largest_size_says_so() -> None:
    advice = recommend_size(CHART, 25.5, fit_adjust=0.5, foot_shape="wide")
    assert advice is not None
    assert advice.size == 41 and advice.reasons[-1] == "largest"


def test_foot_longer_than_the_chart_gets_no_size() -> None:
    assert recommend_size(CHART, 25.6) is None


def test_foot_far_shorter_than_the_chart_gets_no_size() -> None:
    assert recommend_size(CHART, 22.4) is None
    advice = recommend_size(CHART, 22.5)
    assert advice is not None and advice.size == 38


def test_empty_chart_gets_no_size() -> None:
    assert recommend_size([], 25.0) is None


@pytest.mark.parametrize(("size", "text"), [(41.0, "41"), (41.5, "41.5"), (40, "40")])
def test_format_size(size: float, text: str) -> None:
    assert sizing.format_size(size) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("41.5有点挤 想换42", 42.0),  # two sizes: the one wished for
        ("42换43", 43.0),
        ("我要换40半", 40.5),
        ("换43", 43.0),
        ("43的", 43.0),
        ("42码", 42.0),
        ("换个颜色", None),
        ("换成99", None),  # no size a shop sells
    ],
)
def test_parse_size_answer_prefers_the_size_wished(text: str, expected: float | None) -> None:
    assert sizing.parse_size_answer(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42呢 平时穿41 脚背有点高", 41.0),  # the size worn, not the one asked about
        ("我一般穿39半", 39.5),
        ("平时都穿四十二", 42.0),
        ("42码有货吗", None),  # no size worn
        ("平时穿99", None),
    ],
)
def test_parse_worn_size(text: str, expected: float | None) -> None:
    assert sizing.parse_worn_size(text) == expected

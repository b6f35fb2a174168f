"""Conditional clauses of a fit note (shop/fit_notes.py), at their edges."""

from __future__ import annotations

import pytest

from shop.fit_notes import length_allowance, note_steps, step_for


@pytest.mark.parametrize(
    ("note", "steps"),
    [
        ("正码，脚背高的可以拍大半码", [("high_instep", 0.5)]),
        ("正码，冬天穿厚袜建议拍大一码", [("thick_socks", 1.0)]),
        ("偏大半码，脚瘦的可以拍小半码", [("narrow", -0.5)]),
        ("鞋头偏宽，脚瘦的拍小一码", [("narrow", -1.0)]),
        ("正码；楦头偏窄，脚宽的建议拍大一码", [("wide", 1.0)]),
        # no step needed, no condition, or no step: nothing
        ("宽楦设计，正码；脚宽、脚背高也不用拍大", []),
        ("偏大一码，建议拍小一码；穿厚袜的可以按平时尺码", []),
        ("偏小半码，建议拍大半码", []),
        ("", []),
    ],
)
def test_note_steps(note: str, steps: list[tuple[str, float]]) -> None:
    assert [(s.condition, s.step) for s in note_steps(note)] == steps


def test_a_foot_shape_step_applies_to_that_shape_only() -> None:
    note = "鞋头偏宽，脚瘦的拍小一码"
    assert step_for(note, "narrow", "") is not None
    assert step_for(note, "wide", "") is None
    assert step_for(note, None, "我脚比较瘦") is None  # the shape comes from the form


def test_a_way_of_wearing_applies_when_the_buyer_says_it() -> None:
    note = "正码，冬天穿厚袜建议拍大一码"
    assert step_for(note, "normal", "冬天穿厚袜子穿几码") is not None
    assert step_for(note, "normal", "平时穿37") is None


@pytest.mark.parametrize(
    ("note", "cm", "clause"),
    [
        ("正码，按宝宝脚长加1厘米左右选码", 1.0, "按宝宝脚长加1厘米左右选码"),
        ("脚长+0.5-1cm选码", 1.0, "脚长+0.5-1cm选码"),  # a range: the larger, room to grow
        ("按脚长加5mm选码", 0.5, "按脚长加5mm选码"),
        ("正码；孩子脚长得快，可以在脚长基础上留半码到一码的余量", None, None),  # no length
        ("宽楦，穿厚袜加1cm", None, None),  # neither the foot's length nor a size
        ("按脚长加5厘米选码", None, None),  # no allowance: a typo or another measure
        ("", None, None),
    ],
)
def test_a_length_to_add_at_its_edges(note: str, cm: float | None, clause: str | None) -> None:
    found = length_allowance(note)
    assert (found.step if found else None, found.clause if found else None) == (cm, clause)

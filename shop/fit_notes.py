"""Conditional advice in a product's fit note: 脚宽的建议拍大一码, 冬天穿厚袜建议拍大一码.

A shop writes its fit note as text. The unconditional part of it is the
product's ``fit_adjust`` (偏小半码 → +0.5), which the shop sets itself; a clause
that names a kind of foot or a way of wearing and a step (大一码, 小半码) applies
only to the buyers it names. The size advice reads those clauses, so it does not
recommend 38 while quoting "脚瘦的拍小一码" to a buyer with slim feet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shop.lexicon import FIT_NOTE_CONDITIONS, NOT_NEEDED_WORDS, RELATIVE_SIZES, first_key

_CLAUSES = re.compile(r"[，,。；;！!、\n]+")


@dataclass(frozen=True)
class NoteStep:
    """A step the fit note gives to the buyers of one ``condition`` (a foot shape code,
    or ``thick_socks``), and the clause that says so."""

    condition: str
    step: float
    clause: str


def note_steps(note: str) -> list[NoteStep]:
    """The conditional steps of a fit note, in its order; a clause that says no step is
    needed (脚宽也不用拍大) or names no condition gives none."""
    steps: list[NoteStep] = []
    for clause in _CLAUSES.split(note or ""):
        if any(word in clause for word in NOT_NEEDED_WORDS):
            continue
        step = next((v for w, v in RELATIVE_SIZES.items() if w in clause), None)
        condition = first_key(clause, FIT_NOTE_CONDITIONS)
        if step is not None and condition is not None:
            steps.append(NoteStep(condition, step, clause.strip()))
    return steps


def step_for(note: str, foot_shape: str | None, said: str) -> NoteStep | None:
    """The note's step for this buyer: their foot shape, or what they said they wear
    (冬天穿厚袜子 for ``thick_socks``); the first that applies."""
    for found in note_steps(note):
        if found.condition == foot_shape:
            return found
        words = FIT_NOTE_CONDITIONS.get(found.condition, ())
        if found.condition not in ("narrow", "wide", "high_instep") and any(
            word in said for word in words
        ):
            return found
    return None


# 按宝宝脚长加1厘米选码, 脚长+0.5~1cm: a length the note adds to the foot before the chart.
_ALLOWANCE = re.compile(
    r"(?:加|\+|＋|多留|预留|留出?|放)\s*(\d+(?:\.\d+)?)(?:\s*[-~～到至]\s*(\d+(?:\.\d+)?))?"
    r"\s*(厘米|公分|cm|CM|毫米|mm|MM)"
)


def length_allowance(note: str) -> NoteStep | None:
    """The length, in centimetres, the fit note says to add to the foot before choosing
    from the chart (按脚长加1厘米选码: 1.0; 加0.5-1厘米: the larger, room to grow), and
    the clause that says so; ``None`` when it says none."""
    for clause in _CLAUSES.split(note or ""):
        found = _ALLOWANCE.search(clause)
        if found is None or ("脚长" not in clause and "码" not in clause):
            continue
        value = max(float(found.group(1)), float(found.group(2) or 0))
        cm = value / 10 if found.group(3).lower() in ("毫米", "mm") else value
        if 0 < cm <= 2:  # more is no allowance but a typo or another measure
            return NoteStep("length", cm, clause.strip())
    return None

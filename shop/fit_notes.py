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

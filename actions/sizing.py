"""Size logic: reading foot lengths and sizes from Chinese text, picking a size.

Pure functions, no database and no Rasa, so every rule is unit-tested at its
edges. Sizes are Chinese shoe sizes (码): by the national standard a size fits
a foot of ``(size + 10) * 5`` mm, so size 40 is 250 mm.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import cn2an

# Plausible ranges: a child's shoe starts near 12 cm, the largest adult near 32 cm.
MIN_FOOT_CM = 12.0
MAX_FOOT_CM = 32.0
MIN_SIZE = 20.0
MAX_SIZE = 50.0

WIDE_SHAPES = frozenset({"wide", "high_instep", "flat"})  # foot shape codes

_CM = r"(?:厘米|公分|cm|CM|Cm|釐米|里米)"
_MM = r"(?:毫米|mm|MM)"
_NUM = r"(\d{1,3}(?:\.\d{1,2})?)"
_LENGTH_CM = re.compile(_NUM + r"\s*" + _CM + r"(半)?")
_LENGTH_MM = re.compile(_NUM + r"\s*" + _MM)
_LENGTH_BARE = re.compile(r"(?:脚长|脚的长度|长度|脚|量了)[^\d]{0,4}" + _NUM)
_SIZE = re.compile(_NUM + r"\s*(?:码|號|号|碼|yard)(半)?")
_SIZE_WORDS = re.compile(r"(?:穿|拿|买|选|是)[^\d]{0,3}" + _NUM + r"(半)?")
_ONLY_NUMBER = re.compile(r"^\s*" + _NUM + r"(半)?\s*$")


def to_arabic(text: str) -> str:
    """Rewrites Chinese numerals as digits: ``二十五点五`` -> ``25.5``.

    ``cn2an`` leaves text it cannot read unchanged; the result is only used for
    parsing, never shown to the buyer.
    """
    text = unicodedata.normalize("NFKC", text)
    try:
        return str(cn2an.transform(text, "cn2an"))
    except (ValueError, KeyError, IndexError):
        return text


def _number(match: re.Match, half_group: int | None = None) -> float:
    value = float(match.group(1))
    if half_group is not None and match.group(half_group):
        value += 0.5
    return value


def parse_foot_length_cm(text: str) -> float | None:
    """Returns the foot length in cm written in ``text``, or ``None``.

    Reads ``25.5厘米``, ``255mm``, ``二十五公分``, ``脚长25``, and a bare number
    when it can only be a length (``25.5`` or ``255``). The value is not
    range-checked here: see :func:`is_plausible_foot_length`.
    """
    normalized = to_arabic(text or "")
    match = _LENGTH_MM.search(normalized)
    if match:
        return round(_number(match) / 10, 1)
    match = _LENGTH_CM.search(normalized)
    if match:
        return round(_number(match, 2), 1)
    match = _LENGTH_BARE.search(normalized) or _ONLY_NUMBER.match(normalized)
    if match:
        value = float(match.group(1))
        if 100 <= value <= 400:
            return round(value / 10, 1)
        if value < 34 or (match.re is _LENGTH_BARE and value < 100):
            return value
    return None


_WORN = re.compile(
    r"(?:平时|平常|一般|1般|通常|日常|平日|都|我)\s*穿(?:的是|的)?\s*" + _NUM + r"(?:码|号)?(半)?"
)  # 1般: to_arabic reads the 一 of 一般 as a numeral


def parse_worn_size(text: str) -> float | None:
    """The size the buyer says they usually wear (平时穿41), which wins over another
    size in the same message (42呢 平时穿41: 42 is the question's)."""
    match = _WORN.search(to_arabic(text or ""))
    if match and MIN_SIZE <= float(match.group(1)) <= MAX_SIZE:
        return _number(match, 2)
    return None


def parse_shoe_size(text: str) -> float | None:
    """Returns the shoe size written in ``text`` (``42码``, ``穿四十一``, ``39半``)."""
    normalized = to_arabic(text or "")
    match = _SIZE.search(normalized)
    if match and MIN_SIZE <= float(match.group(1)) <= MAX_SIZE:
        return _number(match, 2)
    match = _SIZE_WORDS.search(normalized)
    if match and MIN_SIZE <= float(match.group(1)) <= MAX_SIZE:
        return _number(match, 2)
    match = _ONLY_NUMBER.match(normalized)
    if match and 34 <= float(match.group(1)) <= MAX_SIZE:
        return _number(match, 2)
    return None


# Two digits not followed by a unit that makes them something else.
_NOT_SIZE_UNITS = r"\s*(?:厘米|公分|cm|毫米|mm|元|块|天|月|日|号(?!码))"
_SIZE_ANSWER = re.compile(r"(?<![\d.])(\d{2}(?:\.5)?)(半)?(?![\d.]|" + _NOT_SIZE_UNITS + ")")


# The size wished for after a change word: 41.5有点挤 想换42 wants 42, not 41.5.
_WISHED_SIZE = re.compile(r"(?:换成?|改成?|换个|要)\s*(\d{2}(?:\.5)?)(半)?(?![\d.])")


def parse_size_answer(text: str) -> float | None:
    """A size typed as the answer to "which size": ``42码`` or just ``43的``, ``换43``;
    with two sizes, the one after 换 (41.5有点挤 想换42)."""
    wished = _WISHED_SIZE.search(to_arabic(text or ""))
    if wished and MIN_SIZE <= float(wished.group(1)) <= MAX_SIZE:
        return _number(wished, 2)
    size = parse_shoe_size(text)
    if size is not None:
        return size
    match = _SIZE_ANSWER.search(to_arabic(text or ""))
    if match and 30 <= float(match.group(1)) <= MAX_SIZE:
        return _number(match, 2)
    return None


def is_plausible_foot_length(cm: float) -> bool:
    """Whether ``cm`` can be a real foot length."""
    return MIN_FOOT_CM <= cm <= MAX_FOOT_CM


def is_plausible_size(size: float) -> bool:
    """Whether ``size`` is a shoe size this shop could sell (whole or half)."""
    return MIN_SIZE <= size <= MAX_SIZE and float(size * 2).is_integer()


def size_to_foot_length_cm(size: float) -> float:
    """The foot length in cm that a standard Chinese size fits."""
    return (size + 10) / 2


@dataclass(frozen=True)
class ChartRow:
    """A size and the longest foot (mm) it fits."""

    size: float
    foot_length_mm: int


@dataclass
class Recommendation:
    """A recommended size and the reasons that moved it.

    ``chart_size`` is what the size chart alone gives; ``size`` is the advice
    after the fit note and foot shape. ``reasons`` are codes the action turns
    into domain responses: ``fit_adjust``, ``fit_note_step``, ``wide_foot``, ``wide_last``,
    ``rounded_up``, ``largest``.
    """

    size: float
    chart_size: float
    reasons: list[str] = field(default_factory=list)


def recommend_size(
    chart: Sequence[ChartRow],
    foot_length_cm: float,
    *,
    fit_adjust: float = 0.0,
    foot_shape: str | None = None,
    wide_last: bool = False,
    note_step: float = 0.0,
) -> Recommendation | None:
    """Picks a size from a product's chart for a foot, or ``None`` if none fits.

    The chart size is the smallest size whose foot length is at least the
    buyer's. The fit note's adjustment is added (a model that runs half a size
    small has ``fit_adjust=0.5``), and the step the note gives this buyer
    (``note_step``: 脚瘦的拍小一码); wide feet and high insteps add half a size
    unless the shoe has a wide last. The result is rounded up to a size the
    chart has. ``None`` means the foot is longer than the largest size, or so
    much shorter than the smallest (more than 10 mm) that no size fits.
    """
    rows = sorted(chart, key=lambda row: row.size)
    if not rows:
        return None
    foot_mm = foot_length_cm * 10
    if foot_mm > rows[-1].foot_length_mm or foot_mm < rows[0].foot_length_mm - 15:
        return None
    chart_size = next(row.size for row in rows if row.foot_length_mm >= foot_mm - 1e-6)
    target = chart_size
    reasons: list[str] = []
    if fit_adjust:
        target += fit_adjust
        reasons.append("fit_adjust")
    if note_step:  # the fit note's step for this buyer's foot or socks
        target += note_step
        reasons.append("fit_note_step")
    if foot_shape in WIDE_SHAPES:
        if wide_last:
            reasons.append("wide_last")
        else:
            target += 0.5
            reasons.append("wide_foot")
    sizes = [row.size for row in rows]
    size = _round_up_to_available(target, sizes)
    if size is None:
        size = sizes[-1]
        reasons.append("largest")
    elif size != target:
        reasons.append("rounded_up")
    if size < sizes[0]:
        size = sizes[0]
    return Recommendation(size=size, chart_size=chart_size, reasons=reasons)


def _round_up_to_available(target: float, sizes: Iterable[float]) -> float | None:
    candidates = [size for size in sizes if size >= target - 1e-6]
    return min(candidates) if candidates else None


def format_size(size: float) -> str:
    """``41.0`` -> ``41``, ``41.5`` -> ``41.5`` (for response variables)."""
    return str(int(size)) if math.isclose(size, round(size)) else f"{size:.1f}"

"""Server-side charts of the owner report (matplotlib, Agg, PNG), cached.

Every label is Chinese, so a chart is only drawn with a CJK font: Debian's Noto
Sans CJK (``fonts-noto-cjk``, which ``make run`` and ``make test`` install). The
font is looked up when a chart is rendered, not once at import, so a font
installed while the console runs is picked up. Without one, or when a label has
a character the font lacks, rendering raises :class:`ChartFontError` (the page
shows the message instead of the chart, the log says what to install): a chart
with boxes for characters is never produced.

Each chart is drawn on its own ``Figure`` (no pyplot state), 700 px wide or
420 px for a phone (:data:`SIZES`). Count axes have integer ticks only. Rendered
PNGs are kept for :data:`CACHE_SECONDS` per chart, range and size.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from glob import glob

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg  # no pyplot: no global state
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from console.analytics import Report
from shop.lexicon import CHART_LABELS, CHART_TITLES, RETURN_KIND_LABELS

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300
CACHE_SIZE = 32
FONT_GLOBS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/**/NotoSansCJK*-Regular.tt[cf]",
    "/usr/share/fonts/**/NotoSansCJK*.[ot]t[cf]",
    "/usr/share/fonts/**/*CJK*.[ot]t[cf]",
    "/usr/share/fonts/**/*[Ww]en[Qq]uan*.tt[cf]",
)
FONT_HELP = (
    "install Debian's fonts-noto-cjk (scripts/apt_install.sh fonts-noto-cjk; "
    "make run does it) and reload the page"
)
PROBE = "会话退换货原因每日"  # characters any usable font must have


class ChartFontError(RuntimeError):
    """A chart cannot show its Chinese: no CJK font, or characters the font lacks (``missing``)."""

    def __init__(self, message: str, missing: str = "") -> None:
        super().__init__(message)
        self.missing = missing


_font_lock = threading.Lock()
_font: tuple[str, str] | None = None  # (path, family name) of the font in use


def _covers(path: str, text: str) -> bool:
    charmap = font_manager.get_font(path).get_charmap()
    return all(ord(char) in charmap for char in text)


def _configure(name: str) -> None:
    """Makes ``name`` matplotlib's sans-serif font (idempotent; read when artists are made)."""
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False


def cjk_font() -> str:
    """The CJK font's family name, found now; :class:`ChartFontError` when there is none.

    The font found last is reused while its file exists; otherwise the font
    directories are searched again (cheap next to drawing a chart).
    """
    global _font
    with _font_lock:
        if _font is not None and os.path.exists(_font[0]):
            _configure(_font[1])
            return _font[1]
        _font = None
        for pattern in FONT_GLOBS:
            for path in sorted(glob(pattern, recursive=True)):
                try:
                    if not _covers(path, PROBE):
                        continue
                    font_manager.fontManager.addfont(path)
                    name = font_manager.FontProperties(fname=path).get_name()
                except (OSError, RuntimeError, ValueError):
                    continue
                # findfont caches its answers; one given before this font was added is stale.
                font_manager.fontManager._findfont_cached.cache_clear()
                _font = (path, name)
                _configure(name)
                logger.info("owner charts use the CJK font %s (%s)", name, path)
                return name
    raise ChartFontError(f"no CJK font for the owner's charts: {FONT_HELP}")


def font_problem() -> str | None:
    """Why charts cannot be drawn now (logged as an error), or ``None``."""
    try:
        cjk_font()
    except ChartFontError as exc:
        logger.error("%s", exc)
        return str(exc)
    return None


def missing_glyphs(figure: Figure) -> set[str]:
    """Characters of the figure's visible texts that the font each text is drawn in lacks.

    The font is resolved as the Agg renderer resolves it (``findfont`` on the
    text's properties), so an empty set means no box is drawn.
    """
    missing: set[str] = set()
    for artist in figure.findobj(Text):
        text = artist.get_text()
        if not text or not artist.get_visible():
            continue
        path = font_manager.findfont(artist.get_fontproperties())
        charmap = font_manager.get_font(path).get_charmap()
        missing.update(c for c in text if not c.isspace() and ord(c) not in charmap)
    return missing


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    missing = missing_glyphs(figure)
    if missing:
        chars = "".join(sorted(missing))
        raise ChartFontError(f"the chart font has no glyph for {chars!r}: {FONT_HELP}", chars)
    return buffer.getvalue()


SIZES = ("wide", "phone")  # 700 px for a desktop, 420 px for a phone's narrow column
WIDTH = {"wide": 7.0, "phone": 4.2}  # inches at 100 dpi


def _counts(axis: Axis, top: float, headroom: float = 1.08) -> None:
    """Integer ticks only, from 0, on an axis of counts (0-1 when there is nothing)."""
    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=2))
    if axis.axis_name == "y":
        axis.axes.set_ylim(0, max(top, 1) * headroom)
    else:
        axis.axes.set_xlim(0, max(top, 1) * headroom)


def _nothing(axes: Axes, empty: bool) -> None:
    if empty:
        axes.text(0.5, 0.5, CHART_LABELS["empty"], transform=axes.transAxes,
                  ha="center", va="center", color="#888", fontsize=12)  # fmt: skip


def _days_axis(axes: Axes, report: Report, size: str) -> list[int]:
    """Positions of the days; at most 8 (phone) or 15 date labels (MM-DD), evenly spaced."""
    positions = list(range(len(report.days)))
    step = max(1, -(-len(positions) // (8 if size == "phone" else 15)))
    axes.set_xticks(positions[::step])
    axes.set_xticklabels([p.label[5:] for p in report.days][::step])
    axes.tick_params(axis="x", labelsize=8, rotation=45)
    return positions


def _legend_on_top(axes: Axes) -> None:
    """The legend in one row above the data (the axis leaves room for it)."""
    axes.legend(loc="upper center", ncol=3, fontsize=8, frameon=False, handlelength=1.2,
                columnspacing=1.0)  # fmt: skip


def conversations_figure(report: Report, size: str = "wide") -> Figure:
    """Conversations per day: settled by the assistant, stuck, handed to a person."""
    cjk_font()
    figure = Figure(figsize=(WIDTH[size], 3.4))
    axes = figure.add_subplot()
    x = _days_axis(axes, report, size)
    handed = [len(p.handed_off & p.conversations) for p in report.days]
    stuck = [len(p.unsettled) for p in report.days]
    alone = [
        len(p.conversations) - h - s for p, h, s in zip(report.days, handed, stuck, strict=True)
    ]
    on_top = [a + s for a, s in zip(alone, stuck, strict=True)]
    axes.bar(x, alone, label=CHART_LABELS["settled"], color="#4c9f70")
    axes.bar(x, stuck, bottom=alone, label=CHART_LABELS["stuck"], color="#f2cc8f")
    axes.bar(x, handed, bottom=on_top, label=CHART_LABELS["handed_off"], color="#e07a5f")
    axes.set_title(CHART_TITLES["conversations"])
    axes.set_ylabel(CHART_LABELS["conversations"])
    top = max((len(p.conversations) for p in report.days), default=0)
    _counts(axes.yaxis, top, headroom=1.3)
    _legend_on_top(axes)
    _nothing(axes, not top)
    return figure


def rates_figure(report: Report, size: str = "wide") -> Figure:
    """Automation, stuck and fallback rate per day, in percent."""
    cjk_font()
    figure = Figure(figsize=(WIDTH[size], 3.4))
    axes = figure.add_subplot()
    x = _days_axis(axes, report, size)

    def pct(values: list[float | None]) -> list[float]:
        return [float("nan") if v is None else v * 100 for v in values]

    days, names = report.days, CHART_LABELS
    axes.plot(x, pct([p.automation_rate for p in days]), marker="o", label=names["automation_rate"])
    axes.plot(x, pct([p.stuck_rate for p in days]), marker="^", label=names["stuck"])
    axes.plot(x, pct([p.fallback_rate for p in days]), marker="s", label=names["fallback_rate"])
    axes.set_ylim(0, 130)  # room for the legend above 100 %
    axes.set_yticks([0, 20, 40, 60, 80, 100])
    axes.set_ylabel("%")
    axes.set_title(CHART_TITLES["rates"])
    _legend_on_top(axes)
    _nothing(axes, not any(p.conversations for p in days))
    return figure


def _returns_exchanges(rows: list[tuple], title: str, height: float, size: str) -> Figure:
    """Horizontal bars, returns stacked with exchanges; rows are (id, name, returns, exchanges)."""
    cjk_font()
    figure = Figure(figsize=(WIDTH[size], height))
    axes = figure.add_subplot()
    rows = list(reversed(rows))
    names = [name for _, name, _, _ in rows]
    returns = [r for _, _, r, _ in rows]
    exchanges = [e for *_, e in rows]
    axes.barh(names, returns, label=RETURN_KIND_LABELS["return"], color="#3d5a80")
    axes.barh(names, exchanges, left=returns, label=RETURN_KIND_LABELS["exchange"], color="#98c1d9")
    axes.set_title(title)
    axes.set_xlabel(CHART_LABELS["requests"])
    _counts(axes.xaxis, max((r + e for r, e in zip(returns, exchanges, strict=True)), default=0))
    axes.tick_params(axis="y", labelsize=8 if size == "phone" else 9)
    axes.legend(loc="lower right", fontsize=8)
    _nothing(axes, not rows)
    return figure


def returns_figure(report: Report, size: str = "wide") -> Figure:
    """Returns and exchanges by reason (horizontal, stacked)."""
    return _returns_exchanges(list(report.returns.by_reason), CHART_TITLES["returns"], 3.2, size)


def products_figure(report: Report, size: str = "wide") -> Figure:
    """Returns and exchanges per product (the ten with most)."""
    rows = list(report.returns.by_product[:10])
    return _returns_exchanges(rows, CHART_TITLES["products"], 3.8, size)


STAR_COLORS = ("#c0392b", "#e07a5f", "#f2cc8f", "#98c1d9", "#3d5a80")  # 1 .. 5 stars


def reviews_figure(report: Report, size: str = "wide") -> Figure:
    """Each reviewed product's reviews by stars (the ten most reviewed), stacked."""
    cjk_font()
    figure = Figure(figsize=(WIDTH[size], 3.8))
    axes = figure.add_subplot()
    rows = [p for p in report.reviews.products if p.count][:10][::-1]
    names = [p.name for p in rows]
    left = [0] * len(rows)
    for stars in range(5, 0, -1):
        counts = [p.distribution[stars - 1] for p in rows]
        named = CHART_LABELS["stars"].format(stars=stars)
        axes.barh(names, counts, left=left, label=named, color=STAR_COLORS[stars - 1])
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_title(CHART_TITLES["reviews"])
    axes.set_xlabel(CHART_LABELS["reviews"])
    _counts(axes.xaxis, max(left, default=0), headroom=1.25)
    axes.tick_params(axis="y", labelsize=8 if size == "phone" else 9)
    axes.legend(loc="lower right", fontsize=8, ncol=5)
    _nothing(axes, not rows)
    return figure


FIGURES: dict[str, Callable[[Report, str], Figure]] = {
    "conversations": conversations_figure,
    "rates": rates_figure,
    "returns": returns_figure,
    "products": products_figure,
    "reviews": reviews_figure,
}


def render(kind: str, report: Report, size: str = "wide") -> bytes:
    """The chart ``kind`` as PNG; :class:`ChartFontError` rather than a chart with boxes."""
    return _png(FIGURES[kind](report, size))


# Each chart as PNG bytes from a report, by kind.
CHARTS: dict[str, Callable[[Report], bytes]] = {
    kind: functools.partial(render, kind) for kind in FIGURES
}


class ChartCache:
    """PNG bytes by key, each for :data:`CACHE_SECONDS`; least recently used dropped.

    Failures (:class:`ChartFontError`) are not cached: the next request tries again.
    """

    def __init__(self, seconds: float = CACHE_SECONDS, size: int = CACHE_SIZE) -> None:
        self.seconds, self.size = seconds, size
        self._items: OrderedDict[tuple, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, render: Callable[[], bytes]) -> bytes:
        """The cached PNG for ``key``, rendered (outside the lock) when missing or old."""
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit and now - hit[0] < self.seconds:
                self._items.move_to_end(key)
                return hit[1]
        png = render()
        with self._lock:
            self._items[key] = (now, png)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return png

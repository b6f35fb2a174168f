"""Server-side charts of the owner report (matplotlib, Agg, PNG), cached.

Each chart is drawn on its own ``Figure`` (no pyplot state), with Debian's
Noto Sans CJK for the Chinese labels when it is installed. Rendered PNGs are
kept for :data:`CACHE_SECONDS` per chart and range.
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from glob import glob

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg  # no pyplot: no global state
from matplotlib.figure import Figure

from console.analytics import Report

CACHE_SECONDS = 300
CACHE_SIZE = 32
FONT_GLOBS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/*CJK*.tt[cf]",
)


def _use_cjk_font() -> str | None:
    for pattern in FONT_GLOBS:
        for path in sorted(glob(pattern, recursive=True)):
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False
            return name
    return None


CJK_FONT = _use_cjk_font()


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def conversations_chart(report: Report) -> bytes:
    """Conversations per day: settled by the assistant vs handed to a person."""
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    labels = [p.label[5:] for p in report.days]
    handed = [len(p.handed_off & p.conversations) for p in report.days]
    alone = [len(p.conversations) - h for p, h in zip(report.days, handed, strict=True)]
    axes.bar(labels, alone, label="智能客服独立解决", color="#4c9f70")
    axes.bar(labels, handed, bottom=alone, label="转人工", color="#e07a5f")
    axes.set_title("每日会话数")
    axes.legend(loc="upper left", fontsize=8)
    axes.tick_params(axis="x", labelsize=8, rotation=45)
    return _png(figure)


def rates_chart(report: Report) -> bytes:
    """Automation and fallback rate per day, in percent."""
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    labels = [p.label[5:] for p in report.days]

    def pct(values: list[float | None]) -> list[float]:
        return [float("nan") if v is None else v * 100 for v in values]

    axes.plot(labels, pct([p.automation_rate for p in report.days]), marker="o", label="自动解决率")
    axes.plot(labels, pct([p.fallback_rate for p in report.days]), marker="s", label="未识别率")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_title("自动解决率与未识别率")
    axes.legend(loc="lower left", fontsize=8)
    axes.tick_params(axis="x", labelsize=8, rotation=45)
    return _png(figure)


def _returns_exchanges(rows: list[tuple], title: str, height: float) -> bytes:
    """Horizontal bars, returns stacked with exchanges; rows are (id, name, returns, exchanges)."""
    figure = Figure(figsize=(7, height))
    axes = figure.add_subplot()
    rows = list(reversed(rows))
    names = [name for _, name, _, _ in rows]
    returns = [r for _, _, r, _ in rows]
    axes.barh(names, returns, label="退货", color="#3d5a80")
    axes.barh(names, [e for *_, e in rows], left=returns, label="换货", color="#98c1d9")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8)
    return _png(figure)


def returns_chart(report: Report) -> bytes:
    """Returns and exchanges by reason (horizontal, stacked)."""
    return _returns_exchanges(list(report.returns.by_reason), "退换货原因", 3.2)


def products_chart(report: Report) -> bytes:
    """Returns and exchanges per product (the ten with most)."""
    return _returns_exchanges(list(report.returns.by_product[:10]), "各商品退换货", 3.6)


CHARTS: dict[str, Callable[[Report], bytes]] = {
    "conversations": conversations_chart,
    "rates": rates_chart,
    "returns": returns_chart,
    "products": products_chart,
}


class ChartCache:
    """PNG bytes by key, each for :data:`CACHE_SECONDS`; least recently used dropped."""

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

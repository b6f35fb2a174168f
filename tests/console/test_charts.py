"""The owner's charts show Chinese or nothing: every chart renders with a CJK font and
no missing glyph (matplotlib's "Glyph … missing from current font" warning is an
error here), a missing font or glyph fails loudly instead of drawing boxes, the font
is looked up at render time, and count axes have integer ticks only.

Needs Debian's fonts-noto-cjk; without it the test installs it (scripts/apt_install.sh)
rather than skipping.
"""

from __future__ import annotations

import json
import subprocess
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from console import charts
from console.analytics import Report
from console.analytics_periods import periods
from console.return_insights import ReturnInsights
from shop.lexicon import RETURN_REASON_LABELS

ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = [p["name"] for p in json.loads((ROOT / "seed/demo_shop.json").read_text())["products"]]


@pytest.fixture(scope="module", autouse=True)
def cjk_installed() -> None:
    """Debian's Noto CJK is there (installed now when it is not)."""
    if not list(Path("/usr/share/fonts").glob("**/NotoSansCJK*")):
        subprocess.run([str(ROOT / "scripts/apt_install.sh"), "fonts-noto-cjk"], check=True)
    assert list(Path("/usr/share/fonts").glob("**/NotoSansCJK*")), "fonts-noto-cjk missing"


@pytest.fixture()
def glyph_warnings_fail() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from")
        yield


def report(counts: list[tuple[int, int, int]], *, returns: bool = True) -> Report:
    """Days of (settled, handed off, stuck) conversations; returns of every reason and product."""
    days, weeks = periods(date(2025, 3, 1), date(2025, 3, len(counts)))
    total = periods(date(2025, 3, 1), date(2025, 3, 1))[0][0]
    for day, (settled, handed, stuck) in zip(days, counts, strict=True):
        ids = [f"{day.label}-{n}" for n in range(settled + handed + stuck)]
        day.conversations = set(ids)
        day.handed_off = set(ids[settled : settled + handed])
        day.stuck = set(ids[settled + handed :])
        day.messages, day.fallbacks = 3 * len(ids), stuck
    reasons = RETURN_REASON_LABELS.items()
    by_reason = [(code, name, 2, 1) for code, name in reasons] if returns else []
    by_product = (
        [(f"P{n:03d}", name, n, 1) for n, name in enumerate(PRODUCTS, 1)] if returns else []
    )
    insights = ReturnInsights(
        total=sum(r + e for *_, r, e in by_reason), by_reason=by_reason, by_product=by_product,
        by_size=[], fit=[],
    )  # fmt: skip
    return Report(days[0].start, days[-1].start, days, weeks, total, {}, insights)


def draw(kind: str, data: Report, size: str = "wide") -> Figure:
    figure = charts.FIGURES[kind](data, size)
    charts._png(figure)  # draws it (tick labels exist afterwards)
    return figure


@pytest.mark.usefixtures("glyph_warnings_fail")
@pytest.mark.parametrize("size", charts.SIZES)
@pytest.mark.parametrize("kind", list(charts.CHARTS))
def test_each_chart_shows_its_chinese_with_a_cjk_font(kind: str, size: str) -> None:
    data = report([(5, 1, 1), (7, 2, 0), (3, 0, 2)])
    png = charts.render(kind, data, size)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    figure = draw(kind, data, size)
    assert charts.missing_glyphs(figure) == set()
    texts = [t for t in figure.findobj(Text) if t.get_text() and t.get_visible()]
    chinese = [t for t in texts if any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
    assert chinese, "the chart has Chinese labels"
    for text in chinese:
        font = font_manager.findfont(text.get_fontproperties())
        assert "CJK" in font, f"{text.get_text()!r} drawn with {font}"
    if kind == "products":
        labels = {t.get_text() for t in figure.axes[0].get_yticklabels()}
        assert set(PRODUCTS[:10]) <= labels | set(PRODUCTS)  # the demo shop's names render


@pytest.mark.usefixtures("glyph_warnings_fail")
def test_an_empty_report_still_renders_with_integer_axes() -> None:
    data = report([(0, 0, 0), (0, 0, 0)], returns=False)
    for kind in charts.CHARTS:
        assert charts.CHARTS[kind](data).startswith(b"\x89PNG")
    figure = draw("conversations", data)
    assert [t for t in figure.axes[0].get_yticks() if 0 <= t <= 1] == [0, 1]
    assert "暂无数据" in {t.get_text() for t in figure.axes[0].texts}


@pytest.mark.parametrize(
    ("kind", "axis"), [("conversations", "y"), ("returns", "x"), ("products", "x")]
)
@pytest.mark.parametrize("counts", [[(1, 0, 0)], [(2, 1, 0), (0, 0, 1)], [(40, 9, 5)] * 3])
def test_count_axes_have_integer_ticks(
    kind: str, axis: str, counts: list[tuple[int, int, int]]
) -> None:
    figure = draw(kind, report(counts))
    axes = figure.axes[0]
    low, high = axes.get_ylim() if axis == "y" else axes.get_xlim()
    ticks = [
        t for t in (axes.get_yticks() if axis == "y" else axes.get_xticks()) if low <= t <= high
    ]
    assert len(ticks) >= 2
    assert all(float(t).is_integer() for t in ticks), ticks
    labels = axes.get_yticklabels() if axis == "y" else axes.get_xticklabels()
    assert not any("." in label.get_text() for label in labels)
    assert low == 0


@pytest.mark.parametrize(("size", "most"), [("wide", 15), ("phone", 8)])
def test_a_month_of_days_gets_thinned_date_labels(size: str, most: int) -> None:
    figure = draw("conversations", report([(2, 1, 0)] * 30), size)
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert 2 <= len(labels) <= most and labels[0] == "03-01"


@pytest.mark.filterwarnings("ignore:Glyph .* missing from")
def test_a_label_the_font_cannot_show_fails_instead_of_drawing_boxes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dejavu = font_manager.findfont("DejaVu Sans")
    monkeypatch.setattr(charts, "_font", (dejavu, "DejaVu Sans"))  # a font without Chinese
    with pytest.raises(charts.ChartFontError, match="fonts-noto-cjk"):
        charts.CHARTS["returns"](report([(1, 0, 0)]))
    monkeypatch.undo()
    charts.cjk_font()  # back to the CJK font for the other tests


@pytest.mark.filterwarnings("ignore:Glyph .* missing from")
def test_a_character_missing_from_the_cjk_font_fails_too() -> None:
    data = report([(1, 0, 0)])
    data.returns.by_product[0] = ("P001", "闪电鞋\U0001f45f", 1, 0)  # emoji: not in Noto Sans CJK
    with pytest.raises(charts.ChartFontError, match="\U0001f45f"):
        charts.CHARTS["products"](data)


def test_without_any_cjk_font_rendering_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_font", None)
    monkeypatch.setattr(charts, "FONT_GLOBS", ("/nonexistent/**/*.ttc",))
    with pytest.raises(charts.ChartFontError, match="install Debian's fonts-noto-cjk"):
        charts.CHARTS["conversations"](report([(1, 0, 0)]))
    assert charts.font_problem() is not None


def test_the_font_is_looked_up_at_render_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A font installed while the console runs is used by the next chart."""
    installed = charts.FONT_GLOBS
    monkeypatch.setattr(charts, "_font", None)
    monkeypatch.setattr(charts, "FONT_GLOBS", ())
    with pytest.raises(charts.ChartFontError):
        charts.cjk_font()
    monkeypatch.setattr(charts, "FONT_GLOBS", installed)  # "apt-get install fonts-noto-cjk"
    assert "CJK" in charts.cjk_font()
    assert charts.CHARTS["rates"](report([(1, 0, 0)])).startswith(b"\x89PNG")
    monkeypatch.setattr(charts, "_font", (str(Path("/nonexistent/gone.ttc")), "Gone"))
    assert "CJK" in charts.cjk_font()  # a removed font file is searched for again


def test_failures_are_not_cached() -> None:
    cache = charts.ChartCache()
    calls = []

    def failing() -> bytes:
        calls.append(1)
        raise charts.ChartFontError("no font")

    for _ in range(2):
        with pytest.raises(charts.ChartFontError):
            cache.get(("x",), failing)
    assert len(calls) == 2
    assert cache.get(("x",), lambda: b"png") == b"png"


def test_make_run_installs_the_cjk_font_as_make_test_does() -> None:
    run = (ROOT / "scripts/run.sh").read_text()
    install = ROOT / "scripts/install_cjk_font.sh"
    assert "scripts/install_cjk_font.sh" in run
    assert run.index("install_cjk_font.sh") < run.index("python -m console ")
    assert 'apt_install.sh" fonts-noto-cjk' in install.read_text()
    assert install.stat().st_mode & 0o111  # executable
    result = subprocess.run([str(install)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr  # here: installed already, or installs it

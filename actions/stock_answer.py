"""The pure stock answer: a product's stock rows and the buyer's question in, responses out.

The answer names what is available nearby: the other colours in the asked size
and the neighbouring sizes in the asked colour. A restock date is said only when
the shop's data has one that is not past; otherwise the buyer is told honestly
that no date is known. Plain values only, so every case is unit-tested at its edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from actions import sizing
from actions.stock_query import StockQuery
from shop.lexicon import COLOR_STEMS

Messages = list[tuple[str, dict[str, Any]]]

FEW_LEFT = 3  # at most this many units free: "只剩N双"
NEARBY_STEPS = 1.0  # neighbouring sizes: at most one size away (half sizes included)
MAX_LISTED = 6  # sold-out colour/size pairs named in one restock sentence


@dataclass(frozen=True)
class StockRow:
    """One colour and size of a product: units free for sale and the restock date."""

    color: str
    size: float
    free: int
    restock_on: date | None = None


def _fmt(size: float) -> str:
    return sizing.format_size(size)


def _sizes_text(sizes: Iterable[float], chart: Sequence[float]) -> str:
    """Sizes as ranges over the chart: 38-40、42、44-45 (a run has no gap in the chart)."""
    wanted = set(sizes)
    runs: list[list[float]] = []
    previous_in = False
    for size in chart:
        if size in wanted:
            if previous_in:
                runs[-1].append(size)
            else:
                runs.append([size])
        previous_in = size in wanted
    return "、".join(
        _fmt(run[0]) if len(run) == 1 else f"{_fmt(run[0])}-{_fmt(run[-1])}" for run in runs
    )


def _label(rows: Sequence[StockRow]) -> str:
    """Sold-out colour/size pairs in a few words: 黑色43、43.5码 / 黑色、白色43码."""
    shown = list(rows)[:MAX_LISTED]
    more = "等" if len(rows) > MAX_LISTED else ""
    colors = list(dict.fromkeys(row.color for row in shown))
    if len(colors) == 1:
        sizes = "、".join(_fmt(row.size) for row in sorted(shown, key=lambda r: r.size))
        return f"{colors[0]}{sizes}码{more}"
    if len({row.size for row in shown}) == 1:
        return f"{'、'.join(colors)}{_fmt(shown[0].size)}码{more}"
    return "、".join(f"{row.color}{_fmt(row.size)}码" for row in shown) + more


def _restock(rows: Sequence[StockRow], today: date) -> Messages:
    """When the sold-out ``rows`` come back: dates the shop gave, else honestly unknown."""
    dated: dict[date, list[StockRow]] = {}
    undated: list[StockRow] = []
    for row in rows:
        if row.restock_on is not None and row.restock_on >= today:
            dated.setdefault(row.restock_on, []).append(row)
        else:
            undated.append(row)
    messages: Messages = [
        (
            "utter_stock_restock_on",
            {"what": _label(group), "month": day.month, "day": day.day},
        )
        for day, group in sorted(dated.items())
    ]
    if undated:
        messages.append(("utter_stock_restock_unknown", {"what": _label(undated)}))
    return messages


def _match_colors(words: Sequence[str], colors: Sequence[str]) -> tuple[list[str], list[str]]:
    """The product's colours the buyer's words name, and the words that name none."""
    matched: list[str] = []
    unknown: list[str] = []
    for word in words:
        stem = word.removesuffix("的").removesuffix("色") or word
        found = [c for c in colors if c == word] or [c for c in colors if stem in c]
        if found:
            matched += [c for c in found if c not in matched]
        else:
            unknown.append(word)
    return matched, unknown


def _as_said(word: str) -> str:
    return f"{word}色" if word in COLOR_STEMS else word


def stock_answer(
    name: str,
    rows: Sequence[StockRow],
    chart: Sequence[float],
    query: StockQuery,
    today: date,
) -> Messages:
    """The responses answering ``query`` about product ``name`` from its stock rows.

    ``chart`` is the product's sizes (size chart and stock), ``today`` the
    shop's date: a restock date before it is stale and not said. A colour and
    size without a stock row has nothing in stock and no restock date.
    """
    chart = sorted(set(chart) | {row.size for row in rows})
    if not rows:
        return [("utter_stock_unknown", {"product_name": name}), ("utter_offer_human", {})]
    stock = _Stock(rows, chart)
    matched, unknown = _match_colors(query.colors, stock.colors)
    if unknown and not matched:
        colors = "、".join(stock.colors)
        return [
            (
                "utter_stock_no_color",
                # a stem is said as a colour: 没有橙色, not 没有橙
                {"product_name": name, "color": _as_said(unknown[0]), "colors": colors},
            )
        ]
    size = query.size
    if size is not None and size not in chart:
        return [
            (
                "utter_stock_no_size",
                {
                    "product_name": name,
                    "size": _fmt(size),
                    "min_size": _fmt(chart[0]),
                    "max_size": _fmt(chart[-1]),
                },
            )
        ]
    if matched and size is not None:
        return [m for color in matched for m in _one(name, stock, color, size, today)]
    if size is not None:
        return _size_only(name, stock, size, today)
    if matched:
        return _colors_only(name, stock, matched, query, today)
    return _overview(name, stock, query, today)


class _Stock:
    """A product's stock rows by colour and size, with the sizes free for sale."""

    def __init__(self, rows: Sequence[StockRow], chart: Sequence[float]) -> None:
        self.rows = list(rows)
        self.chart = list(chart)
        self.colors = list(dict.fromkeys(row.color for row in rows))
        self.table = {(row.color, row.size): row for row in rows}

    def free(self, color: str, size: float) -> int:
        row = self.table.get((color, size))
        return row.free if row else 0

    def free_sizes(self, color: str | None = None) -> list[float]:
        """Sizes with units for sale, in ``color`` or in any colour."""
        colors = [color] if color else self.colors
        return [s for s in self.chart if any(self.free(c, s) > 0 for c in colors)]

    def sold_out(self, *, color: str | None = None, size: float | None = None) -> list[StockRow]:
        """Stock rows with nothing for sale, of ``color`` and/or ``size``."""
        return [
            row
            for row in self.rows
            if row.free <= 0
            and (color is None or row.color == color)
            and (size is None or row.size == size)
        ]


def _nearby(sizes: Iterable[float], size: float) -> str:
    """The sizes at most a size away from ``size`` (42、42.5、44), or ''."""
    near = [s for s in sizes if s != size and abs(s - size) <= NEARBY_STEPS]
    return "、".join(_fmt(s) for s in sorted(near))


def _one(name: str, stock: _Stock, color: str, size: float, today: date) -> Messages:
    """One colour in one size: available (maybe few left), or sold out and what is nearby."""
    which = {"product_name": name, "color": color, "size": _fmt(size)}
    free = stock.free(color, size)
    if free > 0:
        if free <= FEW_LEFT:
            return [("utter_stock_few_left", {**which, "count": free})]
        return [("utter_stock_available", which)]
    messages: Messages = [("utter_stock_sold_out", which)]
    messages += _restock(stock.sold_out(color=color, size=size), today)
    others = [c for c in stock.colors if c != color and stock.free(c, size) > 0]
    if others:
        messages.append(
            ("utter_stock_other_colors", {"size": _fmt(size), "colors": "、".join(others)})
        )
    nearby = _nearby(stock.free_sizes(color), size)
    if nearby:
        messages.append(("utter_stock_nearby_sizes", {"color": color, "sizes": nearby}))
    return messages


def _size_only(name: str, stock: _Stock, size: float, today: date) -> Messages:
    """One size, any colour: the colours in stock, else sold out and the nearby sizes."""
    available = [c for c in stock.colors if stock.free(c, size) > 0]
    if available:
        return [
            (
                "utter_stock_size_colors",
                {"product_name": name, "size": _fmt(size), "colors": "、".join(available)},
            )
        ]
    messages: Messages = [("utter_stock_size_sold_out", {"product_name": name, "size": _fmt(size)})]
    messages += _restock(stock.sold_out(size=size), today)
    nearby = _nearby(stock.free_sizes(), size)
    if nearby:
        messages.append(("utter_stock_nearby_sizes_any", {"size": _fmt(size), "sizes": nearby}))
    return messages


def _colors_only(
    name: str, stock: _Stock, colors: Sequence[str], query: StockQuery, today: date
) -> Messages:
    """Colours, any size: the sizes in stock (restock of the rest when asked), or
    sold out with when it comes back and the colours that are in stock."""
    messages: Messages = []
    for color in colors:
        sizes = stock.free_sizes(color)
        sold_out = stock.sold_out(color=color)
        if not sizes:
            messages.append(("utter_stock_color_sold_out", {"product_name": name, "color": color}))
            messages += _restock(sold_out, today)
            continue
        text = _sizes_text(sizes, stock.chart)
        messages.append(
            ("utter_stock_color_sizes", {"product_name": name, "color": color, "sizes": text})
        )
        if query.restock:
            messages += _restock(sold_out, today) or [("utter_stock_nothing_sold_out", {})]
    others = [c for c in stock.colors if c not in colors and stock.free_sizes(c)]
    if others and not any(stock.free_sizes(c) for c in colors):
        messages.append(
            ("utter_stock_colors_available", {"product_name": name, "colors": "、".join(others)})
        )
    return messages


def _overview(name: str, stock: _Stock, query: StockQuery, today: date) -> Messages:
    """No colour or size named: what is in stock by colour; restock when asked."""
    summary = "；".join(
        f"{color} {_sizes_text(sizes, stock.chart)}码"
        for color in stock.colors
        if (sizes := stock.free_sizes(color))
    )
    sold_out = stock.sold_out()
    if not summary:
        messages: Messages = [("utter_stock_all_sold_out", {"product_name": name})]
        return messages + _restock(sold_out, today)
    messages = [("utter_stock_overview", {"product_name": name, "summary": summary})]
    if query.restock:
        messages += _restock(sold_out, today) or [("utter_stock_nothing_sold_out", {})]
    return messages

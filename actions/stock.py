"""Stock questions: is a shoe, colour or size in stock, and when does it come back.

The answer comes from the stock table minus reservations (units held for
exchanges are not for sale). It names what is available nearby: the other
colours in the asked size and the neighbouring sizes in the asked colour. A
restock date is said only when the shop's data has one that is not past;
otherwise the buyer is told honestly that no date is known.

:func:`stock_answer` is pure (plain values in, responses out), so every case
is unit-tested at its edges; :class:`ActionAnswerStock` reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.common import (
    answer_in_transaction,
    latest_entity,
    latest_text,
    raw_text,
)
from actions.products import settle_shoe
from nlu_components.text import normalize_text
from shop.clock import shop_now
from shop.lexicon import RESTOCK_WORDS, colors_in

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


@dataclass(frozen=True)
class StockQuery:
    """What the buyer asks about: colour words (白色, 白), a size, and whether restock."""

    colors: tuple[str, ...] = ()
    size: float | None = None
    restock: bool = False

    def merged(self, earlier: StockQuery) -> StockQuery:
        """This query, with the colour and size of an earlier one where it names none."""
        return replace(
            self,
            colors=self.colors or earlier.colors,
            size=self.size if self.size is not None else earlier.size,
            restock=self.restock or earlier.restock,
        )


def read_query(
    text: str, *, color_entity: str | None = None, size_entity: str | None = None
) -> StockQuery:
    """The stock question in ``text`` (simplified script) and the message's entities."""
    colors = [color_entity] if color_entity else []
    colors += [stem for stem in colors_in(text) if not any(stem in c for c in colors)]
    size = None
    if size_entity:
        size = sizing.parse_size_answer(f"{size_entity}码")
    if size is None:
        size = sizing.parse_size_answer(text)
    restock = any(word in text for word in RESTOCK_WORDS)
    return StockQuery(colors=tuple(colors), size=size, restock=restock)


def with_catalogue_colors(
    query: StockQuery, texts: Sequence[str], colors: Sequence[str]
) -> StockQuery:
    """``query`` with the product's own colour names found in ``texts`` (燕麦色, 薄荷绿).

    A shop names its colours as it likes, so a name need not hold one of the
    lexicon's stems; and a full name (墨绿色) is more precise than its stem (绿),
    which the name replaces.
    """
    named = [color for color in colors if any(_names_color(text, color) for text in texts)]
    if not named:
        return query
    kept = [word for word in query.colors if not any(word in color for color in named)]
    return replace(query, colors=tuple(kept + [c for c in named if c not in kept]))


def _names_color(text: str, color: str) -> bool:
    bare = color.removesuffix("色")
    return color in text or (len(bare) >= 2 and bare in text)


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
            ("utter_stock_no_color", {"product_name": name, "color": unknown[0], "colors": colors})
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


def _query_of(tracker: Tracker) -> StockQuery:
    """The stock question of the latest message (a button payload has only entities)."""
    payload = raw_text(tracker).startswith("/")
    return read_query(
        "" if payload else latest_text(tracker),
        color_entity=latest_entity(tracker, "color"),
        size_entity=latest_entity(tracker, "shoe_size"),
    )


def asked_which_shoe(tracker: Tracker, action: str = "action_answer_stock") -> str | None:
    """The question (stock, or ``action``'s) answered with "which shoe?" just before
    the latest message.

    Its text, when the assistant's last action before the buyer's latest
    message was ``action`` and it asked which shoe; else ``None``. The buyer's
    reply (小白鞋, or a button) then answers that question.
    """
    seen_latest = False
    asked = False
    ours = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return str(event.get("text") or "") if ours and asked else None
            seen_latest = True
        elif not seen_latest:
            continue
        elif kind == "bot":
            utter = (event.get("metadata") or {}).get("utter_action")
            asked = asked or utter == "utter_ask_product_id"
        elif kind == "action" and event.get("name") != "action_listen":
            if ours or event.get("name") != action:
                return None
            ours = True
    return None


def _stock_rows(product: Any) -> list[StockRow]:
    return [
        StockRow(
            color=item.color,
            size=float(item.size),
            free=max(0, (item.quantity or 0) - (item.reserved or 0)),
            restock_on=item.restock_on,
        )
        for item in sorted(product.stock, key=lambda item: item.id or 0)
    ]


class ActionAnswerStock(Action):
    """Answers whether a shoe, colour or size is in stock, from the stock table."""

    def name(self) -> str:
        return "action_answer_stock"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        query = _query_of(tracker)
        earlier = asked_which_shoe(tracker)
        if earlier is not None:
            query = query.merged(read_query(normalize_text(earlier, max_chars=2000)))
        texts = [latest_text(tracker), normalize_text(earlier or "", max_chars=2000)]
        today = shop_now().date()

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            product, messages, events = settle_shoe(
                tracker,
                texts,
                which_response="utter_stock_which_product",
                session=session,
                kind_switches=True,
            )
            if product is None:
                return messages, events
            chart = [float(row.size) for row in product.size_chart]
            rows = _stock_rows(product)
            asked = with_catalogue_colors(query, texts, [row.color for row in rows])
            return stock_answer(product.name, rows, chart, asked, today), events

        return await answer_in_transaction(dispatcher, answer)

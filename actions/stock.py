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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.access import shop_now
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    latest_entity,
    latest_text,
    raw_text,
    resolve_product,
)
from actions.db import queries
from actions.lexicon import RESTOCK_WORDS, colors_in
from actions.products import product_buttons
from nlu_components.text import normalize_text

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
    shop's date: a restock date before it is stale and not said.
    """
    chart = sorted(set(chart) | {row.size for row in rows})
    if not rows:
        return [("utter_stock_unknown", {"product_name": name}), ("utter_offer_human", {})]
    colors = list(dict.fromkeys(row.color for row in rows))
    table = {(row.color, row.size): row for row in rows}
    matched, unknown = _match_colors(query.colors, colors)
    if unknown and not matched:
        return [
            (
                "utter_stock_no_color",
                {"product_name": name, "color": unknown[0], "colors": "、".join(colors)},
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

    def row(color: str, at: float) -> StockRow:  # no row: nothing in stock, no date
        return table.get((color, at)) or StockRow(color, at, 0)

    def free_sizes(color: str | None) -> list[float]:
        return [s for s in chart if any(row(c, s).free > 0 for c in ([color] if color else colors))]

    if matched and size is not None:
        return [m for color in matched for m in _one(name, row(color, size), rows, today)]
    if size is not None:
        return _size_only(name, [row(c, size) for c in colors], free_sizes(None), today)
    if matched:
        messages: Messages = []
        for color in matched:
            messages += _color_only(name, color, [row(color, s) for s in chart], chart, today)
        others = [c for c in colors if c not in matched and free_sizes(c)]
        if not any(free_sizes(c) for c in matched) and others:
            messages.append(
                (
                    "utter_stock_colors_available",
                    {"product_name": name, "colors": "、".join(others)},
                )
            )
        return messages
    return _overview(name, rows, colors, chart, query, today, free_sizes)


def _one(name: str, wanted: StockRow, rows: Sequence[StockRow], today: date) -> Messages:
    """One colour in one size: available (maybe few left), or sold out and what is nearby."""
    which = {"product_name": name, "color": wanted.color, "size": _fmt(wanted.size)}
    if wanted.free > 0:
        if wanted.free <= FEW_LEFT:
            return [("utter_stock_few_left", {**which, "count": wanted.free})]
        return [("utter_stock_available", which)]
    messages: Messages = [("utter_stock_sold_out", which)]
    messages += _restock([wanted], today)
    other_colors = [
        r.color for r in rows if r.size == wanted.size and r.color != wanted.color and r.free > 0
    ]
    if other_colors:
        messages.append(
            (
                "utter_stock_other_colors",
                {"size": _fmt(wanted.size), "colors": "、".join(dict.fromkeys(other_colors))},
            )
        )
    nearby = [
        r.size
        for r in rows
        if r.color == wanted.color
        and r.free > 0
        and r.size != wanted.size
        and abs(r.size - wanted.size) <= NEARBY_STEPS
    ]
    if nearby:
        messages.append(
            (
                "utter_stock_nearby_sizes",
                {"color": wanted.color, "sizes": "、".join(_fmt(s) for s in sorted(nearby))},
            )
        )
    return messages


def _size_only(
    name: str,
    in_size: Sequence[StockRow],
    free_sizes: Sequence[float],
    today: date,
) -> Messages:
    """One size, any colour: the colours in stock, else sold out and the nearby sizes."""
    size = in_size[0].size
    available = [r.color for r in in_size if r.free > 0]
    if available:
        return [
            (
                "utter_stock_size_colors",
                {"product_name": name, "size": _fmt(size), "colors": "、".join(available)},
            )
        ]
    messages: Messages = [("utter_stock_size_sold_out", {"product_name": name, "size": _fmt(size)})]
    messages += _restock(list(in_size), today)
    nearby = [s for s in free_sizes if s != size and abs(s - size) <= NEARBY_STEPS]
    if nearby:
        messages.append(
            (
                "utter_stock_nearby_sizes_any",
                {"size": _fmt(size), "sizes": "、".join(_fmt(s) for s in nearby)},
            )
        )
    return messages


def _color_only(
    name: str, color: str, in_color: Sequence[StockRow], chart: Sequence[float], today: date
) -> Messages:
    """One colour, any size: the sizes in stock, and when the sold-out ones come back."""
    available = [r.size for r in in_color if r.free > 0]
    sold_out = [r for r in in_color if r.free <= 0]
    if not available:
        messages: Messages = [
            ("utter_stock_color_sold_out", {"product_name": name, "color": color})
        ]
        return messages + _restock(sold_out, today)
    return [
        (
            "utter_stock_color_sizes",
            {"product_name": name, "color": color, "sizes": _sizes_text(available, chart)},
        ),
        *(_restock(sold_out, today) if sold_out else []),
    ]


def _overview(
    name: str,
    rows: Sequence[StockRow],
    colors: Sequence[str],
    chart: Sequence[float],
    query: StockQuery,
    today: date,
    free_sizes: Callable[[str | None], list[float]],
) -> Messages:
    """No colour or size named: what is in stock by colour; restock when asked."""
    sold_out = [r for r in rows if r.free <= 0]
    summary = "；".join(
        f"{color} {_sizes_text(sizes, chart)}码" for color in colors if (sizes := free_sizes(color))
    )
    if not summary:
        messages: Messages = [("utter_stock_all_sold_out", {"product_name": name})]
        return messages + _restock(sold_out, today)
    messages = [("utter_stock_overview", {"product_name": name, "summary": summary})]
    if query.restock:
        if not sold_out:
            messages.append(("utter_stock_nothing_sold_out", {}))
        else:
            messages += _restock(sold_out, today)
    return messages


def _query_of(tracker: Tracker) -> StockQuery:
    """The stock question of the latest message (a button payload has only entities)."""
    payload = raw_text(tracker).startswith("/")
    return read_query(
        "" if payload else latest_text(tracker),
        color_entity=latest_entity(tracker, "color"),
        size_entity=latest_entity(tracker, "shoe_size"),
    )


def asked_which_shoe(tracker: Tracker) -> str | None:
    """The stock question answered with "which shoe?" just before the latest message.

    Its text, when the assistant's last action before the buyer's latest
    message was this one and it asked which shoe; else ``None``. The buyer's
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
            if ours or event.get("name") != ActionAnswerStock.NAME:
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

    NAME = "action_answer_stock"

    def name(self) -> str:
        return self.NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        query = _query_of(tracker)
        earlier = asked_which_shoe(tracker)
        if earlier is not None:
            query = query.merged(read_query(normalize_text(earlier, max_chars=2000)))
        texts = [latest_text(tracker), normalize_text(earlier or "", max_chars=2000)]
        in_form = tracker.active_loop_name is not None
        asking_for_product = in_form and tracker.get_slot("requested_slot") == "product_id"
        today = shop_now().date()

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            found = resolve_product(tracker, session=session)
            events: list[EventType] = [SlotSet(k, v) for k, v in found.slots.items()]
            if found.unknown_name:
                return [("utter_unknown_product", {})], events
            if found.product is None:
                if asking_for_product:  # the form asks which shoe right after
                    return [], events
                if in_form:
                    return [("utter_stock_which_product", {})], events
                kinds: list[Any] = []
                for text in texts:
                    kinds = kinds or queries.products_of_kind_in_text(text, session=session)
                return [("utter_ask_product_id", {"buttons": product_buttons(kinds)})], events
            product = queries.get_product(found.product.id, session=session)
            assert product is not None
            events += [SlotSet("product_id", product.id), SlotSet("product_name", product.name)]
            chart = [float(row.size) for row in product.size_chart]
            return stock_answer(product.name, _stock_rows(product), chart, query, today), events

        try:
            messages, events = await in_transaction(answer)
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        return events

"""Conversation records: searching every conversation in Rasa's tracker store.

Every conversation is in the tracker store's ``events`` table (one row per event,
``data`` its JSON), not only the handed-off ones, so the search runs there, in SQL,
and only the page asked for is read and rendered (:mod:`shop.transcript`).
The shop database adds what the tracker does not say directly: which conversations
belong to a buyer (``buyer-<id>`` and the buyer's escalations, complaints, ratings
and photos) or concern an order. Filters (docs/records.md): buyer, order number,
date range (shop-local days, both ends included), intent, handled by (``assistant``:
no agent wrote; ``agent``: an agent wrote) and keyword (in what buyer, assistant or
agent said). Rasa writes ``data`` with ``json.dumps`` (non-ASCII as ``\\uXXXX``), so
text is searched in that same spelling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from rasa_ext import events as rasa_events
from rasa_ext.events import EVENTS
from shop import transcript
from shop.config import settings
from shop.db.models import Buyer, Complaint, ConversationRating, Escalation, Order, Photo
from shop.lexicon import INTENT_LABELS, label

BUYER_PREFIX = "buyer-"
SAID = ("user", "bot")
AGENT_MARK = '"agent_name": "'  # an agent's message: a bot event with metadata.agent_name
PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
HANDLED = {"assistant": "机器人", "agent": "人工客服"}
_ORDER = re.compile(r"[A-Za-z0-9_-]{4,40}")
_INTENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


class InvalidFilterError(ValueError):
    """A filter value that cannot be used; ``field`` names it (the API's 400)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Filters:
    """One search; empty values do not filter. ``end`` is included."""

    buyer: str = ""
    order: str = ""
    start: date | None = None
    end: date | None = None
    intent: str = ""
    handled_by: str = ""
    keyword: str = ""

    @classmethod
    def parse(cls, args: Any) -> Filters:
        """From query parameters (``buyer, order, from, to, intent, handled_by, q``).

        Raises:
            InvalidFilterError: a value is too long, malformed, or ``from`` is after ``to``.
        """

        def text(name: str, limit: int) -> str:
            value = str(args.get(name) or "").strip()
            if len(value) > limit:
                raise InvalidFilterError(name)
            return value

        def day(name: str) -> date | None:
            value = text(name, 10)
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                raise InvalidFilterError(name) from None

        found = cls(
            buyer=text("buyer", 50),
            order=text("order", 40),
            start=day("from"),
            end=day("to"),
            intent=text("intent", 60),
            handled_by=text("handled_by", 10),
            keyword=text("q", 50),
        )
        if found.order and not _ORDER.fullmatch(found.order):
            raise InvalidFilterError("order")
        if found.intent and not _INTENT.fullmatch(found.intent):
            raise InvalidFilterError("intent")
        if found.handled_by not in ("", *HANDLED):
            raise InvalidFilterError("handled_by")
        if found.start and found.end and found.start > found.end:
            raise InvalidFilterError("to")
        return found

    def json(self) -> dict[str, str]:
        """The filters that are set, by their query names, as the log and exports record them."""
        names = {"start": "from", "end": "to", "keyword": "q"}
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}
        return {names.get(k, k): v for k, v in values.items() if v}

    def span(self) -> tuple[float | None, float | None]:
        """The date range as Unix seconds ``[start, end)`` of shop-local days."""
        zone = ZoneInfo(settings.timezone)

        def stamp(day: date | None, shift: int) -> float | None:
            moment = datetime.combine(day + timedelta(shift), time(), zone) if day else None
            return moment.timestamp() if moment else None

        return stamp(self.start, 0), stamp(self.end, 1)


def json_fragment(text: str) -> str:
    """``text`` as it appears inside Rasa's stored JSON (non-ASCII as ``\\uXXXX``)."""
    return json.dumps(text)[1:-1]


@dataclass(frozen=True)
class ShopLinks:
    """Conversation ids the shop database ties to the buyer and to the order filter."""

    buyer: frozenset[str] | None = None  # None: no buyer filter
    order: frozenset[str] | None = None  # None: no order filter


def shop_conversations(filters: Filters, session: Session) -> ShopLinks:
    """The conversations the shop database ties to the buyer and order filters.

    A buyer matches by id, exact name, whole phone number or its last four digits
    (their ``buyer-<id>`` conversation and their escalations, complaints, ratings and
    photos); an order brings its buyer's conversation and the escalations and
    complaints naming it.
    """
    buyer = order = None
    if filters.buyer:
        q = filters.buyer
        match = [sa.func.upper(Buyer.id) == q.upper(), Buyer.name == q, Buyer.phone == q]
        if len(q) == 4 and q.isdigit():
            match.append(Buyer.phone.like(f"%{q}"))
        ids = set(session.execute(sa.select(Buyer.id).where(sa.or_(*match))).scalars())
        buyer = frozenset(
            {f"{BUYER_PREFIX}{i}" for i in ids} | _by_column("buyer_id", ids, session)
        )
    if filters.order:
        owners = session.execute(sa.select(Order.buyer_id).where(Order.id == filters.order))
        ordered = {f"{BUYER_PREFIX}{i}" for i in owners.scalars()}
        order = frozenset(ordered | _by_column("order_id", {filters.order}, session))
    return ShopLinks(buyer, order)


def _by_column(column: str, values: set[str], session: Session) -> set[str]:
    """Conversation ids of the service rows whose ``column`` is one of ``values``."""
    if not values:
        return set()
    models: list[Any] = [Escalation, Complaint] + (
        [ConversationRating, Photo] if column == "buyer_id" else []
    )
    found: set[str] = set()
    for model in models:
        attribute = getattr(model, column)
        query = sa.select(model.conversation_id).where(attribute.in_(sorted(values)))
        found.update(session.execute(query).scalars())
    return found


def _having(*where: Any) -> Any:
    inner = EVENTS.alias("inner_events")
    clauses = [w(inner) for w in where]
    return EVENTS.c.sender_id.in_(sa.select(inner.c.sender_id).where(*clauses))


def conditions(filters: Filters, links: ShopLinks) -> list[Any]:
    """The WHERE clauses over ``events`` for ``filters``."""
    c = EVENTS.c
    found: list[Any] = [c.type_name.in_(SAID)]
    start, end = filters.span()
    if start is not None:
        found.append(c.timestamp >= start)
    if end is not None:
        found.append(c.timestamp < end)
    if filters.intent:
        found.append(_having(lambda e: e.c.intent_name == filters.intent))
    if filters.keyword:
        words = json_fragment(filters.keyword)
        found.append(
            _having(
                lambda e: e.c.type_name.in_(SAID),
                lambda e: e.c.data.contains(words, autoescape=True),
            )
        )
    agent = _having(
        lambda e: e.c.type_name == "bot", lambda e: e.c.data.contains(AGENT_MARK, autoescape=True)
    )
    if filters.handled_by == "agent":
        found.append(agent)
    elif filters.handled_by == "assistant":
        found.append(sa.not_(agent))
    if links.buyer is not None:
        found.append(c.sender_id.in_(sorted(links.buyer)))
    if links.order is not None:
        # the order number typed, said or held in a slot, or a conversation the shop ties to it
        mentioned = _having(lambda e: e.c.data.contains(filters.order, autoescape=True))
        found.append(sa.or_(c.sender_id.in_(sorted(links.order)), mentioned))
    return found


def _grouped(filters: Filters, links: ShopLinks) -> Any:
    c = EVENTS.c
    return (
        sa.select(
            c.sender_id,
            sa.func.min(c.timestamp).label("first"),
            sa.func.max(c.timestamp).label("last"),
            sa.func.count().label("messages"),
        )
        .where(*conditions(filters, links))
        .group_by(c.sender_id)
    )


def count(connection: Connection, filters: Filters, links: ShopLinks) -> int:
    """How many conversations match."""
    grouped = _grouped(filters, links).subquery()
    return int(connection.execute(sa.select(sa.func.count()).select_from(grouped)).scalar() or 0)


def page(
    connection: Connection,
    filters: Filters,
    links: ShopLinks,
    *,
    number: int = 1,
    size: int = PAGE_SIZE,
) -> list[tuple[str, float, float, int]]:
    """``(conversation id, first, last, messages)`` of one page, latest activity first."""
    query = (
        _grouped(filters, links)
        .order_by(sa.desc("last"), EVENTS.c.sender_id)
        .limit(size)
        .offset((max(number, 1) - 1) * size)
    )
    return [(str(r[0]), float(r[1]), float(r[2]), int(r[3])) for r in connection.execute(query)]


def all_ids(connection: Connection, filters: Filters, links: ShopLinks) -> Iterator[str]:
    """Every matching conversation id, latest activity first (ids only: small)."""
    grouped = _grouped(filters, links).order_by(sa.desc("last"), EVENTS.c.sender_id)
    for row in connection.execution_options(stream_results=True).execute(grouped):
        yield str(row[0])


def events_of(
    connection: Connection, ids: list[str], filters: Filters | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The stored events of these conversations, oldest first (within the date range)."""
    start, end = filters.span() if filters is not None else (None, None)
    return rasa_events.events_of(connection, ids, start, end)


def buyer_of(conversation_id: str) -> str | None:
    """The buyer id of a logged-in buyer's conversation (``buyer-B005`` → ``B005``)."""
    return (
        conversation_id.removeprefix(BUYER_PREFIX)
        if conversation_id.startswith(BUYER_PREFIX)
        else None
    )


def summary(conversation_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """A result row's rendered facts: handled by, intents (Chinese), first and last words."""
    lines = transcript.render(events)
    said = [line.text for line in lines if line.who == "buyer" and line.kind == "text"]
    intents: list[str] = []
    for line in lines:
        name = line.intent
        if name and not transcript.is_system_intent(name) and name not in intents:
            intents.append(name)
    agent = any(line.who == "agent" for line in lines)
    return {
        "conversation_id": conversation_id,
        "buyer_id": buyer_of(conversation_id),
        "handled_by": "agent" if agent else "assistant",
        "handled_by_label": HANDLED["agent" if agent else "assistant"],
        "intents": [{"intent": i, "label": label(INTENT_LABELS, i) or i} for i in intents[:5]],
        "first_words": (said[0][:60] if said else ""),
        "last_words": (said[-1][:60] if said else ""),
    }

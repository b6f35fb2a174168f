"""Exports of a records search, JSON or CSV, masked, written a few conversations at a time.

The ids of the matching conversations are read first (small); then each chunk of
:data:`CHUNK` conversations is read, rendered by :mod:`shop.transcript` (through
``console.conversation.messages``), masked (phone numbers, addresses the
conversation's slots held, the buyer's order addresses, address-shaped text) and
handed to the response as text. Only one chunk's events are in memory at a time,
so a month of a busy shop streams instead of filling the console's memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console import conversation
from console.records_store import Filters, buyer_of, events_of, summary
from shop.config import settings
from shop.db.models import Order
from shop.db.session import session_scope

CHUNK = 50
FORMATS = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}
CSV_FIELDS = ("conversation_id", "buyer_id", "handled_by", *conversation.CSV_FIELDS)


def chunks(ids: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    """``ids`` in slices of ``size``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _order_addresses(buyer_ids: set[str]) -> dict[str, set[str]]:
    """The delivery addresses of each buyer's orders (masked wherever they appear)."""
    if not buyer_ids:
        return {}
    found: dict[str, set[str]] = {}
    with session_scope() as session:
        query = sa.select(Order.buyer_id, Order.address).where(Order.buyer_id.in_(buyer_ids))
        for buyer_id, address in session.execute(query):
            if address:
                found.setdefault(buyer_id, set()).add(address)
    return found


def masked_conversations(tracker: Engine, ids: list[str], filters: Filters) -> list[dict[str, Any]]:
    """One chunk: ``{"conversation_id", "buyer_id", "handled_by", "first_at", "last_at",
    "messages": [M]}`` per conversation, every text masked."""
    with tracker.connect() as connection:
        found = events_of(connection, ids, filters)
    addresses = _order_addresses({b for b in map(buyer_of, ids) if b})
    out = []
    for cid in ids:
        events = found.get(cid) or []
        hidden = conversation.known_addresses(events) | addresses.get(buyer_of(cid) or "", set())
        messages = conversation.mask(conversation.messages(events), hidden)
        stamps = [m["time"] for m in messages if m["time"]]
        out.append(
            {
                "conversation_id": cid,
                "buyer_id": buyer_of(cid),
                "handled_by": summary(cid, events)["handled_by"],
                "first_at": stamps[0] if stamps else None,
                "last_at": stamps[-1] if stamps else None,
                "messages": messages,
            }
        )
    return out


def json_head(filters: Filters, total: int) -> str:
    """The start of the JSON document, up to the opening of its ``conversations`` list."""
    head = {
        "exported_at": datetime.now(ZoneInfo(settings.timezone)).isoformat(),
        "filters": filters.json(),
        "count": total,
    }
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "conversations": ['


def json_chunk(rows: list[dict[str, Any]], first: bool) -> str:
    """Conversations as list items (a leading comma unless they open the list)."""
    text = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    return text if first or not text else ",\n" + text


JSON_TAIL = "]}\n"


def csv_head() -> str:
    """The BOM (for spreadsheets) and the header row."""
    return "\ufeff" + _csv_rows([list(CSV_FIELDS)])


def csv_chunk(rows: list[dict[str, Any]]) -> str:
    """One CSV row per message of these conversations (buttons as titles)."""
    lines = []
    for row in rows:
        for message in row["messages"]:
            cells = {
                **message,
                **{k: row[k] for k in ("conversation_id", "buyer_id", "handled_by")},
            }
            cells["buttons"] = " | ".join(str(b.get("title") or "") for b in message["buttons"])
            lines.append([conversation._cell(cells[field]) for field in CSV_FIELDS])
    return _csv_rows(lines)


def _csv_rows(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()

"""The one reader of Rasa's tracker-store table ``events`` (SQLTrackerStore, Rasa 3.6).

Rasa writes one row per event (``data`` its ``json.dumps``, non-ASCII as
``\\uXXXX``); the analytics, the owner page, the chat records, retention, the
trainer's inbox and the demo data read or clear it through these functions, so a
change of Rasa's table is met here only. Every reader treats a missing table (no
conversation yet) as no events.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

# Rasa's SQLTrackerStore table, as it creates it (read here, written by Rasa).
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

Row = tuple[str, str, float, str]


def has_events(connection: Connection) -> bool:
    """Whether the tracker store has created its table yet."""
    return bool(sa.inspect(connection).has_table(EVENTS.name))


def said_rows(engine: Engine, start: float, end: float) -> list[Row]:
    """``(sender_id, type_name, timestamp, name)`` of the events in ``[start, end)``, in order.

    Only buyer messages (``user``: name = intent), bot replies (``bot``: name =
    the reply's ``utter_action``, ``""`` when it has none, e.g. an agent's
    message), ``pause`` and ``resume``.
    """
    c = EVENTS.c
    query = (
        sa.select(c.sender_id, c.type_name, c.timestamp, c.intent_name, c.data)
        .where(c.timestamp >= start, c.timestamp < end)
        .where(c.type_name.in_(("user", "bot", "pause", "resume")))
        .order_by(c.id)
    )
    try:
        with engine.connect() as connection:
            found = connection.execute(query)
            return [
                (str(sender), str(kind), float(moment),
                 utter_action(data) if kind == "bot" else str(intent or ""))
                for sender, kind, moment, intent, data in found
            ]  # fmt: skip
    except (OperationalError, ProgrammingError):  # no conversation yet: no table
        return []


def utter_action(data: str | None) -> str:
    """The ``metadata.utter_action`` of a serialised bot event (``""`` when none)."""
    if not data or "utter_action" not in data:
        return ""
    try:
        metadata = json.loads(data).get("metadata") or {}
    except (ValueError, AttributeError):
        return ""
    action = metadata.get("utter_action") if isinstance(metadata, dict) else None
    return action if isinstance(action, str) else ""


def events_since(engine: Engine, since: float = 0.0) -> dict[str, list[dict[str, Any]]]:
    """Every stored event from ``since`` (epoch seconds) on, per conversation in order."""
    c = EVENTS.c
    query = (
        sa.select(c.sender_id, c.data)
        .where(c.timestamp >= since)
        .order_by(c.sender_id, c.timestamp, c.id)
    )
    with engine.connect() as connection:
        if not has_events(connection):
            return {}
        return _grouped(connection.execute(query), {})


def events_of(
    connection: Connection, ids: list[str], start: float | None = None, end: float | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The stored events of these conversations, oldest first, within ``[start, end)``."""
    c = EVENTS.c
    where = [c.sender_id.in_(ids)]
    where += [c.timestamp >= start] if start is not None else []
    where += [c.timestamp < end] if end is not None else []
    query = sa.select(c.sender_id, c.data).where(*where).order_by(c.sender_id, c.timestamp, c.id)
    return _grouped(connection.execute(query), {i: [] for i in ids})


def _grouped(rows: Any, found: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Parsed ``data`` per sender (rows that are not JSON are left out)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list, found)
    for sender_id, data in rows:
        try:
            out[sender_id].append(json.loads(data))
        except (TypeError, ValueError):
            continue
    return dict(out)


def delete_conversations(connection: Connection, prefix: str) -> int:
    """Deletes the events of every conversation whose id starts with ``prefix``."""
    if not has_events(connection):
        return 0
    done = connection.execute(
        sa.delete(EVENTS).where(EVENTS.c.sender_id.startswith(prefix, autoescape=True))
    )
    return int(done.rowcount or 0)

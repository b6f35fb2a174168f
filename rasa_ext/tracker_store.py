"""Rasa's SQL tracker store with two profiled costs removed.

* SQLite (the embedded default) runs in write-ahead-log mode: one sync per
  commit instead of several, readers (the trainer's inbox) never block the
  writer. ``synchronous`` stays FULL, so a committed message survives a crash.
  Its connections are pooled (SQLAlchemy 1.4 opens one per session otherwise).
* ``SQLTrackerStore.save`` counts the conversation's stored events with a query
  before every insert, to know which events are new. The tracker it saves was
  just loaded by this store (under the conversation's ticket lock), so the count
  is known: it is remembered on the tracker object at load and after each save.
  A tracker that was not loaded here (a copy, a new one) still gets the query.
* Loading a tracker (every message) reads the session's events, parses their
  JSON and replays them. Each replica keeps the trackers it saved last (LRU,
  ``cache_size``) and hands one out again only after a count query shows the
  database still holds exactly as many events as it saved (no other replica
  wrote since; events are only ever appended) and the object has no unsaved
  events. When another replica wrote since, only its new rows are read and
  replayed onto the kept tracker (unless a new session started), so a
  conversation moving between replicas does not reload its whole session for
  every message. Rasa reads a tracker under the conversation's ticket lock, so
  the check and the use cannot interleave with another replica's write.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

_STORED = "_shop_stored_events"  # events of the latest session already in the database
CACHE_SIZE = 500  # trackers kept per replica


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored: int  # events the database held for the conversation when it was kept
    domain: Any  # the domain its slots came from (a new model drops the entry)


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The ``events`` row of one event, as ``SQLTrackerStore.save`` builds it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _holds_an_earlier_session(tracker: DialogueStateTracker) -> bool:
    """Rasa loads the latest session only; a tracker still holding an earlier one is not kept.

    A new conversation starts ``action_listen``, ``action_session_start``, ``session_started``.
    """
    starts = [i for i, event in enumerate(tracker.events) if isinstance(event, SessionStarted)]
    return bool(starts) and starts[-1] > 2


class ShopSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore``: same tables and settings.

    In endpoints.yml: ``type: rasa_ext.tracker_store.ShopSQLTrackerStore``.
    """

    engine: Any  # set by SQLTrackerStore; replaced for SQLite files (pooled)
    sessionmaker: Any

    def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
        """Same arguments as ``SQLTrackerStore``; switches SQLite to WAL once."""
        super().__init__(*args, **kwargs)
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        events = self.SQLEvent.__table__
        self._count_query = sa.select(sa.func.count(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            # SQLAlchemy 1.4 opens a new connection to an SQLite file for every
            # session (NullPool): two per message, measured at about 5 % of the Rasa
            # server's time. Keep them in a pool instead (Rasa uses the store from
            # its event loop's thread; a pooled connection serves one user at once).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=2,
                max_overflow=8,
                connect_args={"check_same_thread": False},
            )
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            with self.engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
            logger.debug("SQLite tracker store journal mode: %s", mode)

    def _stored_count(self, sender_id: str, session: Any = None) -> int:
        """How many events the database holds for the conversation (all sessions)."""
        if session is None:
            with self.session_scope() as session:
                return self._stored_count(sender_id, session)
        # A Core statement built once: the ORM query cost more than the count itself.
        return int(session.execute(self._count_query, {"sender_id": sender_id}).scalar_one())

    def _cached(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker this replica saved last, brought up to date with what is stored."""
        entry = self._cache.get(sender_id)
        if entry is None:
            return None
        tracker = entry.tracker
        current = entry.domain is self.domain and getattr(tracker, _STORED, None) == len(
            tracker.events
        )
        if current:
            with self.session_scope() as session:
                stored = self._stored_count(sender_id, session)
                if stored != entry.stored:
                    current = self._catch_up(session, entry, stored)
        if not current:
            del self._cache[sender_id]
            return None
        self._cache.move_to_end(sender_id)
        return tracker

    def _catch_up(self, session: Any, entry: _Cached, stored: int) -> bool:
        """Appends the events another replica stored since ``entry`` was kept.

        The same tracker as loading it again would give (Rasa's ``_retrieve`` replays
        the latest session's rows in ``id`` order), as long as no new session started and
        every new row belongs to the current one; otherwise ``False`` (load it again).
        Conversations that move between replicas (REST through nginx) so cost the new
        events only, not the whole session.
        """
        tracker = entry.tracker
        if stored < entry.stored:
            return False
        rows = (
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == tracker.sender_id)
            .order_by(self.SQLEvent.id)
            .offset(entry.stored)
            .all()
        )
        starts = [e.timestamp for e in tracker.events if isinstance(e, SessionStarted)]
        since = max(starts) if starts else None
        if len(rows) != stored - entry.stored or any(
            row.type_name == SessionStarted.type_name
            or (since is not None and (row.timestamp is None or row.timestamp < since))
            for row in rows
        ):
            return False
        for event in deserialise_events([json.loads(row.data) for row in rows]):
            tracker.update(event)
        setattr(tracker, _STORED, len(tracker.events))
        entry.stored = stored
        return True

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if not fetch_events_from_all_sessions and self.cache_size:
            cached = self._cached(sender_id)
            if cached is not None:
                return cached
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events (one multi-row insert), then keeps the tracker.

        The rows are exactly those ``SQLTrackerStore.save`` writes, without the ORM's
        per-object bookkeeping.
        """
        entry = self._cache.pop(tracker.sender_id, None)
        await self.stream_events(tracker)
        keep = self.cache_size and not _holds_an_earlier_session(tracker)
        with self.session_scope() as session:
            rows = [_row(tracker.sender_id, e) for e in self._additional_events(session, tracker)]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            if not keep:
                stored = None
            elif entry is not None and entry.tracker is tracker:
                stored = entry.stored + len(rows)  # checked before this message, under its lock
            else:
                stored = self._stored_count(tracker.sender_id, session)
            session.commit()
        setattr(tracker, _STORED, len(tracker.events))
        if stored is not None:
            self._cache[tracker.sender_id] = _Cached(tracker, stored, self.domain)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, _STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

"""Rasa's SQL tracker store with two profiled costs removed.

* SQLite (the embedded default) runs in write-ahead-log mode: one sync per
  commit instead of several, readers (the trainer's inbox) never block the
  writer. ``synchronous`` stays FULL, so a committed message survives a crash.
* ``SQLTrackerStore.save`` counts the conversation's stored events with a query
  before every insert, to know which events are new. The tracker it saves was
  just loaded by this store (under the conversation's ticket lock), so the count
  is known: it is remembered on the tracker object at load and after each save.
  A tracker that was not loaded here (a copy, a new one) still gets the query.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

_STORED = "_shop_stored_events"  # events of the latest session already in the database


class ShopSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore``: same tables and settings.

    In endpoints.yml: ``type: channels.tracker_store.ShopSQLTrackerStore``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Same arguments as ``SQLTrackerStore``; switches SQLite to WAL once."""
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            with self.engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
            logger.debug("SQLite tracker store journal mode: %s", mode)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events, then remembers how many are stored."""
        await super().save(tracker)
        setattr(tracker, _STORED, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, _STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

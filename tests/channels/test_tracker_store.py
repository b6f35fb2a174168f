"""The SQL tracker store: WAL for SQLite, and no count query before a save."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.tracker_store import ShopSQLTrackerStore


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.fixture
def store(tmp_path: Path) -> ShopSQLTrackerStore:
    return ShopSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))


def texts(store: SQLTrackerStore, sender: str) -> list[str]:
    tracker = run(store.retrieve_full_tracker(sender))
    return [e.text for e in tracker.events if isinstance(e, UserUttered | BotUttered)]


def turn(tracker: DialogueStateTracker, said: str, answer: str) -> None:
    tracker.update(UserUttered(said))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


def test_sqlite_runs_in_wal_mode(store: ShopSQLTrackerStore, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "t.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_each_event_is_stored_once_without_counting(
    store: ShopSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = run(store.get_or_create_tracker("b1"))
    counted: list[str] = []
    original = SQLTrackerStore._additional_events

    def spy(self: SQLTrackerStore, session: Any, t: DialogueStateTracker) -> Any:
        counted.append(t.sender_id)
        return original(self, session, t)

    monkeypatch.setattr(SQLTrackerStore, "_additional_events", spy)
    for n in range(3):
        tracker = run(store.retrieve("b1"))
        turn(tracker, f"问{n}", f"答{n}")
        run(store.save(tracker))
        run(store.save(tracker))  # saved twice: nothing doubled
    assert counted == []
    assert texts(store, "b1") == ["问0", "答0", "问1", "答1", "问2", "答2"]
    # The plain Rasa store reads the same rows.
    plain = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=store.engine.url.database)
    assert texts(plain, "b1") == texts(store, "b1")


def test_a_tracker_not_loaded_here_falls_back_to_counting(store: ShopSQLTrackerStore) -> None:
    tracker = run(store.get_or_create_tracker("b2"))
    turn(tracker, "你好", "您好")
    run(store.save(tracker))
    copy = tracker.copy()  # no remembered count
    turn(copy, "在吗", "在的")
    run(store.save(copy))
    assert texts(store, "b2") == ["你好", "您好", "在吗", "在的"]


def test_a_new_session_is_stored_after_the_old_one(store: ShopSQLTrackerStore) -> None:
    tracker = run(store.get_or_create_tracker("b3"))
    turn(tracker, "旧的", "旧答")
    run(store.save(tracker))
    tracker = run(store.retrieve("b3"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "新的", "新答")
    run(store.save(tracker))
    assert texts(store, "b3") == ["旧的", "旧答", "新的", "新答"]
    latest = run(store.retrieve("b3"))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["新的"]
    turn(latest, "再问", "再答")
    run(store.save(latest))
    assert texts(store, "b3") == ["旧的", "旧答", "新的", "新答", "再问", "再答"]

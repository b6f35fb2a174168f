"""The SQL tracker store: WAL for SQLite, no count query before a save, a checked cache."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from rasa_ext.tracker_store import ShopSQLTrackerStore


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


def _no_event_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original = SQLTrackerStore._event_query

    def spy(self: SQLTrackerStore, session: Any, sender: str, **kwargs: Any) -> Any:
        reads.append(sender)
        return original(self, session, sender, **kwargs)

    monkeypatch.setattr(SQLTrackerStore, "_event_query", spy)
    return reads


def test_the_tracker_saved_last_is_handed_out_again_without_reading_events(
    store: ShopSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = run(store.get_or_create_tracker("c1"))
    turn(tracker, "你好", "您好")
    run(store.save(tracker))
    reads = _no_event_reads(monkeypatch)
    assert run(store.retrieve("c1")) is tracker
    assert reads == []
    full = run(store.retrieve_full_tracker("c1"))  # the HTTP API's full history: always read
    assert full is not tracker and reads == ["c1"]


def test_another_replicas_write_is_seen(
    store: ShopSQLTrackerStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other replica's new rows are replayed onto the kept tracker: no full reload."""
    mine = run(store.get_or_create_tracker("c2"))
    turn(mine, "你好", "您好")
    run(store.save(mine))
    other = ShopSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    for n in range(3):
        theirs = run(other.retrieve("c2"))
        turn(theirs, f"在吗{n}", "在的")
        run(other.save(theirs))
        reads = _no_event_reads(monkeypatch)
        again = run(store.retrieve("c2"))
        assert again is mine and reads == []
        fresh = run(SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
                    .retrieve("c2"))  # fmt: skip
        assert again.current_state(EventVerbosity.ALL) == fresh.current_state(EventVerbosity.ALL)
        turn(mine, f"问{n}", f"答{n}")
        run(store.save(mine))
    said = [e.text for e in run(other.retrieve("c2")).events if isinstance(e, UserUttered)]
    assert said == ["你好", "在吗0", "问0", "在吗1", "问1", "在吗2", "问2"]


def test_a_session_another_replica_started_is_loaded_again(
    store: ShopSQLTrackerStore, tmp_path: Path
) -> None:
    mine = run(store.get_or_create_tracker("c5"))
    turn(mine, "你好", "您好")
    run(store.save(mine))
    other = ShopSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    theirs = run(other.retrieve("c5"))
    theirs.update(SessionStarted())
    turn(theirs, "新的", "新答")
    run(other.save(theirs))
    again = run(store.retrieve("c5"))
    assert again is not mine
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["新的"]


def test_unsaved_events_are_never_handed_out(store: ShopSQLTrackerStore) -> None:
    tracker = run(store.get_or_create_tracker("c3"))
    turn(tracker, "你好", "您好")
    run(store.save(tracker))
    turn(tracker, "半截", "处理失败，没有保存")  # a message whose processing failed
    again = run(store.retrieve("c3"))
    assert again is not tracker
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["你好"]


def test_a_new_model_or_a_new_session_reloads(store: ShopSQLTrackerStore) -> None:
    tracker = run(store.get_or_create_tracker("c4"))
    turn(tracker, "你好", "您好")
    run(store.save(tracker))
    store.domain = Domain.from_dict({"intents": ["greet"]})
    assert run(store.retrieve("c4")) is not tracker
    tracker = run(store.retrieve("c4"))
    tracker.update(SessionStarted())
    turn(tracker, "新的", "新答")
    run(store.save(tracker))
    latest = run(store.retrieve("c4"))
    assert latest is not tracker
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["新的"]


def test_the_cache_is_bounded_or_off(tmp_path: Path) -> None:
    small = ShopSQLTrackerStore(
        Domain.empty(), dialect="sqlite", db=str(tmp_path / "s.db"), cache_size=2
    )
    trackers = {}
    for sender in ("a", "b", "c"):
        trackers[sender] = run(small.get_or_create_tracker(sender))
    assert list(small._cache) == ["b", "c"]
    assert run(small.retrieve("a")) is not trackers["a"]
    off = ShopSQLTrackerStore(
        Domain.empty(), dialect="sqlite", db=str(tmp_path / "s.db"), cache_size=0
    )
    tracker = run(off.retrieve("b"))
    run(off.save(tracker))
    assert run(off.retrieve("b")) is not tracker and not off._cache


def test_rows_are_those_rasa_writes(tmp_path: Path) -> None:
    def rows(store: SQLTrackerStore, db: Path) -> list[tuple]:
        tracker = DialogueStateTracker("r1", [])
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(
            UserUttered("你好", {"name": "greet", "confidence": 0.9}, timestamp=1.5), Domain.empty()
        )
        tracker.update(BotUttered("您好", timestamp=2.5))
        run(store.save(tracker))
        with sqlite3.connect(db) as connection:
            query = "SELECT sender_id, type_name, intent_name, action_name, data FROM events"
            return list(connection.execute(query))

    mine = rows(
        ShopSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "a.db")),
        tmp_path / "a.db",
    )
    rasa = rows(
        SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "b.db")),
        tmp_path / "b.db",
    )
    strip = [r[:4] for r in mine]
    assert strip == [r[:4] for r in rasa] and strip[1] == ("r1", "user", "greet", None)
    assert [json.loads(r[4])["event"] for r in mine] == [json.loads(r[4])["event"] for r in rasa]

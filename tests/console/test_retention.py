"""Retention on SQLite and PostgreSQL: the dry run changes nothing and says what would go;
the real run deletes old conversations, trims old sessions, keeps active ones, and keeps
the shop's records without the buyer's words. PostgreSQL must be reachable (the test
fails, never skips: scripts/install_postgres.sh provides it)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console import retention
from console.records_store import EVENTS
from shop.db.importer import load_shop
from shop.db.migrate import upgrade_database
from shop.db.models import (
    Complaint,
    ConversationRating,
    Escalation,
    Photo,
    ReturnRequest,
    ShopEvent,
)
from shop.db.session import session_scope
from tests.console.records_data import PHONE, at, bot, store, user

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IMPORTED = datetime(2026, 5, 1, 12, 0)
NOW = datetime(2026, 11, 30, 12, 0)  # 180 days back: 2026-06-03 12:00
OLD, NEW = datetime(2026, 5, 20), datetime(2026, 11, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The shop schema with the demo shop, and Rasa's events table, in one database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
        yield from _filled(url)
        return
    admin = sa.create_engine(PG_URL, future=True, connect_args={"connect_timeout": 3})
    name = f"retention_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    try:
        yield from _filled(f"{PG_URL}?options=-csearch_path%3D{name}")
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def _filled(url: str) -> Iterator[Engine]:
    upgrade_database(url)
    engine = sa.create_engine(url, future=True)
    demo = json.loads((ROOT / "seed" / "demo_shop.json").read_text(encoding="utf-8"))
    with session_scope(engine) as session:
        load_shop(demo, session=session, now=IMPORTED)
        for created, status in ((OLD, "resolved"), (OLD, "waiting"), (NEW, "resolved")):
            session.add(Escalation(conversation_id="buyer-B005", reason="complaint", priority=1,
                                   summary=f"买家说「电话{PHONE}」", status=status,
                                   created_at=created,
                                   outcome="closed" if status == "resolved" else None,
                                   resolution_note=f"已回电{PHONE}"))  # fmt: skip
        session.add(Complaint(conversation_id="buyer-B005", buyer_id="B005", category="quality",
                              buyer_words="穿两天就开胶", created_at=OLD))  # fmt: skip
        session.add(ConversationRating(conversation_id="c", handling="bot", score=2,
                                       comment="太慢了", created_at=OLD))  # fmt: skip
        session.add(Photo(id="old", conversation_id="c", content_type="image/png", size_bytes=1,
                          width=1, height=1, sha256="0" * 64, storage_path="old.png",
                          created_at=OLD))  # fmt: skip
        session.add(ShopEvent(kind="order_shipped", buyer_id="B005", payload={}, created_at=OLD,
                              next_attempt_at=OLD, delivered_at=OLD))  # fmt: skip
    june, nov = 6, 11
    store(engine, {
        "old": [user("在吗", "greet", at(20, month=5)), bot("在的", at(20, 10, 1, month=5))],
        "trimmed": [
            user(f"我电话{PHONE}", "inform", at(21, month=5)),
            {"event": "session_started", "timestamp": at(2, month=nov)},
            user("还在吗", "greet", at(2, 10, 1, month=nov)),
        ],
        "active": [user("你好", "greet", at(1, month=june)),
                   user("嗯", "affirm", at(1, month=nov))],
        "new": [user("新的", "greet", at(3, month=nov))],
    })  # fmt: skip
    yield engine
    engine.dispose()


def _events(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(EVENTS.c.sender_id, sa.func.count()).group_by(EVENTS.c.sender_id)
        )
        return {str(s): int(n) for s, n in rows}


def _words(engine: Engine) -> tuple:
    with session_scope(engine) as session:
        return (
            sorted(session.execute(sa.select(Escalation.summary)).scalars()),
            session.execute(sa.select(Complaint.buyer_words)).scalars().all(),
            session.execute(sa.select(ConversationRating.comment)).scalars().all(),
            session.execute(sa.select(sa.func.count()).select_from(Photo)).scalar(),
            session.execute(sa.select(sa.func.count()).select_from(ShopEvent)).scalar(),
            sorted(w for w in session.execute(sa.select(ReturnRequest.buyer_words)).scalars()),
        )


def test_dry_run_then_real(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "old.png").write_bytes(b"x")
    before, words = _events(engine), _words(engine)
    assert any(words[5])  # the demo returns have the buyers' words
    dry = retention.run(days=180, dry_run=True, shop=engine, tracker=engine, now=NOW,
                        upload_dir=tmp_path)  # fmt: skip
    assert (_events(engine), _words(engine)) == (before, words)
    assert (tmp_path / "old.png").exists()
    assert (dry.conversations_deleted, dry.conversations_trimmed, dry.conversations_active) == (
        1, 1, 1,
    )  # fmt: skip
    assert dry.events_deleted == 3
    assert dry.rows["escalations"] == 1 and dry.rows["complaints"] == 1
    assert dry.rows["photos"] == 1 and dry.rows["shop_events"] == 1
    lines = "\n".join(dry.lines())
    assert "试运行" in lines and "将整段删除 1 个会话" in lines and "共 3 条事件" in lines

    real = retention.run(days=180, dry_run=False, shop=engine, tracker=engine, now=NOW,
                         upload_dir=tmp_path)  # fmt: skip
    assert real.rows == dry.rows and real.events_deleted == 3
    assert _events(engine) == {"trimmed": 2, "active": 2, "new": 1}
    with engine.connect() as connection:
        kept = connection.execute(sa.select(EVENTS.c.data)).scalars().all()
    assert not any(PHONE in d for d in kept)
    summaries, complaints, comments, photos, notices, returns = _words(engine)
    assert summaries == ["", f"买家说「电话{PHONE}」", f"买家说「电话{PHONE}」"]  # open / new kept
    assert complaints == [""] and comments == [None] and (photos, notices) == (0, 0)
    assert not any(returns)
    assert not (tmp_path / "old.png").exists()
    with session_scope(engine) as session:
        old = session.execute(sa.select(Escalation).where(Escalation.summary == "")).scalar_one()
        assert (old.reason, old.outcome, old.status) == ("complaint", "closed", "resolved")
        assert PHONE not in (old.resolution_note or "")
        complaint = session.execute(sa.select(Complaint)).scalar_one()
        assert (complaint.category, complaint.buyer_id) == ("quality", "B005")
        assert session.execute(sa.select(sa.func.count()).select_from(ReturnRequest)).scalar()
    again = retention.run(days=180, dry_run=False, shop=engine, tracker=engine, now=NOW,
                          upload_dir=tmp_path)  # fmt: skip
    assert again.events_deleted == 0 and not any(again.rows.values())


def test_the_command_line(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    url = engine.url.render_as_string(hide_password=False)
    assert retention.main(["--dry-run", "--database-url", url, "--tracker-url", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("【试运行，未做任何修改】保留期限截止")
    assert "转人工记录的摘要" in out

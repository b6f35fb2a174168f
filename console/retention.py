"""Retention: old conversations lose their tracker events, old service rows their personal data.

``python -m console.retention [--days N] [--dry-run]`` (N defaults to
``SHOP_RETENTION_DAYS``, 180). Meant to run nightly (cron, the Kubernetes CronJob in
``deploy/k8s/retention-cronjob.yaml``); ``--dry-run`` only counts and says what would go.
What it does (docs/records.md):

* Tracker store (Rasa's ``events``): a conversation whose last event is older than
  the cutoff is deleted whole; one still in use loses its sessions that ended before
  the cutoff (every event before its first ``session_started`` after the cutoff).
  A session that began before the cutoff and is still going is kept.
* Shop database, rows created before the cutoff: the records the shop needs stay
  (returns, complaints, delivery cases, resolved escalations with their outcome,
  ratings' scores) but lose the buyer's free text (``buyer_words``, escalation
  summaries, rating comments) and agents' notes are masked (phones, addresses);
  photos not attached to a return are deleted with their files; delivered shop-event
  notices are deleted. Orders and buyers are the shop's own data (its import) and
  are left alone; so is the access log of records.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from console.conversation import mask_text
from rasa_ext.events import EVENTS, has_events
from shop.clock import shop_now
from shop.config import settings
from shop.db.models import (
    Complaint,
    ConversationRating,
    DeliveryCase,
    Escalation,
    Photo,
    ReturnRequest,
    ShopEvent,
)
from shop.db.session import get_engine, session_scope
from shop.lexicon import RETENTION_ROW_LABELS

_CHUNK = 500


@dataclass
class Outcome:
    """What went (or would go): counts per kind, and the conversations kept as active."""

    cutoff: datetime
    dry_run: bool
    conversations_deleted: int = 0
    conversations_trimmed: int = 0
    conversations_active: int = 0
    events_deleted: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report in Chinese, one line per kind."""
        verb = "将" if self.dry_run else "已"
        head = "【试运行，未做任何修改】" if self.dry_run else ""
        found = [
            f"{head}保留期限截止：{self.cutoff:%Y-%m-%d %H:%M}（更早的记录按规则处理）",
            f"对话：{verb}整段删除 {self.conversations_deleted} 个会话，"
            f"{verb}删除 {self.conversations_trimmed} 个会话中过期的旧对话段，"
            f"共 {self.events_deleted} 条事件；{self.conversations_active} 个会话仍在进行，保留",
        ]
        for key, name in RETENTION_ROW_LABELS.items():
            action = "删除" if key in ("photos", "shop_events") else "清除"
            found.append(f"{name}：{verb}{action} {self.rows.get(key, 0)} 条")
        return found


def _old_conversations(connection: Connection, cutoff: float) -> list[tuple[str, float, Any]]:
    """``(sender_id, last event, first session start after the cutoff)`` of old conversations."""
    c = EVENTS.c
    later_start = sa.case(
        (sa.and_(c.type_name == "session_started", c.timestamp >= cutoff), c.timestamp)
    )
    query = (
        sa.select(c.sender_id, sa.func.max(c.timestamp), sa.func.min(later_start))
        .group_by(c.sender_id)
        .having(sa.func.min(c.timestamp) < cutoff)
    )
    return [(str(s), float(last), start) for s, last, start in connection.execute(query)]


def purge_tracker(engine: Engine, cutoff: datetime, outcome: Outcome) -> None:
    """Deletes (or counts) the tracker events the rule removes."""
    stamp = _unix(cutoff)
    with engine.begin() as connection:
        if not has_events(connection):
            return
        c = EVENTS.c
        for sender_id, last, start in _old_conversations(connection, stamp):
            if last < stamp:
                where = c.sender_id == sender_id
                outcome.conversations_deleted += 1
            elif start is not None:
                where = sa.and_(c.sender_id == sender_id, c.timestamp < float(start))
                outcome.conversations_trimmed += 1
            else:
                outcome.conversations_active += 1
                continue
            counted = connection.execute(sa.select(sa.func.count()).where(where)).scalar()
            outcome.events_deleted += int(counted or 0)
            if not outcome.dry_run:
                connection.execute(sa.delete(EVENTS).where(where))


def _unix(moment: datetime) -> float:
    """A naive shop-local time as Unix seconds."""
    return moment.replace(tzinfo=ZoneInfo(settings.timezone)).timestamp()


def _blank(session: Session, model: Any, column: Any, when: Any, value: Any, dry: bool) -> int:
    """Sets ``column`` to ``value`` on the rows matching ``when`` that still hold something."""
    holds = column.is_not(None) if value is None else sa.and_(column.is_not(None), column != value)
    where = sa.and_(when, holds)
    found = int(
        session.execute(sa.select(sa.func.count()).select_from(model).where(where)).scalar()
    )
    if found and not dry:
        session.execute(sa.update(model).where(where).values({column.key: value}))
    return found


def anonymise_shop(session: Session, cutoff: datetime, outcome: Outcome, upload_dir: Path) -> None:
    """Clears (or counts) the personal data of old service rows; the records stay."""
    dry, rows = outcome.dry_run, outcome.rows
    old_escalation = sa.and_(Escalation.created_at < cutoff, Escalation.status == "resolved")
    rows["escalations"] = _blank(session, Escalation, Escalation.summary, old_escalation, "", dry)
    if not dry:
        notes = session.execute(
            sa.select(Escalation).where(old_escalation, Escalation.resolution_note.is_not(None))
        ).scalars()
        for row in notes:
            row.resolution_note = mask_text(row.resolution_note or "")
    rows["complaints"] = _blank(
        session, Complaint, Complaint.buyer_words, Complaint.created_at < cutoff, "", dry
    )
    rows["returns"] = _blank(
        session,
        ReturnRequest,
        ReturnRequest.buyer_words,
        ReturnRequest.updated_at < cutoff,
        "",
        dry,
    )
    rows["delivery_cases"] = _blank(
        session, DeliveryCase, DeliveryCase.buyer_words, DeliveryCase.created_at < cutoff, "", dry
    )
    rows["ratings"] = _blank(
        session,
        ConversationRating,
        ConversationRating.comment,
        ConversationRating.created_at < cutoff,
        None,
        dry,
    )
    photos = list(
        session.execute(
            sa.select(Photo).where(Photo.created_at < cutoff, Photo.return_id.is_(None))
        ).scalars()
    )
    rows["photos"] = len(photos)
    if not dry:
        for photo in photos:
            path = (upload_dir / photo.storage_path).resolve()
            if path.is_relative_to(upload_dir.resolve()):
                path.unlink(missing_ok=True)
            session.delete(photo)
    sent = sa.and_(ShopEvent.created_at < cutoff, ShopEvent.delivered_at.is_not(None))
    rows["shop_events"] = int(
        session.execute(sa.select(sa.func.count()).select_from(ShopEvent).where(sent)).scalar()
    )
    if not dry:
        session.execute(sa.delete(ShopEvent).where(sent))


def run(
    *,
    days: int,
    dry_run: bool,
    shop: Engine,
    tracker: Engine,
    now: datetime | None = None,
    upload_dir: Path | None = None,
) -> Outcome:
    """Applies the rule (or, with ``dry_run``, only counts) for ``days`` before ``now``."""
    cutoff = (now or shop_now()) - timedelta(days=days)
    outcome = Outcome(cutoff=cutoff, dry_run=dry_run)
    purge_tracker(tracker, cutoff, outcome)
    with session_scope(shop) as session:
        anonymise_shop(session, cutoff, outcome, upload_dir or settings.upload_dir)
        if dry_run:
            session.rollback()
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: prints what went (or would go)."""
    parser = argparse.ArgumentParser(prog="python -m console.retention", description=__doc__)
    parser.add_argument("--days", type=int, default=settings.retention_days,
                        help="keep this many days (default SHOP_RETENTION_DAYS, 180)")  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="only say what would go")
    parser.add_argument("--database-url", default=settings.database_url)
    parser.add_argument("--tracker-url", default=settings.tracker_db_url)
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    shop = get_engine(args.database_url)
    tracker = sa.create_engine(args.tracker_url, future=True)
    try:
        outcome = run(days=args.days, dry_run=args.dry_run, shop=shop, tracker=tracker)
    finally:
        tracker.dispose()
    print("\n".join(outcome.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

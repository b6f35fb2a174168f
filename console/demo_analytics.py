"""Demo data for the owner page: conversations, handoffs, ratings and returns.

``python -m console.demo_analytics [--days 14] [--seed 8]`` (only with
``SHOP_DEMO=1``; ``make demo-analytics``) writes, for each of the last days,
a realistic mix of conversations into Rasa's tracker store (``TRACKER_DB_URL``)
and the matching escalations, ratings and return requests into the shop
database. Demo rows are marked (conversations ``demo-an-…``, returns ``RD…``)
and replaced on every run; nothing else is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, delete, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from actions.config import settings
from actions.db.models import ConversationRating, Escalation, OrderItem, ReturnRequest
from actions.db.schema import local_now
from actions.db.session import get_engine, session_scope

PREFIX = "demo-an-"
RETURN_PREFIX = "RD"
# (intents the buyer goes through, handoff reason or None); weights below.
SCENARIOS: list[tuple[list[str], str | None]] = [
    (["greet", "ask_size_advice", "inform", "thank"], None),
    (["ask_size_advice", "inform", "inform", "thank"], None),
    (["check_order_status", "inform", "thank"], None),
    (["ask_return_policy", "goodbye"], None),
    (["request_return", "inform", "inform", "affirm", "thank"], None),
    (["ask_material", "ask_function", "thank"], None),
    (["ask_promotion", "goodbye"], None),
    (["nlu_fallback", "ask_shipping", "thank"], None),
    (["complain", "inform"], "complaint"),
    (["request_human"], "request_human"),
    (["nlu_fallback", "nlu_fallback"], "repeated_fallback"),
    (["report_delivery_problem", "inform"], "delivery_problem"),
]
WEIGHTS = [10, 8, 9, 5, 6, 5, 3, 3, 3, 3, 2, 2]
# (product, kind, reason, buyer words, exchange step, how many)
RETURNS = [
    ("P006", "exchange", "size", "平时穿40，这双40挤脚，小了", 0.5, 3),
    ("P006", "return", "size", "偏小，前面顶脚", None, 2),
    ("P004", "return", "quality", "鞋底开胶", None, 2),
    ("P010", "return", "not_as_described", "颜色和图片差很多", None, 2),
    ("P002", "return", "no_reason", "不喜欢", None, 2),
    ("P001", "exchange", "size", "大了，走路掉跟", -0.5, 1),
]


def _tracker_store(url: str) -> object:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    parts = make_url(url)
    return SQLTrackerStore(
        Domain.empty(), dialect=parts.drivername, host=parts.host, port=parts.port,
        db=parts.database, username=parts.username, password=parts.password,
    )  # fmt: skip


def _conversation(rng: random.Random, start: datetime, zone: ZoneInfo) -> tuple[list, str | None]:
    from rasa.shared.core.events import (
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        UserUttered,
    )

    intents, reason = rng.choices(SCENARIOS, WEIGHTS)[0]
    moment = start
    events: list = []
    for intent in intents:
        stamp = moment.replace(tzinfo=zone).timestamp()
        confidence = 0.4 if intent == "nlu_fallback" else round(rng.uniform(0.8, 0.99), 2)
        events.append(UserUttered("…", {"name": intent, "confidence": confidence}, timestamp=stamp))
        events.append(BotUttered("…", timestamp=stamp + 1))
        moment += timedelta(seconds=rng.randint(20, 90))
    if reason:
        events.append(ConversationPaused(timestamp=moment.replace(tzinfo=zone).timestamp()))
        back = moment + timedelta(minutes=rng.randint(5, 30))
        events.append(ConversationResumed(timestamp=back.replace(tzinfo=zone).timestamp()))
        handback = back.replace(tzinfo=zone).timestamp() + 1
        events.append(UserUttered(None, {"name": "EXTERNAL_agent_handback"}, timestamp=handback))
    return events, reason


def _clear(session: Session, tracker_url: str) -> None:
    demo = {"synchronize_session": False}
    session.execute(
        delete(ConversationRating).where(ConversationRating.conversation_id.like(f"{PREFIX}%")),
        execution_options=demo,
    )
    session.execute(
        delete(Escalation).where(Escalation.conversation_id.like(f"{PREFIX}%")),
        execution_options=demo,
    )
    session.execute(
        delete(ReturnRequest).where(ReturnRequest.id.like(f"{RETURN_PREFIX}%")),
        execution_options=demo,
    )
    engine = create_engine(tracker_url, future=True)
    with engine.begin() as connection:
        if inspect(connection).has_table("events"):
            connection.execute(
                text("DELETE FROM events WHERE sender_id LIKE :p"), {"p": f"{PREFIX}%"}
            )
    engine.dispose()


def seed(session: Session, tracker_url: str, days: int, rng: random.Random) -> dict[str, int]:
    """Replaces the demo rows; returns what was written."""
    zone = ZoneInfo(settings.timezone)
    _clear(session, tracker_url)
    store = _tracker_store(tracker_url)
    today = local_now().replace(hour=0, minute=0, second=0, microsecond=0)
    counts = {"conversations": 0, "escalations": 0, "ratings": 0, "returns": 0}
    number = 0
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.randint(8, 16)):
            number += 1
            sender = f"{PREFIX}{number:04d}"
            start = day + timedelta(hours=rng.randint(9, 22), minutes=rng.randint(0, 59))
            if start > local_now():
                start = local_now() - timedelta(minutes=rng.randint(5, 120))
            events, reason = _conversation(rng, start, zone)
            from rasa.shared.core.trackers import DialogueStateTracker

            asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))  # type: ignore[attr-defined]
            counts["conversations"] += 1
            escalation_id = None
            if reason:
                created = start + timedelta(minutes=1)
                assigned = created + timedelta(minutes=rng.randint(0, 8))
                replied = assigned + timedelta(seconds=rng.randint(15, 400))
                row = Escalation(
                    conversation_id=sender, reason=reason, created_at=created, status="resolved",
                    assigned_at=assigned, first_reply_at=replied, outcome="handed_back",
                    resolved_at=replied + timedelta(minutes=5), summary="demo",
                )  # fmt: skip
                session.add(row)
                session.flush()
                escalation_id = row.id
                counts["escalations"] += 1
            if rng.random() < 0.6:
                low = 2 if reason else 3
                session.add(
                    ConversationRating(
                        conversation_id=sender, handling="agent" if reason else "bot",
                        escalation_id=escalation_id, score=rng.randint(low, 5),
                        comment=None, created_at=start + timedelta(minutes=10),
                    )
                )  # fmt: skip
                counts["ratings"] += 1
    counts["returns"] = _returns(session, today, days, rng)
    return counts


def _returns(session: Session, today: datetime, days: int, rng: random.Random) -> int:
    number = 0
    for product, kind, reason, words, step, how_many in RETURNS:
        items = session.execute(
            select(OrderItem).where(OrderItem.product_id == product).order_by(OrderItem.id)
        ).scalars().all()  # fmt: skip
        for _ in range(how_many if items else 0):
            number += 1
            item = rng.choice(items)
            created = today - timedelta(days=rng.randint(0, days - 1), hours=-rng.randint(9, 20))
            created = min(created, local_now())
            session.add(
                ReturnRequest(
                    id=f"{RETURN_PREFIX}{number:04d}", order_id=item.order_id,
                    order_item_id=item.id, kind=kind, reason=reason, status="requested",
                    buyer_words=words, exchange_size=item.size + step if step else None,
                    created_at=created, updated_at=created,
                )
            )  # fmt: skip
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Seeds the demo analytics; exit code 1 outside demo mode."""
    parser = argparse.ArgumentParser(prog="python -m console.demo_analytics", description=__doc__)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--database-url", help="default DATABASE_URL")
    parser.add_argument("--tracker-url", help="default TRACKER_DB_URL")
    args = parser.parse_args(argv)
    if not settings.demo_mode:
        print("error: demo data only with SHOP_DEMO=1", file=sys.stderr)
        return 1
    engine = get_engine(args.database_url) if args.database_url else get_engine()
    with session_scope(engine) as session:
        counts = seed(
            session, args.tracker_url or settings.tracker_db_url, max(args.days, 1),
            random.Random(args.seed),
        )  # fmt: skip
    print(", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

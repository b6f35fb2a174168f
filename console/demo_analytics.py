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
import re
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rasa_ext.events import delete_conversations
from shop.clock import local_now
from shop.config import settings
from shop.db.models import ConversationRating, Escalation, OrderItem, ReturnRequest
from shop.db.session import get_engine, session_scope

PREFIX = "demo-an-"
RETURN_PREFIX = "RD"
DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"
# A scenario: the buyer's turns, each (intent, words, the responses the assistant
# answered with, in order), and the handoff reason or None. The replies carry
# ``utter_action`` as Rasa's do, so fallbacks ("没太明白", utter_default, also
# for a recognised intent: a core fallback) and a form's re-asks (utter_hint_*,
# utter_offer_human_in_form) count as the owner page counts them. After a handoff
# the assistant is paused: the buyer's next words get no reply from it.
Step = tuple[str, str, tuple[str, ...]]
SCENARIOS: list[tuple[list[Step], str | None]] = [
    ([("greet", "在吗", ("utter_greet",)),
      ("ask_size_advice", "脚长25.5厘米穿多大码", ("utter_size_recommendation",)),
      ("thank", "好的谢谢", ("utter_welcome", "utter_ask_rating_score"))], None),
    ([("ask_size_advice", "平时穿42，这双拿多大", ("utter_ask_foot_shape",)),
      ("inform", "脚宽", ("utter_size_recommendation", "utter_size_reason_wide_foot")),
      ("thank", "谢谢", ("utter_welcome",))], None),
    ([("check_order_status", "我的快递到哪了", ("utter_ask_order_id",)),
      ("inform", "跑鞋那双", ("utter_order_status_shipped",)),
      ("thank", "好的", ("utter_welcome",))], None),
    ([("ask_return_policy", "七天无理由吗", ("utter_return_policy",)),
      ("goodbye", "好的拜拜", ("utter_goodbye",))], None),
    ([("request_return", "这双鞋我想退货", ("utter_ask_return_reason",)),
      ("inform", "小了", ("utter_ask_return_confirmed",)),
      ("affirm", "确认", ("utter_return_opened",)),
      ("thank", "谢谢", ("utter_welcome",))], None),
    ([("ask_material", "小白鞋是真皮吗", ("utter_material_upper",)),
      ("ask_function", "防水吗", ("utter_function_no",)),
      ("thank", "好", ("utter_welcome",))], None),
    ([("ask_promotion", "有优惠券吗", ("utter_promotions_intro", "utter_promotion_item")),
      ("goodbye", "拜拜", ("utter_goodbye",))], None),
    # not understood once, then asked another way: counted as a fallback, still settled
    ([("nlu_fallback", "鞋子有味道咋整", ("utter_default",)),
      ("ask_shipping", "几点前下单当天发", ("utter_shipping_policy",)),
      ("thank", "谢谢", ("utter_welcome",))], None),
    ([("ask_size_advice", "我老公平时穿的那种要不要大一点", ("utter_default",)),  # core fallback
      ("ask_size_advice", "脚长26厘米穿多大", ("utter_size_recommendation",)),
      ("thank", "行", ("utter_welcome",))], None),
    ([("request_exchange", "小了想换大一码", ("utter_ask_exchange_size",)),
      ("inform", "大点的", ("utter_hint_exchange_size", "utter_ask_exchange_size")),
      ("inform", "43", ("utter_ask_return_confirmed",)),
      ("affirm", "嗯", ("utter_return_opened",))], None),
    # the buyer left on a "没太明白" or a re-ask: not settled by the assistant
    ([("ask_function", "这鞋下雨天能穿去爬山吗还是不行", ("utter_default",))], None),
    ([("nlu_fallback", "上次那个满减好像还有吧", ("utter_default",))], None),
    ([("check_order_status", "查下物流", ("utter_ask_order_id",)),
      ("inform", "就上周买的", ("utter_hint_order_id", "utter_ask_order_id")),
      ("inform", "那个", ("utter_offer_human_in_form",))], None),
    ([("ask_size_advice", "这双偏大还是偏小", ("utter_ask_foot_length_cm",)),
      ("inform", "不知道量", ("utter_hint_foot_length_cm", "utter_ask_foot_length_cm"))], None),
    # handed to a person
    ([("complain", "穿两天就开胶了", ("utter_complaint_quality", "utter_handoff_queued")),
      ("inform", "能不能退", ())], "complaint"),
    ([("request_human", "转人工", ("utter_handoff_queued",))], "request_human"),
    ([("nlu_fallback", "我那个鞋它就是怎么说呢", ("utter_default",)),
      ("nlu_fallback", "就那个问题啊", ("utter_fallback_handoff", "utter_handoff_queued"))],
     "repeated_fallback"),
    ([("report_delivery_problem", "显示签收了但没收到",
       ("utter_delivery_case_signed_not_received", "utter_handoff_queued")),
      ("inform", "快递柜也没有", ())], "delivery_problem"),
]  # fmt: skip
WEIGHTS = [10, 8, 9, 5, 6, 5, 3, 3, 3, 2, 2, 2, 1, 1, 3, 3, 2, 2]
AGENT_WORDS = "您好，我是人工客服，已经看到您的问题了，马上帮您处理。"
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


@cache
def _bot_texts() -> dict[str, str]:
    """The first text of every response in domain.yml, placeholders shown as …."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8")).get("responses") or {}
    return {
        name: re.sub(r"\{[a-z_]+\}", "…", str((variants or [{}])[0].get("text") or "…"))
        for name, variants in responses.items()
    }


def _conversation(rng: random.Random, start: datetime, zone: ZoneInfo) -> tuple[list, str | None]:
    from rasa.shared.core.events import (
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        UserUttered,
    )

    steps, reason = rng.choices(SCENARIOS, WEIGHTS)[0]
    texts = _bot_texts()
    moment = start
    events: list = []
    for intent, words, replies in steps:
        stamp = moment.replace(tzinfo=zone).timestamp()
        confidence = 0.4 if intent == "nlu_fallback" else round(rng.uniform(0.8, 0.99), 2)
        parse = {"name": intent, "confidence": confidence}
        events.append(UserUttered(words, parse, timestamp=stamp))
        for offset, action in enumerate(replies, start=1):
            metadata = {"utter_action": action}
            events.append(
                BotUttered(texts.get(action, "…"), metadata=metadata, timestamp=stamp + offset)
            )
        if "utter_handoff_queued" in replies:  # handed over: the assistant pauses
            events.append(ConversationPaused(timestamp=stamp + len(replies) + 1))
        moment += timedelta(seconds=rng.randint(20, 90))
    if reason:
        agent = moment.replace(tzinfo=zone).timestamp()
        events.append(BotUttered(AGENT_WORDS, metadata={"agent_name": "小美"}, timestamp=agent))
        back = moment + timedelta(minutes=rng.randint(5, 30))
        events.append(ConversationResumed(timestamp=back.replace(tzinfo=zone).timestamp()))
        handback = back.replace(tzinfo=zone).timestamp() + 1
        events.append(UserUttered(None, {"name": "EXTERNAL_agent_handback"}, timestamp=handback))
        handed = {"utter_action": "utter_handed_back"}
        events.append(
            BotUttered(texts["utter_handed_back"], metadata=handed, timestamp=handback + 1)
        )
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
        delete_conversations(connection, PREFIX)
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

"""Every owner metric against a fixture with known answers: a real Rasa SQL
tracker store and the demo shop with ratings, escalations and returns of March 2025."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from console.analytics import Report, build_report, main
from console.analytics_periods import periods
from console.return_insights import FitSuggestion, size_direction
from shop.db.models import ConversationRating, Escalation, OrderItem, ReturnRequest
from shop.db.session import session_scope

ZONE = ZoneInfo("Asia/Shanghai")
P001_42 = ("2026051793538979", "P001")  # order, product of a 42 item
P001_43 = ("2026102837219872", "P001")
P002_37 = ("2026101994084208", "P002")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute)


def stamp(moment: datetime) -> float:
    return moment.replace(tzinfo=ZONE).timestamp()


def said(intent: str, moment: datetime) -> UserUttered:
    return UserUttered("...", {"name": intent, "confidence": 1.0}, timestamp=stamp(moment))


CONVERSATIONS: dict[str, list[Event]] = {
    "c-a": [said("ask_size_advice", at(5, 10)), said("thank", at(5, 10, 2))],
    "c-b": [said("complain", at(5, 11)), ConversationPaused(timestamp=stamp(at(5, 11, 1)))],
    "c-c": [
        said("nlu_fallback", at(6, 9)),
        said("nlu_fallback", at(6, 9, 1)),
        ConversationPaused(timestamp=stamp(at(6, 9, 2))),
    ],
    "c-d": [
        said("ask_size_advice", at(6, 15)),
        said("EXTERNAL_order_shipped", at(6, 16)),  # not a buyer message
        said("check_order_status", at(10, 10)),
    ],
    "c-e": [said("greet", at(2, 12))],  # Sunday of the week before: outside
    "c-f": [said("greet", at(3, 12))],  # Monday of the first week, before the range
}


@pytest.fixture()
def tracker_engine(tmp_path: Path) -> Engine:
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    for sender, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return create_engine(f"sqlite:///{path}", future=True)


def _item(order_id: str, product_id: str) -> int:
    with session_scope() as session:
        return session.execute(
            select(OrderItem.id).where(
                OrderItem.order_id == order_id, OrderItem.product_id == product_id
            )
        ).scalar_one()


@pytest.fixture()
def shop(shop_db: None) -> None:
    with session_scope() as session:
        for number, (conversation, reason, created, assigned, replied) in enumerate(
            [
                ("c-b", "complaint", at(5, 11, 1), at(5, 11, 3), at(5, 11, 5)),  # 120 s
                ("c-c", "repeated_fallback", at(6, 9, 5), at(6, 9, 10), at(6, 9, 20)),  # 600 s
                ("c-g", "request_human", at(7, 7), at(7, 8), at(7, 8, 1)),  # 60 s
                ("c-h", "request_human", at(8, 7), None, None),  # never answered
            ],
            start=1,
        ):
            session.add(
                Escalation(
                    id=number, conversation_id=conversation, reason=reason, created_at=created,
                    assigned_at=assigned, first_reply_at=replied, status="resolved",
                )
            )  # fmt: skip
        session.flush()
        for conversation, handling, escalation, score, moment in [
            ("c-a", "bot", None, 5, at(5, 12)),
            ("c-b", "agent", 1, 3, at(5, 13)),
            ("c-c", "agent", 2, 2, at(6, 10)),
            ("c-d", "bot", None, 4, at(10, 11)),
            ("c-e", "bot", None, 1, at(2, 13)),  # outside
        ]:
            session.add(
                ConversationRating(
                    conversation_id=conversation, handling=handling, escalation_id=escalation,
                    score=score, created_at=moment,
                )
            )  # fmt: skip
    returns = [
        ("RX1", P001_42, "exchange", "size", "", 43.0, at(5, 9)),
        ("RX2", P001_42, "return", "size", "穿着挤脚，小了", None, at(6, 9)),
        ("RX3", P001_43, "return", "size", "偏小", None, at(7, 9)),
        ("RX4", P001_43, "return", "quality", "开胶", None, at(8, 9)),
        ("RX5", P002_37, "return", "size", "大了", None, at(9, 9)),
        ("RX6", P002_37, "return", "no_reason", "", None, at(2, 9)),  # outside
    ]
    items = {key: _item(*key) for key in (P001_42, P001_43, P002_37)}
    with session_scope() as session:
        for rid, key, kind, reason, words, exchange_size, created in returns:
            session.add(
                ReturnRequest(
                    id=rid, order_id=key[0], order_item_id=items[key], kind=kind, reason=reason,
                    status="requested", buyer_words=words, exchange_size=exchange_size,
                    created_at=created, updated_at=created,
                )
            )  # fmt: skip


@pytest.fixture()
def report(shop: None, tracker_engine: Engine) -> Report:
    with session_scope() as session:
        return build_report(
            date(2025, 3, 5), date(2025, 3, 10), session=session, tracker_engine=tracker_engine
        )


def test_periods_are_days_and_iso_weeks() -> None:
    days, weeks = periods(date(2025, 3, 5), date(2025, 3, 10))
    assert [d.label for d in days] == [f"2025-03-{n:02d}" for n in range(5, 11)]
    assert [(w.label, w.start, w.end) for w in weeks] == [
        ("2025-W10", date(2025, 3, 3), date(2025, 3, 10)),
        ("2025-W11", date(2025, 3, 10), date(2025, 3, 17)),
    ]


def test_per_day(report: Report) -> None:
    rows = {p.label: p.row() for p in report.days}
    assert rows["2025-03-05"] == {
        "label": "2025-03-05",
        "conversations": 2,
        "handoffs": 1,
        "automation_rate": 0.5,
        "handoff_rate": 0.5,
        "handoff_reasons": {"complaint": 1},
        "stuck": 0,
        "stuck_rate": 0.0,
        "messages": 3,
        "fallbacks": 0,
        "fallback_rate": 0.0,
        "top_intents": [("ask_size_advice", 1), ("complain", 1), ("thank", 1)],
        "ratings": 2,
        "average_rating": 4.0,
        "median_first_response_s": 120.0,
    }
    day6 = rows["2025-03-06"]
    assert (day6["conversations"], day6["handoffs"], day6["messages"]) == (2, 1, 3)
    assert day6["fallback_rate"] == pytest.approx(2 / 3)
    assert day6["top_intents"] == [("nlu_fallback", 2), ("ask_size_advice", 1)]
    assert (day6["average_rating"], day6["median_first_response_s"]) == (2.0, 600.0)
    assert day6["handoff_reasons"] == {"repeated_fallback": 1}
    day7 = rows["2025-03-07"]
    assert (day7["conversations"], day7["automation_rate"], day7["fallback_rate"]) == (
        0,
        None,
        None,
    )
    assert (day7["handoff_reasons"], day7["median_first_response_s"]) == (
        {"request_human": 1},
        60.0,
    )
    assert rows["2025-03-08"]["handoff_reasons"] == {"request_human": 1}
    assert rows["2025-03-08"]["median_first_response_s"] is None
    day10 = rows["2025-03-10"]
    assert (day10["conversations"], day10["automation_rate"], day10["average_rating"]) == (
        1, 1.0, 4.0,
    )  # fmt: skip


def test_per_week_and_whole_range(report: Report) -> None:
    week10, week11 = (p.row() for p in report.weeks)
    assert (week10["conversations"], week10["handoffs"], week10["messages"]) == (5, 2, 7)
    assert week10["automation_rate"] == pytest.approx(0.6)
    assert week10["fallback_rate"] == pytest.approx(2 / 7)
    assert week10["handoff_reasons"] == {"complaint": 1, "repeated_fallback": 1, "request_human": 2}
    assert (week10["average_rating"], week10["median_first_response_s"]) == (
        pytest.approx(10 / 3), 120.0,
    )  # fmt: skip
    assert (week11["conversations"], week11["handoffs"], week11["ratings"]) == (1, 0, 1)
    total = report.total.row()
    assert (total["conversations"], total["handoffs"], total["messages"]) == (4, 2, 7)
    assert (total["automation_rate"], total["average_rating"]) == (0.5, 3.5)
    assert total["median_first_response_s"] == 120.0
    assert total["top_intents"][:2] == [("ask_size_advice", 2), ("nlu_fallback", 2)]
    assert report.by_handling == {"agent": (2, 2.5), "bot": (2, 4.5)}


def test_returns_by_reason_product_size_and_fit(report: Report) -> None:
    returns = report.returns
    assert returns.total == 5
    assert returns.by_reason == [("size", "尺码不合适", 3, 1), ("quality", "质量问题", 1, 0)]
    assert returns.by_product == [("P001", "疾风男子跑鞋", 3, 1), ("P002", "轻羽女子跑鞋", 1, 0)]
    assert returns.by_size == [(37.0, 1), (42.0, 2), (43.0, 2)]
    assert returns.fit == [
        FitSuggestion(
            "P001", "疾风男子跑鞋", 3, 3, 0, "正码，按平时穿的运动鞋尺码选即可",
            "偏小，建议拍大半码",
        )
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("words", "size", "wanted", "direction"),
    [
        ("", 42, 43, "small"),
        ("", 42, 41.5, "large"),
        ("小了想换大一码", 42, None, "small"),
        ("太大了，走路掉跟", 42, None, "large"),
        ("颜色不喜欢", 42, None, None),
        ("", 42, 42, None),
    ],
)
def test_size_direction(words: str, size: float, wanted: float | None, direction: str) -> None:
    assert size_direction(words, size, wanted) == direction


def test_the_cli_prints_the_tables(
    report: Report, tracker_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tracker_engine.url)
    assert main(["--days", "6", "--end", "2025-03-10", "--tracker-url", url]) == 0
    out = capsys.readouterr().out
    assert "Owner report 2025-03-05 .. 2025-03-10" in out
    assert "2025-W10  5     60.0%" in out
    assert "P001     疾风男子跑鞋  3             3          0" in out
    assert "偏小，建议拍大半码" in out


def test_no_tracker_table_means_no_conversations(shop: None, tmp_path: Path) -> None:
    empty = create_engine(f"sqlite:///{tmp_path / 'none.db'}", future=True)
    with session_scope() as session:
        report = build_report(
            date(2025, 3, 5), date(2025, 3, 5), session=session, tracker_engine=empty
        )
    assert report.total.row()["conversations"] == 0 and report.total.row()["ratings"] == 2

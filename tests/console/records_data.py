"""Conversations with known answers for the records tests, written as Rasa writes them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.records_store import EVENTS

ZONE = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"
ADDRESS = "浙江省杭州市西湖区文三路100号"


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0, month: int = 11) -> float:
    """Unix seconds of a shop-local moment in 2026."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=ZONE).timestamp()


def user(text: str, intent: str, ts: float, **extra: Any) -> dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": ts,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}}, **extra}  # fmt: skip


def bot(text: str, ts: float, buttons: list[dict[str, str]] | None = None,
        agent: str | None = None) -> dict[str, Any]:  # fmt: skip
    event: dict[str, Any] = {"event": "bot", "text": text, "timestamp": ts,
                             "data": {"buttons": buttons or []}}  # fmt: skip
    if agent:
        event["metadata"] = {"agent_name": agent}
    return event


def store(engine: Engine, conversations: dict[str, list[dict[str, Any]]]) -> None:
    """Rows of Rasa's ``events`` table (``json.dumps`` of each event, as Rasa does)."""
    EVENTS.metadata.create_all(engine)
    rows = [
        {"sender_id": cid, "type_name": e["event"], "timestamp": e.get("timestamp"),
         "intent_name": ((e.get("parse_data") or {}).get("intent") or {}).get("name"),
         "action_name": e.get("name"), "data": json.dumps(e)}
        for cid, events in conversations.items() for e in events
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(sa.insert(EVENTS), rows)


def sample(order_id: str) -> dict[str, list[dict[str, Any]]]:
    """buyer-B005 (an agent, a click, a phone and an address), two guests."""
    offer = [{"title": "确认提交", "payload": "/affirm"}]
    return {
        "buyer-B005": [
            user(f"这双鞋我想退货，电话{PHONE}", "request_return", at(3)),
            bot("请确认退货", at(3, 10, 1), offer),
            user("/affirm", "affirm", at(3, 10, 2)),
            {"event": "pause", "timestamp": at(3, 10, 3)},
            bot(f"您好，我是小美，寄到{ADDRESS}", at(3, 10, 4), agent="小美"),
        ],
        "guest-1": [
            user("在吗", "greet", at(5, 0, 0, 0)),
            bot("在的亲", at(5, 23, 59, 59)),
        ],
        "guest-2": [
            user(f"订单{order_id}到哪了", "ask_order_status", at(6, 0, 0, 0)),
            bot("正在派送", at(6, 0, 0, 1)),
        ],
    }

"""Shop-event messages: the right response, filled; a repeated event id is ignored."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.proactive import ActionShopEvent, already_answered
from tests.conftest import RenderCheck, make_tracker

pytestmark = pytest.mark.usefixtures("shop_db")


def external(intent: str, times: int = 1, **entities: str) -> Tracker:
    listed = [{"entity": k, "value": v} for k, v in entities.items()]
    tracker = make_tracker(intent=intent, entities=listed)
    event = {"event": "user", "parse_data": {"intent": {"name": intent}, "entities": listed}}
    tracker.events.extend([event] * times)
    return tracker


def run(tracker: Tracker) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionShopEvent().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def test_shipped_names_courier_and_tracking_number(rendered: RenderCheck) -> None:
    tracker = external(
        "EXTERNAL_order_shipped", order_id="2026101994084208", courier="中通快递",
        tracking_number="ZT731234567890", shop_event_id="7",
    )  # fmt: skip
    events, messages = run(tracker)
    assert events == []
    assert [
        (m["response"], m["order_id"], m["courier"], m["tracking_number"]) for m in messages
    ] == [("utter_notify_shipped", "2026101994084208", "中通快递", "ZT731234567890")]
    assert "shop_event_id" not in messages[0]
    dispatcher = CollectingDispatcher()
    dispatcher.messages.extend(messages)
    assert rendered(dispatcher) == ["utter_notify_shipped"]


def test_the_same_event_twice_in_a_conversation_is_said_once() -> None:
    tracker = external("EXTERNAL_order_shipped", times=2, order_id="1", shop_event_id="7")
    assert run(tracker) == ([], [])
    assert already_answered(tracker, "7") and not already_answered(tracker, "8")


def test_delivered_asks_about_the_size_with_the_days_left(rendered: RenderCheck) -> None:
    # B005: signed for 2 days ago; 7-day window counted from the day after sign-for.
    tracker = external("EXTERNAL_order_delivered", order_id="2026010506679357", shop_event_id="1")
    _, messages = run(tracker)
    (message,) = messages
    assert {k: message[k] for k in ("response", "order_id", "product_name")} == {
        "response": "utter_notify_delivered",
        "order_id": "2026010506679357",
        "product_name": "轻羽女子跑鞋",
    }
    assert (message["window_days"], message["days_left"]) == (7, 6)
    dispatcher = CollectingDispatcher()
    dispatcher.messages.extend(messages)
    assert rendered(dispatcher) == ["utter_notify_delivered"]


def test_delivered_outside_the_window_does_not_promise_an_exchange() -> None:
    tracker = external("EXTERNAL_order_delivered", order_id="2026090227383761", shop_event_id="2")
    _, messages = run(tracker)
    assert [m["response"] for m in messages] == ["utter_notify_delivered_no_window"]


def test_return_received_and_refunded(rendered: RenderCheck) -> None:
    _, received = run(external("EXTERNAL_return_received", return_id="RT0003", shop_event_id="3"))
    _, refunded = run(
        external(
            "EXTERNAL_refund_completed",
            return_id="RT0008",
            refund_yuan="369.00",
            order_id="2026091424951257",
            shop_event_id="4",
        )  # fmt: skip
    )
    assert [(m["response"], m["return_id"]) for m in received + refunded] == [
        ("utter_notify_return_received", "RT0003"),
        ("utter_notify_refunded", "RT0008"),
    ]
    assert refunded[0]["refund_yuan"] == "369.00"
    dispatcher = CollectingDispatcher()
    dispatcher.messages.extend(received + refunded)
    assert rendered(dispatcher) == ["utter_notify_return_received", "utter_notify_refunded"]

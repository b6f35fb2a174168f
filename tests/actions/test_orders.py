"""Order status and tracking: each status gets its own answer, only for its buyer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.order_form import ActionAskOrderId
from actions.orders import ActionCheckOrderStatus, tracking_text
from shop.clock import shop_now
from shop.db.models import Order, Shipment, TrackingEvent
from shop.db.session import session_scope
from shop.identity import issue_token
from tests.conftest import make_tracker, token

B001_SHIPPED = "2026051793538979"  # last scan ~1 h ago
B001_CANCELLED = "2026111215466660"
B002_PAID = "2026101994084208"
B003_UNPAID = "2026051150482489"
B004_STUCK = "2026031740072167"  # last scan 5 days 20 h ago
B005_DELIVERED = "2026010506679357"
B005_COMPLETED = "2026020112025729"
GUESSED = "2026999999999999"

pytestmark = pytest.mark.usefixtures("shop_db")


async def _status(order_id: str | None, **kwargs: Any) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    slots = {"order_id": order_id, **kwargs.pop("slots", {})}
    events = await ActionCheckOrderStatus().run(
        dispatcher,
        make_tracker("订单到哪了", intent="check_order_status", slots=slots, **kwargs),
        {},
    )
    return events, dispatcher


@pytest.mark.parametrize(
    ("buyer", "order_id", "response", "extra"),
    [
        ("B003", B003_UNPAID, "utter_order_status_pending_payment", {"ship_within_hours": 48}),
        ("B002", B002_PAID, "utter_order_status_paid", {"ship_within_hours": 48}),
        ("B005", B005_DELIVERED, "utter_order_status_delivered", {"no_reason_days": 7}),
        ("B005", B005_COMPLETED, "utter_order_status_completed", {}),
        ("B001", B001_CANCELLED, "utter_order_status_cancelled", {}),
    ],
)
async def test_each_status_has_its_answer(
    buyer: str, order_id: str, response: str, extra: dict[str, Any], rendered: Any
) -> None:
    events, dispatcher = await _status(order_id, metadata=token(buyer))
    assert [e["name"] for e in events] == ["product_id", "product_name"]  # 这双 means it now
    assert rendered(dispatcher) == [response]
    message = dispatcher.messages[0]
    assert message["order_id"] == order_id
    for key, value in extra.items():
        assert message[key] == value


async def test_delivered_order_gives_the_sign_for_time(rendered: Any) -> None:
    with session_scope() as session:
        signed = session.get(Order, B005_DELIVERED).delivered_at
    _, dispatcher = await _status(B005_DELIVERED, metadata=token("B005"))
    assert rendered(dispatcher) == ["utter_order_status_delivered"]
    assert dispatcher.messages[0]["signed_time"] == f"{signed:%m-%d %H:%M}"
    assert dispatcher.messages[0]["products"] == "轻羽女子跑鞋"


async def test_shipped_with_fresh_tracking(rendered: Any) -> None:
    with session_scope() as session:
        shipment = session.get(Order, B001_SHIPPED).shipments[0]
        last = shipment.events[-1]
        expected = {
            "order_id": B001_SHIPPED,
            "products": "疾风男子跑鞋",
            "courier": "中通快递",
            "tracking_number": "75132738654159",
            "event_time": f"{last.happened_at:%m-%d %H:%M}",
            "event": f"【{last.location}】{last.description}",  # 【杭州转运中心】已发出…
            "expected_on": f"{shipment.expected_on:%m-%d}",
        }
    _, dispatcher = await _status(B001_SHIPPED, metadata=token("B001"))
    assert rendered(dispatcher) == ["utter_order_status_shipped"]
    message = dispatcher.messages[0]
    assert {key: message[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("location", "description", "shown"),
    [
        ("上海分拣中心", "已到达", "【上海分拣中心】已到达"),  # a bare description needs the place
        ("杭州市", "快件已到达【杭州市西湖区营业部】", "快件已到达【杭州市西湖区营业部】"),
        ("", "已签收", "已签收"),
    ],
)
def test_a_tracking_event_says_where(location: str, description: str, shown: str) -> None:
    event = TrackingEvent(location=location, description=description)
    assert tracking_text(event) == shown


async def test_shipped_with_stale_tracking_offers_to_report_it(rendered: Any) -> None:
    _, dispatcher = await _status(B004_STUCK, metadata=token("B004"))
    assert rendered(dispatcher) == ["utter_order_status_shipped", "utter_order_tracking_stale"]
    assert dispatcher.messages[1]["days"] == 5


def _set_last_scan(order_id: str, age: timedelta) -> None:
    with session_scope() as session:
        shipment = session.execute(
            select(Shipment).where(Shipment.order_id == order_id)
        ).scalar_one()
        latest = shop_now() - age
        for hours_before, event in enumerate(reversed(shipment.events)):
            event.happened_at = latest - timedelta(hours=hours_before)


@pytest.mark.parametrize(
    ("age", "stale_days"),
    [
        (timedelta(days=2, hours=23, minutes=59), None),
        (timedelta(days=3), 3),
        (timedelta(days=3, minutes=1), 3),
    ],
)
async def test_tracking_is_stale_from_three_days(
    age: timedelta, stale_days: int | None, rendered: Any
) -> None:
    _set_last_scan(B001_SHIPPED, age)
    _, dispatcher = await _status(B001_SHIPPED, metadata=token("B001"))
    names = rendered(dispatcher)
    if stale_days is None:
        assert names == ["utter_order_status_shipped"]
    else:
        assert names == ["utter_order_status_shipped", "utter_order_tracking_stale"]
        assert dispatcher.messages[1]["days"] == stale_days


async def test_shipped_without_scans_yet(rendered: Any) -> None:
    with session_scope() as session:
        for event in session.execute(select(TrackingEvent)).scalars():
            session.delete(event)
    _, dispatcher = await _status(B001_SHIPPED, metadata=token("B001"))
    assert rendered(dispatcher) == ["utter_order_status_shipped_no_events"]
    assert dispatcher.messages[0]["tracking_number"] == "75132738654159"


async def test_a_phone_verified_order_is_answered_without_a_token(rendered: Any) -> None:
    _, dispatcher = await _status(B002_PAID, slots={"verified_order_ids": [B002_PAID]})
    assert rendered(dispatcher) == ["utter_order_status_paid"]


@pytest.mark.parametrize(
    ("order_id", "kwargs"),
    [
        (B001_SHIPPED, {"metadata": token("B005")}),  # another buyer's order
        (GUESSED, {"metadata": token("B005")}),
        (None, {"metadata": token("B005")}),
        (B001_SHIPPED, {}),  # no token, not verified
        (B001_SHIPPED, {"slots": {"verified_order_ids": [B005_DELIVERED]}}),
        (B005_DELIVERED, {"metadata": {"buyer_token": issue_token("B005", hours=-0.01)}}),
    ],
    ids=["foreign", "guessed", "none", "no-token", "other-verified", "expired-token"],
)
async def test_an_order_that_may_not_be_seen_is_not_found(
    order_id: str | None, kwargs: dict[str, Any], rendered: Any
) -> None:
    events, dispatcher = await _status(order_id, **kwargs)
    assert events == []
    assert rendered(dispatcher) == ["utter_order_not_found"]
    assert dispatcher.messages[0].get("order_id") is None


async def test_after_the_lock_nothing_more_is_said() -> None:
    _, dispatcher = await _status(B001_SHIPPED, slots={"verify_attempts": 3.0})
    assert dispatcher.messages == []


async def test_a_database_failure_gets_an_apology(rendered: Any, monkeypatch: Any) -> None:
    from shop.db import session as common

    def broken(_fn: Any, _retries: int = 0) -> Any:
        raise common.ShopDataUnavailableError("down")

    monkeypatch.setattr(common, "_call_in_transaction", broken)
    _, dispatcher = await _status(B001_SHIPPED, metadata=token("B001"))
    assert rendered(dispatcher) == ["utter_service_unavailable"]


# --- asking which order ------------------------------------------------------------


async def _ask(**kwargs: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    assert await ActionAskOrderId().run(dispatcher, make_tracker(**kwargs), {}) == []
    return dispatcher


async def test_without_a_token_the_number_is_asked(rendered: Any) -> None:
    assert rendered(await _ask()) == ["utter_ask_order_id_unverified"]


async def test_a_token_buyer_chooses_among_their_orders(rendered: Any) -> None:
    dispatcher = await _ask(metadata=token("B010"))
    assert rendered(dispatcher) == ["utter_choose_order"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert len(payloads) == 4
    assert all(p.startswith('/inform{"order_id":"') for p in payloads)
    assert {p.split('"')[3] for p in payloads} == {
        "2026102261125120",
        "2026081925627637",
        "2026040781376126",
        "2026091703045159",
    }


async def test_a_token_buyer_without_orders_is_told_so(rendered: Any) -> None:
    assert rendered(await _ask(metadata=token("B999"))) == ["utter_no_orders"]


async def test_a_cleared_phone_suffix_is_not_counted_as_a_failed_try() -> None:
    """Setting a new order clears the suffix; validating that None must not fail a try."""
    from actions.order_form import ValidateOrderForm

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "2026051793538979", intent="inform", slots={"order_id": "2026051793538979"}
    )
    result = await ValidateOrderForm().validate_phone_suffix(None, dispatcher, tracker, {})
    assert result == {"phone_suffix": None}
    assert dispatcher.messages == []


async def test_the_order_card_for_the_widget(domain: Any) -> None:
    from actions.orders import ActionCheckOrderStatus

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "查物流", intent="check_order_status", slots={"order_id": "2026051793538979"},
        metadata=token("B001"),
    )  # fmt: skip
    await ActionCheckOrderStatus().run(dispatcher, tracker, domain)
    card = dispatcher.messages[-1]["custom"]
    assert (card["type"], card["status"], card["order_id"]) == (
        "order_card", "运输中", "2026051793538979",
    )  # fmt: skip
    assert card["tracking_number"] and 1 <= len(card["events"]) <= 5


async def test_no_card_for_an_order_the_buyer_may_not_see(domain: Any) -> None:
    from actions.orders import ActionCheckOrderStatus

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "查物流", intent="check_order_status", slots={"order_id": "2026051793538979"},
        metadata=token("B002"),
    )  # fmt: skip
    await ActionCheckOrderStatus().run(dispatcher, tracker, domain)
    assert [m.get("custom") for m in dispatcher.messages] == [{}]


B023_COMPLETED = "2026092872514712"  # 经典小白板鞋, 27 days old
B023_UNPAID = "2026040145171703"  # 清凉沙滩凉鞋, placed 2 h ago


async def _asked(text: str, buyer: str, order_id: str) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, intent="check_order_status", slots={"order_id": order_id}, metadata=token(buyer)
    )
    await ActionCheckOrderStatus().run(dispatcher, tracker, {})
    return dispatcher


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("我的订单", True),  # no order named: the newer unpaid one is named too
        ("订单怎么样了", True),
        ("板鞋那单到哪了", False),  # the words chose the order shown
        ("订单2026092872514712", False),  # a number chose it
    ],
)
async def test_a_newer_unpaid_order_is_named_beside_the_one_shown(
    text: str, named: bool, rendered: Any
) -> None:
    dispatcher = await _asked(text, "B023", B023_COMPLETED)
    also = ["utter_order_also_unpaid"] if named else []
    assert rendered(dispatcher) == ["utter_order_status_completed", *also]
    if named:
        assert dispatcher.messages[-1]["order_id"] == B023_UNPAID
        assert dispatcher.messages[-1]["products"] == "清凉沙滩凉鞋"


async def test_an_older_unpaid_order_is_not_named(rendered: Any) -> None:
    # B003's only order is the unpaid one shown: nothing newer to name.
    dispatcher = await _asked("我的订单", "B003", B003_UNPAID)
    assert rendered(dispatcher) == ["utter_order_status_pending_payment"]


@pytest.mark.parametrize(
    ("text", "order_id", "buyer", "status"),
    [
        ("地址改好了吗", B002_PAID, "B002", "utter_order_status_paid"),
        ("收货信息更新了吗", B002_PAID, "B002", "utter_order_status_paid"),
        ("寄到哪个地址", B001_SHIPPED, "B001", "utter_order_status_shipped"),
    ],
)
async def test_an_address_question_shows_the_current_address(
    text: str, order_id: str, buyer: str, status: str, rendered: Any
) -> None:
    dispatcher = await _asked(text, buyer, order_id)
    assert rendered(dispatcher)[0] == status
    assert rendered(dispatcher)[-1] == "utter_order_address_now"
    with session_scope() as session:
        order = session.get(Order, order_id)
        address, phone = order.address, order.recipient_phone
    shown = dispatcher.messages[-1]
    assert shown["address"] == address
    assert shown["phone"] != phone and shown["phone"][-4:] == phone[-4:]  # masked


async def test_a_cancelled_order_shows_no_address(rendered: Any) -> None:
    dispatcher = await _asked("地址改了吗", "B001", B001_CANCELLED)
    assert rendered(dispatcher) == ["utter_order_status_cancelled"]


@pytest.mark.parametrize(
    ("text", "named"),
    [("我买的是多大码的来着", True), ("我拍的什么颜色", True), ("订单到哪了", False)],
)
async def test_what_was_bought_asked_names_the_items(text: str, named: bool, rendered: Any) -> None:
    dispatcher = await _asked(text, "B002", B002_PAID)
    assert rendered(dispatcher)[0] == "utter_order_status_paid"
    assert ("utter_order_items" in rendered(dispatcher)) is named
    if named:
        assert dispatcher.messages[-1]["items"] == "轻羽女子跑鞋 粉色 37码"


async def test_the_question_counts_when_the_order_is_chosen_after_it(rendered: Any) -> None:
    """我买的是多大码的来着, asked which order, then 跑鞋那单: the items are named."""
    tracker = make_tracker(
        "跑鞋那单", intent="inform", slots={"order_id": B002_PAID}, metadata=token("B002")
    )
    tracker.events = [
        {"event": "user", "text": "我买的是多大码的来着",
         "parse_data": {"intent": {"name": "check_order_status"}}},
        {"event": "bot", "text": "亲，您有好几笔订单，请问是哪一笔呢？"},
        {"event": "user", "text": "跑鞋那单", "parse_data": {"intent": {"name": "inform"}}},
    ]  # fmt: skip
    dispatcher = CollectingDispatcher()
    await ActionCheckOrderStatus().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_order_status_paid", "utter_order_items"]


@pytest.mark.parametrize(
    ("buyer", "order_id", "scan"),
    [("B005", B005_DELIVERED, True), ("B001", B001_SHIPPED, False)],  # on its way: no repeat
)
async def test_who_signed_names_the_last_scan_of_a_signed_order(
    buyer: str, order_id: str, scan: bool, rendered: Any
) -> None:
    dispatcher = await _asked("是谁签收的", buyer, order_id)
    assert ("utter_order_last_scan" in rendered(dispatcher)) is scan
    if scan:
        with session_scope() as session:
            order = session.get(Order, order_id)
            last = order.shipments[-1].events[-1]
            assert dispatcher.messages[-1]["description"] == tracking_text(last)

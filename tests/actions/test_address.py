"""Address changes: only before shipment and only after the buyer confirms."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.address import ActionAskAddressConfirmed, ActionUpdateAddress, ValidateAddressForm
from shop.address_text import order_words, parse_contact
from shop.db.models import Escalation, Order
from shop.db.session import session_scope
from tests.conftest import make_tracker, token

FORM = ValidateAddressForm()
DOMAIN_SLOTS = ["new_address", "address_confirmed"]
B001_SHIPPED = "2026051793538979"
B001_CANCELLED = "2026111215466660"
B002_PAID = "2026101994084208"
B003_UNPAID = "2026051150482489"
B005_DELIVERED = "2026010506679357"
NEW = {
    "new_address": "浙江省杭州市西湖区文三路100号",
    "new_recipient": "王小明",
    "new_phone": "13800001234",
}
RESET = [
    SlotSet(slot, None)
    for slot in (
        "new_address",
        "new_recipient",
        "new_phone",
        "address_confirmed",
        "address_blocked",
    )
]

pytestmark = pytest.mark.usefixtures("shop_db")


def contact(order_id: str) -> tuple[str, str, str]:
    with session_scope() as session:
        order = session.get(Order, order_id)
        return order.recipient_name, order.recipient_phone, order.address


def escalations() -> list[tuple[str, str | None, int]]:
    with session_scope() as session:
        rows = session.execute(select(Escalation).order_by(Escalation.id)).scalars()
        return [(e.reason, e.order_id, e.priority) for e in rows]


# --- reading the new details -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("王小明 13800001234 浙江省杭州市西湖区文三路100号", NEW),
        ("王小明，13800001234，浙江省杭州市西湖区文三路100号", NEW),
        ("收件人是王小明，电话13800001234，地址是浙江省杭州市西湖区文三路100号", NEW),
        ("地址改成浙江省杭州市西湖区文三路100号", {"new_address": NEW["new_address"]}),
        (
            "新地址：北京市朝阳区建国路88号SOHO现代城",
            {"new_address": "北京市朝阳区建国路88号SOHO现代城"},
        ),
        ("电话改成13800001234", {"new_phone": "13800001234"}),
        ("收货人：李四", {"new_recipient": "李四"}),
        ("我想改一下收货地址", {}),
        ("12345678901", {}),
    ],
)
def test_parse_contact(text: str, found: dict[str, str]) -> None:
    assert parse_contact(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "篮球鞋改地址 改成成都市锦江区春熙路10号 收件人换成欧阳娜 13900001111",
            {
                "new_address": "成都市锦江区春熙路10号",
                "new_recipient": "欧阳娜",
                "new_phone": "13900001111",
            },
        ),
        (
            "帮我把地址改成上海市浦东新区世纪大道100号",
            {"new_address": "上海市浦东新区世纪大道100号"},
        ),
        (
            "雪地靴那单改到杭州市西湖区文三路100号 3单元",
            {"new_address": "杭州市西湖区文三路100号3单元"},
        ),
    ],
)
def test_the_request_and_the_shoe_stay_out_of_the_address(text: str, found: dict[str, str]) -> None:
    assert parse_contact(text) == found


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("篮球鞋改地址 改成成都市锦江区春熙路10号 收件人换成欧阳娜 13900001111", "篮球鞋"),
        ("雪地靴那单 地址改成杭州市西湖区文三路100号", "雪地靴那单"),
        ("改成北京市朝阳区建国路88号", ""),
    ],
)
def test_order_words_leave_out_the_new_details(text: str, words: str) -> None:
    """A phone number is no order-number tail and an address's 10号 no date."""
    assert order_words(text).replace(" ", "") == words


def test_the_address_itself_is_not_altered() -> None:
    assert parse_contact("地址改为广东省深圳市南山区为民路5号") == {
        "new_address": "广东省深圳市南山区为民路5号"
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("改成浙江省杭州市西湖区文三路100号，收件人王小明电话13800001234", NEW),
        ("收货人改为李四", {"new_recipient": "李四"}),
    ],
)
def test_the_recipients_name_is_read_exactly(text: str, found: dict[str, str]) -> None:
    assert parse_contact(text) == found


async def _extract(text: str, intent: str = "inform", **kwargs: Any) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent=intent, **kwargs)
    slots = await FORM.extract_new_address(dispatcher, tracker, {})
    return slots, [m["response"] for m in dispatcher.messages]


async def test_an_unshipped_order_may_change() -> None:
    slots, names = await _extract(
        "我想改一下收货地址",
        "change_address",
        slots={"order_id": B002_PAID},
        metadata=token("B002"),
    )
    assert (slots, names) == ({}, [])


async def test_details_given_with_the_request_are_read_at_once() -> None:
    slots, names = await _extract(
        "王小明 13800001234 浙江省杭州市西湖区文三路100号",
        "change_address",
        slots={"order_id": B003_UNPAID},
        metadata=token("B003"),
    )
    assert (slots, names) == (NEW, [])


@pytest.mark.parametrize(
    ("buyer", "order_id", "courier", "tracking"),
    [
        ("B001", B001_SHIPPED, "中通快递", "75132738654159"),
        ("B005", B005_DELIVERED, "中通快递", "75461500345689"),
    ],
)
async def test_a_shipped_order_is_refused_and_handed_over(
    buyer: str, order_id: str, courier: str, tracking: str, rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "我要改地址", intent="change_address", slots={"order_id": order_id}, metadata=token(buyer)
    )
    slots = await FORM.extract_new_address(dispatcher, tracker, {})
    assert slots == {"address_blocked": True}
    assert rendered(dispatcher) == ["utter_address_after_shipment"]
    message = dispatcher.messages[0]
    assert (message["order_id"], message["courier"], message["tracking_number"]) == (
        order_id,
        courier,
        tracking,
    )
    assert escalations() == [("address_after_shipment", order_id, 1)]
    blocked = make_tracker(slots={"address_blocked": True})
    assert await FORM.required_slots(DOMAIN_SLOTS, CollectingDispatcher(), blocked, {}) == []


async def test_the_refusal_escalates_once() -> None:
    for _ in range(2):
        await _extract(
            "我要改地址", "change_address", slots={"order_id": B001_SHIPPED}, metadata=token("B001")
        )
    assert escalations() == [("address_after_shipment", B001_SHIPPED, 1)]


async def test_a_cancelled_order_is_not_told_it_has_shipped() -> None:
    _, names = await _extract(
        "我要改地址", "change_address", slots={"order_id": B001_CANCELLED}, metadata=token("B001")
    )
    assert "utter_address_after_shipment" not in names


@pytest.mark.parametrize(
    "kwargs",
    [{"metadata": token("B005")}, {}],
    ids=["other-buyer", "no-token"],
)
async def test_an_order_that_may_not_be_seen_is_not_found(kwargs: dict, rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "我要改地址", intent="change_address", slots={"order_id": B002_PAID}, **kwargs
    )
    assert await FORM.extract_new_address(dispatcher, tracker, {}) == {"address_blocked": True}
    assert rendered(dispatcher) == ["utter_order_not_found"]
    assert escalations() == []


@pytest.mark.parametrize("slots", [{}, {"address_blocked": False}, {"address_blocked": None}])
async def test_an_open_change_asks_for_everything(slots: dict) -> None:
    tracker = make_tracker(slots=slots)
    assert (
        await FORM.required_slots(DOMAIN_SLOTS, CollectingDispatcher(), tracker, {}) == DOMAIN_SLOTS
    )


async def test_an_answer_without_an_address_keeps_only_the_phone() -> None:
    """No address: the form base hints and asks again (tests/actions/test_forms.py)."""
    slots, names = await _extract(
        "电话13800001234",
        slots={"order_id": B002_PAID, "requested_slot": "new_address"},
        metadata=token("B002"),
    )
    assert (slots, names) == ({"new_phone": "13800001234"}, [])


async def test_a_digression_while_asked_extracts_nothing() -> None:
    slots, names = await _extract(
        "浙江省杭州市西湖区包邮吗",
        "ask_shipping",
        slots={"order_id": B002_PAID, "requested_slot": "new_address"},
        metadata=token("B002"),
    )
    assert (slots, names) == ({}, [])


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("浙江省杭州市西湖区文三路100号", True),
        ("北京市朝阳区建国路", True),
        ("上海浦东世纪大道100号", True),  # a province's name is its region
        ("西湖区文三路1号", True),  # 8 characters, a district
        ("北京市朝阳区", False),  # a region, but nowhere in it
        ("春熙路10号", False),  # where, but in which city?
        ("杭州市西湖", False),  # 5 characters
        ("invalid", False),
        ("浙江省" + "文" * 196 + "号", True),  # 200 characters
        ("浙江省" + "文" * 197 + "号", False),  # 201 characters
    ],
)
def test_validate_new_address(value: str, accepted: bool, rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    result = FORM.validate_new_address(value, dispatcher, make_tracker(), {})
    if accepted:
        assert (result, dispatcher.messages) == ({"new_address": value}, [])
    else:
        assert result == {"new_address": None}
        assert rendered(dispatcher) == ["utter_address_invalid"]


@pytest.mark.parametrize(
    ("text", "intent", "requested", "slots"),
    [
        ("好", "affirm", "address_confirmed", {"address_confirmed": True}),
        ("不了", "deny", "address_confirmed", {"address_confirmed": False}),
        ("确认", "inform", "address_confirmed", {"address_confirmed": True}),
        ("算了", "inform", "address_confirmed", {"address_confirmed": False}),
        ("杭州市西湖区", "inform", "address_confirmed", {}),
        ("好的，那运费谁出", "ask_shipping", "address_confirmed", {}),
        ("好", "greet", "address_confirmed", {"address_confirmed": True}),
        ("行吧 改吧", "nlu_fallback", "address_confirmed", {"address_confirmed": True}),
        ("等等", "inform", "address_confirmed", {"address_confirmed": False}),
        ("可以改到公司吗", "change_address", "address_confirmed", {}),
        ("好", "affirm", "new_address", {}),
    ],
)
async def test_confirmation_is_yes_or_no(
    text: str, intent: str, requested: str, slots: dict
) -> None:
    tracker = make_tracker(text, intent=intent, slots={"requested_slot": requested})
    assert await FORM.extract_address_confirmed(CollectingDispatcher(), tracker, {}) == slots


async def test_the_summary_masks_the_phone(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"order_id": B002_PAID, "new_address": NEW["new_address"]}, metadata=token("B002")
    )
    await ActionAskAddressConfirmed().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_ask_address_confirmed"]
    message = dispatcher.messages[0]
    assert (message["recipient"], message["phone"], message["address"]) == (
        "王芳",
        "138****8202",
        NEW["new_address"],
    )


# --- writing it ----------------------------------------------------------------------------


async def _update(order_id: str = B002_PAID, buyer: str = "B002", **slots: Any) -> tuple:
    dispatcher = CollectingDispatcher()
    values = {"order_id": order_id, **NEW, "address_confirmed": True, **slots}
    tracker = make_tracker("确认", intent="affirm", slots=values, metadata=token(buyer))
    events = await ActionUpdateAddress().run(dispatcher, tracker, {})
    return events, dispatcher


async def test_a_confirmed_change_is_written(rendered: Any) -> None:
    events, dispatcher = await _update()
    assert events == RESET
    assert rendered(dispatcher) == ["utter_address_updated"]
    assert dispatcher.messages[0]["order_id"] == B002_PAID
    assert contact(B002_PAID) == ("王小明", "13800001234", NEW["new_address"])


async def test_an_address_alone_keeps_recipient_and_phone() -> None:
    await _update(new_recipient=None, new_phone=None)
    assert contact(B002_PAID) == ("王芳", "13802678202", NEW["new_address"])


@pytest.mark.parametrize("confirmed", [False, None])
async def test_without_a_yes_nothing_changes(confirmed: bool | None, rendered: Any) -> None:
    before = contact(B002_PAID)
    events, dispatcher = await _update(address_confirmed=confirmed)
    assert events == RESET
    assert rendered(dispatcher) == ["utter_address_not_changed"]
    assert contact(B002_PAID) == before


async def test_a_change_blocked_after_shipment_hands_over_to_a_person() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "我要改地址", intent="change_address", slots={"order_id": B001_SHIPPED},
        metadata=token("B001"),
    )  # fmt: skip
    await FORM.extract_new_address(dispatcher, tracker, {})
    events, dispatcher = await _update(B001_SHIPPED, "B001", address_blocked=True)
    assert (events, dispatcher.messages) == ([*RESET, FollowupAction("action_handoff")], [])


async def test_a_blocked_change_only_resets_the_form() -> None:
    before = contact(B001_SHIPPED)
    events, dispatcher = await _update(B001_SHIPPED, "B001", address_blocked=True)
    assert (events, dispatcher.messages) == (RESET, [])
    assert contact(B001_SHIPPED) == before


async def test_an_order_shipped_after_the_confirmation_is_not_changed(rendered: Any) -> None:
    before = contact(B002_PAID)
    with session_scope() as session:
        session.get(Order, B002_PAID).status = "shipped"
    events, dispatcher = await _update()
    assert events == [*RESET, FollowupAction("action_handoff")]
    assert rendered(dispatcher) == ["utter_address_after_shipment"]
    assert contact(B002_PAID) == before


async def test_an_order_shipped_after_the_confirmation_is_handed_over() -> None:
    with session_scope() as session:
        session.get(Order, B002_PAID).status = "shipped"
    await _update()
    assert escalations() == [("address_after_shipment", B002_PAID, 1)]


async def test_another_buyers_order_is_never_changed(rendered: Any) -> None:
    before = contact(B002_PAID)
    events, dispatcher = await _update(buyer="B005")
    assert events == RESET
    assert rendered(dispatcher) == ["utter_order_not_found"]
    assert contact(B002_PAID) == before

"""The return form applies the shop's rules at their edges before anything is opened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.return_checks import reason_in
from actions.return_progress import (
    ActionAskOrderItemId,
    ActionAskReturnConfirmed,
    ActionAskReturnReason,
)
from actions.return_requests import ValidateReturnForm
from nlu_components.text import normalize_text
from shop.clock import shop_now
from shop.db.models import Order, OrderItem, ReturnRequest, ShopPolicy, StockItem
from shop.db.session import session_scope
from shop.lexicon import RETURN_REASON_LABELS
from tests.conftest import make_tracker, token

FORM = ValidateReturnForm()
B001_SHIPPED = "2026051793538979"
B001_CANCELLED = "2026111215466660"
B002_PAID = "2026101994084208"
B003_UNPAID = "2026051150482489"
B005_DELIVERED = "2026010506679357"  # 轻羽女子跑鞋 白色 38, no freight insurance
B006_INSURED = "2026102837219872"  # 疾风男子跑鞋 蓝色 43, 运费险
B009_OLD = "2026090227383761"  # completed, signed for 20 days ago
B010_TWO_ITEMS = "2026040781376126"  # 轻羽女子跑鞋 + 舒适羊皮乐福鞋
B012_WITH_RT0001 = "2026120213887976"  # RT0001 requested

pytestmark = pytest.mark.usefixtures("shop_db")


def item_id(order_id: str, index: int = 0) -> str:
    with session_scope() as session:
        return str(session.get(Order, order_id).items[index].id)


def sign_for(order_id: str, days_ago: int, *, status: str = "delivered") -> None:
    """Sets the order's sign-for time to exactly ``days_ago`` days before now."""
    with session_scope() as session:
        order = session.get(Order, order_id)
        order.status = status
        order.delivered_at = shop_now() - timedelta(days=days_ago)


def set_free_stock(product_id: str, color: str, size: float, free: int) -> None:
    with session_scope() as session:
        row = session.execute(
            select(StockItem).where(
                StockItem.product_id == product_id,
                StockItem.color == color,
                StockItem.size == size,
            )
        ).scalar_one()
        row.reserved = row.quantity - free


def names(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


# --- which slots ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slots", "required"),
    [
        ({"after_sale_goal": "return"}, ["order_item_id", "return_reason", "return_confirmed"]),
        (
            {"after_sale_goal": "exchange"},
            ["order_item_id", "return_reason", "exchange_size", "return_confirmed"],
        ),
        ({"after_sale_goal": "exchange", "return_blocked": True}, []),
        ({"after_sale_goal": "return", "return_blocked": True}, []),
    ],
)
async def test_required_slots(slots: dict[str, Any], required: list[str]) -> None:
    domain_slots = ["order_item_id", "return_reason", "exchange_size", "return_confirmed"]
    tracker = make_tracker(slots=slots)
    assert await FORM.required_slots(domain_slots, CollectingDispatcher(), tracker, {}) == required


# --- which item -----------------------------------------------------------------------


async def _extract_item(text: str, order_id: str, buyer: str, **kwargs: Any) -> dict[str, Any]:
    slots = {"order_id": order_id, **kwargs.pop("slots", {})}
    tracker = make_tracker(text, intent="inform", slots=slots, metadata=token(buyer), **kwargs)
    return await FORM.extract_order_item_id(CollectingDispatcher(), tracker, {})


async def test_the_only_item_is_taken() -> None:
    slots = await _extract_item("我要退货", B005_DELIVERED, "B005")
    assert slots == {"order_item_id": item_id(B005_DELIVERED)}


async def test_of_two_items_the_named_one_is_taken() -> None:
    slots = await _extract_item("乐福鞋不合适，舒适羊皮乐福鞋要退", B010_TWO_ITEMS, "B010")
    assert slots == {"order_item_id": item_id(B010_TWO_ITEMS, 1)}


async def test_of_two_items_none_is_guessed() -> None:
    assert await _extract_item("我要退货", B010_TWO_ITEMS, "B010") == {}


async def test_a_chosen_item_button_is_taken() -> None:
    chosen = item_id(B010_TWO_ITEMS, 0)
    entities = [{"entity": "order_item_id", "value": chosen}]
    assert await _extract_item("", B010_TWO_ITEMS, "B010", entities=entities) == {
        "order_item_id": chosen
    }


async def test_an_item_of_another_order_is_not_taken_from_a_button() -> None:
    entities = [{"entity": "order_item_id", "value": item_id(B001_SHIPPED)}]
    assert await _extract_item("", B010_TWO_ITEMS, "B010", entities=entities) == {}


async def test_no_item_of_an_order_that_may_not_be_seen() -> None:
    assert await _extract_item("我要退货", B001_SHIPPED, "B005") == {}


async def test_the_item_buttons_list_the_orders_items(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"order_id": B010_TWO_ITEMS}, metadata=token("B010"))
    await ActionAskOrderItemId().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_choose_order_item"]
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["轻羽女子跑鞋 灰色 37", "舒适羊皮乐福鞋 黑色 37"]
    assert buttons[1]["payload"] == f'/inform{{"order_item_id":"{item_id(B010_TWO_ITEMS, 1)}"}}'


async def test_the_reason_question_names_the_item(rendered: Any, domain: dict) -> None:
    """The form may have picked the only returnable order itself: the buyer sees which."""
    dispatcher = CollectingDispatcher()
    slots = {"order_id": B010_TWO_ITEMS, "order_item_id": item_id(B010_TWO_ITEMS, 1)}
    tracker = make_tracker(slots=slots, metadata=token("B010"))
    await ActionAskReturnReason().run(dispatcher, tracker, domain)
    assert rendered(dispatcher) == ["utter_ask_return_reason_for"]
    message = dispatcher.messages[0]
    assert (message["product_name"], message["color"], message["size"]) == (
        "舒适羊皮乐福鞋",
        "黑色",
        "37",
    )
    responses = domain["responses"]
    named, plain = responses["utter_ask_return_reason_for"], responses["utter_ask_return_reason"]
    assert named[0]["buttons"] == plain[0]["buttons"]  # the same choices (a YAML alias)


async def test_the_reason_question_without_an_item_is_the_plain_one(
    rendered: Any, domain: dict
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"order_id": B010_TWO_ITEMS}, metadata=token("B010"))
    await ActionAskReturnReason().run(dispatcher, tracker, domain)
    assert rendered(dispatcher) == ["utter_ask_return_reason"]


B026_JIFENG = "2026101230647860"  # signed recently: the only one returnable
B026_HIKING = "2026031288679138"  # 山野防水徒步鞋, past every window


def _asked_reason(text: str, order_id: str, buyer: str) -> Any:
    slots = {
        "order_id": order_id,
        "order_item_id": item_id(order_id),
        "requested_slot": "return_reason",
    }
    return make_tracker(text, intent="inform", slots=slots, metadata=token(buyer))


@pytest.mark.parametrize(
    ("text", "switched"),
    [
        ("山野那双", B026_HIKING),  # another order's shoe: switch, its checks run
        ("疾风那双", None),  # the shoe under discussion
        ("小了", None),  # no shoe named
        ("雪地靴那双", None),  # a shoe the buyer never bought
    ],
)
async def test_a_shoe_named_while_the_reason_is_asked(text: str, switched: str | None) -> None:
    tracker = _asked_reason(text, B026_JIFENG, "B026")
    slots = await FORM.extract_order_item_id(CollectingDispatcher(), tracker, {})
    expected = {"order_id": switched, "order_item_id": item_id(switched)} if switched else {}
    assert slots == expected


async def test_the_switched_item_is_checked_and_refused_outside_the_windows(
    rendered: Any,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _asked_reason("山野那双", B026_HIKING, "B026")
    result = await FORM.validate_order_item_id(item_id(B026_HIKING), dispatcher, tracker, {})
    assert result["return_blocked"] is True
    assert rendered(dispatcher)[0] == "utter_return_outside_windows"


async def test_the_item_named_before_the_order_was_chosen_is_taken() -> None:
    """乐福鞋那双开胶了, then 第一个 (an order of two shoes): the 乐福鞋, not "which one?"."""
    tracker = make_tracker(
        "第一个", intent="inform", slots={"order_id": B010_TWO_ITEMS}, metadata=token("B010")
    )
    tracker.events = [
        {"event": "user", "text": "乐福鞋那双开胶了", "parse_data": {}},
        {"event": "user", "text": "第一个", "parse_data": {}},
    ]
    slots = await FORM.extract_order_item_id(CollectingDispatcher(), tracker, {})
    assert slots == {"order_item_id": item_id(B010_TWO_ITEMS, 1)}  # 舒适羊皮乐福鞋


async def _validate_item(
    order_id: str, buyer: str, text: str = ""
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, slots={"order_id": order_id}, metadata=token(buyer))
    value = item_id(order_id)
    return await FORM.validate_order_item_id(value, dispatcher, tracker, {}), dispatcher


@pytest.mark.parametrize(
    ("order_id", "buyer", "response"),
    [
        (B001_SHIPPED, "B001", "utter_return_refused_not_signed"),
        (B002_PAID, "B002", "utter_return_refused_not_shipped"),
        (B003_UNPAID, "B003", "utter_return_refused_unpaid"),
        (B001_CANCELLED, "B001", "utter_return_refused_cancelled"),
    ],
)
async def test_an_order_not_signed_for_is_refused(
    order_id: str, buyer: str, response: str, rendered: Any
) -> None:
    result, dispatcher = await _validate_item(order_id, buyer)
    assert rendered(dispatcher) == [response]
    assert dispatcher.messages[0]["order_id"] == order_id
    assert without_context(result) == {"order_item_id": None, "return_blocked": True}


@pytest.mark.parametrize(
    ("order_id", "buyer", "response"),
    [
        (B002_PAID, "B002", "utter_exchange_refused_not_shipped"),
        (B003_UNPAID, "B003", "utter_exchange_refused_unpaid"),
        # signed for but not yet: the same rule as a return's
        (B001_SHIPPED, "B001", "utter_return_refused_not_signed"),
    ],
)
async def test_an_exchange_before_shipping_is_told_as_a_change_of_the_order(
    order_id: str, buyer: str, response: str, rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "能直接改尺码吗",
        slots={"order_id": order_id, "after_sale_goal": "exchange"},
        metadata=token(buyer),
    )
    result = await FORM.validate_order_item_id(item_id(order_id), dispatcher, tracker, {})
    assert rendered(dispatcher) == [response]
    assert dispatcher.messages[0]["order_id"] == order_id
    assert without_context(result) == {"order_item_id": None, "return_blocked": True}


async def test_an_item_with_an_open_request_is_refused(rendered: Any) -> None:
    result, dispatcher = await _validate_item(B012_WITH_RT0001, "B012")
    assert rendered(dispatcher) == ["utter_return_exists", "utter_return_status_requested"]
    assert dispatcher.messages[0]["return_id"] == "RT0001"
    assert without_context(result) == {"order_item_id": None, "return_blocked": True}


async def test_an_item_already_refunded_gets_no_second_request(rendered: Any) -> None:
    """RT0005 refunded B016's 小白鞋: a second request would pay twice."""
    result, dispatcher = await _validate_item("2026122514738150", "B016", "这双我想再退一次")
    assert rendered(dispatcher) == [
        "utter_return_already_settled",
        "utter_return_status_refunded",
        "utter_offer_human",
    ]
    assert dispatcher.messages[0]["return_id"] == "RT0005"
    assert without_context(result) == {"order_item_id": None, "return_blocked": True}


async def test_a_rejected_request_does_not_block_a_new_one(rendered: Any) -> None:
    """RT0006 was rejected: the item is not settled (its windows decide), and the new
    request is told of the rejection and the shop's reason first."""
    _, dispatcher = await _validate_item("2026051920328469", "B017", "还是想退")
    assert "utter_return_already_settled" not in rendered(dispatcher)
    assert rendered(dispatcher)[0] == "utter_return_rejected_before"
    assert dispatcher.messages[0]["return_id"] == "RT0006"
    assert dispatcher.messages[0]["note"].startswith("鞋底有明显穿着磨损")


async def test_a_rejection_without_a_note_is_said_so() -> None:
    from actions.return_checks import rejected_before

    request = ReturnRequest(id="RT0990", shop_note=" ")
    assert rejected_before(request) == (
        "utter_return_rejected_before_no_note",
        {"return_id": "RT0990"},
    )


async def test_an_open_request_waiting_for_the_parcel_gives_the_address(rendered: Any) -> None:
    """退货地址是哪里 reads as a return request: RT0002 waits for the parcel."""
    _, dispatcher = await _validate_item("2026021097134246", "B013", "退货地址是哪里")
    assert rendered(dispatcher) == ["utter_return_exists", "utter_return_status_awaiting_shipment"]
    assert dispatcher.messages[1]["return_address"]


@pytest.mark.parametrize(
    "text", ["我想取消退货", "退款申请能撤销吗", "不退了", "要不我直接退了吧", "换货改成退货"]
)
async def test_withdrawing_an_open_request_offers_a_person(text: str, rendered: Any) -> None:
    _, dispatcher = await _validate_item(B012_WITH_RT0001, "B012", text)
    assert rendered(dispatcher) == [
        "utter_return_exists",
        "utter_return_status_requested",
        "utter_return_withdraw_by_staff",
        "utter_offer_human",
    ]


def without_context(result: dict[str, Any]) -> dict[str, Any]:
    """The form's own slots: the chosen item also becomes the shoe under discussion."""
    return {k: v for k, v in result.items() if k not in ("product_id", "product_name")}


async def test_an_item_with_only_a_finished_request_may_be_returned_again() -> None:
    order_id = "2026050385335990"  # B019, delivered 3 days ago
    result, dispatcher = await _validate_item(order_id, "B019")
    assert (without_context(result), names(dispatcher)) == (
        {"order_item_id": item_id(order_id)},
        [],
    )


async def test_the_chosen_item_becomes_the_shoe_under_discussion() -> None:
    result, _ = await _validate_item(B005_DELIVERED, "B005")
    assert (result["product_id"], result["product_name"]) == ("P002", "轻羽女子跑鞋")


@pytest.mark.parametrize(("order_id", "buyer"), [(B005_DELIVERED, "B005")])
async def test_a_signed_item_passes_the_item_check(order_id: str, buyer: str) -> None:
    """The no-reason window depends on the reason, so it is checked with the reason."""
    result, dispatcher = await _validate_item(order_id, buyer)
    assert (without_context(result), names(dispatcher)) == (
        {"order_item_id": item_id(order_id)},
        [],
    )


async def test_an_item_outside_both_windows_is_refused_at_once(rendered: Any) -> None:
    """No reason could open it: say so before asking why (B009, signed 20 days ago)."""
    result, dispatcher = await _validate_item(B009_OLD, "B009")
    assert rendered(dispatcher) == ["utter_return_outside_windows", "utter_offer_human"]
    assert dispatcher.messages[0]["days"] == 20
    assert without_context(result) == {"order_item_id": None, "return_blocked": True}


async def test_an_item_of_another_buyers_order_is_not_found(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"order_id": B005_DELIVERED}, metadata=token("B001"))
    result = await FORM.validate_order_item_id(item_id(B005_DELIVERED), dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_order_not_found"]
    assert result == {"order_item_id": None, "return_blocked": True}


# --- the reason and its window --------------------------------------------------------


async def _validate_reason(
    reason: str, order_id: str = B005_DELIVERED, buyer: str = "B005"
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"order_id": order_id, "order_item_id": item_id(order_id)}, metadata=token(buyer)
    )
    return await FORM.validate_return_reason(reason, dispatcher, tracker, {}), dispatcher


@pytest.mark.parametrize(
    ("reason", "days_ago", "refusal"),
    [
        ("size", 0, None),
        ("size", 7, None),
        ("size", 8, "utter_return_refused_no_reason_window"),
        ("no_reason", 7, None),
        ("no_reason", 8, "utter_return_refused_no_reason_window"),
        ("quality", 8, None),
        ("quality", 15, None),
        ("quality", 16, "utter_return_refused_quality_window"),
        ("not_as_described", 15, None),
        ("shipping_damage", 16, "utter_return_refused_quality_window"),
        ("发错货", 16, "utter_return_refused_quality_window"),
    ],
)
async def test_return_windows_count_days_from_sign_for(
    reason: str, days_ago: int, refusal: str | None, rendered: Any
) -> None:
    sign_for(B005_DELIVERED, days_ago)
    result, dispatcher = await _validate_reason(reason)
    if refusal is None:
        assert (result, dispatcher.messages) == ({"return_reason": reason}, [])
        return
    assert rendered(dispatcher) == [refusal]
    window = 7 if "no_reason" in refusal else 15
    message = dispatcher.messages[0]
    assert (message["window_days"], message["quality_days"]) == (window, 15)
    assert result == {"return_reason": None, "return_blocked": True}


async def test_the_window_counts_calendar_days_not_hours() -> None:
    """Signed for late on the 7th day before today: still inside the 7 days."""
    with session_scope() as session:
        order = session.get(Order, B005_DELIVERED)
        order.delivered_at = (shop_now() - timedelta(days=7)).replace(hour=23, minute=59)
    result, dispatcher = await _validate_reason("size")
    assert (result, dispatcher.messages) == ({"return_reason": "size"}, [])


async def test_completed_orders_follow_the_same_windows(rendered: Any) -> None:
    result, dispatcher = await _validate_reason("quality", B009_OLD, "B009")  # 20 days
    assert rendered(dispatcher) == ["utter_return_refused_quality_window"]
    assert result == {"return_reason": None, "return_blocked": True}


@pytest.mark.parametrize("value", ["不想要", "sizes", None])
async def test_a_reason_that_is_not_a_button_is_asked_again(value: Any) -> None:
    result, dispatcher = await _validate_reason(value)
    assert (result, dispatcher.messages) == ({"return_reason": None}, [])


async def _extract_reason(text: str, intent: str = "inform", **kwargs: Any) -> dict[str, Any]:
    tracker = make_tracker(text, intent=intent, **kwargs)
    return await FORM.extract_return_reason(CollectingDispatcher(), tracker, {})


@pytest.mark.parametrize(
    ("text", "intent", "entities", "reason"),
    [
        ("", "inform", [{"entity": "return_reason", "value": "quality"}], "quality"),
        ("太小了", "inform", [{"entity": "return_reason", "value": "太小了"}], "size"),
        ("鞋子有点挤脚", "request_return", [], "size"),
        ("开胶了", "inform", [], "quality"),
        ("和图片不一样", "request_exchange", [], "not_as_described"),
        ("快递盒子压坏了", "complain", [], "shipping_damage"),
        ("拍错了", "inform", [], "no_reason"),
        ("鞋子磨脚", "ask_function", [], "size"),
        ("前面有点勒脚", "complain", [], "size"),
    ],
)
async def test_extracts_the_reason(text: str, intent: str, entities: list, reason: str) -> None:
    assert await _extract_reason(text, intent, entities=entities) == {"return_reason": reason}


@pytest.mark.parametrize("text", ["我想换个大一码的", "能换小半码吗"])
async def test_an_exchange_one_size_up_or_down_is_a_size_problem(text: str) -> None:
    slots = {"after_sale_goal": "exchange"}
    assert await _extract_reason(text, "request_exchange", slots=slots) == {"return_reason": "size"}


async def test_a_return_that_mentions_a_size_step_gives_no_reason() -> None:
    """大一码 says why only when the buyer wants another size (an exchange)."""
    slots = {"after_sale_goal": "return"}
    assert await _extract_reason("买大一码的那双要退", "request_return", slots=slots) == {}


async def test_no_reason_from_words_without_one() -> None:
    assert await _extract_reason("嗯嗯") == {}


async def test_a_digression_gives_no_reason() -> None:
    assert await _extract_reason("退货运费谁出 鞋子小了", "ask_return_policy") == {}


async def test_a_given_reason_is_kept() -> None:
    assert await _extract_reason("开胶了", slots={"return_reason": "size"}) == {}


@pytest.mark.parametrize(
    "text",
    [
        "鞋跟松了",
        "小白鞋开胶了",
        "鞋底开胶了一大块",
        # a pair that does not match itself: a defect, not a description or a size
        "收到的鞋子左右脚不一样大",
        "两只鞋一大一小",
        "收到的是大小脚",
    ],
)
def test_a_quality_defect_is_not_read_as_a_size_problem(text: str) -> None:
    assert reason_in(text) == "quality"


@pytest.mark.parametrize(
    "text", ["拍多了一双", "多拍了一双", "买多了 不想要了", "同一款拍重了", "拍錯顏色了"]
)
def test_one_pair_too_many_is_a_return_without_reason(text: str) -> None:
    assert reason_in(normalize_text(text)) == "no_reason"


async def test_the_demo_quality_return_of_b008_is_accepted() -> None:
    order_id = "2026121991324671"
    slots = {"order_id": order_id, "order_item_id": item_id(order_id)}
    tracker = make_tracker("鞋跟松了", intent="request_return", slots=slots, metadata=token("B008"))
    reason = (await FORM.extract_return_reason(CollectingDispatcher(), tracker, {}))[
        "return_reason"
    ]
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_return_reason(reason, dispatcher, tracker, {})
    assert (result, dispatcher.messages) == ({"return_reason": "quality"}, [])


# --- exchange size --------------------------------------------------------------------


async def _validate_size(size: Any, **slots: Any) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={
            "order_id": B005_DELIVERED,
            "order_item_id": item_id(B005_DELIVERED),
            "after_sale_goal": "exchange",
            **slots,
        },
        metadata=token("B005"),
    )
    return await FORM.validate_exchange_size(size, dispatcher, tracker, {}), dispatcher


async def test_the_same_size_and_colour_is_no_exchange(rendered: Any) -> None:
    for slots in ({}, {"exchange_color": "白色"}):
        result, dispatcher = await _validate_size(38.0, **slots)
        assert rendered(dispatcher) == ["utter_exchange_same_item"]
        assert result == {"exchange_size": None}


async def test_the_same_size_in_another_colour_is_an_exchange() -> None:
    result, dispatcher = await _validate_size(38.0, exchange_color="灰色")
    assert (result, dispatcher.messages) == ({"exchange_size": 38.0}, [])


async def test_a_size_in_stock_is_accepted() -> None:
    result, dispatcher = await _validate_size(37.5)
    assert (result, dispatcher.messages) == ({"exchange_size": 37.5}, [])


async def test_a_sold_out_size_is_refused_with_the_sizes_in_stock(rendered: Any) -> None:
    result, dispatcher = await _validate_size(40.0)
    assert rendered(dispatcher) == ["utter_exchange_no_stock"]
    message = dispatcher.messages[0]
    assert (message["color"], message["size"]) == ("白色", "40")
    assert message["sizes"].split("、") == [
        "34",
        "34.5",
        "35",
        "35.5",
        "36",
        "36.5",
        "37",
        "37.5",
        "38",
        "38.5",
        "39",
        "39.5",
    ]
    assert result == {"exchange_size": None}


@pytest.mark.parametrize(("free", "accepted"), [(0, False), (1, True)])
async def test_reserved_stock_does_not_count(free: int, accepted: bool) -> None:
    set_free_stock("P002", "白色", 37.5, free)
    result, dispatcher = await _validate_size(37.5)
    if accepted:
        assert (result, names(dispatcher)) == ({"exchange_size": 37.5}, [])
    else:
        assert (result, names(dispatcher)) == ({"exchange_size": None}, ["utter_exchange_no_stock"])
        assert "37.5" not in dispatcher.messages[0]["sizes"].split("、")


async def test_an_unknown_colour_has_no_stock(rendered: Any) -> None:
    result, dispatcher = await _validate_size(37.0, exchange_color="金色")
    assert rendered(dispatcher) == ["utter_exchange_no_stock"]
    assert dispatcher.messages[0]["sizes"] == "-"
    assert result == {"exchange_size": None}


@pytest.mark.parametrize("size", [-1.0, 99.0, 37.3])
async def test_an_implausible_size_is_asked_again(size: Any, rendered: Any) -> None:
    result, dispatcher = await _validate_size(size)
    assert rendered(dispatcher) == ["utter_exchange_size_invalid"]
    assert result == {"exchange_size": None}


@pytest.mark.parametrize(
    ("text", "entities", "slots"),
    [
        ("换37.5码", [], {"exchange_size": 37.5}),
        ("换三十九码", [], {"exchange_size": 39.0}),
        (
            "换42码黑色",
            [{"entity": "color", "value": "黑色"}],
            {"exchange_size": 42.0, "exchange_color": "黑色"},
        ),
        ("换个灰色的", [{"entity": "color", "value": "灰色"}], {"exchange_color": "灰色"}),
        ("43的", [], {"exchange_size": 43.0}),
        ("随便", [], {}),
    ],
)
async def test_extracts_the_wanted_size(text: str, entities: list, slots: dict) -> None:
    tracker = make_tracker(
        text,
        intent="inform",
        entities=entities,
        slots={"requested_slot": "exchange_size", "after_sale_goal": "exchange"},
    )
    assert await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {}) == slots


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("换个黑色的", {"exchange_size": 42.0, "exchange_color": "黑色"}),  # same size
        ("换大一码", {"exchange_size": 43.0}),
        ("要43黑的", {"exchange_size": 43.0, "exchange_color": "黑色"}),
    ],
)
async def test_a_typed_exchange_reads_the_bought_shoe(text: str, slots: dict) -> None:
    """B018 bought 山野防水徒步鞋 灰色 42: a colour stem becomes the stock's colour name."""
    order_id = "2026082895225368"
    tracker = make_tracker(
        text,
        intent="inform",
        metadata=token("B018"),
        slots={
            "requested_slot": "exchange_size", "after_sale_goal": "exchange",
            "order_id": order_id, "order_item_id": item_id(order_id),
        },
    )  # fmt: skip
    assert await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {}) == slots


async def test_no_size_for_a_return_or_a_digression() -> None:
    cases = (("inform", "return", "return_reason"), ("ask_shipping", "exchange", "exchange_size"))
    for intent, goal, requested in cases:
        slots = {"requested_slot": requested, "after_sale_goal": goal}
        tracker = make_tracker("换42码的话运费谁出", intent=intent, slots=slots)
        assert await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {}) == {}


async def test_an_exchange_request_naming_a_size_fills_it_early() -> None:
    slots = {"requested_slot": "return_reason", "after_sale_goal": "exchange"}
    tracker = make_tracker("换39码", intent="inform", slots=slots)
    assert await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {}) == {
        "exchange_size": 39.0
    }
    reason = await FORM.extract_return_reason(CollectingDispatcher(), tracker, {})
    assert reason == {"return_reason": "size"}


async def test_an_unclear_reason_fills_nothing() -> None:
    """The form base then hints and asks again (tests/actions/test_forms.py)."""
    tracker = make_tracker("嗯嗯", intent="inform", slots={"requested_slot": "return_reason"})
    assert await FORM.extract_return_reason(CollectingDispatcher(), tracker, {}) == {}


@pytest.mark.parametrize(
    ("text", "intent", "reason"),
    [
        ("尺码偏小了", "inform", "size"),
        ("挤脚", "complain", "size"),
        ("开胶了", "complain", "quality"),
        ("和图片不一样", "nlu_fallback", "not_as_described"),
        ("拍错了", "inform", "no_reason"),
        ("不想要了", "deny", "no_reason"),
        ("盒子压坏了", "report_delivery_problem", "shipping_damage"),
    ],
)
async def test_a_typed_reason_is_read_whatever_the_intent(
    text: str, intent: str, reason: str
) -> None:
    tracker = make_tracker(text, intent=intent, slots={"requested_slot": "return_reason"})
    assert await FORM.extract_return_reason(CollectingDispatcher(), tracker, {}) == {
        "return_reason": reason
    }


# --- confirmation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "requested", "slots"),
    [
        ("好", "affirm", "return_confirmed", {"return_confirmed": True}),
        ("不了", "deny", "return_confirmed", {"return_confirmed": False}),
        ("确认", "inform", "return_confirmed", {"return_confirmed": True}),
        ("算了", "inform", "return_confirmed", {"return_confirmed": False}),
        ("换42码吧", "inform", "return_confirmed", {}),
        ("好的，那运费谁出", "ask_return_policy", "return_confirmed", {}),
        ("好", "greet", "return_confirmed", {"return_confirmed": True}),
        ("提交吧", "inform", "return_confirmed", {"return_confirmed": True}),
        ("嗯", "nlu_fallback", "return_confirmed", {"return_confirmed": True}),
        ("等等", "deny", "return_confirmed", {"return_confirmed": False}),
        ("可以退运费吗", "ask_return_policy", "return_confirmed", {}),
        ("好", "affirm", "return_reason", {}),
        # a yes word inside other words is no yes
        ("还是退货吧", "request_return", "return_confirmed", {}),
        ("好像小了", "inform", "return_confirmed", {}),
        ("还是确认吧", "inform", "return_confirmed", {"return_confirmed": True}),
        # 不 opening the answer is a no; inside a description it is none (re-asked)
        ("不", "inform", "return_confirmed", {"return_confirmed": False}),
        ("我不要了", "inform", "return_confirmed", {"return_confirmed": False}),
        ("嗯 不提交了", "inform", "return_confirmed", {"return_confirmed": False}),
        ("别", "inform", "return_confirmed", {"return_confirmed": False}),
        ("鞋灯不亮了", "complain", "return_confirmed", {}),
        ("鞋跟不稳", "inform", "return_confirmed", {}),
    ],
)
async def test_confirmation_is_yes_or_no(
    text: str, intent: str, requested: str, slots: dict
) -> None:
    tracker = make_tracker(text, intent=intent, slots={"requested_slot": requested})
    assert await FORM.extract_return_confirmed(CollectingDispatcher(), tracker, {}) == slots


@pytest.mark.parametrize(
    ("text", "goal", "slots"),
    [
        # the wish restated at its own summary is a yes
        ("那就退货吧", "return", {"return_confirmed": True}),
        ("退吧", "return", {"return_confirmed": True}),
        ("嗯 就退了吧", "return", {"return_confirmed": True}),
        ("那就换吧", "exchange", {"return_confirmed": True}),
        # another wish, a question, a refusal or a long story is none
        ("还是退货吧", "exchange", {}),
        ("那就换吧", "return", {}),
        ("退货运费谁出", "return", {}),
        ("退货要运费吗", "return", {}),
        ("不退了", "return", {"return_confirmed": False}),
        ("算了不退货了", "return", {"return_confirmed": False}),
        ("退货的话钱什么时候能回到我卡里", "return", {}),
        ("退货", None, {}),
    ],
)
async def test_the_wish_restated_at_its_summary_is_a_yes(
    text: str, goal: str | None, slots: dict
) -> None:
    tracker = make_tracker(
        text,
        intent="request_return" if "退" in text else "request_exchange",
        slots={"requested_slot": "return_confirmed", "after_sale_goal": goal},
    )
    assert await FORM.extract_return_confirmed(CollectingDispatcher(), tracker, {}) == slots


async def _summary(order_id: str, buyer: str, reason: str, domain: dict, **slots: Any) -> dict:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={
            "order_id": order_id,
            "order_item_id": item_id(order_id),
            "return_reason": reason,
            "after_sale_goal": "return",
            **slots,
        },
        metadata=token(buyer),
    )
    assert await ActionAskReturnConfirmed().run(dispatcher, tracker, domain) == []
    assert names(dispatcher) == ["utter_ask_return_confirmed"]
    return dispatcher.messages[0]


@pytest.mark.parametrize(
    ("order_id", "buyer", "reason", "note"),
    [
        (B005_DELIVERED, "B005", "size", "utter_postage_note_buyer"),
        (B006_INSURED, "B006", "no_reason", "utter_postage_note_insurance"),
        (B005_DELIVERED, "B005", "quality", "utter_postage_note_shop"),
        (B006_INSURED, "B006", "wrong_item", "utter_postage_note_shop"),
    ],
)
async def test_the_summary_says_who_pays_the_postage(
    order_id: str, buyer: str, reason: str, note: str, domain: dict, rendered: Any
) -> None:
    message = await _summary(order_id, buyer, reason, domain)
    assert message["postage_note"] == domain["responses"][note][0]["text"]
    assert message["kind_name"] == "退货"
    assert message["reason"] == RETURN_REASON_LABELS[reason]  # the code's name
    if reason in ("size", "no_reason"):  # no fault: the shop's resale condition
        assert message["condition"] == "鞋子未穿着、吊牌和鞋盒完好、不影响二次销售"
    else:  # a defect: worn shoes come back too
        defect = domain["responses"]["utter_return_condition_defect"][0]["text"]
        assert message["condition"] == defect and "未穿着" not in defect


async def test_the_exchange_summary_shows_old_and_new_size(domain: dict) -> None:
    message = await _summary(
        B005_DELIVERED, "B005", "size", domain, after_sale_goal="exchange", exchange_size=37.5
    )
    assert message["kind_name"] == "换货"
    assert message["product"] == "轻羽女子跑鞋 白色38 → 白色37.5"


async def test_the_summary_of_an_order_that_may_not_be_seen(domain: dict, rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={
            "order_id": B005_DELIVERED,
            "order_item_id": item_id(B005_DELIVERED),
            "return_reason": "quality",
        },
        metadata=token("B001"),
    )
    await ActionAskReturnConfirmed().run(dispatcher, tracker, domain)
    assert rendered(dispatcher) == ["utter_order_not_found"]


async def test_quality_postage_follows_the_policy(domain: dict) -> None:
    with session_scope() as session:
        session.execute(select(ShopPolicy)).scalar_one().quality_postage_payer = "buyer"
    message = await _summary(B005_DELIVERED, "B005", "quality", domain)
    assert message["postage_note"] == domain["responses"]["utter_postage_note_buyer"][0]["text"]


async def test_an_exchange_one_size_up_is_worked_out_from_the_item() -> None:
    order = "2026010506679357"  # B005, one item
    slots = {"after_sale_goal": "exchange", "order_id": order, "order_item_id": item_id(order)}
    tracker = make_tracker("小了 想换大一码", intent="request_exchange", slots=slots)
    tracker.latest_message["metadata"] = token("B005")
    result = await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {})
    with session_scope() as session:
        size = session.get(OrderItem, int(item_id(order))).size
    assert result == {"exchange_size": size + 1}


def _at_summary(text: str, intent: str = "inform") -> Any:
    """B018's exchange of 山野防水徒步鞋 灰色 42 → 43, its summary asked."""
    order_id = "2026082895225368"
    return make_tracker(
        text,
        intent=intent,
        metadata=token("B018"),
        slots={
            "requested_slot": "return_confirmed", "after_sale_goal": "exchange",
            "order_id": order_id, "order_item_id": item_id(order_id), "exchange_size": 43.0,
        },
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("44", "inform", {"exchange_size": 44.0}),
        ("还是换44码吧", "request_exchange", {"exchange_size": 44.0}),
        # the wished size stays, in black
        ("换黑色的", "request_exchange", {"exchange_size": 43.0, "exchange_color": "黑色"}),
        # the size of the summary with a yes: shown again before anything is submitted
        ("43码 确认", "affirm", {"exchange_size": 43.0}),
        ("还是换43吧", "affirm", {"exchange_size": 43.0}),
    ],
)
async def test_another_size_typed_at_the_summary_changes_the_wish_not_confirms(
    text: str, intent: str, slots: dict
) -> None:
    tracker = _at_summary(text, intent)
    assert await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {}) == slots
    assert await FORM.extract_return_confirmed(CollectingDispatcher(), tracker, {}) == {}


@pytest.mark.parametrize(
    ("text", "intent", "confirmed"),
    [("确认", "affirm", True), ("先不了", "deny", False)],
)
async def test_a_yes_or_no_at_the_summary_keeps_the_size(
    text: str, intent: str, confirmed: bool
) -> None:
    tracker = _at_summary(text, intent)
    assert await FORM.extract_exchange_size(CollectingDispatcher(), tracker, {}) == {}
    slots = await FORM.extract_return_confirmed(CollectingDispatcher(), tracker, {})
    assert slots.get("return_confirmed") is confirmed


def _after_defect_offer(text: str, intent: str, offer: str) -> Any:
    """换货 typed right after the assistant answered 左右脚不一样大 with ``offer``."""
    tracker = make_tracker(text, intent=intent, slots={"after_sale_goal": "exchange"})
    tracker.events = [
        {
            "event": "user",
            "text": "收到的鞋子左右脚不一样大",
            "parse_data": {"intent": {"name": "report_delivery_problem"}},
        },
        {"event": "action", "name": "action_report_delivery_problem"},
        {"event": "bot", "text": "质量问题", "metadata": {"utter_action": offer}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    return tracker


@pytest.mark.parametrize(
    ("offer", "reason"),
    [
        ("utter_delivery_problem_is_quality", {"return_reason": "quality"}),
        ("utter_delivery_case_other", {}),  # no offer for a defect: the reason is asked
    ],
)
async def test_an_exchange_after_a_defect_offer_takes_the_defect_as_its_reason(
    offer: str, reason: dict[str, Any]
) -> None:
    tracker = _after_defect_offer("换货", "request_exchange", offer)
    assert await FORM.extract_return_reason(CollectingDispatcher(), tracker, {}) == reason


async def test_a_withdrawal_said_before_the_item_was_named_still_offers_a_person(
    rendered: Any,
) -> None:
    """我不想退了 取消退货 started it; 乐福鞋 names the item with the open request."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "乐福鞋", intent="inform", slots={"order_id": B012_WITH_RT0001}, metadata=token("B012")
    )
    tracker.events = [
        {"event": "user", "text": "我不想退了 取消退货",
         "parse_data": {"intent": {"name": "request_return"}}},
        {"event": "user", "text": "乐福鞋", "parse_data": {"intent": {"name": "inform"}}},
    ]  # fmt: skip
    await FORM.validate_order_item_id(item_id(B012_WITH_RT0001), dispatcher, tracker, {})
    assert "utter_return_withdraw_by_staff" in rendered(dispatcher)

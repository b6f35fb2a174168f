"""order_form on the demo shop: which order a logged-in buyer means, typed or implied."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.common import slot_before_latest
from actions.order_form import ActionAskOrderId, ValidateOrderForm
from actions.order_lookup import load_choice
from shop.db.session import session_scope
from tests.conftest import make_tracker, token

pytestmark = pytest.mark.usefixtures("shop_db")
FORM = ValidateOrderForm()

B001_SHIPPED = "2026051793538979"
B001_COMPLETED = "2026101794569025"
B001_CANCELLED = "2026111215466660"
B002_PAID = "2026101994084208"
B009_OLD = "2026090227383761"
B010_SHIPPED = "2026102261125120"  # 优雅细跟高跟鞋
B010_DELIVERED = "2026081925627637"  # 清凉沙滩凉鞋
B010_TWO_ITEMS = "2026040781376126"  # 轻羽女子跑鞋 + 舒适羊皮乐福鞋
B010_LOAFERS = "2026091703045159"  # 舒适羊皮乐福鞋


async def _extract(
    text: str, buyer: str, goal: str, *, asked: bool = False, intent: str = "inform", **slots: Any
) -> dict[str, Any]:
    tracker = make_tracker(
        text,
        intent=intent,
        metadata=token(buyer),
        slots={"after_sale_goal": goal, "requested_slot": "order_id" if asked else None, **slots},
    )
    return await FORM.extract_order_id(CollectingDispatcher(), tracker, {})


async def test_a_product_named_with_the_request_settles_the_order() -> None:
    slots = await _extract("我的疾风跑鞋到哪了", "B001", "status", intent="check_order_status")
    assert slots == {"order_id": B001_SHIPPED, "order_choices": None, "all_orders": None}


async def test_a_shoe_of_several_orders_none_offered_is_asked_not_the_offered_one() -> None:
    """乐福鞋 of two old orders, while only the sandals can be returned: which 乐福鞋?"""
    slots = await _extract("乐福鞋那双开胶了", "B010", "return", intent="request_return")
    assert slots == {"order_choices": [B010_TWO_ITEMS, B010_LOAFERS]}


async def test_the_only_order_eligible_for_the_goal_is_taken() -> None:
    slots = await _extract("我想改一下收货地址", "B002", "address", intent="change_address")
    assert slots == {"order_id": B002_PAID}


async def test_the_order_discussed_last_is_the_default_for_a_follow_up() -> None:
    slots = await _extract(
        "那退货呢", "B010", "return", intent="request_return", order_id=B010_DELIVERED
    )
    assert slots == {}  # kept: order_id stays B010_DELIVERED


async def test_a_last_order_not_eligible_gives_way_to_the_only_eligible_one() -> None:
    slots = await _extract("我要改地址", "B002", "address", order_id="2026122759558723")
    assert slots == {"order_id": B002_PAID}


@pytest.mark.parametrize("text", ["这个能改地址吗", "这单地址能改吗", "刚才那个改下地址"])
async def test_this_order_is_the_order_discussed_even_when_it_cannot_serve(text: str) -> None:
    """这个 right after a completed order's card is that order (its flow says why
    not), never the other order the request fits, which the buyer did not mean."""
    old = "2026122759558723"  # B002's completed 乐福鞋
    slots = await _extract(text, "B002", "address", intent="change_address", order_id=old)
    assert slots == {}  # kept: order_id stays the completed order


async def test_a_product_only_an_order_not_eligible_has_is_that_order() -> None:
    # B030: 疾风 delivered (eligible), 山野防水徒步鞋 completed 29 days ago (not): the
    # buyer names the old one, whose flow then says why; never the other shoe.
    slots = await _extract("我想退山野那双", "B030", "return", intent="request_return")
    assert slots == {"order_id": "2026071999829853", "order_choices": None, "all_orders": None}


async def test_with_no_eligible_order_the_newest_is_taken_and_its_flow_says_why() -> None:
    assert await _extract("我想退货", "B009", "return", intent="request_return") == {
        "order_id": B009_OLD
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一个", B010_SHIPPED),  # the parcel on its way is shown first
        ("凉鞋那单", B010_DELIVERED),
        ("高跟鞋", B010_SHIPPED),
        ("尾号5120", B010_SHIPPED),
        ("是627637那个", B010_DELIVERED),
        (B010_LOAFERS, B010_LOAFERS),
        ("最后那个", B010_LOAFERS),
    ],
)
async def test_a_typed_choice_settles_the_order(text: str, expected: str) -> None:
    slots = await _extract(text, "B010", "status", asked=True)
    assert slots["order_id"] == expected


async def test_a_word_that_fits_several_orders_narrows_the_choice() -> None:
    slots = await _extract("乐福鞋那个", "B010", "status", asked=True)
    assert slots == {"order_choices": [B010_TWO_ITEMS, B010_LOAFERS]}


async def test_all_of_them_asks_for_every_order() -> None:
    slots = await _extract("都查一下", "B001", "status", asked=True, intent="check_order_status")
    assert slots["all_orders"] is True
    assert set(slots["order_choices"]) == {B001_SHIPPED, B001_COMPLETED}  # not the cancelled one


@pytest.mark.parametrize("text", ["第九个", "拖鞋那双", "尾号0000", "啊啊"])
async def test_an_answer_that_fits_nothing_fills_nothing(text: str) -> None:
    assert await _extract(text, "B010", "status", asked=True) == {}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("那个订单能改地址吗", "change_address"),  # the goal left one order of two
        ("对", "affirm"),
        ("是这个", "inform"),
    ],
)
async def test_the_only_order_offered_is_taken_by_a_yes_or_the_request(
    text: str, intent: str
) -> None:
    slots = await _extract(text, "B002", "address", asked=True, intent=intent)
    assert slots.get("order_id") == B002_PAID


async def test_the_new_address_typed_while_one_order_is_offered_takes_it() -> None:
    slots = await _extract(
        "改成上海市浦东新区张江路88号 李雷 13800001111", "B002", "address", asked=True
    )
    assert slots["order_id"] == B002_PAID
    assert slots["new_address"] == "上海市浦东新区张江路88号"


@pytest.mark.parametrize(
    ("text", "intent", "buyer"),
    [
        ("你好", "greet", "B002"),  # says nothing about the order
        ("对", "affirm", "B010"),  # several orders offered: a yes picks none
    ],
)
async def test_a_yes_never_picks_among_several_and_chat_picks_nothing(
    text: str, intent: str, buyer: str
) -> None:
    goal = "address" if buyer == "B002" else "status"
    slots = await _extract(text, buyer, goal, asked=True, intent=intent)
    assert "order_id" not in slots


async def test_one_order_offered_is_asked_as_a_yes_or_no(rendered: Any) -> None:
    tracker = make_tracker(metadata=token("B002"), slots={"after_sale_goal": "address"})
    dispatcher = CollectingDispatcher()
    await ActionAskOrderId().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_confirm_only_order"]
    assert len(dispatcher.messages[0]["buttons"]) == 1


async def test_an_address_typed_before_the_order_is_kept() -> None:
    slots = await _extract("浙江省杭州市西湖区文三路100号", "B010", "address", asked=True)
    assert slots["new_address"] == "浙江省杭州市西湖区文三路100号"
    assert "order_id" not in slots


async def test_a_guest_gives_order_number_and_phone_digits_in_one_message() -> None:
    tracker = make_tracker(f"订单{B001_SHIPPED} 手机尾号7703 到哪了", intent="check_order_status")
    slots = await FORM.extract_order_id(CollectingDispatcher(), tracker, {})
    assert slots == {"order_id": B001_SHIPPED, "phone_suffix": "7703"}


async def test_with_no_order_fit_for_the_goal_every_order_is_offered(rendered: Any) -> None:
    """Never "which order?" without buttons: the chosen order's flow says why not."""
    tracker = make_tracker(metadata=token("B001"), slots={"after_sale_goal": "address"})
    dispatcher = CollectingDispatcher()
    await ActionAskOrderId().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_choose_order"]
    assert len(dispatcher.messages[0]["buttons"]) == 3


async def test_only_eligible_orders_are_offered(rendered: Any) -> None:
    tracker = make_tracker(metadata=token("B001"), slots={"after_sale_goal": "status"})
    dispatcher = CollectingDispatcher()
    await ActionAskOrderId().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_choose_order"]
    payloads = " ".join(b["payload"] for b in dispatcher.messages[0]["buttons"])
    assert B001_SHIPPED in payloads and B001_CANCELLED not in payloads


async def test_a_narrowed_choice_offers_only_those(rendered: Any) -> None:
    tracker = make_tracker(
        metadata=token("B010"),
        slots={"after_sale_goal": "status", "order_choices": [B010_TWO_ITEMS, B010_LOAFERS]},
    )
    dispatcher = CollectingDispatcher()
    await ActionAskOrderId().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_choose_order_among"]
    assert len(dispatcher.messages[0]["buttons"]) == 2


# --- information typed with no question open (actions/context.py) ----------------------


async def _inform(text: str, buyer: str, flow: str | None = "order_form", **slots: Any) -> list:
    from actions.context import ActionInformWithoutQuestion

    tracker = make_tracker(text, intent="inform", metadata=token(buyer), slots=slots)
    if flow:
        tracker.events = [{"event": "action", "name": flow}]
    return await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})


def _slots(events: list) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_another_order_named_after_an_order_card_is_looked_up() -> None:
    events = await _inform("凉鞋那单呢", "B010", after_sale_goal="status")
    assert _slots(events)["order_id"] == B010_DELIVERED
    assert events[-1]["name"] == "order_form"


async def test_several_orders_named_narrow_the_choice() -> None:
    events = await _inform("乐福鞋那个", "B010", after_sale_goal="status")
    assert _slots(events)["order_choices"] == [B010_TWO_ITEMS, B010_LOAFERS]


async def test_a_return_said_as_a_fact_starts_a_return() -> None:
    events = await _inform("雪地靴不想要了", "B007", flow=None)
    slots = _slots(events)
    assert slots["after_sale_goal"] == "return" and slots["order_id"] == "2026060180560007"


@pytest.mark.parametrize("text", ["雪地靴那双的快递", "雪地靴那单物流", "雪地靴的盒子"])
async def test_a_parcel_word_beside_an_order_is_no_return(text: str) -> None:
    # 快递 / 物流 / 盒子 are shipping-damage words, but alone they ask about the parcel
    events = await _inform(text, "B007", flow=None)
    slots = _slots(events)
    assert slots["after_sale_goal"] == "status" and slots["order_id"] == "2026060180560007"


async def test_another_shoe_after_a_product_answer_asks_the_same_about_it() -> None:
    events = await _inform("轻羽那双呢", "B001", flow="product_form")
    assert _slots(events)["product_id"] == "P002" and events[-1]["name"] == "product_form"


@pytest.mark.parametrize("text", ["脚长25", "平时穿41码"])
async def test_a_foot_typed_alone_starts_size_advice(text: str) -> None:
    events = await _inform(text, "B001", flow=None)
    assert events[-1]["name"] == "size_advice_form"


async def test_nothing_placed_gets_the_fallback(rendered: Any) -> None:
    from actions.context import ActionInformWithoutQuestion

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("嗯哼", intent="inform")
    assert await ActionInformWithoutQuestion().run(dispatcher, tracker, {}) == []
    assert rendered(dispatcher) == ["utter_default"]


# --- 另外那个: the order talked about before the latest message -------------------


def _events(*steps: tuple[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for kind, value in steps:
        if kind == "user":
            events.append({"event": "user", "text": value})
        else:
            events.append({"event": "slot", "name": "order_id", "value": value})
    return events


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ((("user", "我的快递到哪了"), ("slot", "A"), ("user", "另外那个呢")), "A"),
        # the context action set the slot from the latest message: still the earlier one
        ((("slot", "A"), ("user", "另外那个呢"), ("slot", "B")), "A"),
        ((("user", "在吗"), ("user", "另外那个呢"), ("slot", "B")), None),
        ((("slot", "A"), ("slot", None), ("user", "另外那个呢")), None),
    ],
)
def test_slot_before_latest_is_the_value_when_the_buyer_wrote(
    steps: tuple[tuple[str, Any], ...], expected: str | None
) -> None:
    tracker = make_tracker("另外那个呢")
    tracker.events = _events(*steps)
    assert slot_before_latest(tracker, "order_id") == expected


async def test_another_order_typed_after_an_order_card_takes_the_other() -> None:
    """B001's parcel was told; 另外那个订单呢 means the completed 小白鞋 order."""
    tracker = make_tracker(
        "另外那个订单呢",
        intent="inform",
        metadata=token("B001"),
        slots={"order_id": "2026051793538979", "after_sale_goal": "status"},
    )
    tracker.events = _events(("slot", "2026051793538979"), ("user", "另外那个订单呢"))
    found = await ValidateOrderForm().extract_order_id(CollectingDispatcher(), tracker, {})
    assert found.get("order_id") == "2026101794569025"


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("换货到哪了", "return_status"),
        ("退货的快递到哪了", "return_status"),
        ("那个单子什么时候到账", "return_status"),
        ("我的鞋到哪了", None),
    ],
)
def test_a_status_question_about_a_return_is_its_progress(text: str, goal: str | None) -> None:
    tracker = make_tracker(text, intent="check_order_status", slots={"after_sale_goal": "status"})
    assert ValidateOrderForm().corrected_goal(tracker) == goal


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "eligible"),
    [
        ("我要取消订单", ["2026120735678972"]),  # the unpaid 乐福鞋, not the delivered heels
        ("那单不想买了", ["2026120735678972"]),
        ("取消訂單", ["2026120735678972"]),  # traditional
        ("我要退货", ["2026051920328469"]),  # a return: the heels, as before
    ],
)
def test_cancelling_an_order_means_the_orders_not_shipped(text: str, eligible: list[str]) -> None:
    tracker = make_tracker(
        text, intent="request_return", metadata=token("B017"), slots={"after_sale_goal": "return"}
    )
    with session_scope() as session:
        assert [view.id for view in load_choice(tracker, session=session).eligible] == eligible


B003_UNPAID = "2026051150482489"
B003_COMPLETED = "2026072550851748"


@pytest.mark.parametrize(
    ("text", "order_id"),
    [
        # an order the buyer has, then its state: that order, even one not eligible
        ("我有个订单还没付款", B003_UNPAID),
        ("我有一单一直没付款 能查下吗", B003_UNPAID),
        ("没付款的那单呢", B003_UNPAID),
        # the state of the order talked about is no choice of order
        ("我的订单怎么还没付款", B003_COMPLETED),
    ],
)
async def test_an_order_introduced_then_its_state_is_that_order(text: str, order_id: str) -> None:
    slots = await _extract(text, "B003", "status", intent="check_order_status")
    assert slots.get("order_id") == order_id

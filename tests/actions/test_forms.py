"""The form base keeps helper slots that extract methods set."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.address import ValidateAddressForm
from tests.conftest import make_tracker, token

pytestmark = pytest.mark.usefixtures("shop_db")
B002_PAID = "2026101994084208"


async def test_recipient_and_phone_read_with_the_address_are_kept(domain: Any) -> None:
    tracker = make_tracker(
        "收件人王小明 电话13800001234 浙江省杭州市西湖区文三路100号",
        intent="inform",
        slots={"order_id": B002_PAID, "requested_slot": "new_address"},
        metadata=token("B002"),
        active_loop="address_form",
    )
    events = await ValidateAddressForm().run(CollectingDispatcher(), tracker, domain)
    assert SlotSet("new_recipient", "王小明") in events
    assert SlotSet("new_phone", "13800001234") in events
    assert SlotSet("new_address", "浙江省杭州市西湖区文三路100号") in events


async def test_a_refused_change_keeps_its_flag(domain: Any) -> None:
    tracker = make_tracker(
        "我要改地址",
        intent="change_address",
        slots={"order_id": "2026051793538979"},
        metadata=token("B001"),
        active_loop="address_form",
    )
    events = await ValidateAddressForm().run(CollectingDispatcher(), tracker, domain)
    assert SlotSet("address_blocked", True) in events


# --- typed answers that fill nothing: re-ask, never the core fallback -------------------

from actions.form_switch import ActionSwitchRequest  # noqa: E402
from actions.order_form import ValidateOrderForm  # noqa: E402
from actions.return_requests import ValidateReturnForm  # noqa: E402
from actions.satisfaction import ValidateRatingForm  # noqa: E402

B005_DELIVERED = "2026010506679357"


def _slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Slots set, but requested_slot: Rasa ignores it when deciding to reject a step."""
    return {
        e["name"]: e["value"]
        for e in events
        if e.get("event") == "slot" and e["name"] != "requested_slot"
    }


async def _run_return_form(
    text: str, intent: str, domain: Any, misses: int = 0
) -> tuple[dict[str, Any], list[str]]:
    item = await _b005_item()
    tracker = make_tracker(
        text,
        intent=intent,
        slots={
            "order_id": B005_DELIVERED, "order_item_id": item, "after_sale_goal": "return",
            "requested_slot": "return_reason", "form_misses": misses,
        },
        metadata=token("B005"),
        active_loop="return_form",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateReturnForm().run(dispatcher, tracker, domain)
    return _slot_events(events), [m.get("response") for m in dispatcher.messages]


async def _b005_item() -> str:
    from shop.db.models import Order
    from shop.db.session import session_scope

    with session_scope() as session:
        return str(session.get(Order, B005_DELIVERED).items[0].id)


async def test_a_typed_answer_that_fills_nothing_gets_a_hint_and_the_question_again(
    domain: Any,
) -> None:
    slots, responses = await _run_return_form("嗯嗯嗯", "inform", domain)
    assert slots == {"return_reason": None, "form_misses": 1}  # the form asks again
    assert responses == ["utter_hint_return_reason"]


async def test_the_second_miss_in_a_row_offers_a_person(domain: Any) -> None:
    slots, responses = await _run_return_form("随便吧", "nlu_fallback", domain, misses=1)
    assert slots == {"return_reason": None, "form_misses": 2}
    assert responses == ["utter_hint_return_reason", "utter_offer_human_in_form"]


async def test_an_answer_resets_the_misses(domain: Any) -> None:
    slots, responses = await _run_return_form("挤脚", "complain", domain, misses=1)
    assert slots["return_reason"] == "size" and slots["form_misses"] == 0


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("退货运费谁出", "ask_return_policy"),  # a digression: answered, then asked again
        ("算了不退了", "deny"),  # leaves the form
        ("转人工", "request_human"),
        ("我想改下地址", "change_address"),  # another request: the form ends
    ],
)
async def test_messages_with_rules_are_left_to_the_rules(
    text: str, intent: str, domain: Any
) -> None:
    """No slot event: Rasa rejects the step on purpose and a rule of forms.yml runs."""
    slots, responses = await _run_return_form(text, intent, domain)
    assert (slots, responses) == ({}, [])


async def test_an_own_request_is_read_as_an_answer(domain: Any) -> None:
    """我要退货 鞋子开胶了 inside the return form is an answer, not a new request."""
    slots, _ = await _run_return_form("我要退货 鞋子开胶了", "request_return", domain)
    assert slots["return_reason"] == "quality"


async def test_repeating_the_request_shows_the_choice_again_without_a_hint(domain: Any) -> None:
    tracker = make_tracker(
        "我快递到底到哪了",
        intent="check_order_status",
        slots={"requested_slot": "order_id", "after_sale_goal": "status"},
        metadata=token("B005"),
        active_loop="order_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, tracker, domain)
    assert _slot_events(events) == {
        "order_id": None,
        "form_misses": 1,
    }  # the next miss offers a person
    assert dispatcher.messages == []


async def test_refund_progress_asked_while_choosing_an_order_is_no_miss(domain: Any) -> None:
    """退款多久到账 while asked which order: the goal covers every order, no re-ask."""
    tracker = make_tracker(
        "退款多久到账",
        intent="check_return_status",
        slots={"requested_slot": "order_id", "after_sale_goal": "return_status", "form_misses": 1},
        metadata=token("B002"),
        active_loop="order_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, tracker, domain)
    # A slot event, so Rasa does not reject the step; no miss counted, no hint, no person.
    assert _slot_events(events) == {"form_misses": 0}
    assert dispatcher.messages == []


@pytest.mark.parametrize("requested", [None, "order_id"])
async def test_a_status_question_about_the_money_is_the_refund_progress(
    domain: Any, requested: str | None
) -> None:
    """那个单子什么时候到账 (NLU: check_order_status) asks where the refund is."""
    tracker = make_tracker(
        "那个单子什么时候到账",
        intent="check_order_status",
        slots={"requested_slot": requested, "after_sale_goal": "status"},
        metadata=token("B012"),
        active_loop="order_form",
    )
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain)
    assert _slot_events(events)["after_sale_goal"] == "return_status"
    assert "order_id" not in _slot_events(events)  # every order's requests: none chosen


@pytest.mark.parametrize(
    ("text", "intent"),
    [("我的快递到哪了", "check_order_status"), ("退款到了吗", "check_return_status")],
)
async def test_other_status_questions_keep_their_goal(domain: Any, text: str, intent: str) -> None:
    goal = "status" if intent == "check_order_status" else "return_status"
    tracker = make_tracker(
        text,
        intent=intent,
        slots={"after_sale_goal": goal},
        metadata=token("B012"),
        active_loop="order_form",
    )
    events = await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain)
    assert _slot_events(events).get("after_sale_goal", goal) == goal


async def test_switching_ends_the_form_and_forgets_its_answers() -> None:
    tracker = make_tracker(
        "这双多大码合适",
        intent="ask_size_advice",
        slots={"requested_slot": "return_confirmed", "return_reason": "quality"},
        active_loop="return_form",
    )
    events = await ActionSwitchRequest().run(CollectingDispatcher(), tracker, {})
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["requested_slot"] is None and slots["return_reason"] is None
    assert "order_id" not in slots  # context stays


@pytest.mark.parametrize(
    ("form", "requested", "said"),
    [
        ("address_form", "address_confirmed", ["utter_address_change_dropped"]),
        ("return_form", "return_confirmed", ["utter_return_request_dropped"]),
        ("address_form", "new_address", []),  # nothing was about to be done
        ("return_form", "exchange_size", []),
    ],
)
async def test_leaving_at_the_final_yes_says_nothing_was_done(
    form: str, requested: str, said: list[str], rendered: Any
) -> None:
    """等一下 是哪个订单 at "确认修改吗？": a later 确认 must not read as done."""
    tracker = make_tracker(
        "等一下 是哪个订单",
        intent="check_order_status",
        slots={"requested_slot": requested},
        active_loop=form,
    )
    dispatcher = CollectingDispatcher()
    await ActionSwitchRequest().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == said


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", "5"), ("五星", "5"), ("给4分吧", "4"), ("非常满意", "5"), ("还行", "3"),
     ("非常不满意", "1"), ("不满意", "2"), ("满意", "4")],
)  # fmt: skip
async def test_a_typed_rating_is_read(text: str, score: str, domain: Any) -> None:
    tracker = make_tracker(
        text, intent="complain", slots={"requested_slot": "rating_score"}, active_loop="rating_form"
    )
    events = await ValidateRatingForm().run(CollectingDispatcher(), tracker, domain)
    assert _slot_events(events)["rating_score"] == score


def _goal_events(*goals_and_texts: tuple[str, str]) -> list[dict[str, Any]]:
    """A conversation: each buyer message followed by the goal NLU's intent set."""
    events: list[dict[str, Any]] = []
    for text, goal in goals_and_texts:
        events += [
            {"event": "user", "text": text},
            {"event": "slot", "name": "after_sale_goal", "value": goal},
            {"event": "action", "name": "return_form"},
        ]
    return events


@pytest.mark.parametrize(
    ("turns", "kept"),
    [
        ([("我要退货", "return"), ("发什么快递", "return"), ("有点挤脚", "exchange")], "return"),
        ([("我要退货", "return"), ("还是换大一码吧", "exchange")], None),  # said: 换
        ([("我要换货", "exchange"), ("算了退了吧", "return")], None),  # said: 退
        ([("我要换货", "exchange"), ("开胶了", "return")], "exchange"),
    ],
)
def test_a_reason_typed_mid_return_keeps_the_goal(turns: list, kept: str | None) -> None:
    from actions.return_checks import kept_goal

    tracker = make_tracker(turns[-1][0], slots={"requested_slot": "return_reason",
                                                 "after_sale_goal": turns[-1][1]})  # fmt: skip
    tracker.events = _goal_events(*turns)
    assert kept_goal(tracker) == kept


# --- a typed yes to an offer outside forms ----------------------------------------------


def _offer_tracker(text: str, intent: str, buttons: list[dict[str, str]]) -> Any:
    tracker = make_tracker(text, intent=intent)
    tracker.events = [
        {"event": "user", "text": "物流好几天没动了"},
        {"event": "bot", "text": "需要我帮您登记物流异常吗？", "data": {"buttons": buttons}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]
    return tracker


STALE_OFFER = [
    {"title": "登记物流异常", "payload": "/report_delivery_problem"},
    {"title": "再等等", "payload": "/deny"},
]


@pytest.mark.parametrize("text", ["要的 帮我登记一下", "好", "嗯嗯", "可以"])
async def test_a_typed_yes_takes_the_offer(text: str) -> None:
    from actions.context import ActionAnswerOffer

    dispatcher = CollectingDispatcher()
    events = await ActionAnswerOffer().run(
        dispatcher, _offer_tracker(text, "affirm", STALE_OFFER), {}
    )
    assert {"event": "slot", "name": "after_sale_goal", "value": "delivery_problem",
            "timestamp": None} in events  # fmt: skip
    assert events[-1]["name"] == "order_form" and dispatcher.messages == []


@pytest.mark.parametrize(("text", "intent"), [("再等等吧", "deny"), ("不用了", "deny")])
async def test_a_typed_no_declines_it(text: str, intent: str) -> None:
    from actions.context import ActionAnswerOffer

    dispatcher = CollectingDispatcher()
    events = await ActionAnswerOffer().run(
        dispatcher, _offer_tracker(text, intent, STALE_OFFER), {}
    )
    assert events == [] and dispatcher.messages[0]["response"] == "utter_anything_else"


async def test_a_yes_with_no_offer_asks_what_else() -> None:
    from actions.context import ActionAnswerOffer

    dispatcher = CollectingDispatcher()
    events = await ActionAnswerOffer().run(dispatcher, _offer_tracker("好的", "affirm", []), {})
    assert events == [] and dispatcher.messages[0]["response"] == "utter_anything_else"


async def test_a_yes_to_a_person_hands_over() -> None:
    from actions.context import ActionAnswerOffer

    offer = [
        {"title": "转人工客服", "payload": "/request_human"},
        {"title": "不用了", "payload": "/deny"},
    ]
    events = await ActionAnswerOffer().run(
        CollectingDispatcher(), _offer_tracker("好的 转吧", "affirm", offer), {}
    )
    assert events[-1]["name"] == "action_handoff"


async def test_i_dont_remember_is_answered_with_where_to_look(domain: Any) -> None:
    """不记得了 (NLU: deny) keeps the question open: the hint says where the number is."""
    tracker = make_tracker(
        "不记得了", intent="deny", slots={"requested_slot": "order_id"}, active_loop="order_form"
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderForm().run(dispatcher, tracker, domain)
    assert _slot_events(events) == {"order_id": None, "form_misses": 1}
    assert [m["response"] for m in dispatcher.messages] == ["utter_hint_order_id_guest"]


async def test_an_order_number_typed_with_no_question_open_is_looked_up() -> None:
    from actions.context import ActionInformWithoutQuestion

    tracker = make_tracker("2026051793538979", intent="inform")
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events[-1] == {"event": "followup", "name": "order_form", "timestamp": None}


async def test_not_knowing_the_foot_length_is_told_how_to_measure(domain: Any) -> None:
    from actions.size_advice import ValidateSizeAdviceForm

    tracker = make_tracker(
        "我也不知道脚长",
        intent="inform",
        slots={"requested_slot": "foot_length_cm", "product_id": "P006"},
        active_loop="size_advice_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateSizeAdviceForm().run(dispatcher, tracker, domain)
    assert "foot_shape" not in _slot_events(events)  # 不知道 is no foot shape out of turn
    assert [m["response"] for m in dispatcher.messages] == ["utter_hint_measure_foot"]

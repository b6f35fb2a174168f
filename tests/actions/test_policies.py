"""Return policy, shipping and promotions are read from the shop's tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.policies import (
    ActionAnswerAlsoAsked,
    ActionAnswerOutOfScope,
    ActionAnswerPromotion,
    ActionAnswerReturnPolicy,
    ActionAnswerShipping,
)
from nlu_components.text import normalize_text
from shop.answers.policies import refund_period, sentence
from shop.answers.promotions import promotions_named
from shop.config import settings
from shop.db.models import Promotion, ShopPolicy
from shop.db.session import session_scope
from tests.conftest import make_tracker, token


async def _run(action: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    assert await action.run(dispatcher, make_tracker("?"), {}) == []
    return dispatcher


@pytest.mark.usefixtures("shop_db")
async def test_return_policy_from_the_policy_row(rendered: Any) -> None:
    dispatcher = await _run(ActionAnswerReturnPolicy())
    assert rendered(dispatcher) == ["utter_return_policy", "utter_return_postage_buyer"]
    assert dispatcher.messages[0]["no_reason_days"] == 7
    assert dispatcher.messages[0]["quality_days"] == 15
    assert "运费险" in dispatcher.messages[1]["freight_insurance"]


@pytest.mark.usefixtures("shop_db")
async def test_shop_paying_postage_picks_the_other_response(rendered: Any) -> None:
    with session_scope() as session:
        session.query(ShopPolicy).update({"no_reason_postage_payer": "shop"})
    dispatcher = await _run(ActionAnswerReturnPolicy())
    assert rendered(dispatcher) == ["utter_return_policy", "utter_return_postage_shop"]


@pytest.mark.usefixtures("shop_db")
async def test_shipping_from_the_policy_row(rendered: Any) -> None:
    dispatcher = await _run(ActionAnswerShipping())
    assert rendered(dispatcher) == ["utter_shipping_policy"]
    message = dispatcher.messages[0]
    assert (message["cutoff_time"], message["couriers"]) == ("16:00", "中通快递、顺丰速运")


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("buyer", "text", "order_id"),
    [
        ("B020", "雪地靴什么时候发货", "2026122133458891"),  # paid, not shipped yet
        ("B020", "徒步鞋几天能到", "2026110563706114"),  # shipped: its parcel
        ("B001", "跑鞋发什么快递", "2026051793538979"),
    ],
)
async def test_a_shipping_question_naming_the_buyers_own_order_is_about_it(
    buyer: str, text: str, order_id: str, rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="ask_shipping", metadata=token(buyer))
    events = await ActionAnswerShipping().run(dispatcher, tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "order_id", "value": order_id} in events
    assert rendered(dispatcher)[0].startswith("utter_order_")
    assert dispatcher.messages[-1]["custom"]["order_id"] == order_id


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("buyer", "text"),
    [
        (None, "雪地靴什么时候发货"),  # a guest: no orders
        ("B020", "皮鞋什么时候发货"),  # its 皮鞋 order is completed
        ("B020", "什么时候发货"),  # no shoe named
        ("B005", "雪地靴什么时候发货"),  # no order of that shoe
    ],
)
async def test_other_shipping_questions_get_the_shops_rule(
    buyer: str | None, text: str, rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    metadata = token(buyer) if buyer else None
    tracker = make_tracker(text, intent="ask_shipping", metadata=metadata)
    assert await ActionAnswerShipping().run(dispatcher, tracker, {}) == []
    assert rendered(dispatcher) == ["utter_shipping_policy"]


@pytest.mark.usefixtures("shop_db")
async def test_current_promotions_then_the_ones_starting_soon(rendered: Any) -> None:
    """The demo's 年货节 starts in ten days: named apart; the ended 双十一 is not."""
    dispatcher = await _run(ActionAnswerPromotion())
    assert rendered(dispatcher) == [
        "utter_promotions_intro",
        "utter_promotion_item",
        "utter_promotion_item",
        "utter_promotions_upcoming_intro",
        "utter_promotion_upcoming_item_stackable",
    ]
    titles = [m.get("title") for m in dispatcher.messages]
    assert titles[1:3] == ["满300减30", "新人券10元"] and titles[4] == "年货节全场9折"


@pytest.mark.usefixtures("shop_db")
async def test_promotion_ending_today_in_the_shop_time_zone_is_listed(
    rendered: Any,
) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with session_scope() as session:
        session.query(Promotion).delete()
        session.add(
            Promotion(
                id="X1",
                title="今日特惠",
                kind="discount",
                description="全场95折",
                starts_on=today - timedelta(days=3),
                ends_on=today,
                stackable=True,
            )
        )
        session.add(
            Promotion(
                id="X2",
                title="明日开抢",
                kind="discount",
                description="全场8折",
                starts_on=today + timedelta(days=1),
                ends_on=today + timedelta(days=2),
            )
        )
    dispatcher = await _run(ActionAnswerPromotion())
    assert rendered(dispatcher) == [
        "utter_promotions_intro",
        "utter_promotion_item_stackable",
        "utter_promotions_upcoming_intro",
        "utter_promotion_upcoming_item",
    ]


@pytest.mark.usefixtures("shop_db")
async def test_a_promotion_starting_later_than_a_month_is_not_named(rendered: Any) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with session_scope() as session:
        session.query(Promotion).delete()
        session.add(
            Promotion(
                id="X3", title="周年庆", kind="discount", description="全场85折",
                starts_on=today + timedelta(days=31), ends_on=today + timedelta(days=40),
            )
        )  # fmt: skip
    assert rendered(await _run(ActionAnswerPromotion())) == ["utter_no_promotions"]


async def _promotion_question(text: str) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="ask_promotion")
    assert await ActionAnswerPromotion().run(dispatcher, tracker, {}) == []
    return dispatcher


@pytest.mark.usefixtures("shop_db")
async def test_a_shopping_day_the_shop_does_not_hold_is_said_so(rendered: Any) -> None:
    """会员日是几号 in a shop without one: no member day, then what there is."""
    dispatcher = await _promotion_question("你们会员日是几号")
    assert rendered(dispatcher)[:2] == ["utter_promotion_event_none", "utter_promotions_intro"]
    assert dispatcher.messages[0]["event"] == "会员日"
    assert "utter_promotion_upcoming_item_stackable" in rendered(dispatcher)


@pytest.mark.usefixtures("shop_db")
async def test_an_ended_shopping_day_says_when_it_ended(rendered: Any) -> None:
    """The demo's 双十一价保 ended 15 days ago: 双十一还有活动吗 says so, then what runs."""
    dispatcher = await _promotion_question("双十一的活动还能参加吗")
    assert rendered(dispatcher)[:2] == ["utter_promotion_event_ended", "utter_promotions_intro"]
    ended = datetime.now(ZoneInfo(settings.timezone)).date() - timedelta(days=15)
    message = dispatcher.messages[0]
    assert (message["title"], message["ends_month"], message["ends_day"]) == (
        "双十一价保",
        ended.month,
        ended.day,
    )


@pytest.mark.usefixtures("empty_db")
async def test_a_shopping_day_in_a_shop_without_promotions(rendered: Any) -> None:
    dispatcher = await _promotion_question("会员日有什么活动")
    assert rendered(dispatcher) == ["utter_promotion_event_none", "utter_no_promotions"]


@pytest.mark.usefixtures("shop_db")
async def test_a_shopping_day_the_shop_holds_is_answered_alone(rendered: Any) -> None:
    """年货节什么时候开始: that promotion and its dates, not the whole list."""
    dispatcher = await _promotion_question("年货节什么时候开始")
    assert rendered(dispatcher) == [
        "utter_promotions_upcoming_intro",
        "utter_promotion_upcoming_item_stackable",
    ]
    assert dispatcher.messages[1]["title"] == "年货节全场9折"


@pytest.mark.usefixtures("shop_db")
async def test_a_running_shopping_day_is_answered_as_running(rendered: Any) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with session_scope() as session:
        session.add(
            Promotion(
                id="X4", title="会员日", kind="discount", description="每月8号会员95折",
                starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=90),
            )
        )  # fmt: skip
    dispatcher = await _promotion_question("会员日有什么优惠")
    assert rendered(dispatcher) == ["utter_promotions_intro", "utter_promotion_item"]
    assert dispatcher.messages[1]["description"] == "每月8号会员95折"


@pytest.mark.usefixtures("empty_db")
@pytest.mark.parametrize(
    ("action", "response"),
    [
        (ActionAnswerReturnPolicy(), "utter_shop_info_missing"),
        (ActionAnswerShipping(), "utter_shop_info_missing"),
        (ActionAnswerPromotion(), "utter_no_promotions"),
    ],
)
async def test_an_empty_shop_says_so(action: Any, response: str, rendered: Any) -> None:
    assert rendered(await _run(action)) == [response]


async def test_database_down_gets_an_apology(rendered: Any, monkeypatch: Any) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        from sqlalchemy.exc import OperationalError

        raise OperationalError("select", {}, Exception("connection refused"))

    monkeypatch.setattr("shop.db.session.session_scope", broken)
    assert rendered(await _run(ActionAnswerShipping())) == ["utter_service_unavailable"]


# --- price protection (价保) ---------------------------------------------------------------

from shop.answers.policies import counts_from_delivery, order_price_protection  # noqa: E402
from shop.clock import shop_now  # noqa: E402
from shop.db.models import Order  # noqa: E402

B001_SHIPPED = "2026051793538979"  # paid about 2 days ago
B009_OLD = "2026090227383761"  # paid about 23 days ago
B001_CANCELLED = "2026111215466660"


async def _price_protection(text: str, **kwargs: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="ask_promotion", **kwargs)
    events = await ActionAnswerPromotion().run(dispatcher, tracker, {})
    # at most the shoe of the one order answered about becomes the current one
    assert {event["name"] for event in events} <= {"product_id", "product_name"}
    return dispatcher


@pytest.mark.usefixtures("shop_db")
async def test_price_protection_without_an_order_gives_the_rule(rendered: Any) -> None:
    dispatcher = await _price_protection("买了以后降价了能补差价吗")
    assert rendered(dispatcher) == ["utter_price_protection_days", "utter_price_protection_terms"]
    assert dispatcher.messages[0]["days"] == 15
    assert dispatcher.messages[1]["rule"].startswith("付款后15天内")
    assert not dispatcher.messages[1]["rule"].endswith("。")


@pytest.mark.usefixtures("shop_db")
async def test_a_shop_without_price_protection_says_so(rendered: Any) -> None:
    with session_scope() as session:
        session.query(ShopPolicy).update(
            {"price_protection_days": 0, "price_protection_rule": None}
        )
    dispatcher = await _price_protection("價保幾天", slots={"order_id": B001_SHIPPED})
    assert rendered(dispatcher) == ["utter_price_protection_none"]


@pytest.mark.usefixtures("shop_db")
async def test_an_order_inside_the_window(rendered: Any) -> None:
    dispatcher = await _price_protection(
        "刚买就降价了 能保价吗", slots={"order_id": B001_SHIPPED}, metadata=token("B001")
    )
    assert rendered(dispatcher) == [
        "utter_price_protection_order_inside",
        "utter_price_protection_terms",
        "utter_offer_human",
    ]
    assert dispatcher.messages[0]["order_id"] == B001_SHIPPED


@pytest.mark.usefixtures("shop_db")
async def test_an_order_outside_the_window(rendered: Any) -> None:
    dispatcher = await _price_protection(
        "降价了 退差价", slots={"order_id": B009_OLD}, metadata=token("B009")
    )
    assert rendered(dispatcher) == ["utter_price_protection_order_outside"]


@pytest.mark.usefixtures("shop_db")
async def test_an_order_named_in_the_question(rendered: Any) -> None:
    # B001: 疾风 shipped (paid 2 days ago), 小白鞋 completed (paid 48 days ago), a cancelled one.
    dispatcher = await _price_protection("疾风那单能保价吗", metadata=token("B001"))
    assert rendered(dispatcher)[0] == "utter_price_protection_order_inside"
    assert dispatcher.messages[0]["order_id"] == B001_SHIPPED
    dispatcher = await _price_protection("小白鞋那单降价了能补差价吗", metadata=token("B001"))
    assert rendered(dispatcher) == ["utter_price_protection_order_outside"]
    dispatcher = await _price_protection("疾风那单能保价吗")  # nobody's order without a token
    assert rendered(dispatcher)[0] == "utter_price_protection_days"


@pytest.mark.usefixtures("shop_db")
async def test_an_order_this_conversation_may_not_see_is_ignored(rendered: Any) -> None:
    dispatcher = await _price_protection("降价了 退差价", slots={"order_id": B009_OLD})
    assert rendered(dispatcher) == ["utter_price_protection_days", "utter_price_protection_terms"]


@pytest.mark.usefixtures("shop_db")
async def test_a_cancelled_order_has_no_price_protection(rendered: Any) -> None:
    dispatcher = await _price_protection(
        "有价保吗", slots={"order_id": B001_CANCELLED}, metadata=token("B001")
    )
    assert rendered(dispatcher) == ["utter_price_protection_order_cancelled"]


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("days_after_payment", "inside"),
    [(0, True), (15, True), (15.0001, False), (16, False)],
)
def test_the_window_edges(days_after_payment: float, inside: bool) -> None:
    with session_scope() as session:
        order = session.get(Order, B001_SHIPPED)
        paid = order.paid_at
        now = paid + timedelta(days=days_after_payment)
        (name, values), *_ = order_price_protection(order, 15, now)
    assert name == ("utter_price_protection_order_inside" if inside else
                    "utter_price_protection_order_outside")  # fmt: skip
    end = paid + timedelta(days=15)
    assert (values["month"], values["day"]) == (paid.month, paid.day)
    assert (values["end_month"], values["end_day"]) == (end.month, end.day)


@pytest.mark.usefixtures("shop_db")
def test_an_unpaid_order_counts_from_its_creation() -> None:
    with session_scope() as session:
        order = session.get(Order, "2026051150482489")  # B003, pending payment
        assert order.paid_at is None
        (name, values), *_ = order_price_protection(order, 15, shop_now())
        assert name == "utter_price_protection_order_inside"
        assert (values["month"], values["day"]) == (order.created_at.month, order.created_at.day)


@pytest.mark.usefixtures("shop_db")
async def test_other_promotion_questions_still_list_the_promotions(rendered: Any) -> None:
    dispatcher = await _price_protection("最近有什么活动", slots={"order_id": B001_SHIPPED})
    assert rendered(dispatcher)[0] == "utter_promotions_intro"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("全国包邮（港澳台除外）", "全国包邮（港澳台除外）。"),
        (
            "新疆、西藏每单加收运费20元；港澳台暂不发货",
            "新疆、西藏每单加收运费20元；港澳台暂不发货。",
        ),
        ("运费险赔付首重。", "运费险赔付首重。"),
        ("", ""),
    ],
)
def test_a_shops_policy_text_ends_as_a_sentence(text: str, shown: str) -> None:
    assert sentence(text) == shown


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("收到退货并验收后1-3个工作日", "收到退货并验收后1-3个工作日"),
        ("收到退货后2个工作日内", "收到退货后2个工作日"),  # 内 then comes from the response
        ("3天以内", "3天"),
        ("48小时之内。", "48小时"),
        (" 1个工作日内 ", "1个工作日"),
        ("", ""),
    ],
)
def test_refund_period_reads_either_way_a_shop_writes_it(written: str, used: str) -> None:
    """No 内内 in 会在…内处理退款, whether the shop's file ends the period with 内 or not."""
    assert refund_period(ShopPolicy(refund_days=written)) == used


def test_refund_period_without_a_policy_is_empty() -> None:
    assert refund_period(None) == ""


async def _also(intent: str | None, text: str, main: str = "check_order_status") -> Any:
    tracker = make_tracker(
        "我那双鞋发货了没 顺便问下" + text,
        intent=main,
        slots={"also_asked": {"intent": intent, "text": text}},
    )
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerAlsoAsked().run(dispatcher, tracker, {}) == []
    return dispatcher


@pytest.mark.usefixtures("shop_db")
async def test_a_second_question_gets_the_answer_it_would_get_alone(rendered: Any) -> None:
    dispatcher = await _also("ask_shipping", "运费怎么算")
    assert rendered(dispatcher) == ["utter_also_asked", "utter_shipping_policy"]
    assert dispatcher.messages[0]["question"] == "运费怎么算"


@pytest.mark.usefixtures("shop_db")
async def test_a_second_question_is_read_by_its_own_words(rendered: Any) -> None:
    # the part's words decide, not the message's: 价保 is price protection
    dispatcher = await _also("ask_promotion", "能价保吗")
    assert rendered(dispatcher)[0] == "utter_also_asked"
    assert rendered(dispatcher)[1].startswith("utter_price_protection")
    assert "utter_offer_human" not in rendered(dispatcher)


async def test_a_second_question_out_of_scope_is_said_plainly(rendered: Any) -> None:
    dispatcher = await _also("out_of_scope", "明天会下雨吗")
    assert rendered(dispatcher) == ["utter_also_asked", "utter_also_asked_out_of_scope"]


@pytest.mark.parametrize(
    ("intent", "text", "response"),
    [
        # offered once the first is done (rasa_ext/pending_request.py)
        ("change_address", "另外帮我改下地址", "utter_also_requested"),
        # a stock question needs its words: sent again
        ("ask_stock", "另外43码有货吗", "utter_also_requested_again"),
    ],
)
async def test_a_second_request_is_acknowledged(
    intent: str, text: str, response: str, rendered: Any
) -> None:
    dispatcher = await _also(intent, text)
    assert rendered(dispatcher) == [response]
    assert dispatcher.messages[0]["request"] == text


async def test_a_long_second_question_is_quoted_short() -> None:
    dispatcher = await _also("out_of_scope", "你们" * 30)
    assert len(dispatcher.messages[0]["question"]) == 20


async def test_without_a_second_question_nothing_is_said() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("发货了没", intent="check_order_status", slots={"also_asked": None})
    assert await ActionAnswerAlsoAsked().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "buyer", "responses"),
    [
        # one order inside the window (the others too old or cancelled): answered as named
        ("我买的鞋降价了 能补差价吗", "B001",
         ["utter_price_protection_order_inside", "utter_price_protection_terms",
          "utter_offer_human"]),
        # two inside: listed, by product and tail
        ("我买的降价了能保价吗", "B010",
         ["utter_price_protection_days", "utter_price_protection_orders_inside",
          "utter_price_protection_terms", "utter_offer_human"]),
        # none inside any more
        ("我买的鞋降价了", "B009",
         ["utter_price_protection_days", "utter_price_protection_no_order_inside"]),
        # a question before buying: the rule, whoever asks
        ("你们有价保吗", "B001", ["utter_price_protection_days", "utter_price_protection_terms"]),
        # a guest's purchase is nobody's order
        ("我买的鞋降价了", None, ["utter_price_protection_days", "utter_price_protection_terms"]),
    ],
)  # fmt: skip
async def test_own_purchase_named_no_order_uses_the_buyers_orders(
    text: str, buyer: str | None, responses: list[str], rendered: Any
) -> None:
    dispatcher = await _price_protection(text, metadata=token(buyer) if buyer else None)
    assert rendered(dispatcher) == responses
    if "utter_price_protection_orders_inside" in responses:
        listed = dispatcher.messages[1]["orders"]
        assert "优雅细跟高跟鞋" in listed and "清凉沙滩凉鞋" in listed


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "buyer", "product_set"),
    [
        ("我买的鞋降价了 能补差价吗", "B001", True),  # one order inside: its shoe
        ("我买的降价了能保价吗", "B010", False),  # two orders listed: no one shoe
        ("你们有价保吗", "B001", False),  # the rule alone
    ],
)
async def test_price_protection_of_one_order_makes_its_shoe_current(
    text: str, buyer: str, product_set: bool
) -> None:
    tracker = make_tracker(text, intent="ask_promotion", metadata=token(buyer))
    events = await ActionAnswerPromotion().run(CollectingDispatcher(), tracker, {})
    slots = {event["name"]: event["value"] for event in events}
    assert bool(slots.get("product_id")) is product_set
    if product_set:
        assert slots["product_name"]


PRICE_PROTECTION_DAYS = "utter_price_protection_days"


def _after_price_protection(
    text: str, intent: str, earlier: str, utter: str = PRICE_PROTECTION_DAYS, **kwargs: Any
) -> Any:
    """The buyer's next message right after ``earlier`` got the answer ``utter``
    (a price-protection one unless told)."""
    tracker = make_tracker(text, intent=intent, **kwargs)
    tracker.events = [
        {"event": "user", "text": earlier, "parse_data": {}},
        {"event": "action", "name": "action_answer_promotion"},
        {"event": "bot", "text": "价保", "metadata": {"utter_action": utter}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": "action_inform_without_question"},
    ]
    return tracker


PROMOTIONS = "utter_promotions_intro"


@pytest.mark.parametrize(
    ("earlier", "utter", "text", "follows"),
    [
        ("我买的降价了能保价吗", PRICE_PROTECTION_DAYS, "高跟鞋那单呢", True),
        ("能補差價嗎", PRICE_PROTECTION_DAYS, "凉鞋那单呢", True),  # traditional script
        ("那高跟鞋那单呢", "utter_price_protection_order_inside", "凉鞋那单呢", True),  # a chain
        ("有什么优惠活动", PROMOTIONS, "高跟鞋那单呢", False),  # promotions, not price protection
        # a short 「…呢」 after a promotions list got promotions: nothing to chain through
        ("那运动鞋呢", PROMOTIONS, "高跟鞋那单呢", False),
    ],
)
def test_a_price_protection_answer_just_before_is_found(
    earlier: str, utter: str, text: str, follows: bool
) -> None:
    from actions.policies import price_protection_before

    tracker = _after_price_protection(text, "inform", earlier, utter)
    assert price_protection_before(tracker) is follows


def test_another_answer_in_between_forgets_the_price_protection_question() -> None:
    from actions.policies import price_protection_before

    tracker = _after_price_protection("高跟鞋那单呢", "inform", "我买的降价了能保价吗")
    tracker.events.insert(2, {"event": "action", "name": "action_answer_shipping"})
    assert price_protection_before(tracker) is False


FOLLOW_UP = {"event": "followup", "name": "action_answer_promotion", "timestamp": None}


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("earlier", "utter", "routed"),
    [("我买的降价了能保价吗", PRICE_PROTECTION_DAYS, True), ("有什么优惠活动", PROMOTIONS, False)],
)
async def test_an_order_named_after_a_price_protection_list_gets_its_price_protection(
    earlier: str, utter: str, routed: bool, rendered: Any
) -> None:
    from actions.context import ActionInformWithoutQuestion

    tracker = _after_price_protection(
        "高跟鞋那单呢", "inform", earlier, utter, metadata=token("B010")
    )
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert (events == [FOLLOW_UP]) is routed
    if not routed:
        return
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerPromotion().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == [
        "utter_price_protection_order_inside",
        "utter_price_protection_terms",
        "utter_offer_human",
    ]
    assert dispatcher.messages[0]["order_id"].endswith("5120")  # the high heels
    assert {event["name"] for event in events} == {"product_id", "product_name"}


PROMOTIONS_LISTED = ["utter_promotions_intro", "utter_promotion_item", "utter_promotion_item"]
# PM004 年货节全场9折 starts in 10 days: a buyer asking a price may wait for it.
UPCOMING_LISTED = ["utter_promotions_upcoming_intro", "utter_promotion_upcoming_item_stackable"]


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "kwargs", "first", "price"),
    [
        ("小白鞋多少钱", {}, "utter_product_price", "¥199.00"),
        ("這雙多少錢", {"slots": {"product_id": "P001"}}, "utter_product_price", "¥399.00"),
        ("什么价格", {"metadata": {"product_id": "P003"}}, "utter_product_price", "¥599.00"),
        ("多少钱", {}, "utter_price_which_product", None),  # no shoe known: which one?
        (
            "耐克多少钱",
            {"entities": [{"entity": "product", "value": "耐克"}]},
            "utter_unknown_product",
            None,
        ),
    ],
)
async def test_a_price_question_gets_the_catalogue_price_then_the_promotions_now_and_soon(
    text: str, kwargs: dict, first: str, price: str | None, rendered: Any
) -> None:
    from nlu_components.text import normalize_text

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(normalize_text(text), intent="ask_promotion", **kwargs)
    events = await ActionAnswerPromotion().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == [first, *PROMOTIONS_LISTED, *UPCOMING_LISTED]
    assert dispatcher.messages[0].get("price") == price
    if price:  # the priced shoe becomes the one under discussion (这双透气吗 next)
        assert {e["name"] for e in events} == {"product_id", "product_name"}


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize("text", ["退货地址是哪里", "寄回的地址是哪里", "换货要寄到哪"])
async def test_where_returns_go_gets_the_return_address(text: str, rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="ask_return_policy")
    await ActionAnswerReturnPolicy().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_return_address", "utter_return_postage_buyer"]
    message = dispatcher.messages[0]
    assert "晋江" in message["return_address"] and message["return_phone"]


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(("buyer", "named"), [("B013", "RT0002"), ("B012", None), (None, None)])
async def test_the_return_address_names_the_buyers_request_waiting_for_the_parcel(
    buyer: str | None, named: str | None, rendered: Any
) -> None:
    """B013's RT0002 waits for the parcel; B012's RT0001 is not approved yet; a guest."""
    dispatcher = CollectingDispatcher()
    metadata = token(buyer) if buyer else {}
    tracker = make_tracker("退货地址是哪里", intent="ask_return_policy", metadata=metadata)
    await ActionAnswerReturnPolicy().run(dispatcher, tracker, {})
    names = rendered(dispatcher)
    assert names[-2:] == ["utter_return_address", "utter_return_postage_buyer"]
    assert (dispatcher.messages[0].get("return_id") if len(names) == 3 else None) == named


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("buyer", "first"),
    [
        ("B013", "utter_return_address_for_request"),  # RT0002 waits for the parcel
        ("B012", "utter_shipping_policy"),  # RT0001 not approved: the shipping rule
        (None, "utter_shipping_policy"),
    ],
)
async def test_where_to_send_read_as_shipping_gives_a_waiting_returns_address(
    buyer: str | None, first: str, rendered: Any
) -> None:
    """寄到哪里 (NLU: a shipping question) from a buyer whose return waits for the parcel."""
    dispatcher = CollectingDispatcher()
    metadata = token(buyer) if buyer else {}
    tracker = make_tracker("寄到哪里", intent="ask_shipping", metadata=metadata)
    await ActionAnswerShipping().run(dispatcher, tracker, {})
    assert rendered(dispatcher)[0] == first
    if buyer == "B013":
        assert rendered(dispatcher) == ["utter_return_address_for_request", "utter_return_address"]


# --- a shop whose rule counts from delivery (签收后7天内) ------------------------------


@pytest.mark.parametrize(
    ("rule", "from_delivery"),
    [
        ("签收后7天内，同款降价可申请补差价", True),
        ("确认收货之日起15天内降价补差", True),
        ("收到货 7 天内降价可以补", True),
        ("付款后15天内，同款降价退差价", False),
        ("签收后如有质量问题请联系客服；付款后15天价保", False),
        ("", False),
        (None, False),
    ],
)
def test_counts_from_delivery_at_its_edges(rule: str | None, from_delivery: bool) -> None:
    assert counts_from_delivery(rule) is from_delivery


def _rule_from_delivery() -> None:
    with session_scope() as session:
        policy = session.query(ShopPolicy).one()
        policy.price_protection_days = 7
        policy.price_protection_rule = "签收后7天内同款降价，差价以店铺优惠券形式返还"


@pytest.mark.usefixtures("shop_db")
async def test_the_rule_counted_from_delivery_is_said_so(rendered: Any) -> None:
    _rule_from_delivery()
    dispatcher = await _price_protection("你们有价保吗")
    assert rendered(dispatcher)[0] == "utter_price_protection_days"
    assert (dispatcher.messages[0]["start"], dispatcher.messages[0]["days"]) == ("签收", 7)


@pytest.mark.usefixtures("shop_db")
async def test_an_order_not_signed_for_is_counted_from_delivery(rendered: Any) -> None:
    _rule_from_delivery()
    dispatcher = await _price_protection("降价了能补差价吗", slots={"order_id": B001_SHIPPED},
                                         metadata=token("B001"))  # fmt: skip
    assert rendered(dispatcher)[0] == "utter_price_protection_order_not_signed"
    assert "utter_offer_human" in rendered(dispatcher)


@pytest.mark.usefixtures("shop_db")
def test_a_signed_order_counts_from_its_signing() -> None:
    with session_scope() as session:
        order = session.get(Order, "2026010506679357")  # B005, signed about 2 days ago
        signed = order.delivered_at
        (name, values), *_ = order_price_protection(
            order, 7, signed + timedelta(days=7), from_delivery=True
        )
        assert name == "utter_price_protection_order_inside"
        assert (values["month"], values["day"]) == (signed.month, signed.day)
        (name, _), *_ = order_price_protection(
            order, 7, signed + timedelta(days=7.001), from_delivery=True
        )
        assert name == "utter_price_protection_order_outside"


@pytest.mark.usefixtures("shop_db")
async def test_a_catalogue_question_second_is_answered_for_the_shoe_settled(
    rendered: Any,
) -> None:
    """這雙保暖嗎 beside a stock question: the stock answer settled the shoe."""
    tracker = make_tracker(
        "這雙保暖嗎？還有卡其色37碼有貨嗎",
        intent="ask_stock",
        slots={
            "also_asked": {"intent": "ask_function", "text": "這雙保暖嗎"},
            "product_id": "P004",
        },
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerAlsoAsked().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_also_asked", "utter_function_yes"]
    assert "保暖" in dispatcher.messages[1]["claim"]


@pytest.mark.usefixtures("shop_db")
async def test_a_catalogue_question_second_without_a_shoe_asks_nothing(rendered: Any) -> None:
    dispatcher = await _also("ask_material", "是真皮吗", main="ask_stock")
    assert rendered(dispatcher) == []


@pytest.mark.usefixtures("shop_db")
async def test_orders_not_signed_for_are_never_listed_as_inside(rendered: Any) -> None:
    """B020 under a rule counted from delivery: the paid and the shipped order are
    not signed for yet (each said so); the one signed 45 days ago is outside."""
    _rule_from_delivery()
    dispatcher = await _price_protection("我买的鞋降价了", metadata=token("B020"))
    assert rendered(dispatcher) == [
        "utter_price_protection_order_not_signed",
        "utter_price_protection_order_not_signed",
        "utter_price_protection_terms",
        "utter_offer_human",
    ]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("能开发票吗", "utter_shop_matter"),
        ("可以開發票嗎", "utter_shop_matter"),  # traditional
        ("能改价吗 便宜点拍", "utter_shop_matter"),
        ("明天北京下雨吗", "utter_out_of_scope"),
        ("饿了么的单子怎么退款", "utter_out_of_scope"),
    ],
)
async def test_out_of_scope_sends_the_shops_matters_to_a_person(
    text: str, response: str, rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="out_of_scope")
    assert await ActionAnswerOutOfScope().run(dispatcher, tracker, {}) == []
    assert rendered(dispatcher) == [response]


@pytest.mark.usefixtures("shop_db")
async def test_a_second_question_for_the_shop_is_sent_to_a_person(rendered: Any) -> None:
    dispatcher = await _also("out_of_scope", "能开发票吗")
    assert rendered(dispatcher) == ["utter_also_asked", "utter_shop_matter"]


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("满300减30能用吗", ["满300减30"]),
        ("新人券怎么领", ["新人券10元"]),
        ("满300减30和新人券能一起用吗", ["满300减30", "新人券10元"]),
    ],
)
async def test_a_promotion_named_by_its_title_is_answered_alone(
    text: str, titles: list[str], rendered: Any
) -> None:
    dispatcher = await _promotion_question(text)
    names = rendered(dispatcher)
    assert names[0] == "utter_promotions_intro"
    assert [m.get("title") for m in dispatcher.messages[1:]] == titles
    assert "utter_promotions_upcoming_intro" not in names  # not the whole list


@pytest.mark.usefixtures("shop_db")
async def test_an_ended_promotion_named_by_its_title_is_said_to_be_over(rendered: Any) -> None:
    dispatcher = await _promotion_question("双十一价保活动还有吗")
    assert "utter_promotion_item" not in rendered(dispatcher)


def test_the_name_inside_a_promotions_title() -> None:
    def promotion(title: str) -> Promotion:
        return Promotion(id="X", title=title, kind="discount", description="")

    found = [promotion("汉服节8折"), promotion("满399减50"), promotion("拖鞋买二送一")]
    assert [p.title for p in promotions_named("汉服节的8折现在能用吗", found)] == ["汉服节8折"]
    assert [p.title for p in promotions_named("买一双能用满399减50吗", found)] == ["满399减50"]
    assert [p.title for p in promotions_named("拖鞋买二送一怎么算", found)] == ["拖鞋买二送一"]
    assert promotions_named("有什么活动", found) == []


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("秋季上新那个20块的券还能用吗", "秋季上新20元券"),  # its own words
        ("满199减25可以跟其他优惠一起用吗", "冬日满199减25"),  # what it offers
        ("冬日的满减还有吗", "冬日满199减25"),
        ("新人有优惠吗", "新人券10元"),
        ("8.5折什么时候开始", "元旦店庆8.5折"),
    ],
)
def test_a_promotion_named_by_a_word_of_its_title(text: str, title: str) -> None:
    found = [
        Promotion(id=str(i), title=t, kind="discount", description="")
        for i, t in enumerate(["冬日满199减25", "秋季上新20元券", "元旦店庆8.5折", "新人券10元"])
    ]
    assert [p.title for p in promotions_named(text, found)] == [title]


def test_words_every_promotion_uses_name_none() -> None:
    found = [Promotion(id="1", title="全场满减优惠活动", kind="discount", description="")]
    assert promotions_named("有什么优惠活动吗 满减呢", found) == []


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "first", "courier"),
    [
        ("能发顺丰吗", "utter_courier_yes", "顺丰"),
        ("可以發順豐嗎", "utter_courier_yes", "顺丰"),  # traditional
        ("能发韵达吗", "utter_courier_no", "韵达"),
        ("极兔可以不", "utter_courier_no", "极兔"),
    ],
)
async def test_a_courier_named_is_said_to_be_the_shops_or_not(
    text: str, first: str, courier: str, rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(normalize_text(text), intent="ask_shipping")
    await ActionAnswerShipping().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == [first, "utter_shipping_policy"]
    assert dispatcher.messages[0]["courier"] == courier


@pytest.mark.usefixtures("shop_db")
async def test_no_courier_named_gets_the_shipping_rule_alone(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerShipping().run(
        dispatcher, make_tracker("多久发货", intent="ask_shipping"), {}
    )
    assert rendered(dispatcher) == ["utter_shipping_policy"]

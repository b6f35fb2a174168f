"""Where a message is cut into questions, and which part is a second question."""

from __future__ import annotations

import pytest

from shop.clauses import (
    MAX_CLAUSES,
    Plan,
    Reading,
    clauses,
    count_chars,
    is_question,
    opens_another,
    plan_questions,
    requests_confidently,
    said_besides,
    second_question,
    second_request,
    strip_words,
)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("我那双鞋发货了没 顺便问下能开发票吗", ["我那双鞋发货了没", "能开发票吗"]),
        ("鞋子小了，退货运费谁出", ["鞋子小了", "退货运费谁出"]),
        ("我的快递到哪了？另外有优惠券吗", ["我的快递到哪了", "有优惠券吗"]),
        ("我的快遞到哪了？另外有優惠券嗎", ["我的快遞到哪了", "有優惠券嗎"]),  # traditional
        ("小白鞋 40码 有货吗", ["小白鞋40码有货吗"]),  # short parts stay one question
        ("亲，我的鞋，到哪了", ["我的鞋到哪了"]),  # a greeting alone joins nothing
        ("你好，我想问下运费怎么算", ["我想问下运费怎么算"]),
        ("你好，跑鞋有没有42码，顺便问下几天能到", ["跑鞋有没有42码", "几天能到"]),
        ("亲 在吗 Hi", []),
        ("你好我想问下运费", ["你好我想问下运费"]),  # inside a piece it stays
        ("还有货吗", ["还有货吗"]),  # 还有 alone opens nothing
        ("对了 能开发票吗", ["能开发票吗"]),  # the opening word alone leaves one part
        ("４２码", ["42码"]),  # full width
        ("", []),
        ("，，。", []),
    ],
)
def test_clauses_at_their_edges(text: str, parts: list[str]) -> None:
    assert clauses(text) == parts


def test_a_long_list_is_not_cut() -> None:
    text = "，".join(["鞋子好看"] * (MAX_CLAUSES + 1))
    assert len(clauses(text)) == 1


def _r(text: str, intent: str | None, confidence: float = 0.9, opened: bool = True) -> Reading:
    return Reading(text, intent, confidence, opened)


ORDER = _r("我那双鞋发货了没", "check_order_status")
INVOICE = _r("能开发票吗", "out_of_scope")
SHIPPING = _r("运费怎么算", "ask_shipping")
ANY_SHIPPING = _r("运费怎么算", "ask_shipping", 0.65)


@pytest.mark.parametrize(
    ("main", "readings", "second"),
    [
        ("check_order_status", [ORDER, INVOICE], INVOICE),
        ("check_order_status", [ORDER, SHIPPING, INVOICE], SHIPPING),  # the most confident
        ("out_of_scope", [INVOICE, SHIPPING], SHIPPING),
        # cut inside one question: no part says the message's intent alone
        ("check_order_status", [_r("我那双鞋", "inform"), _r("发货了没", "ask_shipping")], None),
        ("check_order_status", [_r("我那双鞋", "check_order_status", 0.49), SHIPPING], None),
        ("ask_shipping", [SHIPPING, _r("多久能到", "ask_shipping")], None),  # the same question
        ("check_order_status", [ORDER], None),  # one part
        ("check_order_status", [ORDER, _r("能开发票吗", "out_of_scope", 0.79)], None),  # unsure
        ("check_order_status", [ORDER, _r("运费怎么算", "ask_shipping", 0.64)], None),
        ("check_order_status", [ORDER, _r("运费怎么算", "ask_shipping", 0.65)], ANY_SHIPPING),
        (
            "request_return",
            [_r("我有运费险", "ask_return_policy"), _r("帮我申请退货", "request_return")],
            None,
        ),  # states
        ("ask_shipping", [SHIPPING, _r("鞋子小了", "request_exchange")], None),  # a flow, not
        ("complain", [_r("能开发票吗", "out_of_scope"), _r("发票呢", "out_of_scope")], None),
        (None, [ORDER, INVOICE], None),  # no intent to anchor on
    ],
)
def test_second_question_at_its_edges(
    main: str | None, readings: list[Reading], second: Reading | None
) -> None:
    assert second_question(main, readings) == second


@pytest.mark.parametrize(
    ("text", "count"),
    [("运费险怎么赔？", 6), ("42码 ok", 5), ("👍👍！！", 0), ("", 0)],
)
def test_count_chars_counts_only_what_says_something(text: str, count: int) -> None:
    assert count_chars(text) == count


def test_strip_words_takes_the_longest_word_first() -> None:
    assert strip_words("不想等了 运费呢", ("等了", "不想等了")) == "  运费呢"
    assert strip_words("运费呢", ()) == "运费呢"


REQUEST = _r("我的鞋到哪了", "check_order_status", 1.0)


@pytest.mark.parametrize(
    ("main", "readings", "plan"),
    [
        # read whole as the invoice question: the order question is the request
        ("out_of_scope", [REQUEST, INVOICE], Plan(REQUEST, INVOICE)),
        ("nlu_fallback", [REQUEST, SHIPPING], Plan(REQUEST, SHIPPING)),
        # the whole read right: its intent stands
        ("check_order_status", [REQUEST, INVOICE], Plan(None, INVOICE)),
        # an unsure request does not replace the reading
        (
            "out_of_scope",
            [_r("我的鞋到哪了", "check_order_status", 0.79), INVOICE],
            Plan(None, None),
        ),
        # no second question: the reading stands, even if a part requests something
        ("ask_shipping", [REQUEST, _r("谢谢", "thank")], Plan(None, None)),
        # small talk requests nothing
        ("ask_shipping", [_r("好的好的", "affirm"), SHIPPING], Plan(None, None)),
        # two stand-alone questions: the whole's and the other
        ("ask_shipping", [SHIPPING, INVOICE], Plan(None, INVOICE)),
    ],
)
def test_plan_questions_at_its_edges(main: str, readings: list[Reading], plan: Plan) -> None:
    assert plan_questions(main, readings, {main: 0.58, "check_order_status": 0.42}) == plan


def test_a_whole_not_understood_takes_a_confident_request_alone() -> None:
    # 你好，跑鞋有没有42码，顺便问下几天能到: fallback 0.45, stock 0.43; 几天能到 alone unsure
    stock = _r("跑鞋有没有42码", "ask_stock", 0.95)
    unsure = _r("几天能到", "ask_shipping", 0.58)
    whole = {"nlu_fallback": 0.45, "ask_stock": 0.43, "ask_shipping": 0.23}
    assert plan_questions("nlu_fallback", [stock, unsure], whole) == Plan(stock, None)
    # ... but not a request the whole gives no weight, nor an unsure one
    assert plan_questions("nlu_fallback", [stock, unsure], {"nlu_fallback": 1.0}) == Plan(
        None, None
    )
    shaky = _r("跑鞋有没有42码", "ask_stock", 0.79)
    assert plan_questions("nlu_fallback", [shaky, unsure], whole) == Plan(None, None)
    # a stand-alone reading still needs the second question
    assert plan_questions("ask_shipping", [stock, unsure], whole) == Plan(None, None)


def test_a_whole_read_with_certainty_keeps_its_intent() -> None:
    # 默认发什么快递 能不能换成顺丰: the second part alone resembles an exchange
    swap = _r("能不能换成顺丰", "request_exchange", 0.95)
    whole = {"ask_shipping": 0.99, "request_exchange": 0.01}
    assert plan_questions("ask_shipping", [SHIPPING, swap], whole) == Plan(None, None)
    swap_size = _r("帮我换42码", "request_exchange", 0.95)
    assert plan_questions("out_of_scope", [swap_size, INVOICE], None) == Plan(None, None)


WARM = _r("雪地靴保暖吗", "ask_function", 0.95)
CERTAIN_SHIPPING = {"ask_shipping": 0.99, "ask_function": 0.01}


def test_a_product_question_is_served_beside_a_certain_stand_alone_one() -> None:
    # 雪地靴保暖吗，几点前下单当天发？ read whole as shipping with certainty
    assert plan_questions("ask_shipping", [WARM, SHIPPING], CERTAIN_SHIPPING) == Plan(
        WARM, SHIPPING
    )
    assert plan_questions("out_of_scope", [WARM, INVOICE], None) == Plan(WARM, INVOICE)


@pytest.mark.parametrize(
    ("main", "readings"),
    [
        # stated, not asked: 雪地靴很保暖 sets the scene for the shipping question
        ("ask_shipping", [_r("雪地靴很保暖", "ask_function", 0.95), SHIPPING]),
        # unsure about the goods
        ("ask_shipping", [_r("雪地靴保暖吗", "ask_function", 0.79), SHIPPING]),
        # no stand-alone question stands beside it: NLU's reading is kept
        ("ask_shipping", [WARM, _r("谢谢你们", "thank")]),
        # the whole was not understood: the ranking rule applies
        ("nlu_fallback", [WARM, SHIPPING]),
    ],
)
def test_a_product_question_needs_a_question_beside_a_stand_alone_one(
    main: str, readings: list[Reading]
) -> None:
    assert plan_questions(main, readings, CERTAIN_SHIPPING).request is None


RETURN = _r("我要退货", "request_return", 0.95)
ADDRESS = _r("另外帮我改下地址", "change_address", 0.9)


@pytest.mark.parametrize(
    ("main", "readings", "second"),
    [
        ("request_return", [RETURN, ADDRESS], ADDRESS),
        # the most confident of two other flows
        ("request_return", [RETURN, _r("查下物流", "check_order_status", 0.8), ADDRESS], ADDRESS),
        ("request_return", [RETURN, _r("改下地址", "change_address", 0.79)], None),  # unsure
        ("request_return", [RETURN, _r("我要退货啊", "request_return")], None),  # the same flow
        ("request_return", [_r("我要退货", "request_return", 0.49), ADDRESS], None),  # unanchored
        ("request_return", [RETURN], None),  # one part
        ("inform", [_r("42码", "inform"), ADDRESS], None),  # the message requests nothing
        ("ask_shipping", [SHIPPING, ADDRESS], None),  # a stand-alone question: see plan
        ("nlu_fallback", [RETURN, ADDRESS], None),
        ("request_return", [RETURN, _r("要投诉", "complain")], None),  # not a flow to queue
        # a part that only sets the scene (还没发货 我要取消): not opened as another matter
        ("request_return", [_r("还没发货", "check_order_status", opened=False), RETURN], None),
        # the other side of the same request
        ("request_return", [RETURN, _r("退款多久到账", "check_return_status")], None),
        (
            "report_delivery_problem",
            [
                _r("显示签收了但没收到", "report_delivery_problem"),
                _r("怎么查", "check_order_status"),
            ],
            None,
        ),
        (
            "request_exchange",
            [_r("换大一码", "request_exchange"), _r("43码有货吗", "ask_stock")],
            None,
        ),
        # different requests
        (
            "report_delivery_problem",
            [_r("快递还没到", "report_delivery_problem"), ADDRESS],
            ADDRESS,
        ),
    ],
)
def test_second_request_at_its_edges(
    main: str | None, readings: list[Reading], second: Reading | None
) -> None:
    assert second_request(main, readings) == second


def test_a_second_question_goes_before_a_second_request() -> None:
    plan = plan_questions("request_return", [RETURN, ADDRESS, SHIPPING])
    assert plan == Plan(None, SHIPPING)
    assert plan_questions("request_return", [RETURN, ADDRESS]) == Plan(None, ADDRESS)


@pytest.mark.parametrize(
    ("text", "part", "opened"),
    [
        ("我要退货 另外帮我改下地址", "帮我改下地址", True),
        ("我要退货，顺便问下运费", "运费", True),
        ("我要退货 也帮我改下地址", "也帮我改下地址", True),
        ("还没发货 我要取消", "我要取消", False),
        ("还没发货 我要取消", "还没发货", False),
        ("我要退货", "换货", False),  # not in the text
    ],
)
def test_opens_another_at_its_edges(text: str, part: str, opened: bool) -> None:
    assert opens_another(text, part) is opened


@pytest.mark.parametrize(
    ("readings", "plan"),
    [
        # the whole reads out of scope because the invoice part does: the parcel is the request
        ([REQUEST, INVOICE], Plan(REQUEST, INVOICE)),
        # an exchange changes something: it keeps the weight rule
        ([_r("帮我换42码", "request_exchange", 0.95), INVOICE], Plan(None, None)),
        # the out-of-scope part must be sure and ask
        ([REQUEST, _r("能开发票吗", "out_of_scope", 0.79)], Plan(None, None)),
        ([REQUEST, _r("我想开发票", "out_of_scope", 0.99)], Plan(None, None)),
    ],
)
def test_a_parcel_question_beside_an_out_of_scope_one_needs_no_weight(
    readings: list[Reading], plan: Plan
) -> None:
    weights = {"out_of_scope": 0.96, "check_order_status": 0.03, "request_exchange": 0.01}
    assert plan_questions("out_of_scope", readings, weights) == plan


SEVEN_DAYS = _r("请问七天无理由吗", "ask_return_policy", 0.9)
COURIER = _r("发什么快递呢", "ask_shipping", 0.9)


@pytest.mark.parametrize(
    ("main", "readings", "plan"),
    [
        # read whole as the later question: the earlier is answered first
        ("ask_shipping", [SEVEN_DAYS, COURIER], Plan(SEVEN_DAYS, COURIER)),
        # read whole as the earlier question: already the buyer's order
        ("ask_return_policy", [SEVEN_DAYS, COURIER], Plan(None, COURIER)),
        # the later part is not confidently the whole's question: it could not be
        # answered second, so the whole's answer comes first as before
        (
            "ask_shipping",
            [SEVEN_DAYS, _r("发什么快递呢", "ask_shipping", 0.6)],
            Plan(None, SEVEN_DAYS),
        ),
        # out of scope keeps its place (answered second)
        ("ask_shipping", [INVOICE, COURIER], Plan(None, INVOICE)),
        # a request is no rule question: its flow comes first as before
        ("check_order_status", [SEVEN_DAYS, REQUEST], Plan(None, SEVEN_DAYS)),
    ],
)
def test_two_rule_questions_are_answered_in_the_buyers_order(
    main: str, readings: list[Reading], plan: Plan
) -> None:
    assert plan_questions(main, readings, {main: 0.59}) == plan


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("不等了 我要退货", "我要退货"),
        ("不等了，運費怎麼算", "運費怎麼算"),
        ("不等了 好吧", None),  # too short to say anything
        ("不等了", None),
    ],
)
def test_said_besides_at_its_edges(text: str, rest: str | None) -> None:
    assert said_besides(text, ("不等了",)) == rest


@pytest.mark.parametrize(
    ("reading", "requests"),
    [
        (_r("帮我改下地址", "change_address", 0.8), True),
        (_r("帮我改下地址", "change_address", 0.79), False),  # unsure
        (_r("小白鞋有42码吗", "ask_stock", 0.99), False),  # needs its words: not offered
        (_r("运费怎么算", "ask_shipping", 0.99), False),  # a question, no flow
    ],
)
def test_requests_confidently_at_its_edges(reading: Reading, requests: bool) -> None:
    assert requests_confidently(reading) is requests


RAIN_BOOTS = _r("儿童雨靴到哪了", "check_order_status", 0.97)
RETURN_POSTAGE = _r("退货运费谁出", "ask_return_policy", 0.95)


@pytest.mark.parametrize(
    ("readings", "plan"),
    [
        # read whole as the return rules (0.94), the parcel 0.06: the parcel is the request
        ([RAIN_BOOTS, RETURN_POSTAGE], Plan(RAIN_BOOTS, RETURN_POSTAGE)),
        # the rule question must stand in its own part, confidently
        ([RAIN_BOOTS, _r("退货运费谁出", "ask_return_policy", 0.6)], Plan(None, None)),
        # a request that changes something keeps the weight rule
        ([_r("帮我换42码", "request_exchange", 0.95), RETURN_POSTAGE], Plan(None, None)),
    ],
)
def test_a_parcel_question_beside_a_rule_question_needs_no_weight(
    readings: list[Reading], plan: Plan
) -> None:
    weights = {"ask_return_policy": 0.94, "check_order_status": 0.06}
    assert plan_questions("ask_return_policy", readings, weights) == plan


WARM = _r("这双保暖吗", "ask_function", 0.95)
KHAKI_37 = _r("还有卡其色37码有货吗", "ask_stock", 0.99)


@pytest.mark.parametrize(
    ("main", "readings", "plan"),
    [
        # two questions about the goods: the catalogue question is answered second
        ("ask_stock", [WARM, KHAKI_37], Plan(None, WARM)),
        (
            "ask_size_advice",
            [_r("是真皮吗", "ask_material", 0.9), _r("脚长25穿几码", "ask_size_advice", 0.9)],
            Plan(None, _r("是真皮吗", "ask_material", 0.9)),
        ),
        # not beside a question about the goods: no second answer
        ("check_order_status", [WARM, RAIN_BOOTS], Plan(None, None)),
        # not sure enough, or not a question
        ("ask_stock", [_r("这双保暖吗", "ask_function", 0.6), KHAKI_37], Plan(None, None)),
        ("ask_stock", [_r("冬天穿的", "ask_function", 0.9), KHAKI_37], Plan(None, None)),
    ],
)
def test_a_catalogue_question_beside_another_about_the_goods(
    main: str, readings: list[Reading], plan: Plan
) -> None:
    assert plan_questions(main, readings, {main: 0.99}) == plan


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("这双防水吗", True),
        ("重不重", True),  # A-not-A
        ("透气不", True),  # a closing 不 or 没 asks
        ("防水不？", True),
        ("发货了没有", True),
        ("有货没~", True),
        ("可以不", True),
        ("不", False),  # a bare no answers
        ("我不", False),
        ("还没", False),
        ("要不", False),
        ("不用了", False),
        ("好的", False),
    ],
)
def test_a_question_at_its_edges(text: str, asks: bool) -> None:
    assert is_question(text) is asks

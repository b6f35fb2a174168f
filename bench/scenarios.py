"""What simulated buyers say, and what the assistant must answer.

A scenario is a list of turns. A turn is what the buyer sends (text, or
:data:`CLICK_FIRST`: the first choice the assistant just offered, an order or a
reason, as the widget sends it) and the answer it expects: the name of a response
in domain.yml (``utter_…``, the ``utter_action`` Rasa stores with each bot message)
or the type of a custom card (``order_card``), any one of ``expect`` among the
messages that answered it. After a run the benchmark reads every conversation's
tracker back and counts each turn whose answer holds none of them as an error
(``bench/results.py``); the REST response carries only texts, so the names come from
the trackers, which also prove the answer came from that turn.

Scenarios with ``buyers`` send one of those demo buyers' tokens (docs/shop-data.md):
buyers for whom the conversation goes the same way (one parcel in transit, several
orders to choose from, a return window still open). No scenario confirms a return
(a second run would find it open); the address change does confirm, and may be
repeated. Typed answers (第一个, 尺码偏小了, 嗯 确认, 平时穿42) are mixed in as
buyers type them (docs/dialogue.md, tests/e2e/typed_conversations.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CLICK_FIRST = "<click first button>"


@dataclass(frozen=True)
class Turn:
    """What the buyer sends and the answers (response names, card types) that are right."""

    text: str
    expect: tuple[str, ...]


def T(text: str, *expect: str) -> Turn:  # noqa: N802 - reads like a table row
    """``T("我的快递到哪了", "order_card")``."""
    return Turn(text, expect)


@dataclass(frozen=True)
class Scenario:
    """One kind of conversation."""

    name: str
    turns: tuple[Turn, ...]
    buyers: tuple[str, ...] = ()  # logged-in demo buyers; empty: a guest
    product_id: str | None = None  # the product page the buyer is on


SHOP = [
    Scenario(
        "pre-sale size and material",
        (
            T("在吗", "utter_greet"),
            T("脚长25.5厘米，小白鞋穿多大码？", "utter_ask_foot_shape"),
            T("我脚比较宽", "utter_size_recommendation"),
            T("这款是真皮吗", "utter_material_all"),
            T("防水吗", "utter_function_partial"),
            T("有什么优惠券吗", "utter_promotions_intro"),
            T("谢谢", "utter_welcome"),
        ),
        product_id="P001",
    ),
    Scenario(
        "pre-sale policies",
        (
            T("你好", "utter_greet"),
            T("几点前下单当天发货", "utter_shipping_policy"),
            T("发什么快递", "utter_shipping_policy"),
            T("七天无理由吗", "utter_return_policy"),
            T("退货运费谁出", "utter_return_policy"),
            T("好的谢谢", "utter_welcome"),
        ),
    ),
    Scenario(
        "pre-sale size, typed",
        (
            T("这双穿多大码", "utter_ask_foot_length_cm"),
            T("平时穿42", "utter_ask_foot_shape"),
            T("肉脚", "utter_size_recommendation"),
            T("防滑吗", "utter_function_partial"),
        ),
        product_id="P003",
    ),
    Scenario(
        "order status, one parcel in transit",
        (
            T("我的快递到哪了", "order_card"),
            T("大概什么时候到", "order_card"),
            T("谢谢", "utter_welcome"),
        ),
        buyers=("B001", "B004"),
    ),
    Scenario(
        "order status, clicked",
        (
            T("我的快递到哪了", "utter_choose_order"),
            T(CLICK_FIRST, "order_card"),
            T("大概什么时候到", "order_card"),
            T("谢谢", "utter_welcome"),
        ),
        buyers=("B002", "B005", "B006", "B014"),
    ),
    Scenario(
        "order status, typed",
        (
            T("我的快递到哪了", "utter_choose_order"),
            T("第一个", "order_card"),
            T("谢谢", "utter_welcome"),
        ),
        buyers=("B002", "B005", "B006", "B014"),
    ),
    Scenario(
        "return, clicked",
        (
            T("这双鞋我想退货", "utter_ask_return_reason_for", "utter_ask_return_reason"),
            T(CLICK_FIRST, "utter_ask_return_confirmed"),
            T("退款多久到账", "utter_no_returns"),
            T("好的", "utter_anything_else"),
        ),
        buyers=("B005", "B006"),
    ),
    Scenario(
        "return, typed and cancelled",
        (
            T("这双鞋我想退货", "utter_ask_return_reason_for", "utter_ask_return_reason"),
            T("尺码偏小了", "utter_ask_return_confirmed"),
            T("算了", "utter_return_cancelled"),
            T("好的", "utter_anything_else"),
        ),
        buyers=("B005", "B006"),
    ),
    Scenario(
        "address change, typed",
        (
            T("我想改一下收货地址", "utter_ask_new_address"),
            T("上海市浦东新区世纪大道100号 王芳 13812345678", "utter_ask_address_confirmed"),
            T("嗯 确认", "utter_address_updated"),
            T("谢谢", "utter_welcome"),
        ),
        buyers=("B002",),
    ),
    Scenario(
        "return progress",
        (
            T("退货进度怎么样了", "utter_return_status_in_transit"),
            T("好的谢谢", "utter_welcome"),
        ),
        buyers=("B014", "B018"),
    ),
]

# The stock `rasa init` bot understands English greetings and moods only.
REFERENCE = [
    Scenario(
        "moodbot happy",
        (T("hello", "utter_greet"), T("I am great", "utter_happy"), T("bye", "utter_goodbye")),
    ),
    Scenario(
        "moodbot sad",
        (
            T("hi", "utter_greet"),
            T("I am sad", "utter_cheer_up"),
            T("yes", "utter_happy"),
            T("thanks, bye", "utter_goodbye"),
        ),
    ),
    Scenario(
        "moodbot bot",
        (
            T("hey", "utter_greet"),
            T("are you a bot?", "utter_iamabot"),
            T("perfect", "utter_happy"),
            T("goodbye", "utter_goodbye"),
        ),
    ),
]

# One long conversation of pre-sale questions on a product page (``--length``), in a
# cycle. None starts a form or a rating, so every question is answered at once.
LENGTH = Scenario(
    "pre-sale questions in one conversation",
    (
        T("这款是真皮吗", "utter_material_all"),
        T("防水吗", "utter_function_no"),
        T("脚长25.5厘米，宽脚，穿多大码", "utter_size_recommendation"),
        T("有什么优惠券吗", "utter_promotions_intro"),
        T("几点前下单当天发货", "utter_shipping_policy"),
        T("发什么快递", "utter_shipping_policy"),
        T("七天无理由吗", "utter_return_policy"),
        T("退货运费谁出", "utter_return_policy"),
        T("鞋底是什么做的", "utter_material_sole"),
        T("脚长24厘米穿几码", "utter_size_recommendation"),
    ),
    product_id="P001",
)

REFERENCE_LENGTH = Scenario(
    "moodbot in one conversation",
    (
        T("hello", "utter_greet"),
        T("I am great", "utter_happy"),
        T("are you a bot?", "utter_iamabot"),
        T("bye", "utter_goodbye"),
    ),
)


def pick(scenarios: list[Scenario], rng: random.Random) -> Scenario:
    """A random scenario: pre-sale twice as likely as each after-sale kind."""
    weights = [1 if s.buyers else 2 for s in scenarios]
    return rng.choices(scenarios, weights=weights)[0]

"""What simulated buyers say: realistic multi-turn Chinese conversations.

A scenario is a list of turns; a turn is text, or :data:`CLICK_FIRST` (click
the first choice the assistant just offered, an order or a reason, as the widget
would; skipped when no choice was offered). Buyers with
``token=True`` scenarios send a demo buyer's token as metadata.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CLICK_FIRST = "<click first button>"


@dataclass(frozen=True)
class Scenario:
    """One kind of conversation."""

    name: str
    turns: tuple[str, ...]
    token: bool = False
    product_id: str | None = None


SHOP = [
    Scenario(
        "pre-sale size and material",
        (
            "在吗",
            "脚长25.5厘米，小白鞋穿多大码？",
            "我脚比较宽",
            "这款是真皮吗",
            "防水吗",
            "有什么优惠券吗",
            "谢谢",
        ),
        product_id="P001",
    ),
    Scenario(
        "pre-sale policies",
        ("你好", "几点前下单当天发货", "发什么快递", "七天无理由吗", "退货运费谁出", "好的谢谢"),
    ),
    Scenario(
        "order status",
        ("我的快递到哪了", CLICK_FIRST, "大概什么时候到", "谢谢"),
        token=True,
    ),
    Scenario(
        "return",
        ("这双鞋我想退货", CLICK_FIRST, CLICK_FIRST, "退款多久到账", "好的"),
        token=True,
    ),
]

# The stock `rasa init` bot understands English greetings and moods only.
REFERENCE = [
    Scenario("moodbot happy", ("hello", "I am great", "bye")),
    Scenario("moodbot sad", ("hi", "I am sad", "yes", "thanks, bye")),
    Scenario("moodbot bot", ("hey", "are you a bot?", "very good", "goodbye")),
]

# Demo buyers with orders (docs/shop-data.md).
BUYERS = ["B001", "B002", "B004", "B005", "B006", "B008", "B009", "B014", "B018"]


def pick(scenarios: list[Scenario], rng: random.Random) -> Scenario:
    """A random scenario: pre-sale twice as likely as each after-sale kind."""
    weights = [2 if not s.token else 1 for s in scenarios]
    return rng.choices(scenarios, weights=weights)[0]

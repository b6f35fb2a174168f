"""Where the buyer's own order stands against the return windows, at the windows' edges."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shop.answers.asked import Asked
from shop.answers.return_windows import own_order_standing, standing
from shop.db import queries
from shop.db.models import Order, OrderItem, Product, ShopPolicy
from shop.db.session import session_scope
from shop.identity import issue_token

POLICY = ShopPolicy(no_reason_return_days=7, quality_return_days=15)
TODAY = date(2026, 5, 20)


def _order(status: str, signed: str | None) -> Order:
    product = Product(name="轻羽女子跑鞋", aliases=None, category="跑步鞋")
    return Order(
        id="2026051000000001",
        status=status,
        delivered_at=datetime.fromisoformat(signed) if signed else None,
        items=[OrderItem(product=product, color="白色", size=38)],
    )


@pytest.mark.parametrize(
    ("signed", "response", "until"),
    [
        ("2026-05-20 09:00", "utter_return_order_inside_no_reason", "05-27"),  # signed today
        ("2026-05-13 22:00", "utter_return_order_inside_no_reason", "05-20"),  # last no-reason day
        ("2026-05-12 08:00", "utter_return_order_quality_only", "05-27"),  # a day past it
        ("2026-05-05 08:00", "utter_return_order_quality_only", "05-20"),  # last quality day
        ("2026-05-04 08:00", "utter_return_order_outside", None),  # a day past both
    ],
)
def test_the_windows_count_from_the_day_after_signing(
    signed: str, response: str, until: str | None
) -> None:
    messages = standing(_order("delivered", signed), POLICY, TODAY)
    assert messages[0][0] == response
    assert messages[0][1].get("until") == until
    assert messages[0][1]["signed_day"] == signed[5:10]
    if response == "utter_return_order_outside":
        assert messages[1] == ("utter_offer_human", {})  # past both: a person, not the rules


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("paid", ["utter_return_refused_not_shipped"]),  # not shipped: a refund, not a return
        ("shipped", ["utter_return_order_not_signed"]),
        ("pending_payment", []),
        ("cancelled", []),
    ],
)
def test_an_order_not_signed_for(status: str, expected: list[str]) -> None:
    assert [m[0] for m in standing(_order(status, None), POLICY, TODAY)] == expected


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("buyer", "text", "expected", "order_id"),
    [
        # B005: a delivered 轻羽 (signed 2 days ago) and an older completed 板鞋
        ("B005", "我买的跑鞋还能退吗", "utter_return_order_inside_no_reason", "2026010506679357"),
        ("B005", "我买的板鞋还能退吗", "utter_return_order_outside", "2026020112025729"),
        ("B005", "我买的鞋还能退吗", None, None),  # two orders, none named: the rules alone
        ("B008", "我买的高跟鞋还能退吗", "utter_return_order_quality_only", "2026121991324671"),
        ("B002", "我买的跑鞋还能退吗", "utter_return_refused_not_shipped", "2026101994084208"),
        ("B005", "跑鞋能退吗", None, None),  # no word of a purchase: a question before buying
        # a defect said of a shoe the buyer has: that order, named by the shoe
        ("B005", "跑鞋开胶了 能退吗", "utter_return_order_inside_no_reason", "2026010506679357"),
        ("B005", "鞋开胶了 能退吗", None, None),  # a defect, no shoe named: the rules alone
        (None, "我买的跑鞋还能退吗", None, None),  # a guest sees no order
    ],
)
def test_the_order_the_buyer_speaks_of(
    buyer: str | None, text: str, expected: str | None, order_id: str | None
) -> None:
    metadata = {"buyer_token": issue_token(buyer)} if buyer else {}
    asked = Asked(text=text, intent="ask_return_policy", metadata=metadata)
    with session_scope() as session:
        policy = queries.get_policy(session=session)
        assert policy is not None
        messages = own_order_standing(asked, policy, session)
    assert (messages[0][0] if messages else None) == expected
    assert (messages[0][1]["order_id"] if messages else None) == order_id

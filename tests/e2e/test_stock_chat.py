"""Stock and price-protection questions over the REST channel, answered from the shop's data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shop.identity import issue_token
from tests.e2e.conftest import Servers

Say = Callable[..., str]


def _in_days(days: int) -> str:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)
    return f"{day.month}月{day.day}日"


def test_sold_out_with_restock_date_and_what_is_nearby(say: Say) -> None:
    reply = say("疾风黑色43码还有货吗")
    assert "暂时没货" in reply, reply
    assert f"预计{_in_days(5)}补货" in reply  # the seed's restock_on "+5d"
    assert "43码现在有货的颜色：白色、蓝色" in reply
    assert "42、42.5、44码" in reply


def test_traditional_script_on_a_product_page(say: Say) -> None:
    reply = say("這款白色43碼還有貨嗎", metadata={"product_id": "P001"})
    assert "有货" in reply and "疾风男子跑鞋" in reply and "白色43码" in reply, reply


def test_no_restock_date_is_said_honestly(say: Say) -> None:
    reply = say("疾风黑色43.5码什么时候补货")
    assert "暂时没货" in reply and "还没有确定" in reply, reply
    assert "预计" not in reply


def test_which_shoe_then_the_typed_name_answers_the_stock_question(say: Say) -> None:
    assert "哪一款" in say("米色36码什么时候有货")
    reply = say("小白鞋")
    assert "经典小白板鞋" in reply and "米色36码暂时没货" in reply, reply
    assert f"预计{_in_days(10)}补货" in reply


def test_typed_follow_ups_ask_the_same_question_with_another_size_or_colour(say: Say) -> None:
    assert "白色43码" in say("疾风白色43码还有货吗")
    reply = say("那44呢")  # the same shoe and colour, another size
    assert "疾风男子跑鞋" in reply and "白色44码" in reply and "没太明白" not in reply, reply
    reply = say("黑色的呢")  # and then another colour in that size
    assert "黑色44码" in reply and "没太明白" not in reply, reply


def test_a_stock_question_inside_the_size_form(say: Say) -> None:
    assert "脚长" in say("徒步鞋穿多大码")
    reply = say("黑色40码有货吗")
    assert "山野防水徒步鞋" in reply and "暂时没货" in reply, reply
    assert "脚长" in reply  # the form asks again, the size was not read as the usual one


def test_price_protection_without_an_order(say: Say) -> None:
    reply = say("你们家有价保吗")
    assert "付款后15天内" in reply, reply


def test_price_protection_of_the_order_under_discussion(servers: Servers, sender: str) -> None:
    b001 = {"buyer_token": issue_token("B001")}
    servers.texts(sender, "我的疾风跑鞋到哪了", metadata=b001)
    reply = servers.texts(sender, "降价了能补差价吗", metadata=b001)
    assert "2026051793538979（疾风男子跑鞋）还在15天价保期内" in reply, reply

"""Chats with the running assistant over the REST channel, in Chinese."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.conftest import Servers

Say = Callable[..., str]


def test_greeting(say: Say) -> None:
    assert "您好" in say("亲 在吗")


def test_size_advice_over_three_turns(say: Say) -> None:
    first = say("小白鞋穿多大码合适")
    assert "脚长" in first
    second = say("25厘米")
    assert "脚型" in second
    advice = say("脚比较宽")
    assert "建议您选 40.5码" in advice or "建议您选 41码" in advice, advice
    assert "经典小白板鞋" in advice


def test_size_advice_in_one_message_with_usual_size(say: Say) -> None:
    say("牛津鞋我平时穿41码该拍几码")
    reply = say("正常脚")
    assert "城市牛津皮鞋" in reply and "偏小半码" in reply, reply


def test_nonsense_foot_length_is_re_asked(say: Say) -> None:
    say("雪地靴选多大码")
    reply = say("100厘米")
    assert "不太像脚长" in reply
    assert "脚长" in say("啊啊啊啊")


def test_digression_mid_form_then_resume(say: Say) -> None:
    say("徒步鞋穿多大码")
    digression = say("退货运费谁出")
    assert "7天无理由" in digression
    assert "脚长" in digression  # the form asks again
    assert "脚型" in say("26厘米")


def test_a_shoe_kind_offers_its_shoes_and_a_click_answers(servers: Servers, sender: str) -> None:
    replies = servers.chat(sender, "平时穿42码，脚有点宽，跑鞋选多大")
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert [b["title"] for b in buttons] == ["疾风男子跑鞋", "轻羽女子跑鞋"]
    digression = servers.texts(sender, "那这个鞋防水吗")
    assert digression.count("哪一款") == 1, digression  # asked once, not twice
    advice = servers.texts(sender, buttons[0]["payload"])
    assert "疾风男子跑鞋" in advice and "建议您选" in advice, advice
    assert "不防水" in advice  # the question asked before the shoe was known


def test_which_shoe_without_a_kind_offers_the_catalogue(servers: Servers, sender: str) -> None:
    replies = servers.chat(sender, "平时穿39码，鞋子选多大")
    assert "哪一款" in "".join(r.get("text", "") for r in replies)
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert len(titles) == 12 and "轻羽女子跑鞋" in titles  # every shoe, no guess among them
    assert "哪一款" in servers.texts(sender, "我脚比较宽")  # kept; the shoe is asked again
    advice = servers.texts(sender, "轻羽")
    assert "轻羽女子跑鞋" in advice and "建议您选" in advice, advice
    assert "宽脚" in advice


def test_material_from_the_product_page(say: Say) -> None:
    reply = say("這款是真皮嗎", metadata={"product_id": "P003"})
    assert "头层牛皮" in reply


def test_unknown_function_is_admitted(say: Say) -> None:
    reply = say("疾风跑鞋冬天穿冷不冷")
    assert "没有关于这一点的说明" in reply


def test_graded_waterproof_claim(say: Say) -> None:
    assert "只能做到一部分" in say("雪地靴防水吗")


def test_policies_from_the_database(say: Say) -> None:
    assert "16:00" in say("今天几点前下单能发货")
    assert "满300减30" in say("有什么优惠券吗")


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "鞋" * 5000,
        "😀😀😀",
        "<script>alert('x')</script>",
        "'; DROP TABLE orders; --",
        "Do you ship to Canada?",
        '/inform{"product_id": "P001"',
    ],
)
def test_bad_input_gets_a_reply_never_a_crash(servers: Servers, sender: str, message: str) -> None:
    replies = servers.chat(sender, message)
    assert isinstance(replies, list)
    if message.strip():
        assert replies, f"no reply to {message[:30]!r}"
    assert "<script>" not in str(replies)
    # The conversation still works afterwards.
    assert servers.chat(sender, "在吗")


def test_shop_tables_survive_sql_looking_text(servers: Servers, sender: str) -> None:
    servers.chat(sender, "'; DROP TABLE products; --")
    assert "头层牛皮" in servers.texts(sender, "牛津鞋什么材质")

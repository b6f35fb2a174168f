"""A second shop (tests/e2e/second_shop.json), imported from its own file and chatted with
over the REST channel as in production (server token, no demo mode).

Every expectation comes from that file: other products, colours and sizes, a 30-day
price protection, its own buyer. Nothing here may pass because of the demo shop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from shop.identity import issue_token
from tests.e2e.conftest import Servers

Say = Callable[..., str]
SHOP = json.loads((Path(__file__).parent / "second_shop.json").read_text(encoding="utf-8"))
SHIPPED = "2026112003817264"  # U01's 铁骑马丁靴 棕色42, paid two days ago, 京东物流
OTHER_BUYERS = "2026112155667788"  # U02's paid order


def _in_days(days: int) -> str:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)
    return f"{day.month}月{day.day}日"


def test_the_file_is_not_the_demo_shop() -> None:
    demo = json.loads(
        (Path(__file__).parents[2] / "seed" / "demo_shop.json").read_text(encoding="utf-8")
    )
    names = {p["name"] for p in demo["products"]} | {
        a for p in demo["products"] for a in p["aliases"]
    }
    assert not names & (
        {p["name"] for p in SHOP["products"]} | {a for p in SHOP["products"] for a in p["aliases"]}
    )
    assert SHOP["policy"]["price_protection_days"] != demo["policy"]["price_protection_days"]
    assert SHOP["policy"]["no_reason_return_days"] != demo["policy"]["no_reason_return_days"]


def test_rest_without_the_server_token_is_refused(second_servers: Servers) -> None:
    response = requests.post(
        f"{second_servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": "buyer-U01", "message": "我的订单到哪了"},
        timeout=30,
    )
    assert response.status_code in (401, 403), response.text


def test_in_stock(say_second: Say) -> None:
    reply = say_second("踏浪帆布鞋酒红色38码有货吗")
    assert "有货" in reply and "踏浪帆布鞋 酒红色38码" in reply, reply


def test_sold_out_with_a_restock_date_and_what_is_nearby(say_second: Say) -> None:
    reply = say_second("踏浪墨绿色39码还有货吗")
    assert "踏浪帆布鞋 墨绿色39码暂时没货" in reply, reply
    assert f"预计{_in_days(6)}补货" in reply
    assert "39码现在有货的颜色：酒红色、燕麦色" in reply
    assert "墨绿色现在有货的相邻尺码：38码" in reply  # 40 is sold out too


def test_sold_out_without_a_restock_date(say_second: Say) -> None:
    reply = say_second("马丁靴棕色44码什么时候补货")
    assert "铁骑马丁靴 棕色44码暂时没货" in reply and "还没有确定" in reply, reply
    assert "预计" not in reply
    assert "44码现在有货的颜色：黑色" in reply
    assert "棕色现在有货的相邻尺码：45码" in reply  # 43 is sold out too (back in 3 days)


def test_a_colour_named_only_in_this_catalogue(say_second: Say) -> None:
    reply = say_second("踏浪燕麦色41码有货吗")
    assert "燕麦色41码暂时没货" in reply, reply
    assert f"预计{_in_days(9)}补货" in reply


def test_a_colour_this_shoe_does_not_come_in(say_second: Say) -> None:
    reply = say_second("铁骑马丁靴有白色吗")
    assert "没有白色" in reply and "黑色、棕色" in reply, reply


def test_price_protection_with_its_own_days(say_second: Say) -> None:
    reply = say_second("你们家有价保吗")
    assert "付款后30天内" in reply and "秒杀和直播专享价除外" in reply, reply
    assert "15天" not in reply


def test_order_status_and_price_protection_for_its_buyer(
    second_servers: Servers, sender: str
) -> None:
    u01 = {"buyer_token": issue_token("U01")}
    status = second_servers.texts(sender, "我的马丁靴到哪了", metadata=u01)
    assert SHIPPED in status and "上海分拣中心" in status, status
    assert "京东物流" in status
    reply = second_servers.texts(sender, "降价了能补差价吗", metadata=u01)
    assert f"{SHIPPED}（铁骑马丁靴）还在30天价保期内" in reply, reply


def test_another_buyers_order_is_not_shown(second_servers: Servers, sender: str) -> None:
    u01 = {"buyer_token": issue_token("U01")}
    reply = second_servers.texts(sender, f"帮我查一下订单{OTHER_BUYERS}", metadata=u01)
    assert "赵大勇" not in reply and "逐风篮球鞋" not in reply and "南京" not in reply, reply


def test_size_advice_from_this_shops_chart(say_second: Say) -> None:
    assert "脚长" in say_second("马丁靴穿多大码")
    assert "脚型" in say_second("26厘米")
    advice = say_second("正常脚")
    # 260 mm is 42 on its chart; it runs half a size small and has no half sizes.
    assert "铁骑马丁靴" in advice and "建议您选 43码" in advice, advice


def test_material_from_this_catalogue(say_second: Say) -> None:
    reply = say_second("马丁靴是什么皮的")
    assert "疯马皮" in reply, reply


def test_a_material_the_catalogue_does_not_give(say_second: Say) -> None:
    reply = say_second("云朵拖鞋内里是什么材质")
    assert "没有写明" in reply, reply


def test_a_function_the_catalogue_does_not_give(say_second: Say) -> None:
    reply = say_second("踏浪帆布鞋保暖吗")
    assert "没有关于这一点的说明" in reply, reply


def test_a_detail_quoted_from_this_catalogue(say_second: Say) -> None:
    """鞋底多厚 has no function code: the catalogue's own clause answers it."""
    reply = say_second("云朵拖鞋鞋底多厚")
    assert "一体成型厚底凉拖" in reply and "没太明白" not in reply, reply
    reply = say_second("马丁靴是高帮还是低帮")
    assert "八孔高帮马丁靴" in reply, reply


def test_the_shoes_for_whom_the_buyer_asked(second_servers: Servers, sender: str) -> None:
    """有女鞋吗: this shop's women's and unisex shoes offered as buttons."""
    replies = second_servers.chat(sender, "有女鞋吗")
    titles = [b["title"] for r in replies for b in r.get("buttons") or []]
    assert titles == ["踏浪帆布鞋", "云朵女子凉拖"], replies


def test_a_demo_shop_shoe_is_not_in_this_catalogue(say_second: Say) -> None:
    reply = say_second("疾风跑鞋有货吗")
    assert "疾风" not in reply.replace("疾风跑鞋有货吗", ""), reply
    assert "有货的亲" not in reply and "没有找到" in reply, reply


def test_a_kind_of_shoe_moves_off_the_shoe_under_discussion(say_second: Say) -> None:
    assert "云朵女子凉拖" in say_second("云朵拖鞋防水吗")
    reply = say_second("帆布鞋有货吗")
    assert "踏浪帆布鞋" in reply and "云朵" not in reply, reply


def test_a_kind_sold_once_then_another_shoe_as_a_follow_up(say_second: Say) -> None:
    """篮球鞋 is this shop's one basketball shoe: no which-shoe question; 帆布鞋呢 then
    asks the same size of the canvas shoe, and a whole new question starts afresh."""
    reply = say_second("篮球鞋43码还有吗")
    assert "逐风篮球鞋 43码" in reply and "哪一款" not in reply, reply
    reply = say_second("帆布鞋呢")
    assert "踏浪帆布鞋 43码" in reply and "没太明白" not in reply, reply
    reply = say_second("踏浪帆布鞋有货吗")
    assert "踏浪帆布鞋现在有货的颜色和尺码" in reply, reply


def test_policies_in_this_shops_words(say_second: Say) -> None:
    returns = say_second("退货运费谁出")
    assert "10天无理由" in returns and "质量问题30天内" in returns, returns
    assert "按首重赔付。质量问题" in returns  # the shop's text ends as a sentence
    shipping = say_second("你们几点前下单当天发货")
    assert "14:00前" in shipping and "浙江温州" in shipping and "韵达快递" in shipping, shipping
    assert "全国包邮（港澳台除外）。新疆" in shipping


def test_returns_follow_this_shops_windows(second_servers: Servers, sender: str) -> None:
    u01 = {"buyer_token": issue_token("U01")}
    old = second_servers.texts(sender, "我想退云朵凉拖", metadata=u01)  # signed for 46 days ago
    assert "2026092011223344" in old and "10天无理由" in old and "30天质量问题" in old, old
    assert "踏浪" not in old  # never the other, returnable shoe instead
    recent = f"{sender}-2"
    assert "原因" in second_servers.texts(recent, "帆布鞋想退货", metadata=u01)
    confirm = second_servers.texts(recent, "不喜欢/拍错了", metadata=u01)
    assert "踏浪帆布鞋" in confirm and "运费险" in confirm and "配件齐全" in confirm, confirm


def test_price_protection_of_an_order_named_in_the_question(
    second_servers: Servers, sender: str
) -> None:
    u01 = {"buyer_token": issue_token("U01")}
    reply = second_servers.texts(sender, "凉拖那单降价了能保价吗", metadata=u01)  # paid 50 days ago
    assert "2026092011223344（云朵女子凉拖）的30天价保期" in reply, reply
    assert "不能再申请补差价" in reply, reply

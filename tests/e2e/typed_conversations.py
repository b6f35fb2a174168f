"""Typed buyer conversations, as data, for tests/e2e/test_typed_conversations.py.

Each conversation is what a buyer on Taobao would type into the chat (no button
clicks), with the facts each reply must show. The demo shop (seed/demo_shop.json)
is imported with relative dates at the start of the test session, so every
order below is described with its offset from import time. Eligibility:

* order status: every order that is not cancelled or unpaid;
* return or exchange: delivered or completed, signed for at most 15 days ago
  (quality) or 7 days ago (size, no reason), and no open return request;
* address change: paid or pending payment (not shipped);
* return status: has a return request.

Buyers and orders used here (status, product, colour, size, created, signed;
newest first, as the order buttons list them):

* B001 张伟 (phone …7703): 2026051793538979 shipped 疾风男子跑鞋 黑42 (-1d20h);
  2026101794569025 completed 经典小白板鞋 白42 (signed -45d);
  2026111215466660 cancelled 山野防水徒步鞋 卡其42.
* B002 王芳 (…8202): 2026101994084208 paid 轻羽女子跑鞋 粉37 (-5h10m);
  2026122759558723 completed 舒适羊皮乐福鞋 米37 (signed -60d).
* B004 刘洋 (…3725): 2026031740072167 shipped 山野防水徒步鞋 灰43, no scan for ~6 days.
* B005 陈静: 2026010506679357 delivered 轻羽女子跑鞋 白38 (signed -2d);
  2026020112025729 completed 经典小白板鞋 白37. test_after_sale_chat.py opens a
  return on the 轻羽 order, so no return flow for B005 here.
* B006 杨磊: 2026102837219872 delivered 疾风男子跑鞋 蓝43 (signed -2d3h, freight
  insurance); 2026040710339687 completed 复古切尔西靴 黑43 (signed -92d).
* B007 赵敏: 2026060180560007 delivered 暖冬雪地靴 卡其37 (signed -6d, insurance);
  a browser test returns it later: never confirmed here.
* B008 黄婷: 2026121991324671 delivered 优雅细跟高跟鞋 红37 (signed -10d: quality
  window only); a browser test uses it later: never confirmed here.
* B009 周杰: 2026090227383761 completed 城市牛津皮鞋 黑41 (signed -20d: outside both).
* B010 吴倩: 2026102261125120 shipped 优雅细跟高跟鞋 米36 (顺丰);
  2026081925627637 delivered 清凉沙滩凉鞋 卡其37 (signed -4d); two older completed.
* B011 徐明: 2026111563963973 cancelled 复古切尔西靴; 2026091968114632 completed
  暖冬雪地靴 ×2 (signed -37d).
* B012 孙丽: 2026120213887976 delivered 舒适羊皮乐福鞋 黑36 (-6d, RT0001 requested);
  2026062358070825 completed 优雅细跟高跟鞋 米36 (-58d).
* B014 朱琳: RT0003 return in transit.  B015 胡斌: RT0004 received by the shop.
* B016 郭晶: 2026122514738150 completed 经典小白板鞋 米36 (-28d, RT0005 refunded by
  the shop); 2026031309684573 completed 轻羽女子跑鞋 白36 (-40d).
* B017 何平 (…6063): 2026051920328469 delivered 优雅细跟高跟鞋 黑38 (signed -12d,
  RT0006 rejected: closed); 2026120735678972 pending_payment 舒适羊皮乐福鞋 黑38.
* B018 高翔: RT0007 exchange in transit.
* B019 林佳: 2026081113294042 shipped 萌趣儿童雨靴 黄28;
  2026050385335990 delivered 乐乐儿童运动鞋 粉30 (signed -3d).
* B020 罗强 (…1706), all black: 2026122133458891 paid 暖冬雪地靴 42;
  2026110563706114 shipped 山野防水徒步鞋 43; 2026050382635000 completed 城市牛津皮鞋
  42 (signed -45d).
* B023: 2026092872514712 completed 经典小白板鞋 (-27d); 2026040145171703
  pending_payment 清凉沙滩凉鞋 (-2h15m).
* B024 唐颖: 2026011549108920 delivered 萌趣儿童雨靴 粉31 + 乐乐儿童运动鞋 灰31
  (signed -1d5h); 2026021946002541 completed 轻羽女子跑鞋 粉36 (signed -62d).
* B026 冯浩: 2026101230647860 delivered 疾风男子跑鞋 白41.5 (-4d6h, signed -1d2h);
  2026031288679138 completed 山野防水徒步鞋 卡其42 (-70d);
  2026062674602987 completed 清凉沙滩凉鞋 黑42 + 卡其42 (-120d).
* B029 曾晓燕: 2026111981713852 delivered 舒适羊皮乐福鞋 米36 (-9d4h, signed -5d6h);
  2026060968043078 cancelled 轻羽女子跑鞋; 2026012417834355 completed 优雅细跟高跟鞋
  米35 (-55d).
* B030 萧然: 2026050168101035 delivered 疾风男子跑鞋 黑44.5 (-6d2h, signed -2d20h,
  insurance); 2026071999829853 completed 山野防水徒步鞋 黑44 (-33d, signed -29d).

A status question from a buyer with exactly one parcel in transit may be
answered about that parcel without asking ("in transit first"), so the typed
choice of an order is tested with buyers who have no parcel in transit.

Conversations that open a request (RT…) each use an order item no other test
returns, so the suite can run alone or after the other end-to-end tests.

Text placeholders, filled in at run time from the seed's relative dates:
``{date:<order id>}`` is the order's creation day as the buyer writes it
(``12月4号``); ``{ago:<order id>}`` is 今天/昨天/前天 (or the date when older).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed" / "demo_shop.json"

Check = str | tuple[str, ...]  # a substring, or a tuple of alternatives (any of them)


@dataclass(frozen=True)
class Turn:
    """One typed message and what its reply must (not) show."""

    text: str
    expect: tuple[Check, ...] = ()
    forbid: tuple[str, ...] = ()
    pattern: str | None = None  # a regular expression the reply must match


@dataclass(frozen=True)
class Conversation:
    """A buyer (``None``: a guest), an optional product page, and the turns."""

    id: str
    buyer: str | None
    turns: tuple[Turn, ...]
    product: str | None = None
    traditional: bool = False
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


def T(  # noqa: N802 - reads like a table row
    text: str,
    *expect: Check,
    forbid: tuple[str, ...] | str = (),
    pattern: str | None = None,
) -> Turn:
    """``T("第二个", "凉鞋", ("签收", "已签收"), forbid="哪一笔")``."""
    return Turn(text, tuple(expect), (forbid,) if isinstance(forbid, str) else forbid, pattern)


# --- what the checks look for ------------------------------------------------
# Substrings that carry the fact, not whole sentences.
ASK_ORDER: Check = ("哪一笔", "哪一单", "哪个订单", "哪笔")
SHIPPED: Check = ("已发货", "运输中")
SIGNED: Check = ("签收",)
COMPLETED: Check = ("已完成",)
PAID: Check = ("已付款", "待发货", "备货")
REASON_Q: Check = ("原因",)
CONFIRM: Check = ("确认",)
HUMAN: Check = ("转人工", "人工客服")
FOOT_Q: Check = ("脚长",)
SHAPE_Q: Check = ("脚型",)
ASK_ORDER_NUMBER: Check = ("订单号",)
ASK_PHONE: Check = ("后四位", "后4位", "尾号")
NEW_ADDRESS_Q: Check = ("新的收货地址", "新地址", "新的地址")
ADDRESS_DONE: Check = ("已为您修改", "已修改", "修改好")
NOT_SUBMITTED: Check = ("先不", "不提交", "没有提交", "暂不", "有需要")
NOT_CHANGED: Check = ("没有改动", "不改", "先不", "没有修改")
LEFT_FORM: Check = ("好的", "先不", "有需要", "随时")
ASK_ITEM: Check = ("哪一件", "哪一双", "哪件", "哪双")
ASK_EXCHANGE_SIZE: Check = ("多大码", "哪个码", "什么码", "几码", "尺码")
OPEN_REQUEST: Check = ("进行中的退换申请",)
RETURN_STARTED: Check = (*REASON_Q, *OPEN_REQUEST)
RETURN_ID = r"RT\d{4,}"
# Nothing may say money went back before the shop received and checked the goods.
NO_REFUND = ("已退款", "退款成功", "已经退款", "已为您退款", "已退回")
NOT_ASKED = ("哪一笔",)  # when the assistant should decide the order itself

# --- the orders, for readability ----------------------------------------------
B001_SHIPPED = "2026051793538979"
B001_COMPLETED = "2026101794569025"
B002_PAID = "2026101994084208"
B004_SHIPPED = "2026031740072167"
B010_HEELS = "2026102261125120"
B010_SANDALS = "2026081925627637"
B011_BOOTS = "2026091968114632"
B020_SNOW_BOOTS = "2026122133458891"
B020_HIKING = "2026110563706114"
B026_JIFENG = "2026101230647860"
B017_HEELS = "2026051920328469"
B005_QINGYU = "2026010506679357"
B006_JIFENG = "2026102837219872"
B006_CHELSEA = "2026040710339687"
B012_LOAFERS = "2026120213887976"
B016_SNEAKERS = "2026122514738150"
B026_HIKING = "2026031288679138"
B026_SANDALS = "2026062674602987"
B029_LOAFERS = "2026111981713852"
B029_HEELS = "2026012417834355"
B030_JIFENG = "2026050168101035"

C = Conversation

# A table, one turn per line: the formatter would spread every turn over many lines.
# fmt: off
CONVERSATIONS: tuple[Conversation, ...] = (
    # === choosing an order by typing (order status) ===========================
    # A status question with exactly one parcel in transit may be answered about
    # that parcel at once, so the choice is tested with buyers who have none.
    C(
        "jifeng_status_answered_directly_then_anti_slip",
        "B001",
        (
            T("我的疾风跑鞋到哪了", "疾风男子跑鞋", B001_SHIPPED, SHIPPED,
              forbid=(*NOT_ASKED, "山野防水徒步鞋")),
            T("那双鞋防滑吗", "疾风男子跑鞋", "抓地", forbid="哪一款"),
        ),
        note="one shipped 疾风 order: no question; the card's shoe is 那双",
    ),
    C(
        "b001_generic_question_then_the_other_order",
        "B001",
        (
            T("我买的鞋到哪儿啦", (*ASK_ORDER, "疾风男子跑鞋"), forbid="山野防水徒步鞋"),
            T("小白鞋那双呢", B001_COMPLETED, "经典小白板鞋", COMPLETED),
        ),
        note="asked, or answered about the parcel in transit; either way the cancelled "
        "徒步鞋 is never offered and 小白鞋 then picks the completed order",
    ),
    C(
        "b026_four_digit_tail",
        "B026",
        (
            T("帮我查查我的订单呗", ASK_ORDER, "清凉沙滩凉鞋"),
            T("7860", B026_JIFENG, "疾风男子跑鞋", SIGNED, forbid="后四位"),
        ),
    ),
    C(
        "b026_six_digit_tail_from_button",
        "B026",
        (
            T("我的单子现在啥情况", ASK_ORDER),
            T("尾号679138的", B026_HIKING, "山野防水徒步鞋", COMPLETED),
        ),
    ),
    C(
        "b026_second_ordinal",
        "B026",
        (
            T("看下订单状态", ASK_ORDER),
            T("第二笔", B026_HIKING, "山野防水徒步鞋", COMPLETED),
        ),
        note="newest first: 疾风, 徒步鞋, 凉鞋",
    ),
    C(
        "b026_last_ordinal",
        "B026",
        (
            T("订单到哪一步了", ASK_ORDER),
            T("最后那个", B026_SANDALS, "清凉沙滩凉鞋", COMPLETED),
        ),
    ),
    C(
        "b026_latest_order",
        "B026",
        (
            T("我买过的鞋帮我查下状态", ASK_ORDER),
            T("最近那单", B026_JIFENG, "疾风男子跑鞋", SIGNED),
        ),
    ),
    C(
        "b026_date_picks_the_order",
        "B026",
        (
            T("订单查询一下", ASK_ORDER),
            T("{date:2026031288679138}那单", B026_HIKING, "山野防水徒步鞋", COMPLETED),
        ),
        note="the date is the order's creation day, as on its button",
    ),
    C(
        "b026_colour_white",
        "B026",
        (
            T("看看我买的鞋到哪了", ASK_ORDER),
            T("白色那双", B026_JIFENG, "疾风男子跑鞋", SIGNED),
        ),
    ),
    C(
        "b029_size_picks_the_order_cancelled_not_offered",
        "B029",
        (
            T("订单查一下", ASK_ORDER, forbid="轻羽女子跑鞋"),
            T("36码那双", B029_LOAFERS, "舒适羊皮乐福鞋", SIGNED),
        ),
        note="the cancelled 轻羽 order is not offered",
    ),
    C(
        "b029_colour_matches_both_then_kind",
        "B029",
        (
            T("我的订单呢", ASK_ORDER),
            T("米色那双", ASK_ORDER, forbid=("签收", "已完成")),
            T("高跟鞋", B029_HEELS, "优雅细跟高跟鞋", COMPLETED),
        ),
        note="both orders are beige: asked again",
    ),
    # A context conversation, placed before B029's return below opens a request.
    C(
        "b029_status_then_material",
        "B029",
        (
            T("乐福鞋签收了没", B029_LOAFERS, "舒适羊皮乐福鞋", SIGNED, forbid=NOT_ASKED),
            T("这双是真皮的吗", "舒适羊皮乐福鞋", "羊皮", forbid="哪一款"),
        ),
        note="the cancelled 轻羽 and the old heels do not match: no question",
    ),
    C(
        "b006_colour_picks_the_order",
        "B006",
        (
            T("查一下订单", ASK_ORDER),
            T("蓝色那双", B006_JIFENG, "疾风男子跑鞋", SIGNED),
        ),
    ),
    C(
        "b006_size_matches_both_then_boots",
        "B006",
        (
            T("看看我的单子", ASK_ORDER),
            T("43码的", ASK_ORDER, forbid=("签收", "已完成")),
            T("靴子那个", B006_CHELSEA, "复古切尔西靴", COMPLETED),
        ),
        note="both orders are size 43",
    ),
    C(
        "b030_kind_picks_the_order",
        "B030",
        (
            T("订单状态帮我查下", ASK_ORDER),
            T("跑鞋那双", B030_JIFENG, "疾风男子跑鞋", SIGNED),
        ),
    ),
    C(
        "b030_colour_matches_both_then_size",
        "B030",
        (
            T("我的订单帮查一下", ASK_ORDER),
            T("黑色那双", ASK_ORDER, forbid=("签收", "已完成")),
            T("44.5的", B030_JIFENG, "疾风男子跑鞋", SIGNED),
        ),
        note="both orders are black: asked again",
    ),
    C(
        "b002_today_picks_the_order",
        "B002",
        (
            T("我的订单查下", ASK_ORDER),
            T("{ago:2026101994084208}下单的那个", B002_PAID, "轻羽女子跑鞋", PAID),
        ),
        note="created 5h10m before import: 今天 (昨天 just after midnight)",
    ),
    C(
        "b024_check_all",
        "B024",
        (
            T("我的订单帮我查下", ASK_ORDER),
            T("都查一下", "萌趣儿童雨靴", "轻羽女子跑鞋", SIGNED, COMPLETED),
        ),
    ),
    C(
        "b005_ordinal_past_the_end_is_asked_again",
        "B005",
        (
            T("查一下我的订单吧", ASK_ORDER),
            T("第三个", ASK_ORDER, forbid=("签收", "已完成")),
            T("第一个", B005_QINGYU, "轻羽女子跑鞋", SIGNED),
        ),
        note="two orders: 第三个 matches nothing",
    ),
    C(
        "b016_trad_size_matches_both_then_name",
        "B016",
        (
            T("幫我查一下訂單", ASK_ORDER),
            T("36碼那雙", ASK_ORDER, forbid=("已完成",)),
            T("小白鞋", B016_SNEAKERS, "经典小白板鞋", COMPLETED),
        ),
        traditional=True,
        note="both orders are size 36",
    ),
    C(
        "b012_trad_latest",
        "B012",
        (
            T("我的單子查一下", ASK_ORDER),
            T("最近那單", B012_LOAFERS, "舒适羊皮乐福鞋", SIGNED),
        ),
        traditional=True,
    ),
    C(
        "b026_two_misses_offer_a_human",
        "B026",
        (
            T("帮我查下单子", ASK_ORDER),
            T("忘了是哪个了", ASK_ORDER),
            T("我哪知道啊", HUMAN),
        ),
        note="answers that name no order: asked again with a hint, then a human",
    ),
    C(
        "b026_repeating_the_request_shows_the_choice",
        "B026",
        (
            T("我快递到哪了", ASK_ORDER),
            T("我快递到底到哪了", ASK_ORDER, "疾风男子跑鞋", "山野防水徒步鞋"),
            T("第一个", B026_JIFENG, "疾风男子跑鞋", SIGNED),
        ),
    ),
    C(
        "b026_leave_the_choice_then_greet",
        "B026",
        (
            T("查快递", ASK_ORDER),
            T("算了", LEFT_FORM, forbid="哪一笔"),
            T("在吗", "您好"),
        ),
    ),
    C(
        "b026_switch_to_size_while_choosing",
        "B026",
        (
            T("我快递呢", ASK_ORDER),
            T("先帮我看看高跟鞋尺码 脚长23", SHAPE_Q, forbid="哪一笔"),
            T("瘦脚", "优雅细跟高跟鞋", "36码"),
        ),
        note="a size question mid-choice switches; 23 cm, narrow, heels -> 36",
    ),
    C(
        "b011_only_eligible_order",
        "B011",
        (
            T("我的订单什么情况了", B011_BOOTS, "暖冬雪地靴", COMPLETED,
              forbid=(*NOT_ASKED, "复古切尔西靴")),
        ),
        note="the other order is cancelled: nothing to choose",
    ),
    C(
        "b023_newer_unpaid_order_named",
        "B023",
        (
            T("我的订单呢", "2026092872514712", COMPLETED, "待付款", "2026040145171703",
              "清凉沙滩凉鞋", forbid=NOT_ASKED),
        ),
        note="the completed order is the one status fits; the unpaid one placed after "
        "it is named too, or the buyer wonders where their newest went",
    ),
    C(
        "b010_product_name_settles_it",
        "B010",
        (
            T("高跟鞋到哪儿了", B010_HEELS, "优雅细跟高跟鞋", SHIPPED, "顺丰",
              forbid=NOT_ASKED),
        ),
        note="four orders, one of them heels",
    ),
    C(
        "b004_stale_parcel_typed_yes",
        "B004",
        (
            T("我的徒步鞋怎么还不到", "山野防水徒步鞋", ("没有物流更新", "已登记"),
              forbid=NOT_ASKED),
            T("要的 帮我登记一下", ("已登记", "登记过")),
        ),
        note="the stale-tracking offer answered by typing instead of its button",
    ),
    C(
        "guest_typed_order_number_and_phone",
        None,
        (
            T("我的货到哪儿了", ASK_ORDER_NUMBER),
            T("单号是2026110563706114", ASK_PHONE),
            T("尾号1706", B020_HIKING, "山野防水徒步鞋", SHIPPED),
        ),
    ),
    C(
        "guest_one_shot_number_and_phone",
        None,
        (
            T(f"订单{B001_SHIPPED} 手机尾号7703 到哪了", "疾风男子跑鞋", SHIPPED,
              forbid=("后四位", "后4位")),
        ),
    ),
    C(
        "guest_trad_one_shot_number_and_phone",
        None,
        (
            T(f"幫我查訂單{B004_SHIPPED}，手機尾號3725，怎麼還沒到", "山野防水徒步鞋",
              SHIPPED, forbid=("后四位", "后4位")),
        ),
        traditional=True,
    ),
    # === returns and exchanges answered by typing ==============================
    C(
        "b026_return_names_the_only_returnable_shoe_then_typed_reason",
        "B026",
        (
            T("我要退货", "疾风男子跑鞋", REASON_Q),
            T("鞋子磨脚", CONFIRM, "尺码不合适", forbid="没太明白"),
            T("算了", NOT_SUBMITTED),
        ),
        note="徒步鞋 and 凉鞋 are past every window: the form picks 疾风 and says so",
    ),
    C(
        "b026_return_another_shoe_named_while_the_reason_is_asked",
        "B026",
        (
            T("我要退货", "疾风男子跑鞋", REASON_Q),
            T("山野那双", "山野防水徒步鞋", "期限", forbid=("没太明白", "直接说原因")),
        ),
        note="the form had picked 疾风; 山野 switches to that order, which is too old",
    ),
    C(
        "b026_exchange_black_43_out_of_stock_then_white",
        "B026",
        (
            T("疾风跑鞋小了，想换", ASK_EXCHANGE_SIZE, forbid=NOT_ASKED),
            T("换43码黑色", ("没货", "缺货")),
            T("那白色43吧", CONFIRM, "43"),
            T("好", "43", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        note="黑色43 has no stock, 白色43 has 15",
    ),
    C(
        "b030_return_switch_to_shipping_then_pinched",
        "B030",
        (
            T("这双鞋想退了", REASON_Q, forbid=NOT_ASKED),
            T("你们发什么快递", "中通", REASON_Q),
            T("有点挤脚", CONFIRM, "疾风男子跑鞋", "运费险"),
            T("行", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        note="the only order in the window is the insured 疾风 one; a digression mid-form",
    ),
    C(
        "b029_trad_not_as_pictured",
        "B029",
        (
            T("樂福鞋想退貨", REASON_Q, forbid=NOT_ASKED),
            T("和圖片不一樣", CONFIRM, "舒适羊皮乐福鞋", "店铺承担"),
            T("好的", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        traditional=True,
    ),
    C(
        "b024_item_by_name_box_crushed",
        "B024",
        (
            T("孩子的鞋要退一双", ASK_ITEM, forbid=NOT_ASKED),
            T("乐乐那双", REASON_Q),
            T("盒子压坏了", CONFIRM, "乐乐儿童运动鞋"),
            T("可以", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        note="one eligible order with two items: which item, typed",
    ),
    C(
        "b024_trad_rain_boots_one_size_up",
        "B024",
        (
            T("雨靴小了 要換大一碼", CONFIRM, "萌趣儿童雨靴", "32", forbid=NOT_ASKED),
            T("嗯", "32", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        traditional=True,
        note="粉色31 -> 32 (15 in stock)",
    ),
    C(
        "b019_one_shot_exchange_one_size_up",
        "B019",
        (
            T("童鞋小了想换大一码", CONFIRM, "乐乐儿童运动鞋", "31", forbid=NOT_ASKED),
            T("可以", "31", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        note="the order, reason and size in one message; 粉色30 -> 31",
    ),
    C(
        "b006_exchange_size_changed_at_the_summary",
        "B006",
        (
            T("疾风穿着挤脚 想换大一码", CONFIRM, "43 → 蓝色44"),
            T("还是换44.5吧", CONFIRM, "→ 蓝色44.5", forbid=("已为您提交", "RT0")),
            T("鞋跟不稳", CONFIRM, forbid=("这次先不提交", "已为您提交", "RT0")),
            T("先不了", NOT_SUBMITTED, forbid=("已为您提交", "RT0")),
        ),
        note="a size typed instead of yes changes the wish and is confirmed again (还是 "
        "once read as a yes); 不 inside a description is no 'no': asked again; nothing "
        "submitted, so b006_one_shot_quality_return still opens "
        "the order's request (B005's order gets one in test_after_sale_chat)",
    ),
    C(
        "b006_one_shot_quality_return",
        "B006",
        (
            T("蓝色那双跑鞋开胶了，我要退", CONFIRM, "疾风男子跑鞋", "店铺承担",
              forbid=NOT_ASKED),
            T("嗯嗯", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
    ),
    C(
        "guest_quality_return_heel_loose",
        None,
        (
            T("我要退鞋", ASK_ORDER_NUMBER),
            T(f"订单号{B017_HEELS}", ASK_PHONE),
            T("6063", REASON_Q),
            T("鞋跟有点松动", CONFIRM, "优雅细跟高跟鞋", "店铺承担"),
            T("那就退货吧", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
        note="signed 12 days ago: a quality return is still inside 15 days; the wish "
        "restated at the summary (那就退货吧) is the yes",
    ),
    C(
        "b010_return_after_status_follow_up",
        "B010",
        (
            T("凉鞋到了没", B010_SANDALS, "清凉沙滩凉鞋", SIGNED, forbid=NOT_ASKED),
            T("那退货呢", REASON_Q, forbid=NOT_ASKED),
            T("尺码偏小了", CONFIRM, "清凉沙滩凉鞋", "由您承担"),
            T("行吧", pattern=RETURN_ID, forbid=NO_REFUND),
        ),
    ),
    C(
        "b008_loose_heel_then_no",
        "B008",
        (
            T("我要退货，鞋跟掉了", CONFIRM, "优雅细跟高跟鞋", "店铺承担"),
            T("不了", NOT_SUBMITTED, forbid=("已为您提交", "RT0")),
        ),
    ),
    C(
        "b008_ordered_wrong_outside_no_reason_window",
        "B008",
        (
            T("我要把鞋退了", REASON_Q),
            T("我拍错颜色了", ("7天", "七天"), ("质量问题", "超过"), forbid=("已为您提交",)),
        ),
        note="signed 10 days ago: no-reason returns close after 7 days",
    ),
    C(
        "b008_can_my_pair_still_go_back",
        "B008",
        (
            T("我买的高跟鞋还能退吗", "2026121991324671", "过了7天无理由", "质量问题",
              forbid=("已为您提交", "还在7天")),
        ),
        note="asked about the pair bought, the answer is that order's standing: past the "
        "no-reason window (signed 10 days ago), inside the quality one",
    ),
    C(
        "b007_no_longer_wanted_then_wait",
        "B007",
        (
            T("雪地靴不想要了", CONFIRM, "暖冬雪地靴", "运费险"),
            T("等等", NOT_SUBMITTED, forbid=("已为您提交", "RT0")),
        ),
        note="no-reason return with freight insurance, then 等等 = not now",
    ),
    C(
        "b007_return_switch_to_size_question",
        "B007",
        (
            T("我想退个货", REASON_Q),
            T("我先问下雪地靴脚长24穿几码", (*SHAPE_Q, "建议您选"), forbid=("RT0",)),
            T("正常", "暖冬雪地靴", "37码"),
        ),
        note="24 cm, normal, runs large -> 37",
    ),
    C(
        "b009_outside_both_windows",
        "B009",
        (
            T("牛津鞋想退掉", ("超过", "原因", "15天")),
            T("穿了几次就开线了", ("超过", "15天", "人工")),
        ),
        note="signed 20 days ago; either the refusal comes at once or after the reason",
    ),
    C(
        "b020_nothing_eligible_for_return",
        "B020",
        (
            T("我想退一双鞋", ("超过", "还没有签收", "还没签收", "没有可以", "不能", "还没有发货"),
              forbid=NOT_ASKED),
        ),
        note="paid (not shipped), shipped (not signed), completed 45 days ago: say why",
    ),
    C(
        "b014_trad_return_progress",
        "B014",
        (T("退貨進度怎樣了", "RT0003", "正在路上", forbid=NO_REFUND),),
        traditional=True,
    ),
    C(
        "b018_exchange_progress",
        "B018",
        (
            T("我换货的进度呢", "RT0007", "路上", forbid=NO_REFUND),
            T("啥时候能收到新的", "RT0007", "检查", forbid=(*NO_REFUND, *NOT_ASKED)),
        ),
        note="the new pair is sent only after the returned one is checked: said again, "
        "not which order",
    ),
    C(
        "b015_returned_parcel_received",
        "B015",
        (T("退回去的鞋你们收到没", "RT0004", "已收到", forbid=NO_REFUND),),
    ),
    C(
        "b016_refund_recorded_by_the_shop",
        "B016",
        (T("钱退了没有啊", "RT0005", "已退款"),),
        note="RT0005 was refunded by the shop: saying so is right here",
    ),
    C(
        "b012_return_under_review",
        "B012",
        (T("我申请的退货审核了吗", "RT0001", "审核", forbid=NO_REFUND),),
    ),
    C(
        "b012_refund_then_that_order_money",
        "B012",
        (
            T("退款到哪一步了", "RT0001", forbid=NO_REFUND),
            T("那个单子什么时候到账", "RT0001", "审核", forbid=(*NO_REFUND, "哪一笔")),
        ),
        note="到账 makes a status question the refund progress, whatever the intent",
    ),
    C(
        "b002_size_change_before_shipping",
        "B002",
        (
            T("跑鞋还没发货 能直接改成38码吗", ("还没有发货", "不用走换货"), HUMAN, B002_PAID,
              forbid=("不用走退货", "确认提交", *NOT_ASKED)),
        ),
        note="the paid order has not left: a change of the order (a person checks it), "
        "not an exchange or a return; 38 is the size wished, not the bought pair's",
    ),
    # === address change ======================================================
    C(
        "b002_typed_address_and_yes",
        "B002",
        (
            T("收货地址填错了", NEW_ADDRESS_Q, forbid=NOT_ASKED),
            T("改成广东省深圳市南山区粤海街道高新南七道18号", CONFIRM, "高新南七道18号"),
            T("对的", ADDRESS_DONE, B002_PAID),
        ),
        note="only the paid order can change",
    ),
    C(
        "b002_status_then_address_of_the_only_order_that_can_change",
        "B002",
        (
            T("我买的鞋子到哪了", ASK_ORDER),
            T("那个订单能改地址吗", NEW_ADDRESS_Q, forbid=ASK_ORDER),
            T("改成上海市浦东新区张江路88号 李雷 13800001111", CONFIRM, "张江路88号"),
            T("对", ADDRESS_DONE, B002_PAID),
        ),
        note="asked which of two orders, the buyer asks to change the address: only the "
        "paid order can change, so it is taken, not asked again among one",
    ),
    C(
        "guest_address_after_order_question",
        None,
        (
            T("地址能帮我改一下吗", ASK_ORDER_NUMBER),
            T(B002_PAID, ASK_PHONE),
            T("8202", NEW_ADDRESS_Q),
            T("上海市浦东新区张杨路500号时代广场12楼", CONFIRM, "张杨路500号"),
            T("嗯对", ADDRESS_DONE, B002_PAID),
        ),
    ),
    C(
        "b020_recipient_phone_and_address_in_one",
        "B020",
        (
            T("能改个地址不", NEW_ADDRESS_Q, forbid=NOT_ASKED),
            T("罗小强 13912345678 新疆乌鲁木齐市天山区解放北路88号", CONFIRM, "罗小强",
              "139****5678", "解放北路88号"),
            T("好的", ADDRESS_DONE, B020_SNOW_BOOTS),
            T("地址改好了吗", "解放北路88号", B020_SNOW_BOOTS, forbid=NEW_ADDRESS_Q),
        ),
        note="only the paid 雪地靴 order can change; asked whether it did, the order "
        "shows its address now",
    ),
    C(
        "b017_address_then_no",
        "B017",
        (
            T("地址写错了 要改", NEW_ADDRESS_Q, forbid=NOT_ASKED),
            T("北京市朝阳区建国路88号SOHO现代城5号楼", CONFIRM, "建国路88号"),
            T("不了", NOT_CHANGED, forbid=ADDRESS_DONE),
        ),
        note="pending payment 乐福鞋 is the only order that can change",
    ),
    C(
        "b020_shipped_order_address",
        "B020",
        (
            T("徒步鞋那单地址还能改吗", ("已经发货", "已发货"), HUMAN,
              forbid=("确认修改", *NOT_ASKED)),
        ),
        note="named order already shipped: the honest options and a human",
    ),
    C(
        "b002_trad_address",
        "B002",
        (
            T("收貨地址寫錯了 幫我改一下", NEW_ADDRESS_Q, forbid=NOT_ASKED),
            T("廣東省廣州市天河區體育西路123號", CONFIRM, ("体育西路", "體育西路")),
            T("確認", ADDRESS_DONE, B002_PAID),
        ),
        traditional=True,
    ),
    C(
        "b020_address_after_status_then_stop",
        "B020",
        (
            T("雪地靴发货没", B020_SNOW_BOOTS, "暖冬雪地靴", PAID, forbid=NOT_ASKED),
            T("那这单地址能改不", NEW_ADDRESS_Q, forbid=NOT_ASKED),
            T("算了 先不改了吧", (*NOT_CHANGED, *LEFT_FORM), forbid=ADDRESS_DONE),
        ),
    ),
    C(
        "b001_address_after_order_card",
        "B001",
        (
            T("疾风跑鞋发货了吗", B001_SHIPPED, SHIPPED, forbid=NOT_ASKED),
            T("那能改个地址吗", ("已经发货", "已发货"), HUMAN, forbid="确认修改"),
        ),
        note="the order last discussed is shipped: no change, a human instead",
    ),
    # === size advice typed ===================================================
    C(
        "page_p001_foot_length_normal",
        None,
        (
            T("帮我看下尺码呗", FOOT_Q),
            T("我脚长24.5", SHAPE_Q, forbid=("24.5码",)),
            T("正常", "疾风男子跑鞋", "39码"),
        ),
        product="P001",
        note="脚长24.5 is a foot length; 245 mm -> 39",
    ),
    C(
        "page_p003_usual_size_average",
        None,
        (
            T("这双要拍几码", FOOT_Q),
            T("平时穿39", SHAPE_Q),
            T("一般", "城市牛津皮鞋", "40码"),
        ),
        product="P003",
        note="runs half a size small, no half sizes: 39 -> 40",
    ),
    C(
        "snow_boots_by_name_fleshy_foot",
        None,
        (
            T("雪地靴我该买多大", FOOT_Q),
            T("23.5厘米吧", SHAPE_Q),
            T("肉脚", "暖冬雪地靴", "37码"),
        ),
        note="235 mm -> 37, runs large (-1), wide (+0.5), rounded up -> 37",
    ),
    C(
        "page_p005_trad_everything_in_one",
        None,
        (T("我腳長26公分 腳比較寬 要買幾號", "山野防水徒步鞋", "42码", forbid="脚型"),),
        product="P005",
        traditional=True,
        note="wide last: a wide foot needs no larger size",
    ),
    C(
        "one_shot_product_length_and_high_instep",
        None,
        (T("轻羽跑鞋 脚长23 脚背有点高 穿几码", "轻羽女子跑鞋", "36.5码", forbid="脚型"),),
        note="230 mm -> 36, high instep +0.5 -> 36.5",
    ),
    C(
        "page_p010_usual_size_thin_foot",
        None,
        (
            T("穿多大合适", FOOT_Q),
            T("平时穿37的", SHAPE_Q),
            T("我脚比较瘦", "优雅细跟高跟鞋", "37码"),
        ),
        product="P010",
    ),
    C(
        "guest_trad_white_sneakers_usual_size",
        None,
        (
            T("小白鞋 平時穿39 要拍幾碼", SHAPE_Q),
            T("一般般", "经典小白板鞋", "建议", "39码"),
        ),
        traditional=True,
    ),
    C(
        "jifeng_size_wide_then_anti_slip",
        None,
        (
            T("疾风跑鞋脚长26穿几码", SHAPE_Q),
            T("脚宽", "疾风男子跑鞋", "42.5码"),
            T("那双鞋防滑吗", "疾风男子跑鞋", "抓地", forbid="哪一款"),
        ),
        note="260 mm -> 42, wide +0.5 -> 42.5; then 那双 is the 疾风",
    ),
    C(
        "size_stopped_then_postage_question",
        None,
        (
            T("小白鞋多大码合适啊", FOOT_Q),
            T("不用了", LEFT_FORM, forbid="脚长"),
            T("退货运费谁出", "运费"),
        ),
    ),
    C(
        "running_shoe_kind_then_typed_name",
        None,
        (
            T("跑鞋怎么选码 平时穿37", ("哪一款", "疾风男子跑鞋")),
            T("轻羽那双", SHAPE_Q),
            T("瘦", "轻羽女子跑鞋", "37码"),
        ),
        note="a kind offers its shoes; the name typed instead of clicked",
    ),
    C(
        "size_advice_then_foot_shape_then_kind_then_typed_pick",
        None,
        (
            T("脚长25.5厘米，小白鞋穿多大码？", SHAPE_Q),
            T("正常脚", "经典小白板鞋", "41码"),
            T("宽脚", "经典小白板鞋", "42码", forbid="没太明白"),
            T("那跑鞋呢", ("哪一款",), forbid="没太明白"),
            T("男款", "疾风男子跑鞋", "建议", forbid="没太明白"),
        ),
        note="25.5 cm: 41, wide +0.5 -> 42; 跑鞋 fits two shoes: asked, 男款 picks 疾风",
    ),
    C(
        "trad_size_advice_then_other_shoe_then_narrow",
        None,
        (
            T("腳長24厘米 雪地靴穿多大", SHAPE_Q),
            T("腳背高", "暖冬雪地靴", "38码"),
            T("那輕羽女子跑鞋呢", "轻羽女子跑鞋", "38.5码", forbid="没太明白"),
            T("腳比較窄", "轻羽女子跑鞋", "38码", forbid="没太明白"),
        ),
        traditional=True,
    ),
    C(
        "page_p004_trad_size_then_warm",
        None,
        (
            T("這雙我平常穿38號", SHAPE_Q),
            T("腳背高", "暖冬雪地靴", "38码"),
            T("它保暖嗎", "暖冬雪地靴", "保暖", forbid="哪一款"),
        ),
        product="P004",
        traditional=True,
    ),
    C(
        "guest_trad_cold_in_winter",
        None,
        (
            T("請問雪地靴會不會磨腳", "暖冬雪地靴"),
            T("冬天穿會冷嗎", "暖冬雪地靴", "保暖", forbid=("没有关于", "不能随便保证")),
        ),
        traditional=True,
        note="DIET tags 冬天 and 冷 raw; the word lists read them as warmth",
    ),
    C(
        "b013_return_address_while_the_return_waits",
        "B013",
        (T("退货地址是哪里", "RT0002", "晋江市", forbid=("发送“退货进度”",)),),
        note="reads as a return request; the open request's state gives the address",
    ),
    C(
        "b012_withdraw_the_return",
        "B012",
        (
            T("我想取消退货", "RT0001", "人工客服", forbid=("已为您提交",)),
            T("好的", ("已为您转接", "转接")),
        ),
        note="withdrawing is for staff: a person is offered, and a typed yes takes it",
    ),
    C(
        "b001_own_purchase_price_drop",
        "B001",
        (
            T("我买的鞋降价了 能补差价吗", "价保期内", B001_SHIPPED, "具体规则", forbid="哪一笔"),
            T("这双透气吗", "疾风男子跑鞋", forbid=("没太明白",)),
        ),
        note="no order named: the only order of B001 still inside the 15 days, with the "
        "rule; its shoe is then the one 这双 means",
    ),
    C(
        "b006_defect_told_as_a_delivery_problem",
        "B006",
        (
            T("收到的鞋子左右脚不一样大", ASK_ORDER),
            T("跑鞋那单", "质量问题", forbid=("已登记",)),
            T("换货", (*ASK_EXCHANGE_SIZE, *OPEN_REQUEST), forbid=("原因",)),
        ),
        note="a defect is offered a return or an exchange, not a courier case; the "
        "exchange takes the defect as its reason (or shows the open request, when another "
        "conversation of the suite opened one on these shoes)",
    ),
    C(
        "b010_price_protection_then_one_order",
        "B010",
        (
            T("我买的降价了能保价吗", "优雅细跟高跟鞋", "清凉沙滩凉鞋"),
            T("高跟鞋那单呢", B010_HEELS, "价保期内", forbid=("最新物流", "已发货")),
        ),
        note="two orders inside the window listed; naming one asks its price protection",
    ),
    # === two things in one message ===========================================
    C(
        "b019_two_requests_in_one_message",
        "B019",
        (T("我要退货 另外帮我改下地址", RETURN_STARTED, "「帮我改下地址」",
           ("一件一件", "接着帮您办")),),
        note="one flow at a time: the return starts and the address change is acknowledged; "
        "or the open request is shown (other conversations of the suite return B019's shoes), "
        "which settles the return at once, and the address change is offered",
    ),
    C(
        "b020_parcel_then_the_address_change_offered",
        "B020",
        (
            T("我的徒步鞋到哪了 另外帮我改下地址", "山野防水徒步鞋", SHIPPED,
              "「帮我改下地址」", "接着帮您办"),
            T("好的", NEW_ADDRESS_Q),
            T("算了不改了", NOT_CHANGED, forbid=ADDRESS_DONE),
        ),
        note="the parcel is looked up at once, so the second request is offered in the same "
        "turn; a typed yes starts it",
    ),
    C(
        "b004_parcel_and_invoice_in_one_message",
        "B004",
        (
            T("快递怎么还没到 你们能开发票吗", "山野防水徒步鞋", "另外", "开发票", "人工客服",
              forbid=(*NOT_ASKED, "帮不上忙")),
            T("好的", ("已登记", "登记")),
        ),
        note="whole reads out of scope; the order part is the request, the invoice (a shop "
        "matter a person handles) answered after; the typed yes still answers the logistics "
        "offer, not the second answer",
    ),
    C(
        "guest_stock_and_postage_in_one_message",
        None,
        (T("小白鞋有42码吗？另外运费怎么算", "经典小白板鞋", "42码", "另外", "包邮"),),
    ),
    C(
        "guest_trad_policy_and_courier_in_one_message",
        None,
        (T("你好 請問七天無理由嗎？發什麼快遞呢", "7天无理由", "另外", "中通快递",
           pattern=r"7天无理由[\s\S]*另外[\s\S]*中通快递"),),
        traditional=True,
        note="two rule questions answered in the buyer's order, though the whole reads as "
        "the shipping one",
    ),
    C(
        "guest_warmth_and_cutoff_read_whole_as_shipping",
        None,
        (T("雪地靴保暖吗，几点前下单当天发？", "暖冬雪地靴", "保暖", "另外", "16:00"),),
        note="NLU reads the whole as shipping with certainty; the product question is served "
        "first and the shipping question answered second",
    ),
    C(
        "guest_trad_breathability_and_postage_quoted_as_typed",
        None,
        (
            T("你好 請問小白鞋透氣嗎 另外運費怎麼算", "经典小白板鞋", "透气", "「運費怎麼算」",
              "包邮"),
        ),
        traditional=True,
    ),
    C(
        "guest_trad_greeting_stock_and_time_not_understood_whole",
        None,
        (
            T("你好，跑鞋有没有42碼，順便問下幾天能到", "哪一款", forbid=("脚长", "没太明白")),
            T("疾风", "疾风男子跑鞋", "42码", "有货"),
        ),
        traditional=True,
        note="the whole falls below the threshold; its greeting joins no part, and the "
        "confident stock part is the request",
    ),
    C(
        "b002_address_and_coupon_in_one_message",
        "B002",
        (
            T("我想改个地址 对了有优惠券吗", NEW_ADDRESS_Q, "另外", "优惠"),
            T("算了不改了", NOT_CHANGED, forbid=ADDRESS_DONE),
        ),
    ),
    C(
        "b005_leaves_the_queue_then_asks",
        "B005",
        (
            T("转人工", HUMAN),
            T("在吗", "取消转人工"),
            T("不等了", "取消转人工", "继续问"),
            T("退货运费谁出", "运费", forbid=("排队", "留言已记下")),
        ),
        note="a buyer still waiting leaves the queue and the assistant answers again",
    ),
    C(
        "guest_leaves_the_queue_with_a_question",
        None,
        (
            T("转人工", HUMAN),
            T("不等了 运费险怎么赔", "取消转人工", "运费险", forbid=("再发一次", "没有接到")),
        ),
        note="the rule question beside 不等了 is answered once the queue is left",
    ),
    C(
        "guest_never_minds_in_a_row_leave_the_queue",
        None,
        (
            T("转人工", HUMAN),
            T("算了不用了 取消吧", "取消转人工", "继续问", forbid=("留言已记下",)),
        ),
        note="several never-minds in one message leave the queue like 不用了 alone",
    ),
    C(
        "guest_a_colour_one_shoe_comes_in",
        None,
        (
            T("红色的还有货吗", "优雅细跟高跟鞋", forbid=("哪一款",)),
        ),
        note="only the heels come in 红色: that shoe, not 'which shoe?'",
    ),
    C(
        "b007_who_signed_for_it",
        "B007",
        (
            T("是谁签收的", "菜鸟驿站代收", forbid=("好的亲", "机器人")),
        ),
        note="NLU reads a yes: the parcel's last scan names who signed",
    ),
    C(
        "b005_defect_of_a_named_shoe",
        "B005",
        (
            T("跑鞋开胶了 能退吗", "2026010506679357", "无理由退换期内",
              forbid=("已为您提交",)),
        ),
        note="a defect of the 轻羽 pair, signed 2 days ago: that order's windows",
    ),
    C(
        "b002_what_size_did_i_buy",
        "B002",
        (
            T("我买的是多大码的来着", ASK_ORDER, forbid=("脚长", "哪一款")),
            T("跑鞋那单", "37码", "粉色", forbid=("脚长",)),
        ),
        note="a question about the pair bought, not size advice; two orders: which",
    ),
    C(
        "b002_leaves_the_queue_with_a_request",
        "B002",
        (
            T("转人工", HUMAN),
            T("不等了 帮我改下地址", "取消转人工", "「帮我改下地址」", "接着帮您办",
              forbid=("再发一次", "没有接到")),
            T("好的", NEW_ADDRESS_Q),
            T("算了不改了", NOT_CHANGED, forbid=ADDRESS_DONE),
        ),
        note="the request beside 不等了 is offered once the queue is left, not asked again",
    ),
    # === context: the product or order last discussed ===========================
    C(
        "b001_trad_card_then_breathable",
        "B001",
        (
            T("我的疾風跑鞋到哪了", "疾风男子跑鞋", SHIPPED, forbid=NOT_ASKED),
            T("這雙透氣嗎", "疾风男子跑鞋", ("不闷脚", "透气"), forbid="哪一款"),
        ),
        traditional=True,
    ),
    C(
        "b005_delivered_then_waterproof",
        "B005",
        (
            T("轻羽到货了吗", "轻羽女子跑鞋", SIGNED, forbid=NOT_ASKED),
            T("这款防水不", "轻羽女子跑鞋", "不防水", forbid="哪一款"),
        ),
    ),
    C(
        "page_p002_question_without_naming",
        None,
        (
            T("这个夏天穿闷脚吗", "轻羽女子跑鞋", ("透气", "不闷"), forbid="哪一款"),
            T("脚长23.5 正常脚 穿几码", "轻羽女子跑鞋", "37码", forbid="脚型"),
        ),
        product="P002",
    ),
    # === found on a third shop's data (typed, every one) ==========================
    C(
        "guest_catalogue_then_a_price_then_this_pair",
        None,
        (
            T("你们店都有哪些鞋", "疾风男子跑鞋", "清凉沙滩凉鞋",
              forbid=("非常抱歉", "转接", "投诉")),
            T("小白鞋多少钱", "经典小白板鞋", "¥199", "年货节", forbid="没太明白"),
            T("這雙透氣嗎", "经典小白板鞋", "透气", forbid="哪一款"),
        ),
        note="what the shop sells is listed (no complaint); the priced shoe is 这双",
    ),
    C(
        "guest_trad_where_returns_go",
        None,
        (T("寄回的地址是哪裡", "晋江", "申请", forbid=("改不了", "转接", "新的收货地址")),),
        traditional=True,
        note="the return address, not an address change handed to a person",
    ),
    C(
        "guest_sold_out_then_when_it_comes_back",
        None,
        (
            T("小白鞋米色36码还有吗", "米色36码", "补货"),
            T("那什么时候到货", "12月", "补货", forbid=("订单号", "哪一笔")),
        ),
        note="right after a stock answer, 什么时候到货 is the restock, not the buyer's parcel",
    ),
    C(
        "b007_a_parcel_word_beside_the_shoe_is_no_return",
        "B007",
        (T("雪地靴那单物流", "暖冬雪地靴", SIGNED, forbid=("确认提交", "原因")),),
    ),
    C(
        "b002_cancel_before_shipping",
        "B002",
        (T("我想取消订单", "还没有发货", "退款", forbid=("拒收", "还没有签收")),),
        note="a paid order not shipped is refunded on the order page or by a person",
    ),
    C(
        "page_p003_rubbing_and_odour_from_the_reviews",
        None,
        (
            T("这双磨脚吗", "城市牛津皮鞋", "磨脚", "评价", forbid=("功能特点", "哪一款")),
            T("會不會有異味", "城市牛津皮鞋", ("味道", "评价"), forbid=("哪一款", "脚长")),
        ),
        product="P003",
        traditional=True,
        note="what only wearers can tell: the catalogue has no claim, the reviews answer",
    ),
    C(
        "b017_the_unpaid_order_by_its_state",
        "B017",
        (
            T("我的订单到哪了", "优雅细跟高跟鞋", SIGNED),
            T("没付款那个呢", "舒适羊皮乐福鞋", "未付款", forbid=("没太明白", "哪一笔")),
        ),
        note="没付款那个 reaches the unpaid order no status question offers",
    ),
    C(
        "b020_trad_the_order_not_shipped_yet",
        "B020",
        (
            T("我的訂單到哪了", "山野防水徒步鞋", SHIPPED),
            T("還沒發貨的那個呢", "暖冬雪地靴", PAID, forbid=("没太明白", "山野防水徒步鞋")),
        ),
        traditional=True,
        note="an order named by its state, in traditional characters",
    ),
    C(
        "b020_address_change_in_one_message_names_the_shoe",
        "B020",
        (
            T("雪地靴改地址 改成上海市浦东新区世纪大道100号 收件人换成李娜 13900001111",
              "上海市浦东新区世纪大道100号", "李娜", CONFIRM,
              forbid=("雪地靴改", "改成上海", "哪一笔", "没太明白")),
            T("算了", NOT_CHANGED),
        ),
        note="the shoe picks the order; the request and the shoe stay out of the new address",
    ),
    C(
        "b017_cancel_the_order_not_the_delivered_one",
        "B017",
        (
            T("我要取消订单", "2026120735678972", "还没有付款",
              forbid=("原因", "优雅细跟高跟鞋", "没太明白")),
        ),
        note="取消订单 (read as a return) means the order not shipped, not the delivered one",
    ),
    C(
        "b001_the_other_order",
        "B001",
        (
            T("我的快递到哪了", "疾风男子跑鞋", SHIPPED, forbid=NOT_ASKED),
            T("另外那个订单呢", "经典小白板鞋", COMPLETED, forbid=("疾风男子跑鞋",)),
        ),
        note="另外那个 sets aside the order just told",
    ),
    C(
        "b011_refund_of_the_cancelled_order",
        "B011",
        (
            T("取消的那单退款到账了吗", "复古切尔西靴", "已取消", HUMAN,
              forbid=(*NO_REFUND, "没有查到您的退换申请")),
        ),
        note="a paid order cancelled: its refund is no return, and its progress is not known here",
    ),
    C(
        "page_p010_heel_height_from_the_catalogue",
        None,
        (
            T("这双跟高多少", "8厘米", forbid=("功能特点", "哪一款", "没太明白")),
            T("有鞋带吗", "没有", HUMAN, forbid=("功能特点", "厘米", "没太明白")),
        ),
        product="P010",
        note="a detail quoted from the catalogue; one it lacks is said to be missing",
    ),
    C(
        "page_p010_runs_large_or_small",
        None,
        (
            T("这款偏大还是偏小", "正码", FOOT_Q, forbid=("没看懂", "没太明白")),
            T("脚长23.5", SHAPE_Q),
        ),
        product="P010",
        note="a fit question gets the catalogue's fit note at once, then the size advice asks on",
    ),
    C(
        "guest_mens_shoes_only",
        None,
        (T("有没有男鞋", "疾风男子跑鞋", "城市牛津皮鞋", forbid=("轻羽女子跑鞋", "投诉")),),
        note="the catalogue's men's and unisex shoes, not the women's",
    ),
    C(
        "page_p001_a_shade_the_shoe_lacks",
        None,
        (
            T("有白色的吗", "白色"),
            T("象牙白有吗", "没有象牙白", forbid=("白色现在有货",)),
            T("深灰的呢", "没有深灰", forbid=("没有的呢",)),
            T("要白的", "白色", forbid=("没有要白的",)),
        ),
        product="P001",
        note="a shade (象牙白) is not the white answered before; the tagger's 的呢 is no colour",
    ),
    C(
        "b004_slow_parcel_grievance",
        "B004",
        (
            T("我的快递到哪了", "山野防水徒步鞋", SHIPPED),
            T("怎么这么慢", "抱歉", forbid=("帮不上忙", "没太明白")),
        ),
        note="怎么这么慢 right after the parcel is a grievance about it, not out of scope",
    ),
    C(
        "guest_never_mind_the_person",
        None,
        (
            T("转人工", HUMAN),
            T("不用了", "取消", forbid=("留言已记下",)),
            T("这双防水吗", "哪一款", forbid=("留言已记下",)),
        ),
        note="不用了 right after asking for a person leaves the queue; the assistant answers again",
    ),
    C(
        "guest_two_functions_then_cancel_a_person_never_asked_for",
        None,
        (
            T("徒步鞋防水吗？防滑吗", "防水透气膜", "抓地", forbid=("哪一款", "没太明白")),
            T("取消转人工", "没有为您转人工", forbid=("已为您转接", "排队")),
        ),
        note="both functions asked in one message are answered; 取消转人工 while not queued "
        "hands nothing over",
    ),
    C(
        "b020_when_does_my_snow_boot_ship",
        "B020",
        (
            T("雪地靴什么时候发货", "暖冬雪地靴", PAID, forbid=("偏远地区",)),
            T("这双保暖吗", "暖冬雪地靴", forbid=("哪一款",)),
        ),
        note="a shipping question naming the shoe of the buyer's paid order is about that order",
    ),
    C(
        "guest_member_day_and_new_year_sale",
        None,
        (
            T("你们会员日是几号", "没有会员日", "满300减30"),
            T("年貨節什麼時候開始", "年货节全场9折", forbid=("没有年货节", "满300减30")),
        ),
        note="a shopping day the shop has none of is said so; one it has is answered alone",
    ),
    C(
        "b005_my_pair_runs_small_is_39_in_pink",
        "B005",
        (T("我买的这双偏小，39有粉色吗", "轻羽女子跑鞋", forbid=("哪一款", "疾风")),),
        note="我买的这双 with no shoe named is the shoe of the buyer's current order: its "
        "stock, or (read as an exchange) that order, never the whole catalogue",
    ),
)
# fmt: on


# --- placeholders --------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{(date|ago):(\d{16})\}")


def _created_in_seed(order_id: str, now: datetime) -> datetime:
    from shop.db.values import parse_datetime

    orders = json.loads(SEED.read_text(encoding="utf-8"))["orders"]
    record = next(o for o in orders if o["id"] == order_id)
    return parse_datetime(record["created_at"], now)


def render(
    text: str,
    now: datetime | None = None,
    created: Callable[[str], datetime] | None = None,
) -> str:
    """Fills ``{date:…}`` and ``{ago:…}``.

    ``created(order_id)`` gives the order's creation time as stored at import (the
    servers' database): recomputing it from the seed's relative offset at render
    time moves it past midnight when the import ran just before (CI did, once).
    Without it, the seed's offset counts from ``now``.
    """
    if "{" not in text:
        return text
    from shop.clock import local_now

    now = now or local_now()

    def fill(match: re.Match[str]) -> str:
        order_id = match.group(2)
        when = created(order_id) if created else _created_in_seed(order_id, now)
        day = f"{when.month}月{when.day}号"
        if match.group(1) == "date":
            return day
        return {0: "今天", 1: "昨天", 2: "前天"}.get((now.date() - when.date()).days, day)

    return _PLACEHOLDER.sub(fill, text)

"""Words that point at one of the buyer's orders: ordinals, dates, states, kinds.

Read by shop/order_match.py when a buyer types which order they mean.
"""

from __future__ import annotations

# --- which order ------------------------------------------------------------
# Words that point at one of the orders offered on buttons (shop/order_match.py).
# Lists are searched longest word first, so 大前天 wins over 前天.
CHINESE_NUMERALS: dict[str, int] = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
# 第一个 / 第2笔 / 第三单 / 第一双 ...
ORDINAL_COUNTERS = "个笔单双件条"
FIRST_ORDER_WORDS: tuple[str, ...] = (
    "头一个", "头一笔", "头一单", "头一双", "头个", "上面那个", "上面那单", "上面那笔", "上面那双",
    "最上面",
)  # fmt: skip
LAST_ORDER_WORDS: tuple[str, ...] = ("最后一", "最后那", "最后的", "最下面")
# By purchase time rather than by position on the buttons.
NEWEST_ORDER_WORDS: tuple[str, ...] = (
    "最近那", "最近的", "最近一单", "最近一笔", "最近买的", "最新", "刚买的", "刚下的", "刚下单",
    "新买的",
)  # fmt: skip
OLDEST_ORDER_WORDS: tuple[str, ...] = ("最早", "之前那", "之前买的", "以前那", "以前买的")
ALL_ORDERS_WORDS: tuple[str, ...] = (
    "都查", "都看", "全部", "所有", "两个都", "两单都", "两笔都", "两双都",
    "都要", "全都", "每一单",
)  # fmt: skip
# An order's state as buyers name it (没付款那个, 已发货的那单), by shop status.
# 没收到 is not here: it reports a parcel that should have come.
# "I have an order that …" before a state word (我有个订单还没付款): the state then
# says which order, as in 没付款的那单.
ORDER_INTRODUCERS: tuple[str, ...] = (
    "有个订单", "有一个订单", "有笔订单", "有一笔订单", "有一单", "有个单子", "有个单", "有张订单",
)  # fmt: skip
ORDER_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "pending_payment": (
        "没付款", "未付款", "待付款", "没付钱", "没给钱", "还没付", "没支付", "未支付", "待支付",
        "没有付款", "没有支付", "没付的",
    ),
    "paid": ("没发货", "未发货", "待发货", "还没发", "没发出", "没有发货", "没寄出", "还没寄"),
    "shipped": (
        "已发货", "发货了的", "发出的", "在路上", "运输中", "配送中", "派送中", "在途", "没签收",
        "未签收",
    ),
    "delivered": ("已签收", "签收了的", "签收的", "已收货", "收到了的", "已经到了的", "已完成"),
    "cancelled": ("取消的", "已取消", "取消了的", "关闭的", "已关闭", "作废的"),
}  # fmt: skip
# Words that lead what the buyer wants instead (改成38码, 换成白色): the size or
# colour after them describes no order the buyer has (shop/order_match.py).
WANTED_LEADS: tuple[str, ...] = (
    "换成", "改成", "换到", "改到", "换为", "改为", "换个", "换一双", "换", "改",
)  # fmt: skip
# Words that set aside the order just talked about (另外那个, 别的订单), counted
# only right before an order word (另外帮我改下地址 names no order).
OTHER_ORDER_WORDS: tuple[str, ...] = ("另外", "另", "其他", "其它", "别的", "剩下")
# The order just talked about (这个能改地址吗 right after its status): that order,
# even when the request does not fit it, so its flow says why not, rather than
# another order the request fits (actions/order_form.py).
THIS_ORDER_WORDS: tuple[str, ...] = (
    "这个", "这单", "这笔", "这一单", "这个单", "这票", "它", "刚才那", "刚刚那", "上面那",
)  # fmt: skip
# Date words, as days / calendar weeks / calendar months before today.
DAYS_AGO_WORDS: dict[str, int] = {
    "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3,
}  # fmt: skip
WEEKS_AGO_WORDS: dict[str, int] = {
    "这周": 0, "本周": 0, "这星期": 0, "这个星期": 0, "这礼拜": 0, "这个礼拜": 0,
    "上周": 1, "上星期": 1, "上个星期": 1, "上礼拜": 1, "上个礼拜": 1, "上上周": 2,
}  # fmt: skip
MONTHS_AGO_WORDS: dict[str, int] = {"这个月": 0, "本月": 0, "上个月": 1, "上月": 1}
# Shoe kinds: a 2-4 character word ending in 鞋/靴 names a kind when it is listed
# here or occurs in an offered item's name, alias or category. A listed kind
# that fits no offered order is a real clue that matches nothing (凉鞋那单).
SHOE_KIND_ENDINGS = "鞋靴"
SHOE_KIND_WORDS: tuple[str, ...] = (
    "跑鞋", "跑步鞋", "运动鞋", "球鞋", "篮球鞋", "板鞋", "小白鞋", "帆布鞋", "皮鞋",
    "凉鞋", "拖鞋", "童鞋", "雨鞋", "布鞋", "棉鞋", "单鞋", "高跟鞋", "平底鞋", "乐福鞋",
    "豆豆鞋", "徒步鞋", "登山鞋", "休闲鞋", "老爹鞋", "雪地靴", "短靴", "长靴", "雨靴",
    "马丁靴", "切尔西靴",
)  # fmt: skip

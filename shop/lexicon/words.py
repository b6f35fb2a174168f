"""The Chinese words the actions read buyers' typed answers with, in one place.

Every form reads reasons, foot shapes, yes/no, which order and which shoe with
these lists, so it understands them the same way. Keys are the codes stored in
slots and sent in button payloads; their display names are in
``shop/lexicon/labels.py``.
"""

from __future__ import annotations

import re

# --- return reasons ---------------------------------------------------------
# Checked in order, first match wins: a defect outranks a size word in the
# same sentence (小白鞋开胶了 is a quality problem, not a size one).
REASON_WORDS: dict[str, tuple[str, ...]] = {
    "quality": (
        "质量", "开胶", "脱胶", "断", "裂", "掉色", "起球", "瑕疵", "破", "线头", "鞋跟", "松动",
        "掉跟", "脱线", "做工", "次品", "穿坏", "鞋坏了", "磨损", "异味", "开线", "脱底", "掉皮",
        # a pair that does not match itself is a defect, not a size or a description
        "左右脚不一样", "左右不一样", "一只大一只小", "一大一小", "两只不一样", "大小脚",
        "两只鞋不一样", "两只大小不一样", "左右码数不一样", "一双不一样",
    ),
    "not_as_described": (
        "描述", "图片", "色差", "不一样", "货不对板", "假", "不符", "和图", "跟图", "实物",
    ),
    "shipping_damage": ("压坏", "快递", "物流", "盒子", "运输", "压扁", "鞋盒"),
    "size": (
        "小了", "大了", "偏小", "偏大", "太小", "太大", "尺码", "码数", "不合脚", "挤脚", "夹脚",
        "太松", "码小", "码大", "紧", "顶脚", "松了", "磨脚", "勒脚", "压脚", "卡脚",
        "打脚", "不跟脚",
    ),
    "no_reason": (
        "不喜欢", "拍错", "买错", "不想要", "不要了", "不合适", "无理由", "没理由", "不需要",
        "多买", "买多", "拍多", "多拍", "重复", "买重", "拍重",
    ),
}  # fmt: skip

# --- exchanges --------------------------------------------------------------
RELATIVE_SIZES: dict[str, float] = {
    "大一码": 1.0,
    "大半码": 0.5,
    "小一码": -1.0,
    "小半码": -0.5,
    "大1码": 1.0,
    "小1码": -1.0,
}

# --- confirmations ----------------------------------------------------------
# A no: these words anywhere, or 不 / 别 opening the answer (不, 不了吧, 我不要了).
# 不 inside a description is no refusal: 鞋灯不亮了 typed at a summary is re-asked.
NO_WORDS: tuple[str, ...] = (
    "不了", "不用", "不要", "不行", "不对", "不是", "不需要", "不提交", "不退", "不换", "不改",
    "别", "算了", "取消", "再想想", "等等", "等一下", "先不", "no",
)  # fmt: skip
NO_OPENINGS: tuple[str, ...] = ("不", "别")
ANSWER_FILLERS: tuple[str, ...] = ("我", "那", "嗯", "呃", "额", "哦", "噢", "还是")  # before 不
YES_WORDS: tuple[str, ...] = (
    "确认", "确定", "是的", "是", "对", "好", "可以", "没问题", "行", "嗯", "恩", "ok", "OK", "Ok",
    "提交", "要的", "改吧", "就这样", "没错", "👌", "👍",
)  # fmt: skip
# Words that hold a yes word without saying yes (还是换33吧, 好像小了): removed
# before YES_WORDS are looked for.
NOT_YES_WORDS: tuple[str, ...] = (
    "还是", "要是", "但是", "可是", "是否", "老是", "总是", "好像", "好久", "好多", "只好",
)  # fmt: skip
# "I don't know it" is an answer to a question (then a hint says where to find
# it), not a wish to stop: 不记得了 while asked for the order number.
DONT_KNOW_WORDS: tuple[str, ...] = (
    "不记得", "不知道", "忘了", "忘记了", "找不到", "不清楚", "没有订单号", "在哪看", "在哪里看",
)  # fmt: skip
# Short messages that leave the form ("算了", "不用了") rather than answer "no".
STOP_WORDS: tuple[str, ...] = ("算了", "不用了", "不要了", "不弄了", "不办了", "先这样", "不查了")
# At a return or exchange summary, the wish restated is a yes (那就退货吧 at a
# return's summary, 换吧 at an exchange's): keyed by ``after_sale_goal``.
GOAL_YES_WORDS: dict[str, tuple[str, ...]] = {
    "return": ("退货", "退掉", "退了吧", "退吧", "退款吧", "就退"),
    "exchange": ("换货", "换掉", "换了吧", "换吧", "就换"),
}

# --- refund progress ----------------------------------------------------------
# Words that make a "where is it" question about the money or a return, not the
# parcel (那个单子什么时候到账, 换货到哪了): the order form then answers the
# progress of the buyer's returns and exchanges.
REFUND_PROGRESS_WORDS: tuple[str, ...] = (
    "到账", "退款", "退钱", "钱退", "退的钱", "换货", "换的鞋", "退货的", "寄回去的", "退回去的",
)  # fmt: skip

# The new pair of an exchange (啥时候能收到新的, 换的那双到哪了): right after a
# return's progress, a parcel question with these words asks about it.
REPLACEMENT_WORDS: tuple[str, ...] = (
    "新的", "新鞋", "新那双", "换的", "换过来", "换回来", "换好的", "补发的", "重发的",
)  # fmt: skip

# Couriers a buyer may name (能发顺丰吗): the name as said, and its spellings.
COURIER_WORDS: dict[str, tuple[str, ...]] = {
    "顺丰": ("顺丰", "sf", "SF"), "中通": ("中通",), "圆通": ("圆通",), "韵达": ("韵达",),
    "申通": ("申通",), "极兔": ("极兔",), "邮政": ("邮政", "ems", "EMS"), "京东": ("京东",),
    "德邦": ("德邦",), "百世": ("百世",),
}  # fmt: skip

# Out of the assistant's reach but the shop's business (能开发票吗, 可以改价吗): a
# person handles them, so the buyer is told to ask one, not "I cannot help".
SHOP_MATTER_WORDS: tuple[str, ...] = (
    "发票", "开票", "收据", "专票", "普票", "对公", "批发", "团购", "定制", "代发", "改价",
    "改个价", "合并付款", "合并发货",
)  # fmt: skip

# --- addresses ----------------------------------------------------------------
# Province-level names: an address naming one (上海浦东世纪大道100号) says its region
# even without 省/市/区.
PROVINCE_NAMES: tuple[str, ...] = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门",
)  # fmt: skip


def first_key(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The first key of ``table`` one of whose words occurs in ``text``."""
    for key, words in table.items():
        if any(word in text for word in words):
            return key
    return None


# --- stock and price protection ---------------------------------------------
# A stock question that asks when a sold-out shoe comes back (灰色什么时候补货).
RESTOCK_WORDS: tuple[str, ...] = (
    "补货", "补码", "补吗", "补不补", "会补", "到货", "返场", "再上", "还会有", "什么时候有",
    "啥时候有", "多久有", "几时有", "哪天有", "等多久", "时候补",
)  # fmt: skip
# A stock question NLU may read as size advice or a typed size (燕麦色39有货马): these
# words, without a size-advice question beside them (rasa_ext/follow_up_intent.py).
IN_STOCK_WORDS: tuple[str, ...] = (
    "有货", "有没有货", "现货", "库存", "断货", "缺货", "卖完", "售罄", "卖光", "没货", "无货",
)  # fmt: skip
SIZE_ADVICE_WORDS: tuple[str, ...] = (
    "多大", "选几", "哪个码", "什么码", "几码", "合适", "偏大", "偏小", "穿多少", "选多少",
    "推荐", "怎么选", "码准", "尺码准",
)  # fmt: skip


def asks_stock_only(text: str) -> bool:
    """Whether ``text`` asks about stock and not which size to take."""
    return any(w in text for w in IN_STOCK_WORDS) and not any(w in text for w in SIZE_ADVICE_WORDS)


# A return-rules question about where returned goods go (shop/answers/policies.py).
RETURN_ADDRESS_WORDS: tuple[str, ...] = (
    "退货地址", "寄回的地址", "寄回地址", "退回地址", "寄到哪", "寄回哪", "寄哪里", "寄哪儿",
    "退货收件人", "写什么地址", "哪个地址",
)  # fmt: skip
# How to claim it, right after a price-protection answer (那怎么申请): the same question.
HOW_TO_CLAIM_WORDS: tuple[str, ...] = (
    "怎么申请", "如何申请", "咋申请", "去哪申请", "在哪申请", "怎么弄", "咋弄", "怎么操作",
    "怎么补", "怎么退差价", "怎么办理", "找谁",
)  # fmt: skip
# A question about a shoe's price (shop/answers/policies.py): answered from the catalogue.
PRICE_WORDS: tuple[str, ...] = (
    "多少钱", "多少米", "什么价", "啥价", "价格", "价钱", "售价", "卖多少", "几块钱", "多钱",
    "多少块",
)  # fmt: skip
# Words that make 什么时候到货 about the buyer's own parcel, not a restock.
OWN_PARCEL_WORDS: tuple[str, ...] = (
    "我的", "我买的", "订单", "单号", "快递", "物流", "包裹", "发货", "那单", "这单", "下单", "寄",
)  # fmt: skip
# A shop rule that counts its price-protection days from delivery (签收后7天内).
PRICE_PROTECTION_DELIVERY_WORDS: tuple[str, ...] = ("签收", "确认收货", "收货", "收到货")
# A promotion question about 价保: a price drop after payment refunded (actions/policies.py).
PRICE_PROTECTION_WORDS: tuple[str, ...] = (
    "价保", "保价", "价格保护", "差价", "降价", "降了", "买贵", "买亏", "便宜了",
)  # fmt: skip
# A price-protection question about the buyer's own purchase (我买的鞋降价了),
# answered with their orders still inside the window when no order is named.
OWN_PURCHASE_WORDS: tuple[str, ...] = (
    "我买", "我刚买", "买了", "买的", "我拍", "拍了", "拍的", "下单", "下的单", "我的订单",
    "我的鞋", "我那", "我这",
)  # fmt: skip

# Shopping days a buyer may name (会员日是几号, 双十一有活动吗): a canonical name and
# its spellings. A promotion answers it when its title or description holds one.
PROMOTION_EVENTS: dict[str, tuple[str, ...]] = {
    "会员日": ("会员日", "会员节", "会员专享日"),
    "双十一": ("双十一", "双11", "11.11"),
    "双十二": ("双十二", "双12", "12.12"),
    "618": ("618", "六一八", "年中大促"),
    "年货节": ("年货节",),
    "女王节": ("女王节", "女神节", "三八节", "38节"),
    "黑五": ("黑五", "黑色星期五"),
    "店庆": ("店庆", "周年庆"),
    "开学季": ("开学季",),
    "99大促": ("99大促", "九九大促"),
    "元旦": ("元旦", "新年"),
    "春节": ("春节", "过年"),
    "情人节": ("情人节", "520", "七夕"),
}  # fmt: skip


def promotion_event_named(text: str) -> str | None:
    """The shopping day ``text`` names (its canonical name), or ``None``. A digit
    spelling inside a longer digit run (an order number holding 618) names none."""
    for name, spellings in PROMOTION_EVENTS.items():
        for spelling in spellings:
            if re.search(rf"(?<![\d.]){re.escape(spelling)}(?![\d.])", text):
                return name
    return None


# A product question about the buyer's own pair (我买的这双偏小，39有粉色吗) when no
# shoe is named or under discussion: the shoes of their orders (actions/products.py).
OWN_SHOE_WORDS: tuple[str, ...] = (
    "我买的", "我刚买的", "我拍的", "我刚拍的", "我收到的", "刚收到的", "我下单的", "我买了",
    "我的这双", "我这双", "我那双", "到手的这双", "收到的这双", "我穿的这双",
)  # fmt: skip


# A change of size or colour (能直接改尺码吗, 42换43, 不是改地址 是改颜色): an exchange,
# however NLU read it; an order not shipped yet gets its own honest answer there.
SIZE_CHANGE = re.compile(
    r"[改换](?:个|一下|下|一个)?(?:尺码|码数|码子|尺寸|鞋码|颜色|色)"
    r"|[改换]成?\d{2}(?:\.5)?码|\d{2}(?:\.5)?码?[改换]成?\d{2}"
)
# Words that put a size change on an order already placed (还没收到呢 能直接改尺码吗).
BOUGHT_WORDS: tuple[str, ...] = (
    "收到", "订单", "拍了", "买了", "下单", "下的单", "发货", "这单", "那单", "已经拍", "直接改",
    "我买的", "刚买的", "买的这双", "买的鞋",
)  # fmt: skip
NOT_ADDRESS_WORDS: tuple[str, ...] = (
    "不是改地址", "不改地址", "不是地址", "地址不用改", "地址不改",
)  # fmt: skip


# The buyer's own pair does not fit (我买的这双偏小，39有粉色吗): said as a fact, not
# asked (偏小吗, 偏大还是偏小).
_FIT_COMPLAINT = re.compile(r"(?:偏小|偏大|小了|大了|挤脚|夹脚|顶脚|太紧|太松)(?![吗不还呢么])")


def says_it_does_not_fit(text: str) -> bool:
    """Whether ``text`` states that a pair is too small or too large."""
    return bool(_FIT_COMPLAINT.search(text))


def asks_size_change(text: str) -> bool:
    """Whether ``text`` asks to change a size or colour and not an address."""
    if not SIZE_CHANGE.search(text):
        return False
    return "地址" not in text or any(word in text for word in NOT_ADDRESS_WORDS)


# --- questions --------------------------------------------------------------
# A question is not an answer to "确认吗": 可以退吗 is asked, not agreed.
QUESTION_MARKS: tuple[str, ...] = (
    "吗", "?", "？", "什么", "怎么", "多少", "几", "呢", "哪", "谁", "为啥", "为什么",
    "有没有", "是不是", "能不能", "可不可以", "会不会",  # A-not-A questions
)  # fmt: skip


# --- why sizes come back (owner page, console/return_insights.py) -------------
SIZE_RETURN_SMALL_WORDS: tuple[str, ...] = (
    "小了", "偏小", "挤", "紧", "顶脚", "换大", "大一码", "大半码",
)  # fmt: skip
SIZE_RETURN_LARGE_WORDS: tuple[str, ...] = (
    "大了", "偏大", "松", "掉跟", "换小", "小一码", "小半码",
)  # fmt: skip

# --- a second question in one message (shop/clauses.py) -----------------------
# Words that open another question in the same message: the message is cut
# before them and they are left out of the question (顺便问下能开发票吗 → 能开发票吗).
# Bare 还有 is not one: 还有货吗 asks about stock.
# A part of a message that only opens it (你好，跑鞋有42码吗): left out when the
# message is cut into its questions (shop/clauses.py), so it colours no part.
OPENING_WORDS: tuple[str, ...] = (
    "你好呀", "您好呀", "你好", "您好", "在不在", "在吗", "亲亲", "亲", "哈喽", "嗨", "hello", "hi",
    "老板", "掌柜", "客服",
)  # fmt: skip
SECOND_QUESTION_WORDS: tuple[str, ...] = (
    "顺便问一下", "顺便问下", "顺便问问", "顺便问", "顺便说一下", "顺便", "另外问一下", "另外问下",
    "另外", "还有个问题", "还有一个问题", "还有一件事", "还有就是", "还想问一下", "还想问下",
    "还想问", "再问一下", "再问下", "想再问一下", "对了",
)  # fmt: skip

# A part that starts with these asks for one more thing (我要退货 也帮我改下地址).
SECOND_REQUEST_OPENERS: tuple[str, ...] = (
    "也帮我", "再帮我", "顺带", "顺手", "同时帮我", "另外帮我", "还要帮我", "还得帮我",
)  # fmt: skip

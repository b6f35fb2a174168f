"""The words of after-sale messages: parcels and what goes wrong with them,
complaints, what the buyer bought or asked about an address, and leaving the
queue for a person. Re-exported by ``shop.lexicon`` like ``words.py``.
"""

from __future__ import annotations

import re

# What the buyer bought, asked (我买的是多大码的来着, 我拍的什么颜色): the order shows
# its items (rasa_ext/follow_up_intent.py, actions/orders.py).
BOUGHT_WHAT = re.compile(r"(?:什么|啥|多大|几|多少|哪个)(?:码|号|尺码|颜色|色)")
BOUGHT_OWN_WORDS: tuple[str, ...] = (
    "我买的", "我拍的", "买的是", "拍的是", "来着", "我那双", "我这双", "我下单的", "我订的",
    "订单里", "我买了", "我拍了", "来著",
)  # fmt: skip
NEW_SIZE_WORDS: tuple[str, ...] = ("换", "偏", "合适", "推荐", "该", "应该", "挤", "紧", "松")


def asks_bought_item(text: str) -> bool:
    """Whether ``text`` asks which size or colour the buyer bought (我买的是多大码的来着),
    not which to buy (这双是什么码的 on a product page stays a shopping question)."""
    if any(word in text for word in NEW_SIZE_WORDS):
        return False  # 我买的偏小 换几码: which size to take now
    return bool(BOUGHT_WHAT.search(text)) and any(word in text for word in BOUGHT_OWN_WORDS)


# Who signed for the parcel, or where it was left (是谁签收的): the last scan says.
SIGNER_WORDS: tuple[str, ...] = (
    "谁签收", "谁签的", "签收人", "谁收的", "谁代收", "放哪了", "放在哪", "放哪儿", "放到哪",
)  # fmt: skip


# A question whether an address change went through (地址改好了吗): answered with the
# order's current address, not by asking for a new one (rasa_ext/follow_up_intent.py).
ADDRESS_WORDS: tuple[str, ...] = ("地址", "收货信息", "收件信息", "收件人", "收货人")
ADDRESS_DONE_WORDS: tuple[str, ...] = (
    "改好了", "改好没", "改了吗", "改了没", "改过来", "改成功", "修改成功", "改完了", "改完没",
    "生效了", "生效没", "更新了吗", "更新了没", "改了没有", "改好了没", "换好了吗", "换过来了",
)  # fmt: skip


def asks_address_done(text: str) -> bool:
    """Whether ``text`` asks if an address change went through (地址改好了吗), rather
    than asks for one (能改地址吗) or types the new address (digits, 路 …号)."""
    if not any(word in text for word in ADDRESS_WORDS):
        return False
    has_digits = sum(char.isdigit() for char in text) >= 3
    return not has_digits and any(word in text for word in ADDRESS_DONE_WORDS)


# --- delivery problems and complaints (actions/cases.py) ---------------------
# A parcel slower than the buyer hoped (怎么这么慢, 还没到): after their parcel was
# shown, a grievance about it (rasa_ext/follow_up_intent.py).
SLOW_DELIVERY_WORDS: tuple[str, ...] = (
    "慢", "不动", "没动", "没更新", "不更新", "没有更新", "好几天", "还没到", "还不到", "这么久",
    "磨蹭",
)  # fmt: skip
# A return or its money spoken of: without one of these, 我的马丁靴怎么好几天都没动了
# asks about the parcel, whatever NLU made of it (rasa_ext/follow_up_intent.py).
RETURN_TOPIC_WORDS: tuple[str, ...] = (
    "退", "换", "钱", "款", "售后", "审核", "寄回", "寄过去", "验货", "申请", "到账",
)  # fmt: skip
PARCEL_WORDS: tuple[str, ...] = ("物流", "快递", "包裹", "派送", "配送", "签收", "到哪")
# (kind code, groups of words: one word of every group must occur), checked in
# order; the first match wins.
DELIVERY_KIND_WORDS: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    (
        "signed_not_received",
        (("签收", "已签", "显示收"), ("没收到", "没有收到", "未收到", "没拿到", "没见")),
    ),
    ("damaged", (("破", "坏", "压扁", "烂", "湿", "变形", "撕"),)),
    ("wrong_parcel", (("不是我", "错", "别人的", "少了", "少件", "漏发", "发成", "明明拍的"),)),
    ("lost", (("丢", "找不到", "不见了", "没了"),)),
    ("stuck", ((*SLOW_DELIVERY_WORDS, "停", "卡"),)),
]
# What the buyer says they ordered, in a wrong-item report (我要的柠檬黄 发成薄荷绿):
# the words after one of these, up to a stop, are checked against the order record.
WANTED_MARKERS: tuple[str, ...] = (
    "我要的是", "我要的", "我拍的是", "我拍的", "拍的是", "我买的是", "我买的", "我下单的",
    "下单的是", "我选的", "我订的", "明明拍的", "明明买的",
)  # fmt: skip
WANTED_STOPS = re.compile(r"[，,。.！!？?\s]|发|收|给|结果|但|却|怎么")


def wanted_words(text: str) -> str:
    """The words naming what the buyer says they ordered (柠檬黄 of 我要的柠檬黄 发成薄荷绿),
    or an empty string."""
    for marker in WANTED_MARKERS:
        at = text.find(marker)
        if at >= 0:
            rest = text[at + len(marker) :][:8]
            return WANTED_STOPS.split(rest, maxsplit=1)[0]
    return ""


# (category code, words), checked in order; the first match wins.
COMPLAINT_CATEGORY_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (
        "quality",
        ("质量", "开胶", "脱胶", "断", "裂", "掉色", "起球", "磨脚", "臭", "破", "线头", "做工"),
    ),
    ("description", ("描述", "图片", "色差", "不一样", "货不对板", "假", "不是真皮")),
    # slow replies are the service's, before the logistics' 慢 (你们客服太慢了)
    ("service", ("客服太慢", "客服慢", "客服好慢", "回复太慢", "回复慢", "回得慢", "回消息慢")),
    ("logistics", ("快递", "物流", "发货", "慢", "送货", "派送")),
    ("service", ("客服", "态度", "不理", "回复", "服务", "骗")),
    ("price", ("降价", "价格", "贵", "差价")),
]

# --- leaving the queue for a person (actions/handoff.py) --------------------
# Said while still waiting (no agent has the conversation yet): the assistant
# answers again. Once an agent has it, the agent decides.
# Not 跟机器人 or 问机器人: 不想跟机器人聊 asks for the opposite.
# Cancelling an order (我要取消订单, 那单不想买了), which NLU reads as a return: the
# orders not shipped yet are the ones meant, and their flow says what to do.
CANCEL_ORDER_WORDS: tuple[str, ...] = (
    "取消订单", "订单取消", "取消这单", "取消那单", "取消这个订单", "取消那个订单", "单取消",
    "不想买了", "不买了",
)  # fmt: skip
# Withdrawing a return or exchange already requested: staff do it (actions/return_checks.py).
CANCEL_REQUEST_WORDS: tuple[str, ...] = (
    "取消退货", "取消退款", "取消换货", "取消申请", "取消退换", "撤销", "撤回", "不退了", "不换了",
    # an open request turned into the other kind (换货 → 退货): staff change it too
    "直接退了", "改成退货", "换成退货", "改成换货", "换成换货", "改退货", "改换货", "不换了直接退",
)  # fmt: skip
LEAVE_QUEUE_WORDS: tuple[str, ...] = (
    "取消转人工", "不转人工", "不用转人工", "不要转人工", "不用人工", "不要人工", "不找人工",
    "取消人工", "取消排队", "退出排队", "不排了", "不排队了", "不等了", "不想等了",
    "继续问机器人", "还是问机器人", "继续问你",
)  # fmt: skip
# The same said alone, while still queued: the buyer no longer needs a person.
LEAVE_QUEUE_MESSAGES: tuple[str, ...] = (
    "不用了", "不用", "不用啦", "算了", "算了吧", "那算了", "不需要了", "不需要", "不要了",
    "没事了", "没事", "不用了谢谢", "算了谢谢", "不用了我自己看", "不找了", "取消", "取消吧",
)  # fmt: skip
# Said between never-minds (算了不用了 取消吧), these add nothing.
NEVER_MIND_FILLERS: tuple[str, ...] = ("谢谢", "吧", "啦", "了", "呀", "哈", "啊", "嗯", "哦")


def declines_a_person(text: str) -> bool:
    """Whether the buyer says no to a person (取消转人工, 不用人工): a leaving word that
    names the person or the queue, not a bare 不等了 (which may be about a parcel)."""
    return any(w in text for w in LEAVE_QUEUE_WORDS if "人工" in w or "排队" in w)


def leaves_the_queue(text: str) -> bool:
    """Whether a queued buyer's message leaves the queue: a leaving word anywhere
    (不等了 运费怎么算), or one of the never-minds above said alone (不用了。)."""
    bare = "".join(char for char in text if char.isalnum())
    if any(word in text for word in LEAVE_QUEUE_WORDS) or bare in LEAVE_QUEUE_MESSAGES:
        return True
    rest = bare  # several never-minds in a row (算了不用了 取消吧): nothing else said
    for word in sorted((*LEAVE_QUEUE_MESSAGES, *NEVER_MIND_FILLERS), key=len, reverse=True):
        rest = rest.replace(word, "")
    return bool(bare) and not rest and any(word in bare for word in LEAVE_QUEUE_MESSAGES)

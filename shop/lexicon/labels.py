"""The one table of Chinese display names for codes, and the note formats.

Staff pages, the console's scripts (``/console/static/labels.js``), the
widget's cards, the owner's report and buyer-facing sentences (as variables of
``domain.yml`` responses) look names up here; no other module spells a label.
"""

from __future__ import annotations

from typing import Any

# --- display names (staff pages) --------------------------------------------
# Grey notes in a transcript, and what a card is called there.
NOTE_LABELS: dict[str, str] = {
    "paused": "机器人已暂停（转人工）",
    "resumed": "机器人已恢复",
    "restarted": "对话已重新开始",
}
CARD_LABELS: dict[str, str] = {
    "product_card": "商品卡片",
    "order_card": "订单卡片",
    "return_card": "退货卡片",
    "size_table": "尺码表",
}
# The one table of Chinese names staff read for codes: intents, escalation and
# return reasons, statuses, entities. The console, its exports, the trainer's
# pages, the owner's report and the handoff summary all look names up here.
INTENT_LABELS: dict[str, str] = {
    "greet": "打招呼",
    "goodbye": "告别",
    "thank": "道谢",
    "affirm": "确认",
    "deny": "否定",
    "ask_size_advice": "问尺码",
    "ask_material": "问材质",
    "ask_function": "问功能",
    "ask_return_policy": "问退换政策",
    "ask_shipping": "问发货快递",
    "check_order_status": "查订单物流",
    "report_delivery_problem": "反映物流问题",
    "request_return": "要退货",
    "request_exchange": "要换货",
    "check_return_status": "查退换进度",
    "change_address": "改地址",
    "ask_promotion": "问优惠",
    "request_human": "要求人工",
    "complain": "投诉",
    "inform": "提供信息",
    "out_of_scope": "无关话题",
    "bot_challenge": "问是不是机器人",
    "send_photo": "发照片",
    "nlu_fallback": "没听懂",
    "restart": "重新开始",
    "ask_stock": "问库存",
    "ask_reviews": "问评价",
    # Triggered by the console and the shop's events, never typed: shown as notes.
    "EXTERNAL_agent_handback": "客服交还机器人",
    "EXTERNAL_agent_closed": "客服结束了会话",
    "EXTERNAL_order_shipped": "已通知买家：订单已发货",
    "EXTERNAL_order_delivered": "已通知买家：订单已签收",
    "EXTERNAL_return_received": "已通知买家：退货已收到",
    "EXTERNAL_refund_completed": "已通知买家：退款已完成",
    "EXTERNAL_review_invite": "邀请评价",
}
ESCALATION_REASON_LABELS: dict[str, str] = {
    "request_human": "买家要求人工",
    "complaint": "投诉",
    "complain": "投诉",
    "delivery_problem": "物流问题",
    "address_after_shipment": "发货后改地址",
    "verification_failed": "订单验证失败",
    "cancel_request": "取消订单",
    "repeated_fallback": "多次未听懂",
    "fallback": "多次未听懂",
    "low_confidence": "多次未听懂",
    "service_error": "系统故障",
    "system_error": "系统故障",
    "action_failure": "系统故障",
}
RETURN_REASON_LABELS: dict[str, str] = {
    "size": "尺码不合适",
    "quality": "质量问题",
    "not_as_described": "与描述不符",
    "shipping_damage": "物流损坏",
    "no_reason": "不喜欢/拍错了",
    "wrong_item": "发错货",
}
RETURN_STATUS_LABELS: dict[str, str] = {
    "requested": "已申请",
    "awaiting_shipment": "待买家寄回",
    "in_transit": "寄回途中",
    "received": "已收到退货",
    "inspected": "已验货",
    "refunded": "已退款",
    "exchanged": "已换货",
    "rejected": "已拒绝",
}
RETURN_KIND_LABELS: dict[str, str] = {"return": "退货", "exchange": "换货"}
# Foot shape codes (slot foot_shape, data/nlu/synonyms.yml); the buttons' titles
# start with these names (宽脚/脚肥).
FOOT_SHAPE_LABELS: dict[str, str] = {
    "normal": "正常脚",
    "wide": "宽脚",
    "high_instep": "高脚背",
    "flat": "扁平足",
    "narrow": "窄脚",
}
# Products: gender, function codes (slot shoe_function) and how far a shoe has one.
GENDER_LABELS: dict[str, str] = {
    "men": "男款",
    "women": "女款",
    "kids": "童鞋",
    "unisex": "男女同款",
}
FUNCTION_LABELS: dict[str, str] = {
    "waterproof": "防水",
    "breathable": "透气",
    "anti_slip": "防滑",
    "running": "跑步",
    "warm": "保暖",
    "lightweight": "轻便",
    "hiking": "徒步",
    "wear_resistant": "耐磨",
}
FUNCTION_LEVEL_LABELS: dict[str, str] = {"yes": "支持", "partial": "部分", "no": "不支持"}
POSTAGE_PAYER_LABELS: dict[str, str] = {"buyer": "买家", "shop": "店铺"}
# Where a price-protection window starts (本店支持价保：签收后7天内…).
WINDOW_START_LABELS: dict[str, str] = {"payment": "付款", "delivery": "签收"}
# What the shop does once returned goods are back, by request kind ({period}: its refund time).
RETURN_NEXT_STEP_LABELS: dict[str, str] = {
    "return": "办理退款（{period}内）",
    "exchange": "寄出换的新鞋",
}
ORDER_STATUS_LABELS: dict[str, str] = {
    "pending_payment": "待付款",
    "paid": "待发货",
    "shipped": "运输中",
    "delivered": "已签收",
    "completed": "已完成",
    "cancelled": "已取消",
}
# What the buyer came for (slot after_sale_goal), as "想…".
AFTER_SALE_GOAL_LABELS: dict[str, str] = {
    "status": "查物流",
    "delivery_problem": "反映物流问题",
    "return": "退货",
    "exchange": "换货",
    "return_status": "查退换进度",
    "address": "改地址",
}
DELIVERY_KIND_LABELS: dict[str, str] = {
    "signed_not_received": "显示签收但没收到",
    "damaged": "包裹破损",
    "wrong_parcel": "发错或少件",
    "lost": "包裹丢失",
    "stuck": "物流停滞",
    "other": "其他物流问题",
}
COMPLAINT_CATEGORY_LABELS: dict[str, str] = {
    "quality": "质量问题",
    "description": "与描述不符",
    "logistics": "物流",
    "service": "服务态度",
    "price": "价格",
    "other": "其他",
}
ENTITY_LABELS: dict[str, str] = {
    "order_id": "订单",
    "foot_length": "脚长",
    "shoe_size": "尺码",
    "product": "商品",
    "color": "颜色",
    "foot_shape": "脚型",
    "return_reason": "原因",
    "shoe_function": "功能",
    "shoe_part": "部位",
    "brand": "品牌",
    "phone_suffix": "手机尾号",
    "tracking_number": "运单号",
    "order_item_id": "商品",
    "photo_id": "照片",
    "courier": "快递",
    "return_id": "退换单",
    "refund_yuan": "退款金额",
    "rating_score": "评分",
}
# Why the trainer's inbox lists a buyer message.
INBOX_REASON_LABELS: dict[str, str] = {
    "low_confidence": "把握低",
    "fallback": "没听懂",
    "core_fallback": "答了没太明白",
    "reask": "反复追问",
    "handoff": "随后转人工",
    "complaint_followed": "随后投诉",
    "flagged": "客服标记",
}


# --- the owner's charts (console/charts.py) -----------------------------------
CHART_TITLES: dict[str, str] = {
    "conversations": "每日会话数",
    "rates": "智能客服解决率与未识别率",
    "returns": "退换货原因",
    "products": "各商品退换货",
    "reviews": "商品评分分布",
}
CHART_LABELS: dict[str, str] = {
    "empty": "暂无数据",
    "settled": "智能客服解决",
    "stuck": "没听懂未解决",
    "handed_off": "转人工",
    "conversations": "会话",
    "automation_rate": "智能客服解决率",
    "fallback_rate": "未识别率",
    "requests": "申请数",
    "reviews": "评价数",
    "stars": "{stars}星",
}

# What the retention run (console/retention.py) clears or deletes, by kind.
RETENTION_ROW_LABELS: dict[str, str] = {
    "escalations": "转人工记录的摘要",
    "complaints": "投诉的买家原话",
    "returns": "退换货的买家原话",
    "delivery_cases": "物流问题的买家原话",
    "ratings": "评价留言",
    "photos": "照片（未关联退换货）",
    "shop_events": "已送达的店铺通知",
}

# Slots and entities whose values are codes with a display name: a payload like
# /inform{"return_reason":"size"} is shown as 原因 尺码不合适.
ENTITY_VALUE_LABELS: dict[str, dict[str, str]] = {
    "return_reason": RETURN_REASON_LABELS,
    "foot_shape": FOOT_SHAPE_LABELS,
    "after_sale_goal": AFTER_SALE_GOAL_LABELS,
}

# --- the agent console's scripts (served as /console/static/labels.js) -------
SPEAKER_LABELS: dict[str, str] = {
    "buyer": "买家",
    "bot": "机器人",
    "agent": "客服",
    "system": "系统",
}
PRIORITY_LABELS: dict[str, str] = {"1": "紧急", "2": "普通", "3": "低"}
ESCALATION_STATUS_LABELS: dict[str, str] = {
    "waiting": "等待接入",
    "assigned": "处理中",
    "resolved": "已结束",
}
HANDOFF_OUTCOME_LABELS: dict[str, str] = {
    "handed_back": "已交还机器人",
    "closed": "已结束会话",
    "buyer_cancelled": "买家取消了排队",
}
PRESENCE_LABELS: dict[str, str] = {"online": "在线", "away": "离开", "offline": "离线"}
# The tables the console's scripts read, by the name they import them under.
CONSOLE_SCRIPT_LABELS: dict[str, dict[str, str]] = {
    "SPEAKERS": SPEAKER_LABELS,
    "PRIORITIES": PRIORITY_LABELS,
    "STATUSES": ESCALATION_STATUS_LABELS,
    "OUTCOMES": HANDOFF_OUTCOME_LABELS,
    "PRESENCE": PRESENCE_LABELS,
    "CARDS": CARD_LABELS,
}


def label(table: dict[str, str], code: str | None) -> str:
    """The display name of ``code`` in ``table``; the code itself when it has none."""
    if code is None:
        return ""
    return table.get(str(code), str(code))


def code_of(table: dict[str, str], value: Any) -> str | None:
    """The code ``value`` is in ``table``: itself when a code, else the code it names."""
    if value in table:
        return str(value)
    return next((code for code, name in table.items() if name == value), None)


# How a reviewer found the fit: the store codes of product_reviews.fit.
FIT_LABELS: dict[str, str] = {"small": "偏小", "true": "正常", "large": "偏大"}
# One quoted review: its words, stars and size (actions/reviews.py).
QUOTE_FORMAT = "「{text}」（{rating}分{size}）"
QUOTE_SIZE_FORMAT = "，{size}码"

# Responses of the forms that staff pages count and show (actions/forms.py): a hint
# before a question asked again, and the offer of a person after the second miss.
HINT_PREFIX = "utter_hint_"
OFFER_HUMAN_IN_FORM = "utter_offer_human_in_form"
# The responses that tell the shop's price protection (shop/answers/policies.py) start
# so: read back from the conversation, they show that question was just answered.
PRICE_PROTECTION_RESPONSES = "utter_price_protection_"

# The fit note the owner page suggests when size returns lean one way.
FIT_SUGGESTION_LABELS: dict[str, str] = {
    "small": "偏小，建议拍大半码",
    "large": "偏大，建议拍小半码",
}

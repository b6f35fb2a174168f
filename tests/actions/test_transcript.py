"""The staff renderer at its edges: clicks, payloads, triggered events, pauses, photos."""

from __future__ import annotations

from typing import Any

import pytest

from shop import summaries, transcript
from shop.lexicon import INTENT_LABELS, label

REASONS = [
    {"title": "尺码不合适", "payload": '/inform{"return_reason":"size"}'},
    {"title": "质量问题", "payload": '/inform{"return_reason":"quality"}'},
]
CONFIRM = [{"title": "确认提交", "payload": "/affirm"}, {"title": "再想想", "payload": "/deny"}]


def user(text: str | None, intent: str | None = None, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"event": "user", "text": text, **fields}
    if intent:
        event["parse_data"] = {"intent": {"name": intent, "confidence": 1.0}}
    return event


def bot(text: str, buttons: list | None = None, **fields: Any) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}, **fields}


def shown(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(line.who, line.kind, line.text) for line in transcript.render(events)]


def sentences(events: list[dict[str, Any]]) -> list[str]:
    return [line.sentence for line in transcript.render(events)]


def test_a_click_reads_as_the_title_of_the_offered_button() -> None:
    events = [
        user("这双鞋我想退货", "request_return"),
        bot("请问退货原因是？", REASONS),
        user('/inform{"return_reason": "size"}', "inform"),  # other spacing, same payload
        bot("确认提交吗？", CONFIRM),
        user("/affirm", "affirm"),
    ]
    assert sentences(events) == [
        "买家：这双鞋我想退货",
        "机器人：请问退货原因是？（按钮：尺码不合适 / 质量问题）",
        "买家点了「尺码不合适」",
        "机器人：确认提交吗？（按钮：确认提交 / 再想想）",
        "买家点了「确认提交」",
    ]
    assert [line.kind for line in transcript.render(events)][2::2] == ["click", "click"]


def test_the_latest_offer_names_a_payload_offered_twice() -> None:
    events = [
        bot("改地址吗？", [{"title": "好的", "payload": "/affirm"}]),
        bot("提交退货吗？", CONFIRM),
        user("/affirm"),
    ]
    assert shown(events)[-1] == ("buyer", "click", "点了「确认提交」")


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ('/inform{"return_reason":"size"}', "选择：原因 尺码不合适"),
        (
            '/inform{"order_id":"2026010506679357","color":"黑色"}',
            "选择：订单 2026010506679357，颜色 黑色",
        ),
        ("/affirm", "选择：确认"),
        ("/request_human", "选择：要求人工"),
        ("/something_new", "点了一个按钮"),
        ('/inform{"photo_id":"x"}', "选择：提供信息"),
        ("/inform{broken json", "选择：提供信息"),
    ],
)
def test_a_payload_no_button_matches_reads_in_chinese(payload: str, text: str) -> None:
    lines = transcript.render([bot("您好", []), user(payload)])
    assert (lines[-1].who, lines[-1].kind, lines[-1].text) == ("buyer", "choice", text)
    assert lines[-1].sentence == f"买家{text}"
    assert "/" not in lines[-1].sentence and "{" not in lines[-1].sentence


def test_triggered_events_are_short_notes_or_nothing() -> None:
    external = {"is_external": True}
    events = [
        user("EXTERNAL: EXTERNAL_order_shipped", "EXTERNAL_order_shipped", metadata=external),
        bot("您的订单已发货"),
        user(None, "EXTERNAL_refund_completed"),  # as demo data stores it: no text
        user("EXTERNAL: EXTERNAL_agent_closed", metadata=external),  # no parse data
        user("EXTERNAL: EXTERNAL_something_else", "EXTERNAL_something_else"),
    ]
    assert shown(events) == [
        ("system", "note", "已通知买家：订单已发货"),
        ("bot", "message", "您的订单已发货"),
        ("system", "note", "已通知买家：退款已完成"),
        ("system", "note", "客服结束了会话"),
    ]
    assert not any("EXTERNAL" in s for s in sentences(events))
    assert not any(transcript.is_buyer_message(e) for e in events)


def test_a_pause_shows_once_and_a_hand_back_once() -> None:
    events = [
        user("转人工", "request_human"),
        bot("正在为您转接人工客服"),
        {"event": "pause"},  # action_handoff
        {"event": "user", "text": "在吗"},
        {"event": "pause"},  # the console again, when the agent joins
        bot("您好，我是小美", metadata={"agent_name": "小美"}),
        {"event": "pause"},  # released and claimed again
        {"event": "resume"},
        {"event": "action", "name": "action_listen"},
        user("EXTERNAL: EXTERNAL_agent_handback", "EXTERNAL_agent_handback"),
        {"event": "action", "name": "utter_handed_back"},
        bot("机器人小鞋回来啦"),
        {"event": "resume"},  # a retried hand-back: harmless, and not shown
        {"event": "pause"},
        {"event": "resume"},
        user("谢谢"),
    ]
    assert sentences(events) == [
        "买家：转人工",
        "机器人：正在为您转接人工客服",
        "机器人已暂停（转人工）",
        "买家：在吗",
        "客服小美：您好，我是小美",
        "客服交还机器人",
        "机器人：机器人小鞋回来啦",
        "机器人已暂停（转人工）",
        "机器人已恢复",
        "买家：谢谢",
    ]


def test_restart_session_start_and_actions_are_hidden_but_a_restart_is_noted() -> None:
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        user("/restart", "restart"),
        {"event": "action", "name": "action_restart"},
        {"event": "restart"},
        user("\u2215restart", "nlu_fallback"),  # typed, defused by the channel
        {"event": "slot", "name": "order_id", "value": "1"},
    ]
    assert shown(events) == [("system", "note", "对话已重新开始")]
    assert not transcript.is_buyer_message(events[3])


def test_photos_and_agent_messages() -> None:
    events = [
        user('/send_photo{"photo_id":"ab12"}', "send_photo"),
        user('\u2215send_photo{"photo_id":"ab12"}', "nlu_fallback"),  # typed: no photo
        bot("您好", metadata={"agent_name": "阿杰", "agent_id": 2}),
        {"event": "bot", "text": "", "data": {"custom": {"type": "order_card"}}},
    ]
    lines = transcript.render(events)
    assert (lines[0].kind, lines[0].photo_id, lines[0].text) == ("photo", "ab12", "")
    assert lines[0].sentence == "买家发了一张照片"
    assert (lines[1].kind, lines[1].photo_id) == ("choice", None)
    assert (lines[2].who, lines[2].sentence) == ("agent", "客服阿杰：您好")
    assert lines[3].sentence == "机器人：[订单卡片]"
    assert transcript.photo_id('/send_photo{"photo_id": "../x"}') is None


def test_buyer_words_and_descriptions_skip_clicks_and_yes() -> None:
    events = [
        user("我要退货，鞋跟松了", "request_return"),
        bot("原因？", REASONS),
        user('/inform{"return_reason":"quality"}', "inform"),
        user("EXTERNAL: EXTERNAL_order_shipped", "EXTERNAL_order_shipped"),
        user("好的", "affirm"),
        user("/affirm", "affirm"),
    ]
    assert transcript.buyer_words(events) == ["我要退货，鞋跟松了", "好的"]
    assert transcript.buyer_words(events, last=1) == ["好的"]
    assert transcript.buyer_words([user("很" * 50)]) == ["很" * 40 + "…"]
    assert transcript.described(events) == "我要退货，鞋跟松了"
    assert transcript.described([user("/affirm")]) == ""
    assert transcript.spoken("/affirm") == "" and transcript.spoken(" 开胶了 ") == "开胶了"


def test_facts_are_chinese_clauses() -> None:
    slots = {
        "order_id": "2026010506679357",
        "order_item_id": 7,
        "product_name": "疾风跑鞋",
        "after_sale_goal": "exchange",
        "return_reason": "size",
        "exchange_size": 43.0,
        "exchange_color": "黑色",
        "foot_length_cm": 25.5,
        "foot_shape": "wide",
        "usual_size": None,
    }
    assert summaries.facts(slots) == [
        "订单2026010506679357",
        "商品：疾风跑鞋",
        "想换货，原因：尺码不合适，换成43码 黑色",
        "脚长25.5厘米，宽脚",
    ]
    assert summaries.facts({}) == []


@pytest.mark.parametrize(
    ("stored", "readable"),
    [
        ("买家要求人工；订单1；最近说：「在吗」", "买家要求人工；订单1；最近说：「在吗」"),
        ("stuck: /report_delivery_problem", "物流停滞"),
        ("quality: 穿两天就开胶", "质量问题：买家说「穿两天就开胶」"),
        (
            "lost: 快递丢了 | 买家: 快递丢了 / EXTERNAL: EXTERNAL_agent_handback / /affirm"
            " | 意图: report_delivery_problem | 已收集: order_id=2026, after_sale_goal=return",
            "包裹丢失：买家说「快递丢了」；最近说：「快递丢了」；订单2026；想退货",
        ),
        ("three failed order verifications", "订单号和手机尾号三次没对上"),
        ("address change requested after status shipped", "发货后要求改地址（订单运输中）"),
        ("买家: - | 意图: request_human", ""),
        (None, ""),
    ],
)
def test_summaries_read_as_chinese_sentences(stored: str | None, readable: str) -> None:
    assert summaries.readable_summary(stored) == readable


def test_one_table_names_every_intent() -> None:
    assert label(INTENT_LABELS, "request_human") == "要求人工"
    assert label(INTENT_LABELS, "made_up") == "made_up"
    assert label(INTENT_LABELS, None) == ""

"""Inbox selection (low confidence, fallback, handoff, complaint, flag) and grouping."""

from __future__ import annotations

import time
from typing import Any

from tests.trainer.conftest import save_conversations
from trainer import inbox, nlu_files
from trainer.textnorm import group_key
from trainer.workspace import Workspace, add_flag


def test_group_key_ignores_script_punctuation_emoji_and_spaces() -> None:
    assert group_key("這鞋子 咋回事啊！！😡") == group_key("这鞋子咋回事啊") == "这鞋子咋回事啊"
    assert group_key("ＯＫ４２码") == "ok42码"


def test_selection_and_grouping(workspace: Workspace, tracker_db: str) -> None:
    groups = inbox.build_inbox(workspace)
    by_key = {g.key: g for g in groups}
    shoe = by_key["这鞋子咋回事啊"]
    assert shoe.count == 2
    assert shoe.conversations == ["conv-a", "conv-b"]
    assert set(shoe.reasons) == {"fallback", "complaint_followed", "low_confidence", "handoff"}
    assert groups[0] is shoe  # most frequent first
    # the newest member stands for the group, with its ranking and context
    assert shoe.example.conversation_id == "conv-b"
    assert shoe.example.intent == "ask_material" and shoe.example.confidence == 0.41
    assert shoe.example.context[0] == {"who": "buyer", "text": "這鞋子咋回事啊！！😡", "self": "1"}
    assert {"who": "system", "text": "机器人已暂停（转人工）", "self": ""} in shoe.example.context
    assert shoe.example.intent_label == "问材质"
    # confident, commands and unflagged messages stay out; "你好" is low confidence
    assert set(by_key) == {"这鞋子咋回事啊", "你好"}


def test_flagged_message_is_selected(workspace: Workspace, tracker_db: str) -> None:
    add_flag(workspace, conversation_id="conv-c", message_id="c1", user="agent1", note="答错了")
    group = next(g for g in inbox.build_inbox(workspace) if g.key == "能再便宜个五块不")
    assert group.reasons == ["flagged"]


def test_flag_by_text_within_its_conversation(workspace: Workspace, tracker_db: str) -> None:
    add_flag(workspace, conversation_id="conv-x", text="谢谢", user="agent1")  # other conversation
    assert "谢谢" not in {g.key for g in inbox.build_inbox(workspace)}
    add_flag(workspace, conversation_id="conv-c", text="謝謝！", user="agent1")
    group = next(g for g in inbox.build_inbox(workspace) if g.key == "谢谢")
    assert group.reasons == ["flagged"]


def test_known_and_handled_messages_leave_the_inbox(workspace: Workspace, tracker_db: str) -> None:
    keys = {
        g.key for g in inbox.build_inbox(workspace, known_texts=nlu_files.known_keys(workspace))
    }
    assert "你好" not in keys  # already a training example
    nlu_files.discard(workspace, text="这鞋子咋回事啊", user="trainer", reason="说不清")
    assert "这鞋子咋回事啊" not in {g.key for g in inbox.build_inbox(workspace)}
    handled = inbox.build_inbox(workspace, include_handled=True)
    assert "这鞋子咋回事啊" in {g.key for g in handled}


def test_threshold_and_missing_store(workspace: Workspace, tracker_db: str) -> None:
    assert "你好" not in {g.key for g in inbox.build_inbox(workspace, threshold=0.45)}
    assert inbox.build_inbox(workspace, days=1) != []
    assert inbox.load_events(tracker_db, since=time.time() + 60) == {}
    empty = Workspace(**{**workspace.__dict__, "tracker_db_url": "sqlite://"})
    assert inbox.build_inbox(empty) == []


def _conversations() -> dict[str, list[tuple[str, Any]]]:
    """Core fallbacks, re-asks, clicks and triggered events, as the Rasa server stores them."""
    from rasa.shared.core.events import BotUttered, UserUttered

    def said(text: str, metadata: dict | None = None, **data: Any) -> Any:
        return BotUttered(text, data=data, metadata=metadata or {})

    def external(intent: str, mid: str) -> Any:
        parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": []}
        return UserUttered(
            f"EXTERNAL: {intent}", intent=parse["intent"], parse_data=parse, message_id=mid,
            metadata={"is_external": True},
        )  # fmt: skip

    reasons = [{"title": "尺码不合适", "payload": '/inform{"return_reason":"size"}'}]
    return {
        "conv-core": [
            ("user", ("我鞋子那个啥", "check_order_status", 0.95, "k1")),
            ("event", lambda: said("没太明白", {"utter_action": "utter_default"})),
            ("user", ("就是那个订单", "check_order_status", 0.93, "k2")),
            ("event", lambda: said("您的订单已发货", {"utter_action": "utter_order_status"})),
        ],
        "conv-reask": [
            ("user", ("我要退货", "request_return", 0.98, "r1")),
            (
                "event",
                lambda: said("请选原因", {"utter_action": "utter_ask_reason"}, buttons=reasons),
            ),
            ("user", ("它嘛有点那个", "inform", 0.9, "r2")),
            ("event", lambda: said("请从按钮里选", {"utter_action": "utter_hint_return_reason"})),
            ("user", ('/inform{"return_reason":"size"}', "inform", 1.0, "r3")),
            ("user", ("还是不对劲", "inform", 0.91, "r4")),
            ("event", lambda: said("要转人工吗", {"utter_action": "utter_offer_human_in_form"})),
        ],
        "conv-system": [
            ("event", lambda: external("EXTERNAL_agent_handback", "s1")),
            ("event", lambda: external("EXTERNAL_order_shipped", "s2")),
            ("user", ("/restart", "restart", 1.0, "s3")),
            ("user", ("\u2215restart", "nlu_fallback", 0.2, "s4")),
            ("user", ('/send_photo{"photo_id":"ab12"}', "send_photo", 1.0, "s5")),
        ],
    }


def test_core_fallbacks_reasks_and_no_system_events(workspace: Workspace, tracker_db: str) -> None:
    save_conversations(tracker_db, _conversations())
    groups = {g.key: g for g in inbox.build_inbox(workspace)}
    # answered "没太明白" although NLU was sure: a core fallback, with what followed
    core = groups["我鞋子那个啥"]
    assert core.reasons == ["core_fallback"]
    assert [(t["who"], t["text"]) for t in core.example.context] == [
        ("buyer", "我鞋子那个啥"),
        ("bot", "没太明白"),
        ("buyer", "就是那个订单"),
        ("bot", "您的订单已发货"),
    ]
    assert "就是那个订单" not in groups
    # a form asked again, or offered a person: the words it did not take
    assert groups["它嘛有点那个"].reasons == ["reask"]
    assert groups["还是不对劲"].reasons == ["reask"]
    context = [t["text"] for t in groups["它嘛有点那个"].example.context]
    assert "请选原因（按钮：尺码不合适）" in context and "点了「尺码不合适」" in context
    assert not any(
        "/inform" in t for g in groups.values() for c in g.example.context for t in c.values()
    )
    # triggered events, commands, photos and clicks are never inbox entries
    for key in groups:
        assert "external" not in key and "restart" not in key and "photo" not in key
    assert {g.example.conversation_id for g in groups.values()} <= {
        "conv-a", "conv-b", "conv-c", "conv-core", "conv-reask"
    }  # fmt: skip
    ranking = groups["我鞋子那个啥"].example.ranking
    assert ranking[0] == {"name": "check_order_status", "label": "查订单物流", "confidence": 0.95}

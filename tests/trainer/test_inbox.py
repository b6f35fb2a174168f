"""Inbox selection (low confidence, fallback, handoff, complaint, flag) and grouping."""

from __future__ import annotations

import time

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
    assert {"who": "system", "text": "转人工 (action_handoff)", "self": ""} in shoe.example.context
    # confident, commands and unflagged messages stay out; "你好" is low confidence
    assert set(by_key) == {"这鞋子咋回事啊", "你好"}


def test_flagged_message_is_selected(workspace: Workspace, tracker_db: str) -> None:
    add_flag(workspace, conversation_id="conv-c", message_id="c1", user="agent1", note="答错了")
    group = next(g for g in inbox.build_inbox(workspace) if g.key == "能便宜点不")
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

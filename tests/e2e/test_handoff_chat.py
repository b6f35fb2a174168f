"""Handing over to a person over the REST channel: queued, paused, answered, nothing lost."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.e2e.conftest import Servers


def _escalations(servers: Servers, sender: str) -> list[tuple[str, str]]:
    engine = create_engine(servers.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT reason, status FROM escalations WHERE conversation_id = :c"),
                {"c": sender},
            )
            return [(row[0], row[1]) for row in rows]
    finally:
        engine.dispose()


def _user_texts(servers: Servers, sender: str) -> list[str]:
    return [e["text"] for e in servers.tracker(sender)["events"] if e["event"] == "user"]


def test_asking_for_a_person_queues_pauses_and_keeps_every_message(
    servers: Servers, sender: str
) -> None:
    reply = servers.texts(sender, "我要转人工")
    assert "人工客服" in reply and "留言" in reply
    assert servers.tracker(sender)["paused"] is True
    assert _escalations(servers, sender) == [("request_human", "waiting")]

    # Still queued: each message is kept and answered, never silence.
    for said in ("鞋子41码能换成42码吗", "/restart"):
        reply = servers.texts(sender, said)
        assert "收到" in reply and "留言" in reply and "客服" in reply
    tracker = servers.tracker(sender)
    assert tracker["paused"] is True
    # The channel hands typed slash commands to NLU as text (∕restart).
    assert _user_texts(servers, sender)[-2:] == ["鞋子41码能换成42码吗", "\u2215restart"]


def test_a_complaint_is_handed_to_a_person(servers: Servers, sender: str) -> None:
    reply = servers.texts(sender, "你们的鞋子质量太差了，穿两天就开胶，气死了")
    assert "抱歉" in reply and "人工客服" in reply
    assert _escalations(servers, sender) == [("complaint", "waiting")]
    # Nobody is online: the case waits for a person, and the next question is answered
    # meanwhile (an agent who takes the case pauses the assistant).
    assert servers.tracker(sender)["paused"] is False
    reply = servers.texts(sender, "退货运费谁出")
    assert "运费" in reply and "留言已记下" not in reply
    assert _escalations(servers, sender) == [("complaint", "waiting")]


def test_two_misunderstood_messages_in_a_row_reach_a_person(servers: Servers, sender: str) -> None:
    first = servers.texts(sender, "就那个")  # information with nothing it could answer
    assert "换个说法" in first and servers.tracker(sender)["paused"] is False
    second = servers.texts(sender, "那个那个")
    assert "人工客服" in second
    assert servers.tracker(sender)["paused"] is True
    assert _escalations(servers, sender) == [("repeated_fallback", "waiting")]

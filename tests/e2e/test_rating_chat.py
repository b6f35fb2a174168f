"""A settled conversation asks for a rating once and stores it (REST channel, real servers)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.e2e.conftest import Servers, replies_json


def _ratings(servers: Servers, sender: str) -> list[tuple]:
    engine = create_engine(servers.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT handling, score, comment FROM conversation_ratings "
                    "WHERE conversation_id = :c"
                ),
                {"c": sender},
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_thanks_after_an_answer_asks_for_stars_and_a_comment(servers: Servers, sender: str) -> None:
    assert "7天" in servers.texts(sender, "七天无理由退货吗")
    replies = servers.chat(sender, "谢谢")
    asked = [r for r in replies if len(r.get("buttons") or []) == 5]
    assert len(asked) == 1, replies_json(replies)
    four = asked[0]["buttons"][1]["payload"]
    assert four == '/inform{"rating_score":"4"}'
    comment = servers.chat(sender, four)
    assert [b["payload"] for b in comment[-1].get("buttons") or []] == ["/deny"], replies_json(
        comment
    )
    thanks = servers.texts(sender, "回答很快，很清楚")
    assert "感谢" in thanks
    assert _ratings(servers, sender) == [("bot", 4, "回答很快，很清楚")]
    again = servers.chat(sender, "谢谢")
    assert not [r for r in again if len(r.get("buttons") or []) == 5], replies_json(again)

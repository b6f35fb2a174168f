"""Which bot messages a reopened widget is sent again (channels/catchup.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.catchup import MAX_MISSED, missed_messages, parse_since, send_missed
from channels.commands import OfferedPayloads

NOW = 1_800_000_000.0


def user(intent: str, at: float) -> dict[str, Any]:
    return {"event": "user", "timestamp": at, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, at: float, **data: Any) -> dict[str, Any]:
    return {"event": "bot", "timestamp": at, "text": text, "data": data, "metadata": {}}


EVENTS = [
    user("greet", NOW - 900),
    bot("hi", NOW - 899),
    user("EXTERNAL_order_shipped", NOW - 600),
    bot("shipped", NOW - 600, buttons=[{"title": "ok", "payload": "/thank"}]),
    {"event": "pause", "timestamp": NOW - 300},
    {"event": "bot", "timestamp": NOW - 100, "text": "agent", "data": {},
     "metadata": {"agent_name": "小美"}},
]  # fmt: skip


def test_with_a_transcript_every_later_bot_message_comes_back() -> None:
    texts = [m["text"] for m in missed_messages(EVENTS, NOW - 700, NOW)]
    assert texts == ["shipped", "agent"]
    assert missed_messages(EVENTS, NOW - 100, NOW)[0] == {"text": "agent", "agent_name": "小美"}
    assert missed_messages(EVENTS, NOW, NOW) == []


def test_the_clock_margin_repeats_a_message_just_before_since() -> None:
    # the widget drops those it already shows
    assert [m["text"] for m in missed_messages(EVENTS, NOW - 101, NOW)] == ["agent"]
    assert [m["text"] for m in missed_messages(EVENTS, NOW - 98.5, NOW)] == ["agent"]
    assert missed_messages(EVENTS, NOW - 97, NOW) == []


def test_without_a_transcript_only_recent_shop_messages_come_back() -> None:
    assert missed_messages(EVENTS, None, NOW) == [
        {"text": "shipped", "buttons": [{"title": "ok", "payload": "/thank"}]}
    ]
    assert missed_messages(EVENTS, None, NOW + 8 * 86400) == []


def test_at_most_the_latest_thirty() -> None:
    many = [bot(str(n), NOW - 100 + n) for n in range(50)]
    assert [m["text"] for m in missed_messages(many, NOW - 1000, NOW)] == [
        str(n) for n in range(50 - MAX_MISSED, 50)
    ]


def test_since_is_a_plausible_number() -> None:
    assert parse_since(time.time() - 5) is not None
    assert [parse_since(v) for v in ("1", None, True, -1, 10**12)] == [None] * 5


class Store:
    async def retrieve_full_tracker(self, sender_id: str) -> Any:
        from rasa.shared.core.events import BotUttered, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = DialogueStateTracker(sender_id, [])
        tracker.update(UserUttered(intent={"name": "EXTERNAL_order_shipped"}, timestamp=NOW))
        tracker.update(
            BotUttered("shipped", {"buttons": [{"title": "ok", "payload": "/x"}]}, timestamp=NOW)
        )
        return tracker


class App:
    class ctx:  # noqa: N801 (Sanic's attribute name)
        class agent:  # noqa: N801
            tracker_store = Store()


class Output:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send_response(self, recipient: str, message: dict[str, Any]) -> None:
        self.sent.append((recipient, message))


def test_send_missed_replays_to_one_socket_and_remembers_the_buttons() -> None:
    output, offered = Output(), OfferedPayloads()
    count = asyncio.run(send_missed(output, "sid-1", "buyer-B1", NOW - 10, [App()], offered))
    assert count == 1 and output.sent[0][0] == "sid-1"
    assert output.sent[0][1]["text"] == "shipped"
    assert offered.screen("buyer-B1", "/x") == "/x"


def test_send_missed_without_an_agent_sends_nothing() -> None:
    output = Output()
    assert asyncio.run(send_missed(output, "s", "c", None, [], OfferedPayloads())) == 0
    assert output.sent == []

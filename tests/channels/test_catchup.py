"""Which bot messages a reopened widget is sent again (channels/catchup.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.catchup import (
    HISTORY_EVENT,
    MAX_HISTORY,
    MAX_MISSED,
    history,
    missed_messages,
    parse_since,
    send_missed,
)
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
    texts = [m["text"] for m in missed_messages(EVENTS, NOW - 700)]
    assert texts == ["shipped", "agent"]
    assert missed_messages(EVENTS, NOW - 100)[0] == {"text": "agent", "agent_name": "小美"}
    assert missed_messages(EVENTS, NOW) == []


def test_the_clock_margin_repeats_a_message_just_before_since() -> None:
    # the widget drops those it already shows
    assert [m["text"] for m in missed_messages(EVENTS, NOW - 101)] == ["agent"]
    assert [m["text"] for m in missed_messages(EVENTS, NOW - 98.5)] == ["agent"]
    assert missed_messages(EVENTS, NOW - 97) == []


def test_at_most_the_latest_thirty() -> None:
    many = [bot(str(n), NOW - 100 + n) for n in range(50)]
    assert [m["text"] for m in missed_messages(many, NOW - 1000)] == [
        str(n) for n in range(50 - MAX_MISSED, 50)
    ]


def said(text: str, at: float, intent: str = "ask_size") -> dict[str, Any]:
    return {**user(intent, at), "text": text}


def test_history_shows_what_the_buyer_typed_clicked_and_sent() -> None:
    events = [
        said("我的订单到哪了", NOW - 60),
        bot("哪一单？", NOW - 59, buttons=[{"title": "订单 2026", "payload": '/choose{"o":"1"}'}]),
        {"event": "action", "timestamp": NOW - 59, "name": "action_listen"},
        said('/choose{"o":"1"}', NOW - 50, "choose"),
        bot("已发货", NOW - 49),
        said('/send_photo{"photo_id":7}', NOW - 40, "send_photo"),
        bot("收到照片", NOW - 39),
    ]
    assert history(events, NOW) == [
        {"k": "user", "text": "我的订单到哪了"},
        {"k": "bot", "message": {"text": "哪一单？", "buttons": [
            {"title": "订单 2026", "payload": '/choose{"o":"1"}'}]}},
        {"k": "user", "text": "订单 2026"},
        {"k": "bot", "message": {"text": "已发货"}},
        {"k": "user", "photo": {"id": 7}},
        {"k": "bot", "message": {"text": "收到照片"}},
    ]  # fmt: skip


def test_history_hides_what_the_buyer_did_not_type() -> None:
    events = [
        bot("hi", NOW - 30, buttons=[{"title": "ok", "payload": "/thank"}]),
        said("/thank", NOW - 29, "thank"),  # clicked: shown by its title
        said("/thank", NOW - 28, "thank"),  # no button offered since: a stale command
        said("/send_photo{oops", NOW - 27, "send_photo"),
        said("/send_photo{}", NOW - 26, "send_photo"),
        {**user("EXTERNAL_order_shipped", NOW - 20), "text": "/EXTERNAL_order_shipped"},
        said("   ", NOW - 10),
    ]
    assert history(events, NOW) == [
        {"k": "bot", "message": {"text": "hi", "buttons": [{"title": "ok", "payload": "/thank"}]}},
        {"k": "user", "text": "ok"},
    ]


def test_history_is_the_last_week_and_at_most_forty_items() -> None:
    assert [item["k"] for item in history(EVENTS, NOW + 8 * 86400)] == []
    old_and_new = [said("旧", NOW - 8 * 86400)] + [said(str(n), NOW + n) for n in range(50)]
    texts = [item["text"] for item in history(old_and_new, NOW + 60)]
    assert texts == [str(n) for n in range(50 - MAX_HISTORY, 50)]


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

    async def render(self, message: dict[str, Any]) -> list[Any]:
        return [{"text": message["text"]}, {"quick_replies": message.get("buttons")}]

    async def emit_to(self, recipient: str, event: str, data: Any) -> None:
        self.sent.append((recipient, {event: data}))


def test_send_missed_replays_to_one_socket_and_remembers_the_buttons() -> None:
    output, offered = Output(), OfferedPayloads()
    since = time.time() - 10  # NOW is later still: the message is newer
    count = asyncio.run(send_missed(output, "sid-1", "buyer-B1", since, [App()], offered))
    assert count == 1 and output.sent[0][0] == "sid-1"
    assert output.sent[0][1]["text"] == "shipped"
    assert offered.screen("buyer-B1", "/x") == "/x"


def test_a_widget_without_since_gets_one_history_event() -> None:
    output, offered = Output(), OfferedPayloads()
    count = asyncio.run(send_missed(output, "sid-1", "buyer-B1", None, [App()], offered))
    assert count == 2
    assert output.sent == [("sid-1", {HISTORY_EVENT: {"entries": [
        {"k": "bot", "msg": {"text": "shipped"}},
        {"k": "bot", "msg": {"quick_replies": [{"title": "ok", "payload": "/x"}]}},
    ]}})]  # fmt: skip
    assert offered.screen("buyer-B1", "/x") == "/x"


class TalkStore:
    async def retrieve_full_tracker(self, sender_id: str) -> Any:
        from rasa.shared.core.events import BotUttered, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        at = time.time() - 60
        buttons = [{"title": "旧", "payload": "/old"}]
        tracker = DialogueStateTracker(sender_id, [])
        tracker.update(BotUttered("选一个", {"buttons": buttons}, timestamp=at))
        tracker.update(UserUttered("你好", intent={"name": "greet"}, timestamp=at + 1))
        tracker.update(
            BotUttered("您好", {"buttons": [{"title": "新", "payload": "/new"}]}, timestamp=at + 2)
        )
        return tracker


def test_history_offers_again_only_the_buttons_after_the_last_buyer_message() -> None:
    class TalkApp:
        class ctx:  # noqa: N801
            class agent:  # noqa: N801
                tracker_store = TalkStore()

    offered = OfferedPayloads()
    assert asyncio.run(send_missed(Output(), "s", "buyer-B2", None, [TalkApp()], offered)) == 5
    assert offered.screen("buyer-B2", "/new") == "/new"
    assert offered.screen("buyer-B2", "/old") != "/old"  # answered long ago: plain text now


def test_send_missed_without_an_agent_sends_nothing() -> None:
    output = Output()
    assert asyncio.run(send_missed(output, "s", "c", None, [], OfferedPayloads())) == 0
    assert output.sent == []

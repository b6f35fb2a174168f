"""The web widget's Socket.IO channel against the real assistant (trained model)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shop.identity import issue_token
from tests.channels.widget import Widget
from tests.e2e.conftest import Servers

B006_DELIVERED = "2026102837219872"  # B006 has two orders; no other test returns it


@pytest.fixture()
def widget(servers: Servers) -> Iterator[Widget]:
    """A widget connected to the running Rasa server."""
    client = Widget(servers.rasa_url)
    yield client
    client.close()


def _texts(replies: list[Any]) -> str:
    return "\n".join(r.get("text", "") for r in replies if isinstance(r, dict))


def test_greeting_and_typed_restart_stays_text(servers: Servers, widget: Widget) -> None:
    sender = widget.start().split(".")[1]
    assert "您好" in _texts(widget.turn("亲 在吗"))
    widget.turn("/restart")
    events = servers.tracker(sender)["events"]
    assert not [e for e in events if e["event"] == "restart"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts == ["亲 在吗", "∕restart"]


def test_buyer_clicks_an_offered_order_button(servers: Servers, widget: Widget) -> None:
    token = issue_token("B006")
    assert widget.start(token=token).startswith("v1.buyer-B006.")
    choose = widget.turn("帮我查一下订单", {"buyer_token": token})  # two orders, none moving
    assert "哪一笔" in _texts(choose)
    payloads = [q["payload"] for r in choose for q in r.get("quick_replies", [])]
    (button,) = [p for p in payloads if B006_DELIVERED in p]
    assert "签收" in _texts(widget.turn(button, {"buyer_token": token}))
    events = servers.tracker("buyer-B006")["events"]
    clicked = [e for e in events if e["event"] == "user"][-1]
    assert clicked["text"] == button
    metadata = clicked["metadata"]
    assert metadata["buyer_token"] == token
    assert set(metadata) - {"assistant_id", "model_id"} == {"buyer_token"}  # Rasa adds those


def test_another_browser_of_the_buyer_gets_the_conversation_so_far(
    servers: Servers, widget: Widget
) -> None:
    token = issue_token("B025")  # no other test talks as B025
    widget.start(token=token)
    asked = widget.turn("退货运费谁出呀", {"buyer_token": token})
    assert asked
    assert [name for name, _ in widget.seen if name == "bot_history"] == []  # nothing before
    second = Widget(servers.rasa_url)
    guest = Widget(servers.rasa_url)
    try:
        assert second.start(token=token).startswith("v1.buyer-B025.")
        entries = second.next("bot_history")["entries"]
        assert entries[0] == {"k": "user", "text": "退货运费谁出呀"}
        assert [e["msg"] for e in entries if e["k"] == "bot"] == asked
        guest.start()  # a new guest: no history, and never another buyer's
        assert [name for name, _ in guest.drain(1.0)] == []
    finally:
        second.close()
        guest.close()

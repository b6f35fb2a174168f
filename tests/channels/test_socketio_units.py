"""Unit tests of the widget channel's parts: no server, no trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.run import create_http_input_channels
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from channels.commands import OfferedPayloads, defuse, looks_like_command
from channels.session import SessionSigner, bind_session, clean_metadata
from channels.socketio import ShopSocketIOInput
from channels.socketio_output import ShopSocketIOOutput
from nlu_components.chinese_normalizer import normalize_text

ROOT = Path(__file__).resolve().parents[2]
SECRET = "unit-test-secret-unit-test-secret"


def _buyers(token: Any) -> str | None:
    return {"tok-b1": "B001", "tok-b2": "B002"}.get(token) if isinstance(token, str) else None


class FakeServer:
    """Stands in for python-socketio >= 5.10, whose room methods are coroutines."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[str]] = {}
        self.emitted: list[tuple[str, Any, str | None]] = []

    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.setdefault(sid, set()).add(room)

    async def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms[sid].discard(room)

    async def emit(self, event: str, data: Any = None, room: str | None = None, **_: Any) -> None:
        self.emitted.append((event, data, room))


@pytest.fixture()
def channel() -> ShopSocketIOInput:
    """The channel with a fake Socket.IO server and a fake token check."""
    channel = ShopSocketIOInput(session_secret=SECRET, verify_buyer=_buyers)
    channel.sio = FakeServer()
    return channel


async def test_coroutine_enter_room_is_awaited(channel: ShopSocketIOInput) -> None:
    fake: Any = channel.sio
    await channel.session_request("sid-1", {"session_id": None, "buyer_token": "tok-b1"})
    assert fake.rooms == {"sid-1": {"buyer-B001"}}
    await channel.session_request("sid-1", {"session_id": None, "buyer_token": "tok-b2"})
    assert fake.rooms == {"sid-1": {"buyer-B002"}}  # left the first buyer's room
    event, data, room = fake.emitted[-1]
    assert (event, room) == ("session_confirm", "sid-1")
    assert SessionSigner(SECRET).verify(data["session_id"]) == "buyer-B002"


async def test_messages_use_the_bound_sender(channel: ShopSocketIOInput) -> None:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    await channel.session_request("sid-1", {"buyer_token": "tok-b1"})
    data = {
        "message": "/restart",
        "session_id": "buyer-B002",
        "metadata": {"buyer_token": "tok-b1"},
    }
    await channel.user_message("sid-1", data, on_new_message)
    (message,) = received
    assert (message.sender_id, message.text) == ("buyer-B001", "∕restart")
    assert message.metadata == {"buyer_token": "tok-b1"}
    assert isinstance(message.output_channel, ShopSocketIOOutput)


async def test_custom_json_is_sent_as_it_is_and_buttons_remembered() -> None:
    fake = FakeServer()
    offered = OfferedPayloads()
    output = ShopSocketIOOutput(fake, "bot_uttered", offered)
    card = {"type": "product_card", "product_id": "P003", "room": "someone-else"}
    await output.send_custom_json("anon-1", card)
    await output.send_text_with_buttons("anon-1", "选", [{"title": "是", "payload": "/affirm"}])
    assert fake.emitted[0] == ("bot_uttered", card, "anon-1")
    assert offered.screen("anon-1", "/affirm") == "/affirm"


def test_session_ids_are_signed_and_checked() -> None:
    signer = SessionSigner(SECRET)
    session_id = signer.sign("anon-abc")
    assert signer.verify(session_id) == "anon-abc"
    assert signer.verify(signer.sign("buyer-B.1")) == "buyer-B.1"
    for bad in (
        "anon-abc",
        session_id[:-1] + ("A" if session_id[-1] != "A" else "B"),
        session_id.replace("anon-abc", "anon-abd"),
        SessionSigner("another-secret").sign("anon-abc"),
        session_id + "x" * 600,
        None,
        123,
        "",
    ):
        assert signer.verify(bad) is None


def test_binding_rules() -> None:
    signer = SessionSigner(SECRET)
    anonymous = bind_session(signer, None, None, _buyers)
    assert anonymous.sender_id.startswith("anon-") and anonymous.buyer_id is None
    assert bind_session(signer, anonymous.session_id, None, _buyers) == anonymous
    assert bind_session(signer, anonymous.session_id, "tok-b1", _buyers).sender_id == "buyer-B001"
    buyer = bind_session(signer, None, "tok-b1", _buyers)
    assert bind_session(signer, buyer.session_id, "tok-b2", _buyers).sender_id == "buyer-B002"
    assert bind_session(signer, buyer.session_id, None, _buyers).sender_id.startswith("anon-")
    fresh = bind_session(signer, anonymous.sender_id, None, _buyers)
    assert fresh.sender_id != anonymous.sender_id


def test_metadata_keeps_only_token_and_sane_product_id() -> None:
    raw = {"buyer_token": "x", "product_id": "P-0_3", "is_admin": True}
    assert clean_metadata(raw, "x") == {"buyer_token": "x", "product_id": "P-0_3"}
    assert clean_metadata(raw, None) == {"product_id": "P-0_3"}
    assert clean_metadata({"product_id": "../P1"}, None) == {}
    assert clean_metadata("not a dict", None) == {}


@pytest.mark.parametrize(
    "typed",
    ["/restart", "／restart", " \u3000/restart", '/inform{"order_id":"1"}', "//stop", "／／"],
)
def test_defused_text_is_no_command_after_the_projects_pipeline(typed: str) -> None:
    # What Rasa's RegexMessageHandler would see after the ChineseNormalizer.
    def unpacked(text: str) -> Message:
        return YAMLStoryReader.unpack_regex_message(Message({"text": normalize_text(text)}))

    assert looks_like_command(typed)
    assert unpacked(typed).get("intent")  # the hazard: a command, even with "／"
    safe = defuse(typed)
    assert not looks_like_command(safe)
    assert not unpacked(safe).get("intent")


def test_plain_text_is_left_alone() -> None:
    offered = OfferedPayloads()
    for text in ("你好", "尺码 40/41 哪个好", "  退货 "):
        assert offered.screen("anon-1", text) == text


def test_offered_payloads_expire_and_stay_bounded() -> None:
    offered = OfferedPayloads(messages=2, conversations=2)
    offered.remember("a", {"text": "选", "quick_replies": [{"payload": "/affirm"}]})
    assert offered.screen("a", " /affirm ") == "/affirm"
    offered.remember("a", {"text": "好的"})
    offered.remember("a", {"text": "还有吗"})
    assert offered.screen("a", "/affirm") == "∕affirm"  # no longer among the recent messages
    offered.remember("b", {"buttons": [{"payload": "/deny"}]})
    offered.remember("c", {"text": "x"})
    offered.remember("d", {"text": "y"})
    assert offered.screen("b", "/deny") == "∕deny"  # forgotten: least recently used


def test_credentials_yml_loads_the_channel() -> None:
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    (socketio_channel,) = [c for c in channels if isinstance(c, ShopSocketIOInput)]
    assert [c.name() for c in channels] == ["rest", "socketio", "metrics"]
    assert channels[-1].url_prefix() == "/"  # GET /metrics at the server's root
    assert socketio_channel.user_message_evt == "user_uttered"
    assert socketio_channel.bot_message_evt == "bot_uttered"
    assert socketio_channel.socketio_path == "/socket.io"
    assert socketio_channel.url_prefix() == "socketio"  # served under /webhooks/socketio

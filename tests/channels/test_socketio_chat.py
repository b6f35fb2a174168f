"""The widget channel against a real Socket.IO server (``echo_server.py``)."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from rasa_ext.resilience import APOLOGY_TEXT
from tests.channels.conftest import EchoServer, buyer_token

# Fix 1: replies reach the client (python-socketio's enter_room is awaited).


def test_reply_reaches_the_client(server: EchoServer) -> None:
    widget = server.widget()
    session_id = widget.start()
    assert session_id.startswith("v1.anon-")
    widget.send("你好")
    assert widget.next("bot_uttered") == {"text": "收到：你好"}
    echo = widget.echo()
    assert echo["sender_id"] == session_id.split(".")[1]
    assert echo["input_channel"] == "socketio"


def test_reply_reaches_the_client_over_websocket_only(server: EchoServer) -> None:
    widget = server.widget(transports=["websocket"])
    widget.start()
    widget.send("在吗")
    assert widget.echo()["text"] == "在吗"


def test_buttons_and_images_keep_rasas_shape(server: EchoServer) -> None:
    widget = server.widget()
    widget.start()
    widget.send("给我按钮")
    assert widget.next("bot_uttered") == {
        "text": "请选择",
        "quick_replies": [
            {"content_type": "text", "title": "重新开始", "payload": "/restart"},
            {"content_type": "text", "title": "订单1", "payload": '/inform{"order_id":"1"}'},
        ],
    }
    widget.send("图片")
    assert widget.next("bot_uttered") == {
        "attachment": {"type": "image", "payload": {"src": "https://example.com/shoe.png"}}
    }


# Fix 2: the server, not the client, picks the conversation.


def test_copied_or_forged_session_id_gets_a_new_conversation(server: EchoServer) -> None:
    victim = server.widget()
    victim_session = victim.start()
    victim_sender = victim_session.split(".")[1]
    attacker = server.widget()
    for claim in (
        victim_sender,  # the bare conversation id
        victim_session[:-4] + "AAAA",  # a forged signature
        victim_session.replace("v1.", "v2.", 1),
        {"nested": victim_session},
    ):
        got = attacker.start(session_id=claim)  # type: ignore[arg-type]
        assert got != victim_session and victim_sender not in got
    attacker.send("我是谁", session_id=victim_session)  # the message's session_id is ignored
    assert attacker.echo()["sender_id"] != victim_sender
    victim.send("我的订单")
    assert victim.echo()["sender_id"] == victim_sender
    assert not [e for e in attacker.drain() if e[0] == "bot_uttered"]


def test_own_signed_session_resumes_after_reconnect(server: EchoServer) -> None:
    first = server.widget()
    session_id = first.start()
    first.close()
    again = server.widget()
    assert again.start(session_id=session_id) == session_id
    other_tab = server.widget()
    assert other_tab.start(session_id=session_id) == session_id
    again.send("继续")
    assert again.echo()["sender_id"] == session_id.split(".")[1]
    assert other_tab.echo()["text"] == "继续"  # every socket of the conversation hears it


def test_buyer_token_binds_one_conversation_across_devices(server: EchoServer) -> None:
    phone = server.widget()
    session_id = phone.start(token=buyer_token("B001"))
    assert session_id.startswith("v1.buyer-B001.")
    laptop = server.widget()
    assert laptop.start(token=buyer_token("B001")) == session_id
    laptop.send("查订单", metadata={"buyer_token": buyer_token("B001")})
    assert laptop.echo()["sender_id"] == "buyer-B001"
    assert phone.echo()["text"] == "查订单"


def test_other_buyer_cannot_join_with_the_first_buyers_session_id(server: EchoServer) -> None:
    owner = server.widget()
    owner_session = owner.start(token=buyer_token("B001"))
    intruder = server.widget()
    assert intruder.start(owner_session, buyer_token("B002")).startswith("v1.buyer-B002.")
    logged_out = server.widget()  # a buyer's session id needs that buyer's token
    assert logged_out.start(owner_session).startswith("v1.anon-")
    expired = server.widget()
    assert expired.start(owner_session, buyer_token("B001", hours=-1)).startswith("v1.anon-")
    owner.send("地址", metadata={"buyer_token": buyer_token("B001")})
    assert owner.echo()["sender_id"] == "buyer-B001"
    for widget in (intruder, logged_out, expired):
        assert not [e for e in widget.drain(0.1) if e[0] == "bot_uttered"]


def test_message_from_another_buyer_is_rejected(server: EchoServer) -> None:
    widget = server.widget()
    widget.start(token=buyer_token("B001"))
    for metadata in ({"buyer_token": buyer_token("B002")}, {}, {"buyer_token": "forged"}):
        widget.send("你好", metadata=metadata)
        assert widget.next("error") == {"code": "buyer_changed"}
    anonymous = server.widget()
    anonymous.start()
    anonymous.send("登录了", metadata={"buyer_token": buyer_token("B003")})
    assert anonymous.next("error") == {"code": "buyer_changed"}
    assert anonymous.start(token=buyer_token("B003")).startswith("v1.buyer-B003.")


# Fix 3: typed slash commands are text; offered buttons are commands.


def test_typed_commands_reach_nlu_as_text(server: EchoServer) -> None:
    widget = server.widget()
    widget.start()
    for typed, expected in (
        ("/restart", "∕restart"),
        ('/inform{"order_id":"1"}', '∕inform{"order_id":"1"}'),
        ("  ／restart", "∕restart"),
        ("/session_start", "∕session_start"),
    ):
        widget.send(typed)
        assert widget.echo()["text"] == expected


def test_payload_of_an_offered_button_passes_as_command(server: EchoServer) -> None:
    widget = server.widget()
    widget.start()
    widget.send("给我按钮")
    widget.next("bot_uttered")
    widget.send('/inform{"order_id":"1"}')
    assert widget.echo()["text"] == '/inform{"order_id":"1"}'
    widget.send("/restart")
    assert widget.echo()["text"] == "/restart"
    widget.send('/inform{"order_id":"2"}')  # not what the button said
    assert widget.echo()["text"] == '∕inform{"order_id":"2"}'
    stranger = server.widget()  # buttons are offered per conversation
    stranger.start()
    stranger.send("/restart")
    assert stranger.echo()["text"] == "∕restart"


# The rest of the protocol.


def test_only_buyer_token_and_product_id_pass_as_metadata(server: EchoServer) -> None:
    token = buyer_token("B004")
    widget = server.widget()
    widget.start(token=token)
    metadata = {"buyer_token": token, "product_id": "P003", "buyer_id": "B001", "role": "admin"}
    widget.send("这款是真皮吗", metadata=metadata)
    assert widget.echo()["metadata"] == {"buyer_token": token, "product_id": "P003"}
    for bad in ("P" * 33, "P003;drop", 3, None):
        widget.send("还有吗", metadata={"buyer_token": token, "product_id": bad})
        assert widget.echo()["metadata"] == {"buyer_token": token}
    anonymous = server.widget()
    anonymous.start()
    anonymous.send("你好", metadata={"buyer_token": "not-a-jwt", "product_id": "P001"})
    assert anonymous.echo()["metadata"] == {"product_id": "P001"}


def test_message_before_session_request_is_refused(server: EchoServer) -> None:
    widget = server.widget()
    widget.send("你好", session_id="v1.anon-whatever.sig")
    assert widget.next("error") == {"code": "no_session"}


def test_empty_messages_are_ignored_and_long_ones_cut(server: EchoServer) -> None:
    widget = server.widget()
    sender = widget.start().split(".")[1]
    for empty in ("", "   \n\t", None, 42):
        widget.send(empty)
    widget.send("好" * 2500)
    echo = widget.echo()
    assert echo["text"] == "好" * 2000
    assert [m["text"] for m in server.received() if m["sender_id"] == sender] == ["好" * 2000]
    first_reply = next(data for name, data in widget.seen if name == "bot_uttered")
    assert first_reply == {"text": "收到：" + "好" * 2000}


def test_fast_senders_are_slowed_down(server: EchoServer) -> None:
    widget = server.widget()
    widget.start()
    for i in range(15):
        widget.send(f"第{i}条")
    assert widget.next("error") == {"code": "rate_limited"}


def test_agent_push_reaches_every_socket_of_the_conversation(server: EchoServer) -> None:
    phone, laptop = server.widget(), server.widget()
    session_id = phone.start(token=buyer_token("B005"))
    laptop.start(token=buyer_token("B005"))
    reply = requests.post(
        f"{server.url}/push/buyer-B005",
        params={"output_channel": "socketio"},
        json={"text": "客服小李：您好，我来跟进"},
        timeout=5,
    )
    assert reply.json() == {"channel": "ShopSocketIOOutput"}
    for widget in (phone, laptop):
        assert widget.next("bot_uttered") == {"text": "客服小李：您好，我来跟进"}
    assert session_id.startswith("v1.buyer-B005.")


def test_health_route(server: EchoServer) -> None:
    reply = requests.get(f"{server.url}/webhooks/socketio/health", timeout=5)
    assert reply.json() == {"status": "ok"}


# A failure inside Rasa is answered, counted and never silent.


def _channel_errors(server: EchoServer) -> float:
    text = requests.get(f"{server.url}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "shop_channel_errors_total" and sample.labels == {
                "channel": "socketio"
            }:
                return sample.value
    return 0.0


def test_a_failure_inside_rasa_gets_the_apology_and_is_counted(server: EchoServer) -> None:
    widget = server.widget()
    widget.start()
    before = _channel_errors(server)
    widget.send("炸了")
    reply = widget.next("bot_uttered")
    assert reply["text"] == APOLOGY_TEXT
    assert reply["quick_replies"][0]["payload"] == "/request_human"
    assert _channel_errors(server) == before + 1
    widget.send("在吗")  # the conversation goes on
    assert widget.echo()["text"] == "在吗"

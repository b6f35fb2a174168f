"""A Sanic app with the widget channel and an echoing stand-in for the Rasa agent.

``python -m tests.channels.echo_server PORT`` serves it; the tests drive it with
real Socket.IO clients. The channel is wired exactly as ``rasa run`` wires input
channels (``rasa.core.channels.channel.register``), and ``POST /push/<sender>``
sends through ``rasa.server._get_output_channel`` as the HTTP API's
``output_channel=socketio`` does.
"""

from __future__ import annotations

import sys
from typing import Any

from rasa.core.channels.channel import UserMessage, register
from rasa.server import _get_output_channel
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.metrics import MetricsEndpoint
from channels.socketio import ShopSocketIOInput

BUTTONS = [
    {"title": "重新开始", "payload": "/restart"},
    {"title": "订单1", "payload": '/inform{"order_id":"1"}'},
]


class EchoAgent:
    """Answers every message with a text and a custom payload describing it; 炸了 raises."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def handle_message(self, message: UserMessage) -> None:
        """Records the message and echoes it back through its output channel."""
        seen = {
            "text": message.text,
            "sender_id": message.sender_id,
            "metadata": message.metadata,
            "input_channel": message.input_channel,
        }
        self.received.append(seen)
        out, sender = message.output_channel, message.sender_id
        if message.text == "炸了":
            raise RuntimeError("the agent failed")
        if message.text == "给我按钮":
            await out.send_text_with_buttons(sender, "请选择", BUTTONS)
        elif message.text == "图片":
            await out.send_image_url(sender, "https://example.com/shoe.png")
        else:
            await out.send_text_message(sender, f"收到：{message.text}")
            await out.send_custom_json(sender, {"echo": seen})


def build_app(credentials: dict[str, Any]) -> Sanic:
    """The test app with the channel under ``/webhooks/socketio``."""
    app = Sanic("shop_socketio_echo")
    agent = EchoAgent()
    app.ctx.agent = agent
    channels = [ShopSocketIOInput.from_credentials(credentials), MetricsEndpoint()]
    register(channels, app, route="/webhooks/")

    @app.post("/push/<sender_id>")
    async def push(request: Request, sender_id: str) -> HTTPResponse:
        output = _get_output_channel(request, None)
        await output.send_text_message(sender_id, request.json["text"])
        return response.json({"channel": type(output).__name__})

    @app.get("/received")
    async def received(_: Request) -> HTTPResponse:
        return response.json(agent.received)

    return app


CREDENTIALS = {
    "user_message_evt": "user_uttered",
    "bot_message_evt": "bot_uttered",
    "session_persistence": True,
    "socketio_path": "/socket.io",
    "session_secret_env": "SHOP_SECRET",
}

if __name__ == "__main__":
    build_app(CREDENTIALS).run(
        host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False
    )

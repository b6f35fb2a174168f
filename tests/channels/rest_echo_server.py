"""A Sanic app with the shop's REST channel and an echoing stand-in for the agent.

``python -m tests.channels.rest_echo_server PORT`` serves it, wired as ``rasa run``
wires input channels (``/metrics`` too); settings (limits, JWT secret, REST token,
demo mode) come from the environment.
"""

from __future__ import annotations

import sys
from typing import Any

from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.metrics import MetricsEndpoint
from channels.rest import ShopRestInput

BUTTONS = [{"title": "订单1", "payload": '/inform{"order_id":"1"}'}]


class EchoAgent:
    """Echoes every message; offers a button on 给我按钮; fails on 炸了 (quoting the text)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def handle_message(self, message: UserMessage) -> None:
        """Records the message and answers through its output channel."""
        self.received.append(
            {"text": message.text, "metadata": message.metadata, "message_id": message.message_id}
        )
        out, sender = message.output_channel, message.sender_id
        if message.text.startswith("炸了"):
            raise RuntimeError(f"the agent failed on {message.text!r}")
        if message.text == "给我按钮":
            await out.send_text_with_buttons(sender, "请选择", BUTTONS)
        else:
            await out.send_text_message(sender, f"收到：{message.text}")


def build_app() -> Sanic:
    """The test app with the channel under ``/webhooks/rest``."""
    app = Sanic("shop_rest_echo")
    agent = EchoAgent()
    app.ctx.agent = agent
    register([ShopRestInput(), MetricsEndpoint()], app, route="/webhooks/")

    @app.get("/received")
    async def received(_: Request) -> HTTPResponse:
        return response.json(agent.received)

    return app


if __name__ == "__main__":
    build_app().run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False)

"""The widget's Socket.IO output: replies to the conversation's room, offered buttons kept.

A human agent's text (event metadata ``agent_name``) reaches the widget with the
name; a custom payload is sent as it is.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.socketio import SocketIOOutput
from socketio import AsyncServer

from channels.commands import OfferedPayloads

MAX_AGENT_NAME_CHARS = 30


class ShopSocketIOOutput(SocketIOOutput):
    """Sends to the room named by the conversation id; remembers offered buttons."""

    def __init__(
        self,
        sio: AsyncServer,
        bot_message_evt: str,
        offered: OfferedPayloads,
        namespace: str | None = None,
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self.offered = offered
        self.namespace = namespace
        self._rendered: list[Any] | None = None

    async def render(self, message: dict[str, Any]) -> list[Any]:
        """The widget messages ``send_response`` would emit for ``message``, unsent."""
        self._rendered = []
        try:
            await self.send_response("", dict(message))
            return self._rendered
        finally:
            self._rendered = None

    async def emit_to(self, socket_id: str, event: str, data: Any) -> None:
        """Emits ``event`` to one socket or conversation room."""
        await self.sio.emit(event, data, room=socket_id, namespace=self.namespace)

    async def _send_message(self, socket_id: str, response: Any) -> None:
        """Emits one bot message to every socket of conversation ``socket_id``."""
        if self._rendered is not None:
            self._rendered.append(response)
            return
        if isinstance(response, dict):
            self.offered.remember(socket_id, response)
        await self.sio.emit(
            self.bot_message_evt, response, room=socket_id, namespace=self.namespace
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends a text; a human agent's (metadata ``agent_name``) carries the name."""
        agent_name = kwargs.get("agent_name")
        if not isinstance(agent_name, str) or not agent_name.strip():
            await super().send_text_message(recipient_id, text, **kwargs)
            return
        name = agent_name.strip()[:MAX_AGENT_NAME_CHARS]
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, "agent_name": name})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends a custom payload as it is (Rasa 3.6 spread it into ``emit``'s arguments)."""
        await self._send_message(recipient_id, dict(json_message))

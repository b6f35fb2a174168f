"""A Socket.IO client that speaks the web widget's protocol, for tests."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import Any

import socketio


class Widget:
    """A Socket.IO client speaking the widget protocol, recording what it receives."""

    def __init__(self, url: str, transports: list[str] | None = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.seen: list[tuple[str, Any]] = []
        self.sio = socketio.Client(reconnection=False)
        for event in ("session_confirm", "bot_uttered", "bot_missed", "bot_history", "error"):
            self.sio.on(event, self._recorder(event))
        self.sio.connect(url, socketio_path="/socket.io", transports=transports, wait_timeout=5)

    def _recorder(self, event: str) -> Callable[[Any], None]:
        def record(data: Any = None) -> None:
            self.events.put((event, data))

        return record

    def next(self, event: str, timeout: float = 5) -> Any:
        """The next ``event`` received; other events are kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                name, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {event} within {timeout}s; seen {self.seen}") from None
            self.seen.append((name, data))
            if name == event:
                return data

    def drain(self, wait: float = 0.3) -> list[tuple[str, Any]]:
        """Everything that arrives within ``wait`` seconds."""
        time.sleep(wait)
        got = []
        while not self.events.empty():
            got.append(self.events.get_nowait())
        self.seen.extend(got)
        return got

    def start(self, session_id: str | None = None, token: str | None = None) -> str:
        """Sends ``session_request`` and returns the confirmed session id."""
        self.sio.emit("session_request", {"session_id": session_id, "buyer_token": token})
        return self.next("session_confirm")["session_id"]

    def send(self, message: Any, metadata: Any = None, session_id: str | None = None) -> None:
        """Emits ``user_uttered`` as the widget does."""
        data = {"message": message, "session_id": session_id, "metadata": metadata or {}}
        self.sio.emit("user_uttered", data)

    def echo(self, timeout: float = 5) -> dict[str, Any]:
        """What the echo agent received for the next echoed message."""
        while True:
            data = self.next("bot_uttered", timeout)
            if isinstance(data, dict) and "echo" in data:
                return data["echo"]

    def turn(
        self, message: str, metadata: Any = None, timeout: float = 60, quiet: float = 1.5
    ) -> list[Any]:
        """Sends ``message`` and returns the bot messages of the reply, once they stop."""
        self.send(message, metadata)
        replies = [self.next("bot_uttered", timeout)]
        while True:
            try:
                name, data = self.events.get(timeout=quiet)
            except queue.Empty:
                return replies
            self.seen.append((name, data))
            if name == "bot_uttered":
                replies.append(data)

    def close(self) -> None:
        """Disconnects."""
        self.sio.disconnect()

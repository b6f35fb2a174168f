"""Action calls carry only new events; the action server still sees every event.

Real rasa_sdk servers (``python -m rasa_sdk``) with and without the event cache
(``actions/event_cache.py``), called through Rasa's ``RemoteAction`` with the patch of
``rasa_ext/long_conversations/`` installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import channels  # noqa: F401 - installs the patch, as the Rasa server does
from actions.event_cache import EventCache, take
from rasa_ext.long_conversations import log as lc_log
from tests.channels.plain_actions import digest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.empty()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ActionServer:
    """``python -m rasa_sdk --actions MODULE`` on a free port; restartable."""

    def __init__(self, module: str, log: Path) -> None:
        self.module, self.log, self.port = module, log, _free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhook"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "SHOP_DEMO": "1",
            "SHOP_SECRET": "event-cache-tests-secret-0123456789abcdef",
        }
        argv = [sys.executable, "-m", "rasa_sdk", "--actions", self.module]
        self.process = subprocess.Popen(
            [*argv, "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                if requests.get(self.url.replace("/webhook", "/health"), timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise AssertionError(f"{self.module} did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ActionServer]]:
    """An action server with the event cache and one without it."""
    logs = tmp_path_factory.mktemp("action_servers")
    started = {
        "cache": ActionServer("tests.channels.delta_actions", logs / "cache.log"),
        "plain": ActionServer("tests.channels.plain_actions", logs / "plain.log"),
    }
    try:
        for server in started.values():
            server.start()
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, int]]:
    """(subpath, events in the body) of every action call Rasa sends."""
    sent: list[tuple[str | None, int]] = []
    original = lc_log.stock["request"]

    async def spy(self: EndpointConfig, method: str, subpath: Any, *args: Any, **kw: Any) -> Any:
        sent.append((subpath, len(kw["json"]["tracker"]["events"])))
        return await original(self, method, subpath, *args, **kw)

    monkeypatch.setitem(lc_log.stock, "request", spy)
    return sent


def _tracker(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [], slots=[TextSlot("seen", mappings=[])])


def _turn(tracker: DialogueStateTracker, index: int) -> None:
    for event in (
        ActionExecuted("action_listen"),
        UserUttered(f"第{index}个问题", intent={"name": "ask_material", "confidence": 1.0}),
        ActionExecuted("action_answer_material"),
        BotUttered(f"答案{index}"),
    ):
        tracker.update(event)


def _call(url: str, tracker: DialogueStateTracker, name: str = "action_count_events") -> Any:
    """Runs the action as the processor does: on a copy of the tracker."""
    action = RemoteAction(name, EndpointConfig(url))
    nlg = TemplatedNaturalLanguageGenerator({})
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker.copy(), DOMAIN))


def _expected(tracker: DialogueStateTracker) -> dict[str, Any]:
    events = json.loads(json.dumps([e.as_dict() for e in tracker.events]))
    return {"count": len(events), "digest": digest(events)}


def _seen(events: list[Any]) -> Any:
    assert len(events) == 1 and isinstance(events[0], SlotSet), events
    return events[0].value


def test_the_action_sees_every_event_while_only_new_ones_are_sent(
    servers: dict[str, ActionServer], calls: list[tuple[str | None, int]]
) -> None:
    tracker = _tracker("delta-1")
    for index in range(40):
        _turn(tracker, index)
        assert _seen(_call(servers["cache"].url, tracker)) == _expected(tracker)
    assert len(tracker.events) == 160
    assert calls[0] == (None, 4)  # the first call: every event
    assert all(subpath == "delta" and count <= 4 for subpath, count in calls[1:]), calls


def test_a_branch_of_the_conversation_and_the_main_line_both_build_on_kept_calls(
    servers: dict[str, ActionServer], calls: list[tuple[str | None, int]]
) -> None:
    """A form's validation sees temporary events that the next action's tracker lacks."""
    tracker = _tracker("delta-2")
    for index in range(5):
        _turn(tracker, index)
        _call(servers["cache"].url, tracker)
    branch = tracker.copy()
    branch.update(SlotSet("seen", "temporary"))
    branch.update(ActionExecuted("size_advice_form"))
    assert _seen(_call(servers["cache"].url, branch)) == _expected(branch)
    _turn(tracker, 5)
    assert _seen(_call(servers["cache"].url, tracker)) == _expected(tracker)
    assert calls[-2:] == [("delta", 2), ("delta", 4)]


def test_a_restarted_action_server_gets_the_whole_conversation_again(
    servers: dict[str, ActionServer], calls: list[tuple[str | None, int]]
) -> None:
    tracker = _tracker("delta-3")
    for index in range(3):
        _turn(tracker, index)
        _call(servers["cache"].url, tracker)
    servers["cache"].stop()
    servers["cache"].start()
    _turn(tracker, 3)
    assert _seen(_call(servers["cache"].url, tracker)) == _expected(tracker)
    assert calls[-2:] == [("delta", 4), (None, 16)]  # 409, then every event
    _turn(tracker, 4)
    assert _seen(_call(servers["cache"].url, tracker)) == _expected(tracker)
    assert calls[-1] == ("delta", 4)


def test_an_action_server_without_the_cache_gets_every_event(
    servers: dict[str, ActionServer], calls: list[tuple[str | None, int]]
) -> None:
    tracker = _tracker("plain-1")
    for index in range(4):
        _turn(tracker, index)
        assert _seen(_call(servers["plain"].url, tracker)) == _expected(tracker)
    # The second call tried /webhook/delta once, then every call sent everything.
    assert [subpath for subpath, _ in calls] == [None, "delta", None, None, None]
    assert [count for subpath, count in calls if subpath is None] == [4, 8, 12, 16]


def test_a_rejection_stays_a_rejection(
    servers: dict[str, ActionServer], calls: list[tuple[str | None, int]]
) -> None:
    tracker = _tracker("delta-4")
    _turn(tracker, 0)
    _call(servers["cache"].url, tracker)
    _turn(tracker, 1)
    with pytest.raises(ActionExecutionRejection):
        _call(servers["cache"].url, tracker, "action_reject")
    assert calls[-1] == ("delta", 4)


# --- the action server's cache ---------------------------------------------------------


def test_the_cache_rebuilds_only_a_known_call() -> None:
    cache = EventCache()
    cache.keep("c", "t1", [{"event": "a"}])
    assert cache.rebuild("c", "t1", 1, [{"event": "b"}]) == [{"event": "a"}, {"event": "b"}]
    assert cache.rebuild("c", "t1", 2, []) is None  # another length
    assert cache.rebuild("c", "t0", 1, []) is None  # another call
    assert cache.rebuild("d", "t1", 1, []) is None  # another conversation


def test_the_cache_keeps_a_few_calls_and_bounded_memory() -> None:
    cache = EventCache(conversations=2, events=10, calls=2)
    for token in ("t1", "t2", "t3"):
        cache.keep("c", token, [{"event": token}])
    assert cache.rebuild("c", "t1", 1, []) is None
    assert cache.rebuild("c", "t2", 1, []) is not None
    cache.keep("d", "u", [{}] * 3)
    cache.keep("e", "v", [{}] * 3)  # a third conversation: the least recent goes
    assert cache.rebuild("c", "t3", 1, []) is None
    cache.keep("f", "w", [{}] * 9)  # more than 10 events in all: older ones go
    assert cache.rebuild("e", "v", 3, []) is None
    assert cache.rebuild("f", "w", 9, []) == [{}] * 9


def test_a_call_without_the_key_is_left_alone() -> None:
    call = {"sender_id": "c", "tracker": {"events": [{"event": "user"}]}}
    assert take(call, delta=False) and call["tracker"]["events"] == [{"event": "user"}]
    assert not take(json.loads(json.dumps(call)), delta=True)  # a delta must name its base

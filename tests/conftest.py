"""Shared fixtures: an in-memory shop database with the demo shop, trackers,
and a check that every response an action sends can be rendered."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Before any project import reads settings: one in-memory SQLite for the run.
os.environ["DATABASE_URL"] = "sqlite://"
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# A test-only secret, inherited by the servers tests start: outside demo mode they refuse
# the published development secret (shop.config.refuse_insecure_start).
os.environ.setdefault("SHOP_SECRET", "test-only-shop-secret-for-the-whole-suite-0123")

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from shop.db.models import Base
from shop.db.session import get_engine, session_scope

ROOT = Path(__file__).resolve().parent.parent
DEMO_SHOP = ROOT / "seed" / "demo_shop.json"


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The parsed domain.yml."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_snapshot() -> Iterator[sqlite3.Connection]:
    """The demo shop imported once per run, kept as an in-memory SQLite copy."""
    from shop.db.importer import load_shop

    engine = get_engine()
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with session_scope() as session:
        load_shop(json.loads(DEMO_SHOP.read_text(encoding="utf-8")), session=session)
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.backup(copy)
    finally:
        raw.close()
    yield copy
    copy.close()


@pytest.fixture()
def shop_db(demo_snapshot: sqlite3.Connection) -> Iterator[None]:
    """A fresh copy of the demo shop in the shared in-memory database."""
    engine = get_engine()
    raw = engine.raw_connection()
    try:
        demo_snapshot.backup(raw.driver_connection)
    finally:
        raw.close()
    yield
    Base.metadata.drop_all(engine)


def token(buyer_id: str, **kwargs: Any) -> dict[str, str]:
    """Message metadata of a logged-in buyer."""
    from shop.identity import issue_token

    return {"buyer_token": issue_token(buyer_id, **kwargs)}


@pytest.fixture()
def empty_db() -> Iterator[None]:
    """A fresh in-memory database with the schema and no shop data."""
    engine = get_engine()
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield
    Base.metadata.drop_all(engine)


@pytest.fixture()
def session(shop_db: None) -> Iterator[Session]:
    """A session on the demo shop."""
    with session_scope() as session:
        yield session


def make_tracker(
    text: str = "",
    *,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` with the given NLU result."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": [
            {
                "entity": e["entity"],
                "value": e["value"],
                "start": e.get("start", 0),
                "end": e.get("end", 0),
            }
            for e in (entities or [])
        ],
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id="test",
        slots=dict(slots or {}),
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


class RenderCheck:
    """Checks that dispatched responses exist and get all their variables."""

    def __init__(self, domain: dict[str, Any]) -> None:
        self._responses = domain["responses"]

    def __call__(self, dispatcher: CollectingDispatcher) -> list[str]:
        names = []
        for message in dispatcher.messages:
            if message.get("custom"):
                continue  # a card for the widget (json_message), not a response
            name = message["response"]
            assert name in self._responses, f"{name} is not a response in domain.yml"
            given = set(message) | set(message.get("kwargs") or {})
            for variant in self._responses[name]:
                for var in re.findall(r"(?<!\{)\{([a-z_]+)\}(?!\})", variant.get("text", "")):
                    assert var in given, f"{name} needs {{{var}}}"
            names.append(name)
        return names


@pytest.fixture(scope="session")
def rendered(domain: dict[str, Any]) -> RenderCheck:
    """``rendered(dispatcher)`` -> response names, after checking each can render."""
    return RenderCheck(domain)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (a failure, never a skip, when it is missing:
    scripts/install_browser.sh installs it, and make test runs that first).

    Module-scoped: Playwright's sync API keeps an event loop running in this
    thread while it is open, which would break later tests that run their own.
    """
    from tests.browser.harness import CHROMIUM, browser_missing

    missing = browser_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _skips_not_allowed(session_or_config: Any) -> list[tuple[str, str]]:
    from tests.skips import not_allowed

    config = getattr(session_or_config, "config", session_or_config)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return not_allowed(reporter.stats.get("skipped", [])) if reporter else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test that tests/skips.py does not allow fails the run (issue 18)."""
    if _skips_not_allowed(session) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Lists the skips that failed the run, with their reasons."""
    skipped = _skips_not_allowed(config)
    if skipped:
        terminalreporter.write_sep("=", "skipped, but not allowed in tests/skips.py", red=True)
        for nodeid, reason in skipped:
            terminalreporter.write_line(f"{nodeid}: {reason}")

"""Fixtures of the shop-database tests: the demo file and throw-away SQLite files."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shop.db.models import Base
from shop.db.session import get_engine, session_scope

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "seed" / "demo_shop.json"


@pytest.fixture(scope="session")
def demo_raw() -> dict[str, Any]:
    """The demo shop as parsed from disk (do not mutate: use ``demo_data``)."""
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture()
def demo_data(demo_raw: dict[str, Any]) -> dict[str, Any]:
    """A private, mutable copy of the demo shop."""
    return copy.deepcopy(demo_raw)


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture()
def tmp_engine(sqlite_url: str) -> Iterator[Engine]:
    """An engine on a fresh SQLite file with the models' tables (foreign keys on)."""
    engine = get_engine(sqlite_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def tmp_session(tmp_engine: Engine) -> Iterator[Session]:
    """One transaction on the fresh database, committed at the end of the test."""
    with session_scope(tmp_engine) as session:
        yield session

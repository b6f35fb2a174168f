"""Alembic migrations: upgrade/downgrade on SQLite (and PostgreSQL when reachable), no drift."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from shop.db import values as schema
from shop.db.importer import load_shop
from shop.db.migrate import downgrade_database, upgrade_database
from shop.db.models import Base
from shop.db.session import session_scope

ROOT = Path(__file__).resolve().parents[2]
MODEL_TABLES = set(Base.metadata.tables)
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _drift(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_and_downgrade_on_sqlite(sqlite_url: str) -> None:
    upgrade_database(sqlite_url)
    engine = create_engine(sqlite_url, future=True)
    try:
        assert _tables(engine) == MODEL_TABLES | {"alembic_version"}
        assert _drift(engine) == []
        downgrade_database(sqlite_url)
        assert _tables(engine) == {"alembic_version"}
        upgrade_database(sqlite_url)
        assert _tables(engine) == MODEL_TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_the_sqlite_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'shop.db'}"
    upgrade_database(url)
    assert (tmp_path / "var" / "nested" / "shop.db").exists()


def _comment_sets() -> str:
    """The comments of the models joined into one line, where the allowed values are listed."""
    source = "\n".join(
        (ROOT / "shop" / "db" / name).read_text(encoding="utf-8")
        for name in ("catalogue_models.py", "order_models.py")
    )
    comments = re.findall(r"#\s*(.*)$", source, re.MULTILINE)
    return " ".join(comment.strip() for comment in comments)


@pytest.mark.parametrize(
    "values",
    [
        schema.ORDER_STATUSES,
        schema.RETURN_STATUSES,
        schema.GENDERS,
        schema.FUNCTION_LEVELS,
        schema.PROMOTION_KINDS,
        schema.RETURN_KINDS,
    ],
)
def test_allowed_values_match_the_models(values: tuple[str, ...]) -> None:
    assert " / ".join(values) in _comment_sets()


@pytest.fixture()
def pg_engine() -> Iterator[tuple[str, Engine]]:
    """A private schema in the test PostgreSQL, dropped afterwards; fails if unreachable."""
    admin = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 2})
    name = f"shop_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL not reachable at {PG_URL}: {exc}", pytrace=False)
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    engine = create_engine(url, future=True)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def test_postgres_upgrade_load_and_downgrade(pg_engine: tuple[str, Engine]) -> None:
    url, engine = pg_engine
    upgrade_database(url)
    assert _tables(engine) == MODEL_TABLES | {"alembic_version"}
    assert _drift(engine) == []
    demo = json.loads((ROOT / "seed" / "demo_shop.json").read_text(encoding="utf-8"))
    with session_scope(engine) as session:
        counts = load_shop(demo, session=session, now=datetime(2026, 11, 20, 15, 0))
    assert counts["orders"] == 60
    with session_scope(engine) as session:
        load_shop(demo, session=session, replace=True, now=datetime(2026, 11, 20, 15, 0))
    downgrade_database(url)
    assert _tables(engine) == {"alembic_version"}

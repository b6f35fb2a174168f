"""Running the Alembic migrations from Python (setup script, importer, tests).

The schema is only ever created by migrations, never at import time, so the
same revisions build the SQLite demo database and a PostgreSQL one.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from shop.config import PROJECT_ROOT, settings

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config for ``url`` (default: the configured database).

    The script location is made absolute so the caller's working directory
    does not matter, and Alembic is told to leave the process's logging alone.
    """
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["database_url"] = url or settings.database_url
    config.attributes["configure_logging"] = False
    return config


def _ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout can migrate at once."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def upgrade_database(url: str | None = None, revision: str = "head") -> None:
    """Run ``alembic upgrade head`` (or up to ``revision``) on ``url``."""
    url = url or settings.database_url
    _ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str | None = None, revision: str = "base") -> None:
    """Run ``alembic downgrade base`` (or down to ``revision``) on ``url``."""
    command.downgrade(alembic_config(url), revision)

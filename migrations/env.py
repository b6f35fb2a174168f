"""Alembic environment of the shop database.

The URL is never written down here: it comes from ``config.attributes``
(set by :func:`shop.db.migrate.upgrade_database`), from ``-x database_url=...``
on the command line, or else from ``shop.config.settings.database_url``.
The schema to compare against is the models' metadata. SQLite cannot alter
tables in place, so its migrations run in batch mode (copy and move).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

from shop.config import settings
from shop.db.models import Base

config = context.config

# Programmatic callers keep their own logging: fileConfig would reset it.
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _database_url() -> str:
    """The URL to migrate: explicit attribute, then ``-x database_url``, then settings."""
    x_args = context.get_x_argument(as_dictionary=True)
    return (
        config.attributes.get("database_url") or x_args.get("database_url") or settings.database_url
    )


def run_migrations_offline() -> None:
    """Emit the SQL to stdout (``alembic upgrade head --sql``) without connecting."""
    url = _database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a given connection (tests) or a fresh one to the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine(_database_url(), future=True, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

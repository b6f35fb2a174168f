"""Engine and short-lived sessions for the shop database.

The engine (a connection pool) lives as long as the process; a session lives
for one action: ``with session_scope() as session: ...`` commits on success and
rolls back on any error, so a failure never leaves half-written state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from shop.config import settings


@cache
def get_engine(url: str | None = None) -> Engine:
    """Return the (cached) engine for ``url``, by default the configured one."""
    url = url or settings.database_url
    kwargs: dict = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared in-memory database for all threads (tests).
            kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Open one transaction; commit if the block succeeds, else roll back."""
    factory = sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


logger = logging.getLogger(__name__)
T = TypeVar("T")


class ShopDataUnavailableError(RuntimeError):
    """The shop database could not be read; the buyer gets a clear apology."""


def _call_in_transaction(fn: Callable[[Session], T], retries: int = 0) -> T:
    for attempt in range(retries + 1):
        try:
            with session_scope() as session:
                return fn(session)
        except IntegrityError as exc:
            if attempt < retries:  # another conversation took the same new id: again
                logger.warning("conflicting insert, running the transaction again")
                continue
            logger.exception("shop database failure")
            raise ShopDataUnavailableError(str(exc)) from exc
        except SQLAlchemyError as exc:
            logger.exception("shop database failure")
            raise ShopDataUnavailableError(str(exc)) from exc
    raise AssertionError("unreachable")  # pragma: no cover


async def in_transaction(fn: Callable[[Session], T], *, retries: int = 0) -> T:
    """Runs ``fn(session)`` in one transaction, in a worker thread.

    The action server serves every conversation on one event loop, so blocking
    database work runs in a thread; any database error becomes
    :class:`ShopDataUnavailableError`. With ``retries``, a transaction that lost a
    race for a new row's id (two buyers' cases numbered DC00001 at once) runs again,
    so ``fn`` must touch nothing but the session.
    """
    return await asyncio.to_thread(_call_in_transaction, fn, retries)

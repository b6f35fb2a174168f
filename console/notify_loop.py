"""The shop-event dispatcher as a background task of the console process.

``python -m console`` runs :func:`shop.notify.dispatch_once` every
:data:`INTERVAL` seconds (``--no-notify`` turns it off, e.g. when
``python -m shop.notify --loop`` runs elsewhere; running both is safe: each
event is claimed by one of them). Details: ``docs/proactive.md``.
"""

from __future__ import annotations

import asyncio
import logging

from sanic import Sanic

from shop.notify import Outcome, dispatch_once

logger = logging.getLogger(__name__)

INTERVAL = 3.0


async def notify_forever(interval: float = INTERVAL) -> None:
    """Delivers due shop events until the server stops."""
    while True:
        try:
            outcome = await asyncio.to_thread(dispatch_once)
            if outcome != Outcome():
                logger.info("shop events: %s", outcome)
        except Exception:  # a database or network hiccup must not end the loop
            logger.exception("shop event dispatch failed")
        await asyncio.sleep(interval)


def add_notify_loop(app: Sanic, interval: float = INTERVAL) -> None:
    """Starts :func:`notify_forever` with the server."""

    @app.after_server_start
    async def start(app_: Sanic, _: object) -> None:
        app_.add_task(notify_forever(interval), name="shop_event_dispatcher")

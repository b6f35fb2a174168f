"""Delivers shop events to buyers through Rasa's external events, exactly once.

``python -m shop.notify`` sends what is due and exits; ``--loop`` keeps
polling (the console runs the same loop in the background). For each event:
claim the row (one conditional UPDATE, committed) → skip it for now if the
buyer's conversation is paused (a person has it; Rasa would run no action) →
``POST /conversations/buyer-<id>/trigger_intent?output_channel=socketio`` →
mark it delivered. A failure releases the row for a later retry. The action
(``actions/proactive.py``) also ignores an event id it has already answered,
so a dispatcher dying between sending and marking cannot show it twice.
Details: ``docs/proactive.md``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy.engine import Engine

from shop.clock import local_now
from shop.config import settings
from shop.db import reviews, shop_events
from shop.db.models import ShopEvent
from shop.db.session import get_engine, session_scope

logger = logging.getLogger(__name__)

PAUSED_RETRY = timedelta(seconds=30)
HTTP_TIMEOUT = 15


class DeliveryError(Exception):
    """Rasa did not take the event (down, error status, bad answer)."""


class ConversationPausedError(DeliveryError):
    """A human agent has the conversation: try again after it is resumed."""


@dataclass(frozen=True)
class Outcome:
    """What one dispatcher run did."""

    delivered: int = 0
    deferred: int = 0
    failed: int = 0


def conversation_id(buyer_id: str) -> str:
    """The widget conversation of a logged-in buyer (``channels/session.py``)."""
    return f"buyer-{buyer_id}"


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.rasa_token}"} if settings.rasa_token else {}


def trigger(event: dict[str, Any], rasa_url: str | None = None) -> None:
    """Sends one event to Rasa as its EXTERNAL intent, unless the conversation is paused.

    Raises:
        ConversationPausedError: An agent has the conversation.
        DeliveryError: Rasa could not be reached or refused it.
    """
    base = f"{rasa_url or settings.rasa_url}/conversations/{conversation_id(event['buyer_id'])}"
    try:
        tracker = requests.get(
            f"{base}/tracker", params={"include_events": "NONE"}, headers=_headers(),
            timeout=HTTP_TIMEOUT,
        )  # fmt: skip
        tracker.raise_for_status()
        if tracker.json().get("paused"):
            raise ConversationPausedError("the conversation is paused (an agent has it)")
        answer = requests.post(
            f"{base}/trigger_intent",
            params={"output_channel": "socketio"},
            json={"name": event["intent"], "entities": event["entities"]},
            headers=_headers(),
            timeout=HTTP_TIMEOUT,
        )
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise DeliveryError(f"bad answer from Rasa: {exc}") from exc


def event_key(row: ShopEvent) -> str:
    """The event's id for the action's duplicate check: id and creation time, so a
    SQLite id reused after a re-import (``--replace``) is still a new event."""
    return f"{row.id}-{row.created_at:%Y%m%d%H%M%S%f}"


def _as_message(row: ShopEvent) -> dict[str, Any]:
    entities = {key: str(value) for key, value in (row.payload or {}).items()}
    entities["shop_event_id"] = event_key(row)
    return {"buyer_id": row.buyer_id, "intent": shop_events.INTENTS[row.kind], "entities": entities}


def dispatch_once(
    *,
    engine: Engine | None = None,
    send: Callable[[dict[str, Any]], None] = trigger,
    buyer_id: str | None = None,
    limit: int = 50,
) -> Outcome:
    """Delivers the due events (optionally of one buyer); returns the counts.

    Review invitations now due are added first (``shop/db/reviews.py``).
    """
    engine = engine or get_engine()
    with session_scope(engine) as session:
        reviews.schedule_review_invites(
            session=session, now=local_now(), after_days=settings.review_invite_days,
            late_days=settings.review_invite_late_days,
        )  # fmt: skip
    with session_scope(engine) as session:
        ids = shop_events.due_event_ids(
            session=session, now=local_now(), buyer_id=buyer_id, limit=limit
        )
    delivered = deferred = failed = 0
    for event_id in ids:
        with session_scope(engine) as session:  # the claim commits before sending
            token = shop_events.claim_event(event_id, session=session, now=local_now())
            row = session.get(ShopEvent, event_id) if token else None
            message = _as_message(row) if row is not None else None
        if token is None or message is None:
            continue  # another dispatcher has it
        retry_in: timedelta | None = None
        try:
            send(message)
        except ConversationPausedError as exc:
            error, retry_in = str(exc), PAUSED_RETRY
            deferred += 1
        except Exception as exc:  # any failure: keep the event, retry later
            error = str(exc) or type(exc).__name__
            failed += 1
            logger.warning("shop event %s not delivered: %s", event_id, error)
        else:
            with session_scope(engine) as session:
                shop_events.mark_delivered(event_id, token, session=session, now=local_now())
            delivered += 1
            continue
        with session_scope(engine) as session:
            shop_events.release_event(
                event_id, token, session=session, now=local_now(), error=error, retry_in=retry_in
            )
    return Outcome(delivered, deferred, failed)


def run_forever(interval: float, *, engine: Engine | None = None) -> None:
    """Dispatches every ``interval`` seconds until interrupted."""
    while True:
        try:
            outcome = dispatch_once(engine=engine)
            if outcome != Outcome():
                logger.info("shop events: %s", outcome)
        except Exception:  # a database hiccup must not stop the loop
            logger.exception("shop event dispatch failed")
        time.sleep(interval)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m shop.notify [--loop] [--interval S] [--buyer B] [--database-url U]``."""
    parser = argparse.ArgumentParser(prog="python -m shop.notify", description=__doc__)
    parser.add_argument("--loop", action="store_true", help="keep polling")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")
    parser.add_argument("--buyer", help="only this buyer's events")
    parser.add_argument("--database-url", help="default DATABASE_URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    engine = get_engine(args.database_url) if args.database_url else get_engine()
    if args.loop:
        run_forever(args.interval, engine=engine)
    outcome = dispatch_once(engine=engine, buyer_id=args.buyer)
    print(f"delivered {outcome.delivered}, deferred {outcome.deferred}, failed {outcome.failed}")
    return 0 if outcome.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Prometheus metrics of the assistant's servers, defined in one place.

Each server process serves its own numbers on ``GET /metrics`` in the Prometheus
text format (prometheus_client's default registry; every server runs one Sanic
worker, so one process holds all of its numbers):

* the Rasa server (``channels.metrics.MetricsEndpoint`` in ``credentials.yml``):
  :data:`MESSAGES`, :data:`MESSAGE_SECONDS`, :data:`CHANNEL_ERRORS` and
  :data:`ACTION_FAILURES`;
* the action server (``actions/server.py``): :data:`ACTION_SECONDS`,
  :data:`ACTION_ERRORS` and :data:`HANDOFFS`.

An error is recorded only through :func:`report_error`: counted, and logged once
with a trace id that is also handed to the caller (a response header, a JSON
field), so a complaint and its log line can be matched. Its traceback goes
through the same masking as every log record (``shop/masking.py``).
"""

from __future__ import annotations

import logging
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

# Seconds; a message may wait for its conversation's lock and run ten actions.
MESSAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
ACTION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

MESSAGES = Counter("shop_messages", "Buyer messages handed to Rasa, by input channel.", ["channel"])
MESSAGE_SECONDS = Histogram(
    "shop_message_seconds",
    "Time from handing a buyer message to Rasa until its answers are out, by channel.",
    ["channel"],
    buckets=MESSAGE_BUCKETS,
)
CHANNEL_ERRORS = Counter(
    "shop_channel_errors",
    "Buyer messages whose processing raised inside Rasa; the buyer got the apology.",
    ["channel"],
)
ACTION_FAILURES = Counter(
    "shop_action_failures",
    "Custom action calls that failed as the Rasa server saw them (reason: timeout, "
    "unreachable, error); the buyer got the apology (rasa_ext/resilience.py).",
    ["action", "reason"],
)
ACTION_SECONDS = Histogram(
    "shop_action_seconds",
    "Time the action server took to run a custom action, by action.",
    ["action"],
    buckets=ACTION_BUCKETS,
)
ACTION_ERRORS = Counter(
    "shop_action_errors",
    "Custom actions that raised on the action server (answered HTTP 500).",
    ["action"],
)
HANDOFFS = Counter(
    "shop_handoffs",
    "Conversations queued for a human agent, by reason (actions/access.py).",
    ["reason"],
)


def new_trace_id() -> str:
    """A fresh id for one error: 16 hex digits, unguessable, safe in headers and logs."""
    return uuid.uuid4().hex[:16]


def report_error(
    log: logging.Logger,
    counter: Counter,
    what: str,
    error: BaseException,
    *,
    trace_id: str | None = None,
) -> str:
    """Counts one error on ``counter`` and logs it once with a trace id; returns the id.

    Args:
        log: The logger of the module where it happened.
        counter: The counter (with its labels applied) that the error increments.
        what: What failed, e.g. ``custom action action_order_status failed``.
        error: The exception; its traceback is logged (masked like every record).
        trace_id: An id the error already has (from another server), else a new one.
    """
    trace = trace_id or new_trace_id()
    counter.inc()
    reason = str(error) or type(error).__name__
    log.error("%s [trace %s]: %s", what, trace, reason, exc_info=error)
    return trace


def exposition() -> tuple[bytes, str]:
    """This process's metrics in the Prometheus text format, and its content type
    (``GET /metrics`` of the Rasa server and of the action server)."""
    return generate_latest(), CONTENT_TYPE_LATEST

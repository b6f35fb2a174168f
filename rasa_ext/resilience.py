"""When the action server fails, the buyer hears an apology and is offered a human.

Rasa 3.6 logs a failed custom action call (server down, timeout, 5xx) and then
sends nothing at all (``MessageProcessor._run_action`` swallows the error). Rasa
has no hook for this, so :func:`install` wraps ``RemoteAction.run`` (used for
every custom action and form validation) once per process:

* the call is bounded by ``settings.action_timeout`` instead of Rasa's fixed
  300 s, so one message never holds its conversation's lock longer than
  ``TICKET_LOCK_LIFETIME`` (docs/deployment.md has the arithmetic);
* a failure becomes one bot message: an apology with a "转人工客服" button.
  The conversation goes on; once the action server is back, the next message
  is answered normally;
* a failure is counted (``shop_action_failures_total`` by action and reason:
  ``timeout``, ``unreachable``, ``error``) and logged once with a trace id, the
  action server's own when it answered 500 with one (``actions/server.py``), so
  both servers' log lines carry the same id. Rasa's own line for an unreachable
  action server is dropped: it would log the same failure twice.

A rejection (``ActionExecutionRejection``) is left to Rasa, as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import yaml
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

from rasa_ext.patching import wrap_once
from shop.metrics import ACTION_FAILURES, report_error

logger = logging.getLogger(__name__)
TRACE_ID = re.compile(r"[0-9a-f]{16}")
UNREACHABLE = "Couldn't connect"  # Rasa's words for a connection error (rasa/core/actions)

APOLOGY_RESPONSE = "utter_system_trouble"


def _response(name: str) -> tuple[str, list[dict[str, str]]]:
    """The text and buttons of a domain response (buyer-facing text lives in domain.yml)."""
    from shop.config import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    variant = domain["responses"][name][0]
    return str(variant["text"]), list(variant.get("buttons") or [])


APOLOGY_TEXT, APOLOGY_BUTTONS = _response(APOLOGY_RESPONSE)
_timeout = {"seconds": 10.0}  # set by install()


def apology() -> BotUttered:
    """The bot message sent instead of a failed action's answer."""
    return BotUttered(
        text=APOLOGY_TEXT,
        data={"buttons": APOLOGY_BUTTONS},
        metadata={"utter_action": APOLOGY_RESPONSE},
    )


def _reason(error: Exception) -> str:
    """``timeout``, ``unreachable`` (no connection) or ``error`` (e.g. the action raised)."""
    if isinstance(error, asyncio.TimeoutError):
        return "timeout"
    return "unreachable" if UNREACHABLE in str(error) else "error"


def _action_server_trace(error: Exception) -> str | None:
    """The trace id in the action server's 500 answer (Rasa keeps it as the cause's text)."""
    try:
        trace = json.loads(getattr(error.__cause__, "text", "") or "{}").get("trace_id")
    except (ValueError, AttributeError):
        return None
    return trace if isinstance(trace, str) and TRACE_ID.fullmatch(trace) else None


def _not_rasas_unreachable_line(record: logging.LogRecord) -> bool:
    """Drops Rasa's log line for an unreachable action server: the wrapper logs it."""
    return not (record.levelno >= logging.ERROR and UNREACHABLE in record.getMessage())


def _wrap(run: Callable[..., Awaitable[list[Event]]]) -> Callable[..., Any]:
    async def run_or_apologise(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
        try:
            return await asyncio.wait_for(run(self, *args, **kwargs), _timeout["seconds"])
        except ActionExecutionRejection:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as error:
            name, reason = self.name(), _reason(error)
            counter = ACTION_FAILURES.labels(name, reason)
            what = f"custom action {name} failed ({reason})"
            report_error(logger, counter, what, error, trace_id=_action_server_trace(error))
            return [apology()]

    return run_or_apologise


def install(timeout: float | None = None) -> None:
    """Wraps ``RemoteAction.run`` once; ``timeout`` defaults to ``settings.action_timeout``."""
    if timeout is None:
        from shop.config import settings

        timeout = settings.action_timeout
    _timeout["seconds"] = timeout
    if wrap_once(RemoteAction, "run", _wrap, key="resilience"):
        logging.getLogger("rasa.core.actions.action").addFilter(_not_rasas_unreachable_line)

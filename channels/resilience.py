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
  is answered normally.

A rejection (``ActionExecutionRejection``) is left to Rasa, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import yaml
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_system_trouble"


def _response(name: str) -> tuple[str, list[dict[str, str]]]:
    """The text and buttons of a domain response (buyer-facing text lives in domain.yml)."""
    from actions.config import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    variant = domain["responses"][name][0]
    return str(variant["text"]), list(variant.get("buttons") or [])


APOLOGY_TEXT, APOLOGY_BUTTONS = _response(APOLOGY_RESPONSE)
_MARK = "_shop_resilient"
_timeout = {"seconds": 10.0}  # set by install()


def apology() -> BotUttered:
    """The bot message sent instead of a failed action's answer."""
    return BotUttered(
        text=APOLOGY_TEXT,
        data={"buttons": APOLOGY_BUTTONS},
        metadata={"utter_action": APOLOGY_RESPONSE},
    )


def _wrap(run: Callable[..., Awaitable[list[Event]]]) -> Callable[..., Any]:
    async def run_or_apologise(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
        try:
            return await asyncio.wait_for(run(self, *args, **kwargs), _timeout["seconds"])
        except ActionExecutionRejection:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.error("custom action %s failed: %s", self.name(), error or type(error).__name__)
            return [apology()]

    setattr(run_or_apologise, _MARK, True)
    return run_or_apologise


def install(timeout: float | None = None) -> None:
    """Wraps ``RemoteAction.run`` once; ``timeout`` defaults to ``settings.action_timeout``."""
    if timeout is None:
        from actions.config import settings

        timeout = settings.action_timeout
    _timeout["seconds"] = timeout
    if not getattr(RemoteAction.run, _MARK, False):
        RemoteAction.run = _wrap(RemoteAction.run)

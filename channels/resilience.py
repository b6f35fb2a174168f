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

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

logger = logging.getLogger(__name__)

APOLOGY_TEXT = (
    "抱歉亲，系统暂时出了点问题，刚才的消息没能处理好😣 请稍后再发一次，或者转人工客服帮您处理～"
)
APOLOGY_BUTTONS = [{"title": "转人工客服", "payload": "/request_human"}]
_MARK = "_shop_resilient"
_timeout = {"seconds": 10.0}  # set by install()


def apology() -> BotUttered:
    """The bot message sent instead of a failed action's answer."""
    return BotUttered(
        text=APOLOGY_TEXT,
        data={"buttons": APOLOGY_BUTTONS},
        metadata={"utter_action": "shop_action_failed"},
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

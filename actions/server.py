"""The action server's additions: a safe start, ``/metrics``, counted and traced errors.

Installed through rasa-sdk's own plugin hook, as ``actions/event_cache.py`` is:
importing the ``actions`` package (``rasa run actions`` does, before serving)
registers this module with ``rasa_sdk.plugin.plugin_manager()``, and rasa-sdk 3.6
then calls its ``attach_sanic_app_extensions`` with the action server's Sanic app.
The hook:

* refuses to start with insecure settings (``shop.config.refuse_insecure_start``:
  the action server checks buyer tokens with ``SHOP_SECRET``);
* serves ``GET /metrics`` (``shop/metrics.py``): each action's run time
  (``shop_action_seconds``), actions that raised (``shop_action_errors_total``)
  and handoffs to a person (``shop_handoffs_total``);
* replaces rasa-sdk's error handler, which logged the failure and answered 500
  with the whole request (the buyer's tracker) in the body. Now an action that
  raises is counted, logged once with a trace id, and answered 500
  ``{"error", "action_name", "trace_id"}``; the Rasa server logs the same id
  with its apology (``rasa_ext/resilience.py``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pluggy
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from shop.config import refuse_insecure_start
from shop.metrics import ACTION_ERRORS, ACTION_SECONDS, exposition, report_error

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
_MARK = "_shop_timed"
_PLUGIN_NAME = "shop_server"
UNKNOWN = "unknown"


def _timed(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Times each action call and tags a raised exception with the action's name."""

    async def timed_run(self: ActionExecutor, action_call: dict[str, Any]) -> Any:
        wanted = action_call.get("next_action") if isinstance(action_call, dict) else None
        # Only registered names become labels: a caller cannot invent new series.
        name = wanted if isinstance(wanted, str) and wanted in self.actions else UNKNOWN
        try:
            with ACTION_SECONDS.labels(name).time():
                return await run(self, action_call)
        except Exception as error:
            with contextlib.suppress(AttributeError):
                error.shop_action = name  # type: ignore[attr-defined]
            raise

    setattr(timed_run, _MARK, True)
    return timed_run


async def on_error(request: Request, exception: Exception) -> HTTPResponse:
    """An action that raised: counted, logged once with a trace id, answered 500."""
    if isinstance(exception, SanicException):  # 404 for an unknown URL and the like
        return request.app.error_handler.default(request, exception)
    name = str(getattr(exception, "shop_action", UNKNOWN))
    trace = report_error(
        logger, ACTION_ERRORS.labels(name), f"custom action {name} failed", exception
    )
    body = {"error": "the action failed", "action_name": name, "trace_id": trace}
    return response.json(body, status=500, headers={"X-Trace-Id": trace})


async def metrics(_: Request) -> HTTPResponse:
    """``GET /metrics``."""
    body, content_type = exposition()
    return response.raw(body, content_type=content_type)


def extend(app: Sanic) -> None:
    """Adds ``/metrics``, the timing and the error handler to an action server app."""
    if not getattr(ActionExecutor.run, _MARK, False):
        ActionExecutor.run = _timed(ActionExecutor.run)
    app.add_route(metrics, "/metrics", methods=["GET"], name="shop_metrics")
    app.exception(Exception)(on_error)


class _Plugin:
    """A rasa-sdk plugin (``rasa_sdk.plugin``): its hook runs once as the server starts."""

    @staticmethod
    @hookimpl
    def attach_sanic_app_extensions(app: Sanic) -> None:
        refuse_insecure_start("action server")
        extend(app)


def install() -> None:
    """Registers the plugin with rasa-sdk once (on import of the ``actions`` package)."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if manager.get_plugin(_PLUGIN_NAME) is None:
        manager.register(_Plugin(), name=_PLUGIN_NAME)

"""``GET /metrics`` on the Rasa server: its Prometheus metrics (``shop/metrics.py``).

Rasa 3.6 has no hook for extra routes, but it mounts every input channel listed in
``credentials.yml`` under ``/webhooks/<url_prefix>``. This "channel" receives no
messages; its prefix is ``/``, so its one route is the conventional ``/metrics``.
Not routed by the public nginx server or the Ingress: Prometheus scrapes each
replica directly (docs/deployment.md, "Metrics").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from shop.metrics import exposition


class MetricsEndpoint(InputChannel):
    """Serves ``GET /metrics``; takes no buyer messages."""

    @classmethod
    def name(cls) -> str:
        """Its name in ``credentials.yml`` terms (never an output channel)."""
        return "metrics"

    def url_prefix(self) -> str:
        """Mounted at the server's root, so the route is ``/metrics``."""
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The one route."""
        bp = Blueprint("shop_metrics", __name__)

        @bp.route("/metrics", methods=["GET"])
        async def metrics(_: Request) -> HTTPResponse:
            body, content_type = exposition()
            return response.raw(body, content_type=content_type)

        return bp

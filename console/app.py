"""Builds the console's Sanic app from its blueprints."""

from __future__ import annotations

import warnings
from pathlib import Path

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"
# matplotlib 3.5 (the owner's charts) calls pyparsing's old names: only noise in the log.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"matplotlib\.")
# The shop's icon for every page of the console and the demo shop (browsers ask
# for /favicon.ico on their own; pages link the SVG).
FAVICONS = {"favicon.ico": "image/x-icon", "favicon.svg": "image/svg+xml"}


def create_app(name: str = "shop_console", *, proxies_count: int | None = None) -> Sanic:
    """The console app: the demo shop at ``/``, the staff console under ``/console``.

    ``proxies_count`` (default ``SHOP_PROXIES_COUNT``) is how many reverse proxies
    stand in front (nginx: 1). Sanic then takes the scheme and the client address
    from their ``X-Forwarded-Proto``/``X-Forwarded-For``, so the session cookie is
    ``Secure`` behind a proxy that terminates TLS; with 0 those headers are ignored
    (a client could send them).
    """
    from shop.config import settings
    from shop.masking import install as mask_personal_data_in_logs

    mask_personal_data_in_logs()  # phones, addresses and tokens, in every log record
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.KEEP_ALIVE_TIMEOUT = 30
    count = settings.proxies_count if proxies_count is None else proxies_count
    app.config.PROXIES_COUNT = count or None  # Sanic's "trust no proxy header"

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    def icon(name: str) -> None:
        async def serve(_: Request) -> HTTPResponse:
            headers = {"Cache-Control": "public, max-age=86400"}
            headers["X-Content-Type-Options"] = "nosniff"
            return await response.file(STATIC_DIR / name, mime_type=FAVICONS[name], headers=headers)

        app.add_route(serve, f"/{name}", methods=["GET"], name=name.replace(".", "_"))

    for name in FAVICONS:
        icon(name)

    # Blueprints register here, one per area (demo shop, agents, trainers, owners).
    from console.demo_shop import demo_shop_blueprint

    app.blueprint(demo_shop_blueprint())
    from console.pages import bp as console_pages

    app.blueprint(console_pages)
    from console.agent_api import agent_blueprint
    from console.agent_extras import extras_blueprint
    from console.auth import auth_blueprint, logout_form_blueprint

    app.blueprint(auth_blueprint())
    app.blueprint(logout_form_blueprint())
    app.blueprint(agent_blueprint())
    app.blueprint(extras_blueprint())
    from console.trainer_api import trainer_blueprint

    app.blueprint(trainer_blueprint())
    from console.owner import owner_blueprint

    app.blueprint(owner_blueprint())
    from console.records import records_blueprint

    app.blueprint(records_blueprint())
    return app

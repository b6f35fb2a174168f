"""Runs the console: ``python -m console [--host 127.0.0.1] [--port 5002]``."""

from __future__ import annotations

import argparse

from console.app import create_app
from shop.config import refuse_insecure_start


def main(argv: list[str] | None = None) -> None:
    """Parses the arguments and serves the console until interrupted (exit 2 if insecure)."""
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument(
        "--no-notify", action="store_true", help="do not deliver shop events (docs/proactive.md)"
    )
    args = parser.parse_args(argv)
    refuse_insecure_start("console")
    app = create_app()
    if not args.no_notify:
        from console.notify_loop import add_notify_loop

        add_notify_loop(app)
    app.run(host=args.host, port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()

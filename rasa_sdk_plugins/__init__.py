"""rasa-sdk's plugin entry point: ``rasa run actions`` imports this package from the
working directory and calls :func:`init_hooks` (``rasa_sdk/plugin.py``).

The hooks themselves live in ``actions/server.py`` (safe start, ``/metrics``, counted
and traced errors). rasa-sdk ignores any ``ModuleNotFoundError`` from here (it takes it
for "no plugins installed"), so a missing dependency is raised as a ``RuntimeError``:
the action server fails to start instead of running without its checks.
"""

from __future__ import annotations

from typing import Any


def init_hooks(manager: Any) -> None:
    """Registers the action server's hook implementations."""
    try:
        from actions import server
    except ModuleNotFoundError as error:
        raise RuntimeError(f"the action server's plugin cannot load: {error}") from error
    manager.register(server)

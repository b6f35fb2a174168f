"""Test actions for the event cache (``tests/channels/test_action_event_cache.py``).

``python -m rasa_sdk --actions tests.channels.delta_actions`` serves them with the
cache (importing ``actions`` registers it, as for the shop's own actions);
``tests.channels.plain_actions`` serves the same actions without it.
"""

from __future__ import annotations

import actions  # noqa: F401 - registers the event cache, as the shop's action server does
from tests.channels.plain_actions import ActionCountEvents, ActionReject

__all__ = ["ActionCountEvents", "ActionReject"]

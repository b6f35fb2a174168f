"""The one way rasa_ext changes a Rasa method: once per process, and remembered.

Every patch has a key; the owner class records the keys applied to it, so an
``install()`` called twice (Rasa imports the channels more than once, tests
install again) changes nothing the second time, and two patches of the same
method (each with its own key) stack instead of mistaking one for the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_APPLIED = "_shop_patches"  # on the owner: the keys of the patches applied to it


def _applied(owner: Any) -> set[str]:
    applied = owner.__dict__.get(_APPLIED)
    if applied is None:
        applied = set()
        setattr(owner, _APPLIED, applied)
    return applied


def wrap_once(owner: Any, name: str, wrap: Callable[[Any], Any], *, key: str) -> bool:
    """Sets ``owner.<name>`` to ``wrap(current)`` unless patch ``key`` did; whether it did now.

    A static method stays one (``wrap`` gets and returns the plain function).
    """
    applied = _applied(owner)
    if key in applied:
        return False
    current = owner.__dict__.get(name, getattr(owner, name))
    if isinstance(current, staticmethod):
        setattr(owner, name, staticmethod(wrap(current.__func__)))
    else:
        setattr(owner, name, wrap(current))
    applied.add(key)
    return True


def replace_once(owner: Any, name: str, replacement: Any, *, key: str) -> bool:
    """Sets ``owner.<name>`` to ``replacement`` unless patch ``key`` did."""
    return wrap_once(owner, name, lambda _current: replacement, key=key)

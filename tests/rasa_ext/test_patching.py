"""Patches apply once per key, stack by key, and keep static methods static."""

from __future__ import annotations

from typing import Any

from rasa_ext.patching import replace_once, wrap_once


def _owner() -> type:
    class Owner:
        def greet(self) -> str:
            return "你好"

        @staticmethod
        def add(a: int, b: int) -> int:
            return a + b

    return Owner


def _shout(method: Any) -> Any:
    def shouted(self: Any) -> str:
        return method(self) + "！"

    return shouted


def test_a_patch_applies_once_however_often_it_is_installed() -> None:
    owner = _owner()
    assert wrap_once(owner, "greet", _shout, key="shout") is True
    assert wrap_once(owner, "greet", _shout, key="shout") is False
    assert owner().greet() == "你好！"


def test_two_patches_of_one_method_stack() -> None:
    owner = _owner()
    wrap_once(owner, "greet", _shout, key="shout")
    wrap_once(owner, "greet", _shout, key="shout again")
    assert owner().greet() == "你好！！"


def test_a_static_method_stays_static() -> None:
    owner = _owner()
    wrap_once(owner, "add", lambda add: lambda a, b: add(a, b) * 10, key="times ten")
    assert owner.add(1, 2) == 30 and owner().add(1, 2) == 30


def test_replace_once_sets_the_replacement() -> None:
    owner = _owner()

    def other(self: Any) -> str:
        return "您好"

    assert replace_once(owner, "greet", other, key="polite")
    assert owner.greet is other and owner().greet() == "您好"
    assert not replace_once(owner, "greet", lambda self: "嗨", key="polite")

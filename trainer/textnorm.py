"""The grouping key of a message: same script, width and case, no punctuation, emoji or spaces."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC ``t2s`` only (keeps width, emoji and, almost always, the length)."""
    return str(_t2s().convert(text or ""))


def simplify(text: str) -> str:
    """NFKC width and OpenCC ``t2s``, as ``nlu_components.chinese_normalizer`` does."""
    return str(_t2s().convert(unicodedata.normalize("NFKC", text or "")))


def group_key(text: str) -> str:
    """Messages with the same key count as the same message.

    Simplified script and NFKC width as in the NLU pipeline, lower case, then
    only letters and digits are kept: ``在嗎？？😊`` and ``在吗`` share the key ``在吗``.
    """
    return "".join(ch for ch in simplify(text).lower() if unicodedata.category(ch)[0] in "LN")

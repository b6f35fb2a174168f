"""Text normalisation shared by the NLU pipeline and the actions (no Rasa import).

NLU sees every message in simplified script with NFKC widths; the actions read
the buyer's raw text, so they normalise it the same way before matching words
(和圖片不一樣 must read like 和图片不一样).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4)
def _converter(config_name: str) -> Any:
    import opencc

    return opencc.OpenCC(config_name)


def normalize_text(text: str, *, conversion: str = "t2s", max_chars: int = 300) -> str:
    """Returns ``text`` in simplified script, NFKC width, at most ``max_chars`` long."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _converter(conversion).convert(text)
    return text[:max_chars].strip()


def in_buyers_script(simplified: str, written: str) -> str:
    """``simplified`` (a piece of ``normalize_text(written)``) in the script ``written`` used.

    A buyer who typed traditional characters is quoted in traditional ones.
    """
    nfkc = unicodedata.normalize("NFKC", written or "")
    if _converter("t2s").convert(nfkc) == nfkc:
        return simplified
    return _converter("s2t").convert(simplified)

"""Cutting a buyer's message into the questions it asks, and choosing a second one.

Buyers put two things in one message (我那双鞋发货了没 顺便问下能开发票吗). NLU
gives a message one intent, so the Rasa server (``rasa_ext/second_question.py``)
reads each part again and answers a second, stand-alone question too. This module
holds the pure part: where a message is cut, and which part, once classified, is
a second question worth its own answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from shop.lexicon import SECOND_QUESTION_WORDS

MIN_CLAUSE_CHARS = 4  # a shorter part (亲, 在吗, 40码) belongs to its neighbour
MAX_CLAUSES = 4  # a longer list is a description, not questions: nothing is cut
# Questions answered from the shop's rules alone, with no flow to start; and
# out_of_scope, said plainly so the buyer knows the part was read.
SECOND_QUESTION_INTENTS = frozenset(
    {"ask_shipping", "ask_return_policy", "ask_promotion", "out_of_scope"}
)
MIN_CONFIDENCE = 0.6
MIN_ANCHOR_CONFIDENCE = 0.5
_MARKERS = re.compile(
    "|".join(sorted(map(re.escape, SECOND_QUESTION_WORDS), key=len, reverse=True))
)
_CUTS = re.compile(r"[。！？!?；;，,、~～…\n]+|\s+")
_COUNTED = re.compile(r"[\w\u4e00-\u9fff]")


def count_chars(text: str) -> int:
    """The characters that say something: letters, digits, Chinese (no punctuation, emoji)."""
    return len(_COUNTED.findall(text))


def strip_words(text: str, words: Sequence[str]) -> str:
    """``text`` without ``words`` (longest first), each replaced by a space."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def clauses(text: str) -> list[str]:
    """The parts of ``text`` that may each ask something, in order.

    Cut at sentence punctuation, spaces and words that open another question
    (:data:`SECOND_QUESTION_WORDS`, left out). A part of fewer than
    :data:`MIN_CLAUSE_CHARS` characters joins the part before it (or the next,
    at the start), so 小白鞋 40码 有货吗 stays one question.
    """
    text = unicodedata.normalize("NFKC", text or "")
    pieces = [p.strip() for p in _CUTS.split(_MARKERS.sub("\n", text))]
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        if not piece:
            continue
        piece = carry + piece
        carry = ""
        if count_chars(piece) >= MIN_CLAUSE_CHARS:
            merged.append(piece)
        elif merged:
            merged[-1] += piece
        else:
            carry = piece
    if carry:
        if merged:
            merged[0] = carry + merged[0]
        else:
            merged.append(carry)
    return merged if len(merged) <= MAX_CLAUSES else [" ".join(merged)]


@dataclass(frozen=True)
class Reading:
    """One part of a message and what NLU made of it."""

    text: str
    intent: str | None
    confidence: float


def second_question(main_intent: str | None, readings: Sequence[Reading]) -> Reading | None:
    """The part that asks a second, stand-alone question, if one does.

    The part must be confidently a question of :data:`SECOND_QUESTION_INTENTS`
    that the message's own intent is not, and another part must say the
    message's intent on its own: so a message cut in the middle of one question
    (我那双鞋 发货了没, whose 发货了没 alone reads like a shipping question) has
    no second question. The most confident part wins.
    """
    fitting = [
        r
        for r in readings
        if r.intent in SECOND_QUESTION_INTENTS
        and r.intent != main_intent
        and r.confidence >= MIN_CONFIDENCE
    ]
    for best in sorted(fitting, key=lambda r: r.confidence, reverse=True):
        if any(
            r is not best and r.intent == main_intent and r.confidence >= MIN_ANCHOR_CONFIDENCE
            for r in readings
        ):
            return best
    return None

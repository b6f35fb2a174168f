"""Cutting a buyer's message into the questions it asks, and choosing a second one.

Buyers put two things in one message (我那双鞋发货了没 顺便问下能开发票吗). NLU
gives a message one intent, so the Rasa server (``rasa_ext/second_question.py``)
reads each part again and answers a second, stand-alone question too. This module
holds the pure part: where a message is cut (:func:`clauses`), and, once each part
is classified, which intent the message takes and which part is a second question
worth its own answer (:func:`plan_questions`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shop.lexicon import (
    OPENING_WORDS,
    QUESTION_MARKS,
    SECOND_QUESTION_WORDS,
    SECOND_REQUEST_OPENERS,
)

# Where the Rasa server's parse data names a message's second question (rasa_ext).
ALSO_ASKED_KEY = "also_asked"
MIN_CLAUSE_CHARS = 4  # a shorter part (亲, 在吗, 40码) belongs to its neighbour
MAX_CLAUSES = 4  # a longer list is a description, not questions: nothing is cut
# Questions answered from the shop's rules alone, with no flow to start; and
# out_of_scope, said plainly so the buyer knows the part was read.
SECOND_QUESTION_INTENTS = frozenset(
    {"ask_shipping", "ask_return_policy", "ask_promotion", "out_of_scope"}
)
# ... of which the shop's rules (not out of scope): two of them in one message are
# answered in the buyer's order.
RULE_QUESTION_INTENTS = SECOND_QUESTION_INTENTS - {"out_of_scope"}
MIN_CONFIDENCE = 0.65
MIN_OUT_OF_SCOPE_CONFIDENCE = 0.8  # 谁拒收的啊 alone reads a little like out of scope
MIN_ANCHOR_CONFIDENCE = 0.5
# A part that asks for a flow (an order, a return, a size ...) must be this sure to
# take the message's intent from a stand-alone question or a misunderstanding.
MIN_REQUEST_CONFIDENCE = 0.8
# ... and NLU's reading of the whole must give the request this much: a message
# read whole with certainty (默认发什么快递 能不能换成顺丰: shipping, 1.0) keeps its
# intent, whatever a part alone resembles (能不能换成顺丰: an exchange).
MIN_REQUEST_IN_WHOLE = 0.1
# ... except a question about the goods (雪地靴保暖吗，几点前下单当天发？): read
# whole with certainty as the shipping question, its product question would go
# unanswered. A part that asks one takes the message's intent from a stand-alone
# question whatever the whole's ranking, as long as the stand-alone question
# stands in another part (it is then answered second). Requests that change
# something (an exchange, an address) keep the rule above.
PRODUCT_QUESTION_INTENTS = frozenset(
    {"ask_size_advice", "ask_material", "ask_function", "ask_stock", "ask_reviews"}
)
# A question about the goods beside another (這雙保暖嗎？還有卡其色37碼有貨嗎: read
# whole as the stock question) is answered second from the catalogue, like a rule
# question, as long as the message's own intent is a question about the goods too.
PRODUCT_SECOND_INTENTS = frozenset({"ask_function", "ask_material"})
# ... and a part that looks up the buyer's own parcel or refund needs no weight
# either when the whole reads as another part's stand-alone question.
LOOKUP_INTENTS = frozenset({"check_order_status", "report_delivery_problem", "check_return_status"})
# Intents of a part that requests nothing by itself.
NOT_A_REQUEST = frozenset(
    {"greet", "thank", "goodbye", "affirm", "deny", "inform", "bot_challenge", "send_photo",
     "nlu_fallback"}
)  # fmt: skip
# A whole NLU did not understand: a part that confidently requests something
# (with some weight in the whole's ranking) is the message's request even with
# no second question beside it (你好，跑鞋有没有42码，顺便问下几天能到: fallback, 0.43 stock).
NOT_UNDERSTOOD = frozenset({"nlu_fallback", None})
# A second request in one message (我要退货 另外帮我改下地址): a flow cannot run
# beside another, so the part is acknowledged after the main answer and offered
# again once the first is done, instead of being dropped.
SECOND_REQUEST_INTENTS = frozenset(
    {"check_order_status", "report_delivery_problem", "request_return", "request_exchange",
     "check_return_status", "change_address", "ask_size_advice", "ask_stock"}
)  # fmt: skip
# ... of which those the assistant offers to go on with once the first is done
# (rasa_ext/pending_request.py): a flow a yes can start. A stock question needs its
# words (43码 灰色), so the buyer is asked to send it again.
QUEUED_REQUEST_INTENTS = SECOND_REQUEST_INTENTS - {"ask_stock"}
# Flows that are one request seen from two sides: a part of one beside the other
# (签收了但没收到 怎么查; 我要退货 退款多久到账; 换货 43码有货吗) is no second request.
ONE_REQUEST_PAIRS = frozenset(
    frozenset(pair)
    for pair in (
        ("check_order_status", "report_delivery_problem"),
        ("request_return", "request_exchange"),
        ("request_return", "check_return_status"),
        ("request_exchange", "check_return_status"),
        ("request_exchange", "ask_stock"),
        ("request_exchange", "ask_size_advice"),
        ("ask_stock", "ask_size_advice"),
    )
)
# The message's intents a requesting part may replace (the whole read as the
# stand-alone question, or not understood at all).
REPLACEABLE_INTENTS = SECOND_QUESTION_INTENTS | {"nlu_fallback", None}
_MARKERS = re.compile(
    "|".join(sorted(map(re.escape, SECOND_QUESTION_WORDS), key=len, reverse=True))
)
_CUTS = re.compile(r"[。！？!?；;，,、~～…\n]+|\s+")
_COUNTED = re.compile(r"[\w\u4e00-\u9fff]")


def parts_of(text: str) -> list[str]:
    """The message cut at punctuation and spaces (防水吗？耐磨吗 → 防水吗, 耐磨吗)."""
    return [part for part in _CUTS.split(text) if part]


# An A-not-A question on one character (重不重, 滑不滑, 好不好).
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1")
# 透气不, 有货没, 发了没有: a closing 不/没 asks, unless it says no (我不, 还没, 要不).
_CLOSING_NOT = re.compile(
    r"(?<=[\u4e00-\u9fff])(?<![我你他她也都还就才用要是不别并])(?:不|没|没有)[啊呀呢吧哇]*$"
)


def is_question(text: str) -> bool:
    """Whether ``text`` asks something (吗, 怎么, ？, 重不重, 透气不 ...), rather than
    states or answers."""
    if any(mark in text for mark in QUESTION_MARKS) or _A_NOT_A.search(text):
        return True
    return bool(_CLOSING_NOT.search(re.sub(r"[^\w]+$", "", text)))


FOLLOW_UP_MAX_CHARS = 10


def asks_the_same(text: str) -> bool:
    """A short 「…呢」 (马丁靴呢, 那双黑色的呢): the question before, one thing changed.

    A shoe named in a whole new question (马丁靴43码有货吗) starts afresh instead.
    """
    core = text.strip().rstrip("？?！!。. ～~")
    return core.endswith("呢") and len(core) <= FOLLOW_UP_MAX_CHARS


def count_chars(text: str) -> int:
    """The characters that say something: letters, digits, Chinese (no punctuation, emoji)."""
    return len(_COUNTED.findall(text))


def strip_words(text: str, words: Sequence[str]) -> str:
    """``text`` without ``words`` (longest first), each replaced by a space."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def said_besides(text: str, words: Sequence[str]) -> str | None:
    """What ``text`` says besides ``words`` (不等了 我要退货 -> 我要退货); ``None`` when
    what is left is too short to say anything (:data:`MIN_CLAUSE_CHARS`)."""
    rest = _CUTS.sub(" ", strip_words(text, words)).strip()
    return rest if count_chars(rest) >= MIN_CLAUSE_CHARS else None


def question_besides(text: str, words: Sequence[str]) -> str | None:
    """The question ``text`` asks besides ``words`` (不等了 运费怎么算 -> 运费怎么算).

    ``None`` when what is left is too short to ask anything (:data:`MIN_CLAUSE_CHARS`)
    or does not ask (:func:`is_question`).
    """
    rest = said_besides(text, words)
    return rest if rest is not None and is_question(rest) else None


def requests_confidently(reading: Reading) -> bool:
    """Whether ``reading`` asks, with :data:`MIN_REQUEST_CONFIDENCE`, for a flow the
    assistant can offer to go on with (:data:`QUEUED_REQUEST_INTENTS`)."""
    return reading.intent in QUEUED_REQUEST_INTENTS and reading.confidence >= MIN_REQUEST_CONFIDENCE


def opens_another(text: str, part: str) -> bool:
    """Whether the buyer opened ``part`` of ``text`` as another matter: after a word
    that opens one (另外, 顺便, 对了: :data:`SECOND_QUESTION_WORDS`), or starting
    with one that asks for more (也帮我, 再帮我: :data:`SECOND_REQUEST_OPENERS`)."""
    text = unicodedata.normalize("NFKC", text or "")
    at = text.find(part)
    if at < 0:
        return False
    before = _CUTS.sub("", text[:at])
    return before.endswith(SECOND_QUESTION_WORDS) or part.startswith(SECOND_REQUEST_OPENERS)


def clauses(text: str) -> list[str]:
    """The parts of ``text`` that may each ask something, in order.

    Cut at sentence punctuation, spaces and words that open another question
    (:data:`SECOND_QUESTION_WORDS`, left out); a piece that only greets
    (你好, 亲 在吗: :data:`OPENING_WORDS`) is left out too. A part of fewer than
    :data:`MIN_CLAUSE_CHARS` characters joins the part before it (or the next,
    at the start), so 小白鞋 40码 有货吗 stays one question.
    """
    text = unicodedata.normalize("NFKC", text or "")
    pieces = [p.strip() for p in _CUTS.split(_MARKERS.sub("\n", text))]
    # 你好 / 亲 在吗 alone only opens the message: it joins no question
    pieces = [p for p in pieces if count_chars(strip_words(p.lower(), OPENING_WORDS))]
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
    opened: bool = False  # the buyer opened it as another matter (另外, 顺便, 也帮我 …)


def second_question(main_intent: str | None, readings: Sequence[Reading]) -> Reading | None:
    """The part that asks a second, stand-alone question, if one does.

    The part must ask (:func:`is_question`: 我有运费险 states, 用了优惠券 sets the
    scene), be confidently of :data:`SECOND_QUESTION_INTENTS` and not the
    message's own intent; and another part must say the message's intent on its
    own, so a message cut in the middle of one question (我那双鞋 发货了没, whose
    发货了没 alone reads like a shipping question) has no second question. The
    most confident part wins.
    """
    fitting = [
        r
        for r in readings
        if r.intent != main_intent
        and (asks_confidently(r) or _asks_about_goods_too(r, main_intent))
    ]
    if not fitting or not _says_alone(main_intent, readings):
        return None
    return max(fitting, key=lambda r: r.confidence)


def _asks_about_goods_too(reading: Reading, main_intent: str | None) -> bool:
    """Whether ``reading`` confidently asks a catalogue question (:data:`PRODUCT_SECOND_INTENTS`)
    beside the message's own question about the goods (:data:`PRODUCT_QUESTION_INTENTS`)."""
    return (
        main_intent in PRODUCT_QUESTION_INTENTS
        and reading.intent in PRODUCT_SECOND_INTENTS
        and is_question(reading.text)
        and reading.confidence >= MIN_CONFIDENCE
    )


def asks_confidently(reading: Reading) -> bool:
    """Whether ``reading`` asks (:func:`is_question`) a stand-alone question
    (:data:`SECOND_QUESTION_INTENTS`) with confidence: :data:`MIN_CONFIDENCE`, or
    :data:`MIN_OUT_OF_SCOPE_CONFIDENCE` for out of scope."""
    needed = MIN_OUT_OF_SCOPE_CONFIDENCE if reading.intent == "out_of_scope" else MIN_CONFIDENCE
    return (
        reading.intent in SECOND_QUESTION_INTENTS
        and is_question(reading.text)
        and reading.confidence >= needed
    )


def _says_alone(main_intent: str | None, readings: Sequence[Reading]) -> bool:
    """Whether a part says the message's intent on its own (:data:`MIN_ANCHOR_CONFIDENCE`)."""
    return any(r.intent == main_intent and r.confidence >= MIN_ANCHOR_CONFIDENCE for r in readings)


def second_request(main_intent: str | None, readings: Sequence[Reading]) -> Reading | None:
    """The part that asks for a second flow (:data:`SECOND_REQUEST_INTENTS`), if one does.

    The buyer must have opened the part as another matter (``opened``: 另外帮我改下地址;
    in 还没发货 我要取消 the first part only sets the scene), the message must itself
    request something, another part must say its intent
    on its own (as in :func:`second_question`), and the part must be confidently
    (:data:`MIN_REQUEST_CONFIDENCE`) of another flow, not the other side of the
    same request (:data:`ONE_REQUEST_PAIRS`). The most confident part wins.
    """
    if main_intent in NOT_A_REQUEST or main_intent in REPLACEABLE_INTENTS:
        return None
    fitting = [
        r
        for r in readings
        if r.opened
        and r.intent in SECOND_REQUEST_INTENTS
        and r.intent != main_intent
        and frozenset({r.intent, main_intent}) not in ONE_REQUEST_PAIRS
        and r.confidence >= MIN_REQUEST_CONFIDENCE
    ]
    if not fitting or not _says_alone(main_intent, readings):
        return None
    return max(fitting, key=lambda r: r.confidence)


def _looks_up_beside_a_question(
    reading: Reading, main_intent: str | None, readings: Sequence[Reading]
) -> bool:
    """Whether ``reading`` asks about the buyer's own parcel or refund
    (:data:`LOOKUP_INTENTS`) in a message read whole as the stand-alone question
    another part asks (快递怎么还没到 你们能开发票吗: the whole's ranking gives the
    parcel from 0.03 to 0.4 from one training run to the next; 儿童雨靴到哪了 顺便问下
    退货运费谁出: return rules 0.94, the parcel 0.06)."""
    return (
        main_intent in SECOND_QUESTION_INTENTS
        and reading.intent in LOOKUP_INTENTS
        and any(r.intent == main_intent and asks_confidently(r) for r in readings)
    )


def _asks_about_goods(reading: Reading, main_intent: str | None) -> bool:
    """Whether ``reading`` asks a product question beside a stand-alone question."""
    return (
        reading.intent in PRODUCT_QUESTION_INTENTS
        and main_intent in SECOND_QUESTION_INTENTS
        and is_question(reading.text)
    )


@dataclass(frozen=True)
class Plan:
    """What a cut message means: the part whose intent it takes instead of NLU's
    reading of the whole (``None``: NLU's stands), and its second question."""

    request: Reading | None
    second: Reading | None


def plan_questions(
    main_intent: str | None,
    readings: Sequence[Reading],
    ranking: Mapping[str, float] | None = None,
) -> Plan:
    """The message's request and second question, from its parts' readings.

    When NLU read the whole as a stand-alone question or not at all
    (:data:`REPLACEABLE_INTENTS`) while a part confidently requests something
    else that the whole's ``ranking`` (intent → confidence) also gives some
    weight (我的鞋到哪了 顺便问下能开发票吗: out of scope 0.58, order status 0.42),
    that part's intent is the message's, and the stand-alone question is the
    second one. A product question needs no weight in the ranking
    (:data:`PRODUCT_QUESTION_INTENTS`). A stand-alone reading is replaced only
    when there is such a second question; a whole not understood
    (:data:`NOT_UNDERSTOOD`) needs none. Otherwise NLU's intent stands, with
    :func:`second_question` (two rule questions kept in the buyer's order,
    :func:`_in_buyers_order`) or :func:`second_request`.
    """
    if main_intent in REPLACEABLE_INTENTS:
        weights = ranking or {}
        requests = [
            r
            for r in readings
            if r.intent not in REPLACEABLE_INTENTS
            and r.intent not in NOT_A_REQUEST
            and r.confidence >= MIN_REQUEST_CONFIDENCE
            and (
                weights.get(str(r.intent), 0.0) >= MIN_REQUEST_IN_WHOLE
                or _asks_about_goods(r, main_intent)
                or _looks_up_beside_a_question(r, main_intent, readings)
            )
        ]
        for request in sorted(requests, key=lambda r: r.confidence, reverse=True):
            second = second_question(request.intent, readings)
            if second is not None or main_intent in NOT_UNDERSTOOD:
                return Plan(request, second)
    second = second_question(main_intent, readings)
    if second is not None:
        return _in_buyers_order(main_intent, second, readings)
    return Plan(None, second_request(main_intent, readings))


def _in_buyers_order(main_intent: str | None, second: Reading, readings: Sequence[Reading]) -> Plan:
    """Two rule questions answered in the order the buyer asked them.

    請問七天無理由嗎？發什麼快遞呢 reads whole as the shipping question: the return
    rules, asked first, are then the message's request and shipping the second
    question. Only between :data:`RULE_QUESTION_INTENTS`, and only when the later
    part asks the whole's question confidently on its own (so it can be answered
    second); out of scope keeps its place.
    """
    if main_intent not in RULE_QUESTION_INTENTS or second.intent not in RULE_QUESTION_INTENTS:
        return Plan(None, second)
    position = next(i for i, r in enumerate(readings) if r is second)
    later = [r for r in readings[position + 1 :] if r.intent == main_intent and asks_confidently(r)]
    if not later:
        return Plan(None, second)
    return Plan(second, later[0])

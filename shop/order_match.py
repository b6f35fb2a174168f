"""Which of the offered orders a typed message means: a number or its tail, 第二个,
疾风那双, 黑色42码, 12月4号那单, 最近那单, 都查一下.

Pure functions over the frozen views of ``shop/order_choice.py`` (no Rasa, no
session), so every form reads a typed answer to "which order?" alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from shop import lexicon
from shop.order_choice import ItemView, OrderView, view_of

if TYPE_CHECKING:
    from shop.db.models import Order


@dataclass(frozen=True)
class Match:
    """The offered orders a text points at; ``said_something`` is False when it names none.

    ``all_requested`` tells 都查一下 (every order it fits, on purpose) from a
    clue that merely fits several (跑鞋).
    """

    orders: list[OrderView]
    said_something: bool
    all_requested: bool = False


# --- matching a typed answer ------------------------------------------------
Span = tuple[date, date]  # inclusive; an empty span (start > end) is a date that cannot exist
_NO_DAY: Span = (date.max, date.min)
_NUM = "|".join(lexicon.CHINESE_NUMERALS)
_FULL_DATE = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})[日号]?")
_DOT_DATE = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])[./-](3[01]|[12]\d|0?[1-9])(?![\d.码])")
_DAY = re.compile(r"(?<![\d.])(3[01]|[12]\d|0?[1-9])[日号]")
_DAYS_BEFORE = re.compile(rf"(\d{{1,2}}|{_NUM})天(?:前|之前|以前)")
_ORDINAL = re.compile(rf"第(\d{{1,2}}|{_NUM})(?![\d次])[{lexicon.ORDINAL_COUNTERS}]?")
_SIZE = re.compile(r"(穿)?(?<![\d.])([1-5]\d)(?:(?:\.|点)(5))?(?![\d.])(码半|半码|码|半)?")
_DIGITS = re.compile(r"\d{4,}")
# A size or colour wished for (改成38码, 换成白色的, 42换43): not the bought one's.
_WANTED = re.compile(
    rf"(?:{'|'.join(lexicon.WANTED_LEADS)})(?:成|为)?\s*"
    r"(?:[1-5]\d(?:(?:\.|点)5)?(?![\d.])(?:码半|半码|码|号)?|[^\s，,。！？!?的那]{1,4}色)"
    r"(?![码号半]|的?那|的?订单|的单)"  # 换42码的那双: the bought pair, named by its size
)
_OTHER = re.compile(
    rf"(?:{'|'.join(lexicon.OTHER_ORDER_WORDS)})的?(?:{_NUM}|那|几)?"
    r"(?:订单|单子|[个单笔双件]|呢)"
)
_ONE_OTHER = re.compile(r"另(?:外)?[一那][个单笔双]")
# What follows a state word that describes an order: 没付款那个, 已发货的订单.
_STATE_FOLLOWERS = "的那订单笔个双件"
_STATE_ADVERBS = " 还都是已经一直"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else lexicon.CHINESE_NUMERALS[word]


def ordinal_place(text: str) -> int | None:
    """The place a typed answer names (第二个 → 2, 第1双 → 1), counted from 1, if any."""
    match = _ORDINAL.search(re.sub(r"第\s+", "第", text))
    return _number(match.group(1)) if match else None


def _blank(text: str, match: re.Match[str]) -> str:
    """``text`` with ``match`` replaced by spaces, so later patterns do not reread it."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _take(text: str, words: Sequence[str]) -> tuple[list[str], str]:
    """The ``words`` in ``text`` (longest first) and the text with them blanked."""
    found = []
    for word in sorted(words, key=len, reverse=True):
        if word in text:
            found.append(word)
            text = text.replace(word, " " * len(word))
    return found, text


def _day(year: int, month: int, day: int) -> Span:
    try:
        return (date(year, month, day),) * 2
    except ValueError:
        return _NO_DAY


def _month(year: int, month: int) -> Span:
    """A calendar month as a span; ``month`` may run below 1 into earlier years."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1), following - timedelta(days=1)


def _latest(today: date, month: int | None, day: int) -> Span:
    """The latest existing day on or before today: 12月4号 without a year, or 5号 alone."""
    for back in range(12 * 8):
        year, number = _month(today.year, today.month - back)[0].timetuple()[:2]
        if month in (None, number):
            span = _day(year, number, day)
            if span[0] <= today:
                return span
    return _NO_DAY


def _dates(text: str, today: date) -> tuple[list[Span], str]:
    """Date clues of ``text`` as spans of creation dates, and the text without them."""
    spans: list[Span] = []
    for pattern in (_FULL_DATE, _MONTH_DAY, _DOT_DATE, _DAY, _DAYS_BEFORE):
        for match in pattern.finditer(text):
            text = _blank(text, match)
            parts = [_number(group) for group in match.groups()]
            if pattern is _FULL_DATE:
                spans.append(_day(parts[0], parts[1], parts[2]))
            elif pattern is _DAY:
                spans.append(_latest(today, None, parts[0]))
            elif pattern is _DAYS_BEFORE:
                spans.append((today - timedelta(days=parts[0]),) * 2)
            else:
                spans.append(_latest(today, parts[0], parts[1]))
    found, text = _take(text, list(lexicon.DAYS_AGO_WORDS))
    spans += [(today - timedelta(days=lexicon.DAYS_AGO_WORDS[word]),) * 2 for word in found]
    found, text = _take(text, list(lexicon.WEEKS_AGO_WORDS))
    monday = today - timedelta(days=today.weekday())
    for word in found:
        start = monday - timedelta(weeks=lexicon.WEEKS_AGO_WORDS[word])
        spans.append((start, start + timedelta(days=6)))
    found, text = _take(text, list(lexicon.MONTHS_AGO_WORDS))
    spans += [_month(today.year, today.month - lexicon.MONTHS_AGO_WORDS[word]) for word in found]
    return spans, text


def _labels(item: ItemView) -> tuple[str, ...]:
    return (item.product_name, *item.aliases)


def _kinds(text: str, labels: set[str]) -> set[str]:
    """Shoe-kind words of ``text``: the longest 2-4 character word ending in 鞋/靴 that
    is a known kind or occurs in an offered label (跑鞋); a lone 靴 (靴子) means any boot."""
    found: set[str] = set()
    for end, char in enumerate(text, start=1):
        if char not in lexicon.SHOE_KIND_ENDINGS:
            continue
        for start in range(max(0, end - 4), end - 1):
            word = text[start:end]
            if word in lexicon.SHOE_KIND_WORDS or any(word in label for label in labels):
                found.add(word)
                break
        else:
            if char == "靴":
                found.add(char)
    return found


def _item_tests(
    text: str, sizes: set[float], items: list[ItemView]
) -> list[Callable[[ItemView], bool]]:
    """Tests one item must pass together: product, kind, colour and size clues."""
    labels = {label for item in items for label in _labels(item) if len(label) >= 2}
    named = {label for label in labels if label in text}
    # A label inside a longer named one is not a clue of its own (疾风 in 疾风跑鞋).
    named = {label for label in named if not any(label != o and label in o for o in named)}
    # A kind word that is part of a named product says nothing more (轻羽跑鞋 in 疾风和轻羽跑鞋).
    kinds = {
        kind
        for kind in _kinds(text, labels | {item.category for item in items})
        if not any(kind in label for label in named)
    }
    colors = lexicon.colors_in(text)
    # a colour the shop names as it likes (奶茶色) holds no stem: its own name counts
    colors += sorted({item.color for item in items if lexicon.names_color(text, item.color)})
    tests: list[Callable[[ItemView], bool]] = []
    if named:
        tests.append(lambda item: any(n in label for n in named for label in _labels(item)))
    if kinds:
        tests.append(
            lambda item: any(k in label for k in kinds for label in (*_labels(item), item.category))
        )
    if colors:
        tests.append(lambda item: any(stem in item.color for stem in colors))
    if sizes:
        tests.append(lambda item: any(abs(item.size - size) < 0.01 for size in sizes))
    return tests


def _sizes(text: str) -> tuple[set[float], str]:
    """Sizes the text names (42码, 42的, 穿42那双, 41.5码, 41码半) and the text without them."""
    sizes: set[float] = set()
    for match in _SIZE.finditer(text):
        wear, number, half, unit = match.groups()
        after = text[match.end() :].lstrip()[:1]
        alone = not text.replace(match.group(0), "").strip()  # the whole message: 41.5
        if 18 <= int(number) <= 50 and (wear or unit or alone or (after and after in "的那双")):
            sizes.add(int(number) + (0.5 if half or "半" in (unit or "") else 0.0))
            text = _blank(text, match)
    return sizes, text


def _which(candidates: Sequence[OrderView], test: Callable[[OrderView], bool]) -> set[int]:
    return {i for i, order in enumerate(candidates) if test(order)}


def _names_an_order(text: str, start: int, end: int) -> bool:
    """Whether a state word at ``text[start:end]`` describes an order (没付款那个,
    还没发货的订单, 取消的) rather than tells what happened (怎么还没发货)."""
    word, after = text[start:end], text[end : end + 1]
    alone = not text[:start].strip() and not text[end:].strip()
    # 我有个订单还没付款: an order the buyer has, said before its state
    introduced = text[:start].rstrip(_STATE_ADVERBS).endswith(lexicon.ORDER_INTRODUCERS)
    return word.endswith("的") or (bool(after) and after in _STATE_FOLLOWERS) or alone or introduced


def _statuses(text: str) -> tuple[set[str], str]:
    """The order states ``text`` names (没付款那个 → pending_payment) and the text without them."""
    statuses: set[str] = set()
    for status, words in lexicon.ORDER_STATUS_WORDS.items():
        for word in sorted(words, key=len, reverse=True):
            for match in re.finditer(re.escape(word), text):  # blanks keep the positions
                if _names_an_order(text, match.start(), match.end()):
                    statuses.add(status)
                    text = _blank(text, match)
    if "delivered" in statuses:
        statuses.add("completed")
    return statuses, text


def match_orders(
    text: str, candidates: Sequence[OrderView], *, today: date, besides: str | None = None
) -> Match:
    """The ``candidates`` (in button order) that ``text`` points at.

    Every clue found narrows the set; a clue that fits no candidate leaves it
    empty. Ordinals count the buttons; 最近/最早 pick by purchase time among
    what the other clues leave. Item clues (product, kind, colour, size) must
    all hold for one item of the order; a state (没付款那个) must be the order's.
    另外/其他 set aside ``besides``, the order just talked about, and ask for all
    the others unless one is meant (另一个).
    """
    text = unicodedata.normalize("NFKC", text)
    # an order number typed in groups (2026 0517 9353 8979) is one number; a button's
    # title typed back (晨曦帆布鞋 12-04 000013) keeps its date apart from its tail
    text = re.sub(r"(?<=\d{3})\s+(?=\d{3})", "", text)
    text = _WANTED.sub(lambda m: " " * len(m.group(0)), text)
    everyone = set(range(len(candidates)))
    clues: list[set[int]] = []
    spans, rest = _dates(text, today)
    if spans:
        clues.append(
            _which(candidates, lambda o: any(a <= o.created_at.date() <= b for a, b in spans))
        )
    places = set()
    for match in _ORDINAL.finditer(rest):
        places.add(_number(match.group(1)) - 1)
        rest = _blank(rest, match)
    first, rest = _take(rest, lexicon.FIRST_ORDER_WORDS)
    last, rest = _take(rest, lexicon.LAST_ORDER_WORDS)
    places |= {0} if first else set()
    places |= {len(candidates) - 1} if last else set()
    if places:
        clues.append(places & everyone)
    newest, rest = _take(rest, lexicon.NEWEST_ORDER_WORDS)
    oldest, rest = _take(rest, lexicon.OLDEST_ORDER_WORDS)
    every, rest = _take(rest, lexicon.ALL_ORDERS_WORDS)
    if every:
        clues.append(everyone)
    others: list[str] = []
    for match in _OTHER.finditer(rest):
        others.append(match.group(0))
        rest = _blank(rest, match)
    if others and besides is not None:
        clues.append({i for i, order in enumerate(candidates) if order.id != besides})
        every = every or ([] if _ONE_OTHER.search(text) else others)
    statuses, rest = _statuses(rest)
    if statuses:
        clues.append(_which(candidates, lambda o: o.status in statuses))
    sizes, rest = _sizes(rest)
    stray_tail = False
    for run in _DIGITS.findall(rest):
        tails = {i for i, order in enumerate(candidates) if order.id.endswith(run)}
        if tails or len(run) > 4:
            clues.append(tails)
        else:
            stray_tail = True  # four digits that end no id: a year, a price ... unless alone
    tests = _item_tests(text, sizes, [item for order in candidates for item in order.items])
    if tests:
        clues.append(_which(candidates, lambda o: any(all(t(it) for t in tests) for it in o.items)))
    if not clues and not newest and not oldest:
        return Match([], stray_tail)
    chosen = set.intersection(everyone, *clues)
    if newest or oldest:
        times = sorted(candidates[i].created_at for i in chosen)
        picks = times[-1:] if newest else []
        picks += times[:1] if oldest else []
        chosen = {i for i in chosen if candidates[i].created_at in picks}
    return Match([candidates[i] for i in sorted(chosen)], True, all_requested=bool(every))


def orders_named(text: str, orders: Sequence[Order], *, today: date) -> list[Order] | None:
    """The database ``orders`` that ``text`` points at (:func:`match_orders` over their
    views), or ``None`` when it names no order at all."""
    match = match_orders(text, [view_of(order) for order in orders], today=today)
    if not match.said_something:
        return None
    named = {view.id for view in match.orders}
    return [order for order in orders if order.id in named]

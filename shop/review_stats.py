"""What a product's reviews say, as numbers: pure functions over plain values.

Used before the sale (``actions/reviews.py``: the average, how many, the share who
found it small or large, a quote or two), by the size advice (reviews that disagree
with the fit note) and by the owner's report (rating distribution, topics of 中差评,
products whose reviews contradict their fit note). Nothing here reads the database,
so every figure is unit-tested against fixtures with known answers.

The thresholds live here and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from shop.lexicon import FIT_TOPICS, NEGATIONS, PROBLEM_TOPICS, REVIEW_TOPIC_WORDS

# Reviews disagree with the fit note when at least FIT_MIN_REVIEWS reviews say how the
# shoe fit and at least FIT_MIN_SHARE of them found it small (or large) where the note
# says otherwise.
FIT_MIN_REVIEWS = 5
FIT_MIN_SHARE = 0.30
LOW_RATING = 2  # a chat review at or below this opens a complaint for the shop
GOOD_RATING = 4  # 好评: 4-5 stars; 差评: 1-LOW_RATING; the rest 中评
NEGATIVE_MAX_RATING = 3  # 中差评: the reviews whose topics the owner sees
QUOTE_CHARS = 30  # a quote longer than this is cut with …
QUOTES = 2


@dataclass(frozen=True)
class ReviewFacts:
    """One review as the statistics need it."""

    rating: int
    text: str = ""
    size: float | None = None
    fit: str | None = None  # small / true / large, None when the buyer did not say
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class Summary:
    """The figures of a set of reviews."""

    count: int
    average: float | None  # rounded to one decimal; None without reviews
    good: int  # 4-5 stars
    middle: int  # 3 stars
    bad: int  # 1-2 stars
    fit_count: int  # reviews that say how it fit
    small: int
    true: int
    large: int
    distribution: tuple[int, int, int, int, int]  # reviews with 1, 2, 3, 4, 5 stars

    def share(self, fit: str) -> int:
        """The percentage of fit-reporting reviews that found it ``fit`` (0 without any)."""
        return percent({"small": self.small, "true": self.true, "large": self.large}[fit],
                       self.fit_count)  # fmt: skip


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole percent, halves rounded up (0 when ``whole`` is 0)."""
    return (part * 200 + whole) // (whole * 2) if whole else 0


def summarize(reviews: Iterable[ReviewFacts]) -> Summary:
    """Count, average, good/middle/bad and the fit shares of ``reviews``."""
    rows = list(reviews)
    stars = Counter(review.rating for review in rows)
    fits = Counter(review.fit for review in rows if review.fit)
    total = sum(review.rating for review in rows)
    # one decimal, halves up (4.25 -> 4.3), from integers: no float surprise
    average = (total * 20 + len(rows)) // (len(rows) * 2) / 10 if rows else None
    return Summary(
        count=len(rows),
        average=average,
        good=sum(n for rating, n in stars.items() if rating >= GOOD_RATING),
        middle=sum(n for rating, n in stars.items() if LOW_RATING < rating < GOOD_RATING),
        bad=sum(n for rating, n in stars.items() if rating <= LOW_RATING),
        fit_count=sum(fits.values()),
        small=fits["small"],
        true=fits["true"],
        large=fits["large"],
        distribution=(stars[1], stars[2], stars[3], stars[4], stars[5]),
    )


def expected_fit(fit_adjust: float | None) -> str:
    """The fit the product's data states: ``fit_adjust`` > 0 runs small, < 0 large."""
    if fit_adjust and fit_adjust > 0:
        return "small"
    if fit_adjust and fit_adjust < 0:
        return "large"
    return "true"


@dataclass(frozen=True)
class FitDisagreement:
    """Reviews that contradict the fit note: ``percent`` % of ``fit_count`` found it ``fit``."""

    fit: str  # small / large
    percent: int
    fit_count: int
    expected: str  # what the product's data says: small / true / large


def fit_disagreement(fit_adjust: float | None, summary: Summary) -> FitDisagreement | None:
    """The direction the reviews disagree with the product's fit, if they do.

    At least :data:`FIT_MIN_REVIEWS` reviews must say how it fit, and at least
    :data:`FIT_MIN_SHARE` of them must find it small (or large) where the product
    is said not to be. With both directions over the threshold the larger wins.
    """
    if summary.fit_count < FIT_MIN_REVIEWS:
        return None
    expected = expected_fit(fit_adjust)
    found = [
        (count, fit)
        for fit, count in (("small", summary.small), ("large", summary.large))
        if fit != expected and count * 100 >= FIT_MIN_SHARE * 100 * summary.fit_count
    ]
    if not found:
        return None
    count, fit = max(found)
    return FitDisagreement(fit, percent(count, summary.fit_count), summary.fit_count, expected)


def topics_in(text: str) -> list[str]:
    """The topics (``REVIEW_TOPIC_WORDS``) ``text`` mentions, not negated (不磨脚 is none)."""
    found = []
    for topic, words in REVIEW_TOPIC_WORDS.items():
        for word in words:
            start = text.find(word)
            while start >= 0:
                if not any(n in text[max(0, start - 2) : start] for n in NEGATIONS):
                    found.append(topic)
                    break
                start = text.find(word, start + 1)
            if topic in found:
                break
    return found


def problem_topics(text: str) -> list[str]:
    """The problems ``text`` names (磨脚, 开胶, 味道, 掉色, 质量)."""
    return [topic for topic in topics_in(text) if topic in PROBLEM_TOPICS]


def fit_from_text(text: str) -> str | None:
    """The fit a buyer's own words give (偏小 → small, 偏大 → large), if exactly one."""
    fits = {FIT_TOPICS[topic] for topic in topics_in(text) if topic in FIT_TOPICS}
    return fits.pop() if len(fits) == 1 else None


def is_complaint(rating: int, text: str) -> bool:
    """Whether a review given in a chat is a complaint for the shop: low stars or a problem."""
    return rating <= LOW_RATING or bool(problem_topics(text))


def negative_topics(reviews: Iterable[ReviewFacts]) -> list[tuple[str, int]]:
    """How many 中差评 (≤ :data:`NEGATIVE_MAX_RATING` stars) mention each topic, most first.

    Fit topics count the reviews' fit field too (a 2-star review marked 偏小 says so).
    Praise (舒适) is left out; topics nobody mentions are not listed.
    """
    counts: Counter[str] = Counter()
    for review in reviews:
        if review.rating > NEGATIVE_MAX_RATING:
            continue
        topics = set(topics_in(review.text)) - {"舒适"}
        topics |= {topic for topic, fit in FIT_TOPICS.items() if review.fit == fit}
        counts.update(topics)
    order = list(REVIEW_TOPIC_WORDS)
    return sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))


def mentioning(reviews: Iterable[ReviewFacts], topic: str) -> list[ReviewFacts]:
    """The reviews that speak of ``topic`` (fit topics: their fit field or words)."""
    fit = FIT_TOPICS.get(topic)
    return [r for r in reviews if topic in topics_in(r.text) or (fit and r.fit == fit)]


def short(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with …."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def pick_quotes(
    reviews: Sequence[ReviewFacts], topic: str | None = None, limit: int = QUOTES
) -> list[ReviewFacts]:
    """One or two reviews worth quoting, newest first among those with words.

    With a ``topic`` asked about, reviews that speak of it come first. Otherwise the
    newest good review and the newest review of 3 stars or fewer, so a buyer sees
    both sides when both exist.
    """
    worded = sorted(
        (r for r in reviews if r.text.strip()),
        key=lambda r: r.reviewed_at or datetime.min,
        reverse=True,
    )
    if topic:
        about = mentioning(worded, topic)
        return about[:limit] if about else []
    good = [r for r in worded if r.rating >= GOOD_RATING]
    other = [r for r in worded if r.rating < GOOD_RATING]
    chosen = good[:1] + other[:1]
    chosen += [r for r in worded if r not in chosen]
    return chosen[:limit]


def trend(reviews: Iterable[ReviewFacts], months: Sequence[str]) -> list[float | None]:
    """The average rating per month (``YYYY-MM`` of ``months``); None for a month without."""
    by_month: dict[str, list[int]] = {}
    for review in reviews:
        if review.reviewed_at is not None:
            by_month.setdefault(f"{review.reviewed_at:%Y-%m}", []).append(review.rating)
    return [
        round(sum(by_month[m]) / len(by_month[m]), 2) if m in by_month else None for m in months
    ]

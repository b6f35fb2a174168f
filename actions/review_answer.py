"""The answer to a review question, from the stored reviews of one shoe.

Pure (plain values in, responses out; the figures come from
:mod:`shop.review_stats`), so the review action and the product-question action
(这双磨脚吗: the catalogue has no claim on rubbing, the reviews may) give the same
answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from actions import sizing
from shop.db.reviews import product_reviews
from shop.lexicon import (
    FIT_LABELS,
    FIT_QUESTION_WORDS,
    FIT_TOPICS,
    QUOTE_FORMAT,
    QUOTE_SIZE_FORMAT,
    REVIEW_TOPIC_WORDS,
    first_key,
)
from shop.review_stats import (
    ReviewFacts,
    fit_disagreement,
    mentioning,
    pick_quotes,
    short,
    summarize,
)

Messages = list[tuple[str, dict[str, Any]]]


def question_topic(text: str) -> str | None:
    """What a review question asks about: a topic (磨脚, 偏小 …), ``尺码``, or None."""
    topic = first_key(text, REVIEW_TOPIC_WORDS)
    if topic is None and any(word in text for word in FIT_QUESTION_WORDS):
        return "尺码"
    return topic


def quote_lines(reviews: Sequence[ReviewFacts]) -> str:
    """The quoted reviews, one a line: 「很轻，跑步不累」（5分，42码）."""
    return "\n".join(
        QUOTE_FORMAT.format(
            text=short(review.text),
            rating=review.rating,
            size=QUOTE_SIZE_FORMAT.format(size=sizing.format_size(review.size))
            if review.size is not None
            else "",
        )
        for review in reviews
    )


def review_answer(
    name: str,
    reviews: Sequence[ReviewFacts],
    *,
    topic: str | None = None,
    fit_note: str | None = None,
    fit_adjust: float | None = 0.0,
) -> Messages:
    """The responses answering a review question about the shoe ``name``."""
    if not reviews:
        return [("utter_reviews_none", {"product_name": name})]
    summary = summarize(reviews)
    messages: Messages = [
        (
            "utter_reviews_summary",
            {"product_name": name, "count": summary.count, "average": f"{summary.average:.1f}",
             "good": summary.good, "middle": summary.middle, "bad": summary.bad},
        )
    ]  # fmt: skip
    if summary.fit_count:
        messages.append(
            (
                "utter_reviews_fit",
                {"fit_count": summary.fit_count, "small_pct": summary.share("small"),
                 "true_pct": summary.share("true"), "large_pct": summary.share("large")},
            )
        )  # fmt: skip
    elif topic in (*FIT_TOPICS, "尺码"):
        messages.append(("utter_reviews_fit_unknown", {}))
    disagreement = fit_disagreement(fit_adjust, summary)
    if disagreement is not None:
        messages.append(
            (
                "utter_reviews_fit_disagree",
                {"percent": disagreement.percent, "fit": FIT_LABELS[disagreement.fit],
                 "fit_note": fit_note or FIT_LABELS[disagreement.expected]},
            )
        )  # fmt: skip
    quote_topic = topic if topic in REVIEW_TOPIC_WORDS else None
    if quote_topic is not None and quote_topic not in FIT_TOPICS:
        about = len(mentioning(reviews, quote_topic))
        response = "utter_reviews_topic_count" if about else "utter_reviews_topic_none"
        messages.append((response, {"topic": quote_topic, "topic_count": about,
                                    "count": summary.count}))  # fmt: skip
    quotes = pick_quotes(reviews, quote_topic) or (
        [] if quote_topic and quote_topic not in FIT_TOPICS else pick_quotes(reviews)
    )
    if quotes:
        messages.append(("utter_reviews_quotes", {"quotes": quote_lines(quotes)}))
    return messages


def answer_for(product: Any, topic: str | None, session: Session) -> Messages:
    """:func:`review_answer` for a catalogue ``product``, its reviews read in ``session``."""
    return review_answer(
        product.name, product_reviews(product.id, session=session), topic=topic,
        fit_note=product.fit_note, fit_adjust=product.fit_adjust,
    )  # fmt: skip

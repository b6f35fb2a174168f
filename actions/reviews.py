"""Review questions before the sale: 这鞋评价怎么样, 穿过的说磨脚吗, 大家说偏码吗.

The answer comes only from the stored reviews of the shoe under discussion (named,
the page's product, or the one talked about): how many and the average, the share
who found it small or large (and when that contradicts the fit note), how many speak
of a topic asked about, and one or two short quotes. With no reviews the buyer is
told so: a review is never invented. With no shoe known the assistant asks which
one; a typed name answers (``actions/context.py``), as for stock questions.

:func:`review_answer` is pure (plain values in, responses out); the figures come
from :mod:`shop.review_stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.common import (
    answer_in_transaction,
    latest_text,
)
from actions.products import settle_shoe
from actions.stock import asked_which_shoe
from nlu_components.text import normalize_text
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
ACTION_NAME = "action_answer_reviews"


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


class ActionAnswerReviews(Action):
    """Answers a review question from the reviews of the shoe under discussion."""

    def name(self) -> str:
        return "action_answer_reviews"  # ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        earlier = normalize_text(asked_which_shoe(tracker, ACTION_NAME) or "", max_chars=2000)
        text = latest_text(tracker)
        topic = question_topic(text) or question_topic(earlier)

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            product, messages, events = settle_shoe(
                tracker,
                [text, earlier],
                which_response="utter_reviews_which_product",
                session=session,
            )
            if product is None:
                return messages, events
            reviews = product_reviews(product.id, session=session)
            messages = review_answer(
                product.name, reviews, topic=topic, fit_note=product.fit_note,
                fit_adjust=product.fit_adjust,
            )  # fmt: skip
            return messages, events

        return await answer_in_transaction(dispatcher, answer)

"""The owner's numbers' building blocks: buyer turns, the periods that count them, the report.

A turn is one buyer message and the assistant's replies to it; a period (day,
ISO week, whole range) holds the counts and computes the rates. The definitions
are in ``console/analytics.py`` and ``docs/owner.md``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from console.return_insights import ReturnInsights
from console.review_insights import ReviewInsights, no_reviews
from shop.lexicon import HINT_PREFIX, OFFER_HUMAN_IN_FORM

TOP_INTENTS = 5
FALLBACK_REPLY = "utter_default"  # "没太明白": NLU and core fallbacks alike
REASK_PREFIX = HINT_PREFIX  # a form's hint before it asks again (actions/forms.py)
REASK_OFFER = OFFER_HUMAN_IN_FORM  # the second miss: a person offered


def is_stuck_reply(utter_action: str) -> bool:
    """Whether a bot reply means the buyer's words were not understood (fallback or re-ask)."""
    return utter_action in (FALLBACK_REPLY, REASK_OFFER) or utter_action.startswith(REASK_PREFIX)


@dataclass
class Turn:
    """One buyer message and the assistant's replies to it (until the next message)."""

    sender: str
    moment: float
    intent: str
    paused: bool  # an agent had the conversation: the assistant did not answer
    replies: list[str] = field(default_factory=list)  # utter_action of each bot reply

    @property
    def fallback(self) -> bool:
        """Not understood: answered with the fallback, or NLU fallback while no agent had it."""
        return FALLBACK_REPLY in self.replies or (self.intent == "nlu_fallback" and not self.paused)

    @property
    def stuck(self) -> bool:
        """Answered with a fallback or a form's re-ask: the buyer was not helped yet."""
        return any(is_stuck_reply(reply) for reply in self.replies)


@dataclass
class Period:
    """The numbers of one day, week or the whole range."""

    label: str
    start: date
    end: date  # exclusive
    conversations: set[str] = field(default_factory=set)
    handed_off: set[str] = field(default_factory=set)
    stuck: set[str] = field(default_factory=set)  # ended on a fallback or re-ask
    messages: int = 0
    fallbacks: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    ratings: list[int] = field(default_factory=list)
    first_responses: list[float] = field(default_factory=list)  # seconds

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the period."""
        return self.start <= day < self.end

    @property
    def handoff_rate(self) -> float | None:
        """Handed-off conversations / conversations."""
        n = len(self.conversations)
        return len(self.handed_off & self.conversations) / n if n else None

    @property
    def unsettled(self) -> set[str]:
        """Conversations of the period that ended stuck and were not handed off."""
        return (self.stuck & self.conversations) - self.handed_off

    @property
    def stuck_rate(self) -> float | None:
        """Conversations left stuck on a fallback or re-ask / conversations."""
        n = len(self.conversations)
        return len(self.unsettled) / n if n else None

    @property
    def automation_rate(self) -> float | None:
        """Conversations settled by the assistant (not handed off, not stuck) / conversations."""
        n = len(self.conversations)
        if not n:
            return None
        handed = len(self.handed_off & self.conversations)
        return (n - handed - len(self.unsettled)) / n

    @property
    def fallback_rate(self) -> float | None:
        """Buyer messages the assistant did not understand / buyer messages."""
        return self.fallbacks / self.messages if self.messages else None

    @property
    def average_rating(self) -> float | None:
        """Mean of the 1-5 ratings."""
        return statistics.fmean(self.ratings) if self.ratings else None

    @property
    def median_first_response(self) -> float | None:
        """Median seconds from assignment to the agent's first reply."""
        return statistics.median(self.first_responses) if self.first_responses else None

    def top_intents(self, count: int = TOP_INTENTS) -> list[tuple[str, int]]:
        """The most frequent buyer intents (ties by name)."""
        return sorted(self.intents.items(), key=lambda kv: (-kv[1], kv[0]))[:count]

    def row(self) -> dict[str, object]:
        """The period as JSON-ready values."""
        return {
            "label": self.label,
            "conversations": len(self.conversations),
            "handoffs": len(self.handed_off & self.conversations),
            "automation_rate": self.automation_rate,
            "handoff_rate": self.handoff_rate,
            "handoff_reasons": dict(sorted(self.reasons.items())),
            "stuck": len(self.unsettled),
            "stuck_rate": self.stuck_rate,
            "messages": self.messages,
            "fallbacks": self.fallbacks,
            "fallback_rate": self.fallback_rate,
            "top_intents": self.top_intents(),
            "ratings": len(self.ratings),
            "average_rating": self.average_rating,
            "median_first_response_s": self.median_first_response,
        }


@dataclass
class Report:
    """Everything the owner page and the CLI show for ``[start, end]``."""

    start: date
    end: date  # inclusive
    days: list[Period]
    weeks: list[Period]
    total: Period
    by_handling: dict[str, tuple[int, float]]  # bot/agent -> (ratings, average)
    returns: ReturnInsights
    # buyers' reviews (console/review_insights.py): all of them, trend by month to ``end``
    reviews: ReviewInsights = field(default_factory=no_reviews)


def periods(start: date, end: date) -> tuple[list[Period], list[Period]]:
    """One period per day and per ISO week (Monday first) touching ``[start, end]``."""
    count = (end - start).days + 1
    days = [Period(d.isoformat(), d, d + timedelta(1)) for d in
            (start + timedelta(n) for n in range(count))]  # fmt: skip
    weeks: list[Period] = []
    for day in days:
        monday = day.start - timedelta(day.start.weekday())
        if not weeks or weeks[-1].start != monday:
            year, week, _ = monday.isocalendar()
            weeks.append(Period(f"{year}-W{week:02d}", monday, monday + timedelta(7)))
    return days, weeks


def turns(rows: list[tuple[str, str, float, str]]) -> list[Turn]:
    """The buyers' messages with the replies each got, from :func:`rasa_ext.events.said_rows`.

    A reply belongs to the latest message of its conversation; a triggered
    ``EXTERNAL_*`` intent starts a turn of no buyer, so what the assistant says
    then (a shipping notice, the hand-back) is nobody's answer.
    """
    found: list[Turn] = []
    current: dict[str, Turn | None] = {}
    paused: set[str] = set()
    for sender, kind, moment, name in rows:
        if kind == "pause":
            paused.add(sender)
        elif kind == "resume":
            paused.discard(sender)
        elif kind == "user":
            if not name or name.startswith("EXTERNAL_"):
                current[sender] = None
                continue
            turn = Turn(sender, moment, name, sender in paused)
            found.append(turn)
            current[sender] = turn
        elif kind == "bot" and name and (answered := current.get(sender)) is not None:
            answered.replies.append(name)
    return found

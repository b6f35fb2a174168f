"""The owner's numbers, per day and per ISO week (shop time zone).

Conversations come from Rasa's SQL tracker store (``events`` table,
``TRACKER_DB_URL``), the rest from the shop database. Definitions
(``docs/owner.md``):

* conversation: a conversation id with at least one buyer message in the
  period (triggered ``EXTERNAL_*`` intents are not buyer messages);
* handed off: such a conversation paused (``action_handoff``) in the period;
* fallback: a buyer message the assistant did not understand: answered with
  ``utter_default`` ("没太明白", an NLU or a core fallback, whatever the intent),
  or classified ``nlu_fallback`` while the assistant (not an agent) was talking;
  fallback rate = fallbacks / buyer messages;
* stuck: a conversation whose last buyer message in the period was answered
  with a fallback or a form's re-ask (``utter_hint_*``, ``utter_offer_human_in_form``)
  and that was not handed off: the buyer left without an answer;
* automation rate: conversations neither handed off nor stuck / conversations
  (automation + handoff + stuck rates = 1);
* ratings: ``conversation_ratings`` created in the period; first response:
  ``escalations.first_reply_at - assigned_at`` of escalations assigned in it.

``python -m console.analytics --days 7`` prints the same tables as the owner page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from console.return_insights import ReturnInsights, return_insights
from console.review_insights import ReviewInsights, no_reviews, review_insights
from rasa_ext.events import said_rows
from shop.config import settings
from shop.db.models import ConversationRating, Escalation
from shop.db.session import get_engine, session_scope
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


def _local(moment: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(moment, zone).date()


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


def _add_conversations(buckets: list[Period], rows: list[tuple[str, str, float, str]]) -> None:
    zone = ZoneInfo(settings.timezone)
    last: list[dict[str, Turn]] = [{} for _ in buckets]  # per period: sender -> last turn
    for sender, kind, moment, _ in rows:
        if kind != "pause":
            continue
        day = _local(moment, zone)
        for period in buckets:
            if period.contains(day):
                period.handed_off.add(sender)
    for turn in turns(rows):
        day = _local(turn.moment, zone)
        for period, latest in zip(buckets, last, strict=True):
            if not period.contains(day):
                continue
            period.conversations.add(turn.sender)
            period.messages += 1
            period.intents[turn.intent] += 1
            period.fallbacks += turn.fallback
            latest[turn.sender] = turn
    for period, latest in zip(buckets, last, strict=True):
        period.stuck = {sender for sender, turn in latest.items() if turn.stuck}


def _add_shop(buckets: list[Period], session: Session, start: datetime, end: datetime) -> None:
    def put(moment: datetime, add: object) -> None:
        for period in buckets:
            if period.contains(moment.date()):
                add(period)  # type: ignore[operator]

    ratings = select(ConversationRating).where(
        ConversationRating.created_at >= start, ConversationRating.created_at < end
    )
    for rating in session.execute(ratings).scalars():
        put(rating.created_at, lambda p, s=rating.score: p.ratings.append(s))
    escalations = select(Escalation).where(
        Escalation.created_at >= start, Escalation.created_at < end
    )
    for escalation in session.execute(escalations).scalars():
        put(escalation.created_at, lambda p, r=escalation.reason: p.reasons.update([r]))
    assigned = select(Escalation).where(
        Escalation.assigned_at >= start, Escalation.assigned_at < end,
        Escalation.first_reply_at.is_not(None),
    )  # fmt: skip
    for escalation in session.execute(assigned).scalars():
        seconds = (escalation.first_reply_at - escalation.assigned_at).total_seconds()
        put(escalation.assigned_at, lambda p, s=seconds: p.first_responses.append(s))


def _by_handling(session: Session, start: datetime, end: datetime) -> dict[str, tuple[int, float]]:
    scores: dict[str, list[int]] = {}
    query = select(ConversationRating.handling, ConversationRating.score).where(
        ConversationRating.created_at >= start, ConversationRating.created_at < end
    )
    for handling, score in session.execute(query):
        scores.setdefault(handling, []).append(score)
    return {k: (len(v), statistics.fmean(v)) for k, v in sorted(scores.items())}


def build_report(start: date, end: date, *, session: Session, tracker_engine: Engine) -> Report:
    """The report for the days ``start``..``end`` (inclusive, shop-local)."""
    days, weeks = periods(start, end)
    total = Period(f"{start.isoformat()}..{end.isoformat()}", start, end + timedelta(1))
    buckets = [*days, *weeks, total]
    zone = ZoneInfo(settings.timezone)
    first, last = weeks[0].start, weeks[-1].end
    lo = datetime.combine(first, time(), zone).timestamp()
    hi = datetime.combine(last, time(), zone).timestamp()
    _add_conversations(buckets, said_rows(tracker_engine, lo, hi))
    naive_lo, naive_hi = datetime.combine(first, time()), datetime.combine(last, time())
    _add_shop(buckets, session, naive_lo, naive_hi)
    in_range_lo, in_range_hi = datetime.combine(start, time()), datetime.combine(total.end, time())
    return Report(
        start, end, days, weeks, total,
        _by_handling(session, in_range_lo, in_range_hi),
        return_insights(session=session, start=in_range_lo, end=in_range_hi),
        review_insights(session=session, end=end),
    )  # fmt: skip


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def _num(value: object, digits: int = 2) -> str:
    return "-" if value is None else f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns (width counts a CJK character as two)."""

    def width(cell: str) -> int:
        return sum(
            2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in cell
        )

    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


def period_rows(periods_: Sequence[Period]) -> list[list[object]]:
    """The period table's rows, formatted."""
    rows: list[list[object]] = []
    for p in periods_:
        r = p.row()
        reasons = ", ".join(f"{k}:{v}" for k, v in p.reasons.most_common()) or "-"
        intents = ", ".join(f"{k}:{v}" for k, v in p.top_intents(3)) or "-"
        rows.append([
            p.label, r["conversations"], _pct(r["automation_rate"]), _pct(r["handoff_rate"]),
            _pct(r["stuck_rate"]), reasons, _pct(r["fallback_rate"]), intents,
            _num(r["average_rating"]), _num(r["median_first_response_s"], 0),
        ])  # fmt: skip
    return rows


PERIOD_HEADER = ("period", "conv", "automated", "handoff", "stuck", "handoff reasons",
                 "fallback", "top intents", "rating", "1st reply s")  # fmt: skip


def render_text(report: Report) -> str:
    """The report as plain-text tables (the CLI's output)."""
    parts = [
        f"Owner report {report.start} .. {report.end}",
        "", "Per day", table(PERIOD_HEADER, period_rows(report.days)),
        "", "Per week", table(PERIOD_HEADER, period_rows(report.weeks)),
        "", "Whole range", table(PERIOD_HEADER, period_rows([report.total])),
        "", "Ratings by handling",
        table(("handling", "ratings", "average"),
              [(k, n, _num(a)) for k, (n, a) in report.by_handling.items()]),
        "", f"Returns and exchanges ({report.returns.total})",
        table(("reason", "name", "returns", "exchanges"), report.returns.by_reason),
        "", table(("product", "name", "returns", "exchanges"), report.returns.by_product),
        "", table(("size", "requests"), [(f"{s:g}", n) for s, n in report.returns.by_size]),
        "", "Fit notes to check",
        table(("product", "name", "size returns", "too small", "too large", "note now",
               "suggestion"),
              [(f.product_id, f.name, f.size_returns, f.too_small, f.too_large,
                f.fit_note or "-", f.suggestion or "(already noted)") for f in report.returns.fit]),
    ]  # fmt: skip
    return "\n".join(parts)


def today() -> date:
    """Today in the shop's time zone."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def main(argv: Sequence[str] | None = None) -> int:
    """Prints the report: ``--days N`` up to ``--end`` (default today); exit code 0."""
    parser = argparse.ArgumentParser(prog="python -m console.analytics", description=__doc__)
    parser.add_argument("--days", type=int, default=7, help="days up to --end (default 7)")
    parser.add_argument("--end", type=date.fromisoformat, help="last day (default today)")
    parser.add_argument("--database-url", help="the shop database (default DATABASE_URL)")
    parser.add_argument("--tracker-url", help="Rasa's tracker store (default TRACKER_DB_URL)")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 366:
        parser.error("--days must be 1-366")
    end = args.end or today()
    engine = get_engine(args.database_url) if args.database_url else get_engine()
    tracker = create_engine(args.tracker_url or settings.tracker_db_url, future=True)
    with session_scope(engine) as session:
        report = build_report(
            end - timedelta(args.days - 1), end, session=session, tracker_engine=tracker
        )
        print(render_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

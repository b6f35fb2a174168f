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
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from console.analytics_periods import Period, Report, Turn, periods, turns
from console.analytics_text import render_text
from console.return_insights import return_insights
from console.review_insights import review_insights
from rasa_ext.events import said_rows
from shop.config import settings
from shop.db.models import ConversationRating, Escalation
from shop.db.session import get_engine, session_scope


def _local(moment: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(moment, zone).date()


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

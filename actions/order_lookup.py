"""The buyer's orders as the order form sees them, and what a typed message settles.

``load_choice`` reads the orders this conversation may see with their
eligibility for the goal; ``decide`` turns a typed answer (a tail of a number,
an ordinal, product words, a date) into the slots it settles. The order form
and the context checks (那个订单) share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.access import accessible_orders, shop_now
from actions.common import last_text_with_intent, latest_intent, latest_text
from nlu_components.text import normalize_text
from shop import order_choice, order_match
from shop.clauses import ALSO_ASKED_KEY
from shop.db import queries
from shop.db.models import Order, ReturnRequest
from shop.lexicon import CANCEL_ORDER_WORDS, REFUND_PROGRESS_WORDS
from shop.order_choice import product_names

ORDER_ID = re.compile(r"(?<!\d)(\d{16})(?!\d)")
# Goals that need no particular order when the buyer is logged in.
ALL_ORDERS_GOALS = frozenset({"return_status"})
# Goals for which "where is it" means the parcel on its way, if there is one.
IN_TRANSIT_GOALS = frozenset({"status", "delivery_problem", None})
RETURN_INTENTS = frozenset({"request_return", "request_exchange"})
MAX_BUTTONS = 5


def order_buttons(orders: list[Order]) -> list[dict[str, str]]:
    """Quick replies choosing one of ``orders`` (the first five)."""
    return [
        {
            "title": f"{product_names(order)} {order.created_at:%m-%d} {order.id[-6:]}",
            "payload": f'/inform{{"order_id":"{order.id}"}}',
        }
        for order in orders[:MAX_BUTTONS]
    ]


@dataclass
class Choice:
    """The buyer's orders as the form sees them for one goal."""

    orders: dict[str, Order]
    views: list[order_choice.OrderView]
    eligible: list[order_choice.OrderView]
    reasons: dict[str, str] = field(default_factory=dict)

    def offered(self, narrowed: list[str] | None) -> list[order_choice.OrderView]:
        """The orders shown on the buttons: a narrowed choice, else the eligible ones."""
        if narrowed:
            chosen = [v for v in self.views if v.id in set(narrowed)]
            if chosen:
                return chosen
        return self.eligible


def load_choice(tracker: Tracker, *, session: Session) -> Choice:
    """The orders this conversation may see, with their eligibility for the goal."""
    orders = accessible_orders(tracker, session=session)
    with_returns = set(
        session.execute(
            select(ReturnRequest.order_id).where(ReturnRequest.order_id.in_([o.id for o in orders]))
        ).scalars()
    )
    views = [order_choice.view_of(o, has_return=o.id in with_returns) for o in orders]
    policy = queries.get_policy(session=session)
    goal = tracker.get_slot("after_sale_goal")
    eligible, reasons = order_choice.eligible_orders(
        views,
        goal,
        today=shop_now().date(),
        quality_days=policy.quality_return_days if policy else 15,
    )
    if goal in ("return", "exchange") and cancels_an_order(tracker):
        # 我要取消订单 (read as a return): the orders not shipped yet, whose flow says
        # how (an unpaid one is just cancelled, a paid one refunded on the order page)
        unshipped = [view for view in views if view.status in UNSHIPPED]
        eligible = unshipped or eligible
    return Choice({o.id: o for o in orders}, views, eligible, reasons)


UNSHIPPED = frozenset({"pending_payment", "paid"})


def cancels_an_order(tracker: Tracker) -> bool:
    """Whether the buyer's request (its latest message, or the one that started the
    return) cancels an order rather than returns goods (:data:`CANCEL_ORDER_WORDS`)."""
    texts = [latest_text(tracker), last_text_with_intent(tracker, RETURN_INTENTS)]
    return any(word in text for text in texts for word in CANCEL_ORDER_WORDS)


def decide(
    text: str, choice: Choice, narrowed: list[str] | None, *, besides: str | None = None
) -> dict[str, Any] | None:
    """The slots a typed message settles, or ``None`` when it names no order.

    ``besides`` is the order talked about last, which 另外那个 sets aside.

    ``{"order_id": ...}`` for one order; ``{"order_choices": [...]}`` when it
    fits several; ``{}`` when it names something no order fits.
    """
    today = shop_now().date()
    offered = choice.offered(narrowed)
    match = order_match.match_orders(text, offered, today=today, besides=besides)
    if not match.orders and offered is not choice.views:
        # Words that fit no offered order may name one that is not offered, even
        # words only its items have (山野 for an old 山野防水徒步鞋 order, not a kind word).
        # One such order: its flow says why not. Several (乐福鞋 bought twice, both
        # too old to return): asked which, never the offered order they are not.
        wider = order_match.match_orders(text, choice.views, today=today, besides=besides)
        if wider.orders:
            match = wider
    if not match.said_something:
        return None
    ids = [view.id for view in match.orders]
    if len(ids) == 1:
        return {"order_id": ids[0], "order_choices": None, "all_orders": None}
    if len(ids) > 1 and match.all_requested:
        return {"order_id": ids[0], "order_choices": ids, "all_orders": True}
    if len(ids) > 1:
        return {"order_choices": ids}
    return {}


def asks_about_refund(tracker: Tracker) -> bool:
    """A status question whose words are about refunded money or a return (到账, 换货),
    outside a second question the message also asks (儿童雨靴到哪了 顺便问下退款多久)."""
    text = latest_text(tracker)
    also = (tracker.latest_message or {}).get(ALSO_ASKED_KEY)
    if isinstance(also, dict) and also.get("text"):
        text = text.replace(normalize_text(str(also["text"])), " ")
    return latest_intent(tracker) == "check_order_status" and any(
        word in text for word in REFUND_PROGRESS_WORDS
    )


def default_order(goal: str | None, choice: Choice) -> str | None:
    """The order meant when the buyer named none: the only eligible or in-transit one."""
    if len(choice.eligible) == 1:
        return choice.eligible[0].id
    if goal in IN_TRANSIT_GOALS:
        moving = [v for v in choice.eligible if v.status == "shipped"]
        if len(moving) == 1:
            return moving[0].id
    if not choice.eligible and choice.views:
        return choice.views[0].id  # none fits: the newest, whose flow explains why
    return None

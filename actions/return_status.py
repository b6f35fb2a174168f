"""Where the buyer's returns stand: their progress, what a cancelled order's money
did, and the return parcel's tracking number the buyer types.

Status answers follow the shop's records only: money refunded or new shoes sent
is said only once the shop has marked the returned goods received and beyond
(``actions/return_checks.status_message``).
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.access import accessible_orders
from actions.common import (
    latest_entity,
    latest_text,
    replies_before_latest,
    reply_in_transaction,
)
from actions.return_checks import Messages, status_message
from shop.clock import shop_now
from shop.db import queries, returns
from shop.db.models import Order, ReturnRequest
from shop.lexicon import RETURN_STATUS_LABELS, label
from shop.order_choice import product_names, view_of
from shop.order_match import match_orders

# A return request's number as buyers copy it (RT0005, R02): letters, then digits.
RETURN_ID = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,4}\d{2,}(?!\d)")


class ActionCheckReturnStatus(Action):
    """Where each of the buyer's returns stands and what they must do next."""

    def name(self) -> str:
        return "action_check_return_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        named = {word.upper() for word in RETURN_ID.findall(text)}

        def describe(session: Session) -> Messages:
            orders = accessible_orders(tracker, session=session)
            if not orders:
                return [("utter_order_not_found", {})]
            requests = requests_of(orders, session)
            policy = queries.get_policy(session=session)
            said: Messages = []
            if named:  # R02退款到哪了: that request, never another buyer's in its place
                mine = [r for r in requests if r.id.upper() in named]
                if not mine:
                    shown = "、".join(sorted(named))
                    said.append(("utter_return_id_not_found", {"return_id": shown}))
                requests = mine or requests
            else:  # 轻羽跑鞋的退款到哪了: the returns of the orders the words name
                requests = of_named_orders(text, requests, orders)
            requests = requests[:3]
            said += [status_message(request, policy) for request in requests]
            asked = "取消" in text
            refunds = cancelled_refunds(orders, unpaid_too=asked) if not requests or asked else []
            said += refunds
            if not requests and not refunds:
                said.append(("utter_no_returns", {}))
            return said

        await reply_in_transaction(dispatcher, failures=(returns.ReturnError,), work=describe)
        return []


def requests_of(orders: list[Order], session: Session) -> list[ReturnRequest]:
    """Every return request of ``orders``, newest first."""
    return list(
        session.execute(
            select(ReturnRequest)
            .where(ReturnRequest.order_id.in_([order.id for order in orders]))
            .order_by(ReturnRequest.created_at.desc())
        ).scalars()
    )


def of_named_orders(
    text: str, requests: list[ReturnRequest], orders: list[Order]
) -> list[ReturnRequest]:
    """The requests whose returned item ``text`` points at (a shoe, a kind, a colour,
    its order's date or number), or all of them when it points at none or at nothing
    that has a return. Two returns of one order are told apart by their items."""
    by_id = {order.id: order for order in orders}
    pairs = [
        (view_of(by_id[r.order_id], has_return=True, items=[r.item]), r)
        for r in requests
        if r.order_id in by_id
    ]
    if len(pairs) < 2:
        return requests
    views = [view for view, _ in pairs]
    named = match_orders(text, views, today=shop_now().date()).orders
    return [request for view, request in pairs if view in named] or requests


def cancelled_refunds(orders: list[Order], *, unpaid_too: bool) -> Messages:
    """What a cancelled order's money did, as far as the shop's records tell (the
    newest two): a paid one's refund is not a return, and its progress is not in
    the records, so a person checks it; an unpaid one, named only when the buyer
    asked about a cancelled order, had nothing to refund."""
    cancelled = [
        order for order in orders if order.status == "cancelled" and (order.paid_at or unpaid_too)
    ][:2]
    return [
        (
            "utter_refund_cancelled_paid" if order.paid_at else "utter_refund_cancelled_unpaid",
            {"order_id": order.id, "products": product_names(order)},
        )
        for order in cancelled
    ]


class ActionRecordReturnTracking(Action):
    """Records the return parcel's tracking number on the request waiting for it: the
    one the buyer names, or was just told about; a named request that waits for no
    parcel (still reviewed, or done) records nothing and says where it stands."""

    def name(self) -> str:
        return "action_record_return_tracking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        raw = latest_entity(tracker, "tracking_number") or latest_text(tracker)
        try:
            number = returns.normalize_tracking_number(raw)
        except returns.InvalidTrackingNumber:
            dispatcher.utter_message(response="utter_tracking_number_invalid")
            return []

        text = latest_text(tracker).upper()
        said_before = " ".join(str(e.get("text") or "") for e in replies_before_latest(tracker))

        def record(session: Session) -> Messages:
            mine = requests_of(accessible_orders(tracker, session=session), session)
            # the request the buyer names (RT0001 SF…), else the one just talked about
            meant = [r for r in mine if r.id.upper() in text] or [
                r for r in mine if r.id in said_before
            ]
            awaiting = [r for r in meant or mine if r.status == "awaiting_shipment"]
            if meant and not awaiting:  # 拖鞋 is still reviewed: not sent back yet
                return [
                    ("utter_tracking_not_awaited",
                     {"return_id": meant[0].id,
                      "status": label(RETURN_STATUS_LABELS, meant[0].status)}),
                ]  # fmt: skip
            if not awaiting:
                return [("utter_no_return_awaiting_tracking", {})]
            waiting = awaiting[0]
            returns.record_return_tracking(waiting.id, number, actor="buyer", session=session)
            return [
                ("utter_tracking_recorded", {"return_id": waiting.id, "tracking_number": number})
            ]

        await reply_in_transaction(dispatcher, failures=(returns.ReturnError,), work=record)
        return []

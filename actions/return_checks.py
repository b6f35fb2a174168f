"""The return form's checks and lookups: the goal kept, the reason and item named, the
shop's rules for a reason on an item, the exchange stock, and domain text fragments.

Shared by the form (``return_requests.py``) and the actions that open a request
(``return_progress.py``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import sizing
from actions.access import accessible_order
from actions.common import latest_text
from actions.return_rules import decide_return, reason_code
from shop.answers.policies import refund_period
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import Order, OrderItem, ReturnRequest, StockItem
from shop.lexicon import (
    CANCEL_REQUEST_WORDS,
    REASON_WORDS,
    RETURN_KIND_LABELS,
    RETURN_NEXT_STEP_LABELS,
    colors_in,
    first_key,
    label,
    names_color,
)
from shop.order_choice import product_names

Messages = list[tuple[str, dict[str, Any]]]
FORM_SLOTS = ("order_item_id", "return_reason", "exchange_size", "exchange_color",
              "return_confirmed", "return_blocked")  # fmt: skip
REQUEST_INTENTS = frozenset({"request_return", "request_exchange", "complain"})
# Words that must be said to turn a return into an exchange (or back) mid-form.
GOAL_WORDS = {"exchange": ("换",), "return": ("退",)}


def kept_goal(tracker: Tracker) -> str | None:
    """The goal before this message, when the message changed it without saying so."""
    goal = tracker.get_slot("after_sale_goal")
    if tracker.get_slot("requested_slot") is None or goal not in GOAL_WORDS:
        return None
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "after_sale_goal":
            before = event.get("value")
            if before in GOAL_WORDS and before != goal:
                said = any(w in latest_text(tracker) for w in GOAL_WORDS[str(goal)])
                return None if said else str(before)
            return None
    return None


def reason_in(text: str) -> str | None:
    """The reason code the buyer's words give, if any."""
    return first_key(text, REASON_WORDS)


def item_in_text(items: list[OrderItem], text: str) -> OrderItem | None:
    """The one item of an order the buyer's words name: product, colour or size."""
    size = sizing.parse_size_answer(text)
    colors = colors_in(text)
    for fits in (
        lambda i: any(n and n in text for n in [i.product.name, *(i.product.aliases or [])]),
        lambda i: any(color in i.color for color in colors) or names_color(text, i.color),
        lambda i: size is not None and i.size == size,
    ):
        named = [item for item in items if fits(item)]
        if len(named) == 1:
            return named[0]
    return None


def outside_windows(item: OrderItem, session: Session) -> Messages:
    """Why no reason can open a return on ``item`` any more, and a human offered."""
    policy = queries.get_policy(session=session)
    order = item.order
    days = (shop_now().date() - order.delivered_at.date()).days if order.delivered_at else 0
    variables = {
        "order_id": order.id,
        "products": product_names(order),
        "days": days,
        "no_reason_days": policy.no_reason_return_days if policy else 7,
        "quality_days": policy.quality_return_days if policy else 15,
    }
    return [("utter_return_outside_windows", variables), ("utter_offer_human", {})]


def _order(tracker: Tracker, session: Session) -> Order | None:
    return accessible_order(tracker, tracker.get_slot("order_id"), session=session)


def _item(tracker: Tracker, session: Session) -> OrderItem | None:
    order = _order(tracker, session)
    item_id = tracker.get_slot("order_item_id")
    if order is None or item_id is None:
        return None
    return next((item for item in order.items if str(item.id) == str(item_id)), None)


def _decision_messages(item: OrderItem, reason: str, session: Session) -> tuple[Messages, Any]:
    """Refusal responses for ``reason`` on ``item`` (empty when allowed), and the decision."""
    policy = queries.get_policy(session=session)
    order = item.order
    decision = decide_return(
        order_status=order.status,
        delivered_at=order.delivered_at,
        reason=reason_code(reason) or "no_reason",
        freight_insurance=bool(order.freight_insurance),
        today=shop_now().date(),
        no_reason_days=policy.no_reason_return_days if policy else 7,
        quality_days=policy.quality_return_days if policy else 15,
        no_reason_postage_payer=policy.no_reason_postage_payer if policy else "buyer",
        quality_postage_payer=policy.quality_postage_payer if policy else "shop",
    )
    if decision.refusal is None:
        return [], decision
    variables = {
        "order_id": order.id,
        "window_days": decision.window_days,
        "quality_days": policy.quality_return_days if policy else 15,
    }
    return [(f"utter_return_refused_{decision.refusal}", variables)], decision


def available_sizes(item: OrderItem, color: str, session: Session) -> list[float]:
    """Sizes of ``item``'s product in ``color`` with unreserved stock."""
    rows = session.execute(
        select(StockItem).where(StockItem.product_id == item.product_id, StockItem.color == color)
    ).scalars()
    return sorted(row.size for row in rows if row.quantity - row.reserved > 0)


def _text(domain: DomainDict, response: str) -> str:
    """The first text of a domain response (used as a fragment of another)."""
    variants = domain.get("responses", {}).get(response) or [{}]
    return str(variants[0].get("text", ""))


def _kind_name(exchange: bool) -> str:
    return label(RETURN_KIND_LABELS, "exchange" if exchange else "return")


def status_message(request: ReturnRequest, policy: Any) -> tuple[str, dict[str, Any]]:
    """The response for one request's current state."""
    variables: dict[str, Any] = {
        "return_id": request.id,
        "product": request.item.product.name,
        "refund_days": refund_period(policy),
        "return_address": policy.return_address if policy else "",
        "return_recipient": policy.return_recipient if policy else "",
        "return_phone": policy.return_phone if policy else "",
        "tracking_number": request.return_tracking_number or "",
        "note": request.shop_note or "-",
        # what the shop does once the goods are back: the shop's own refund time
        "next_step": RETURN_NEXT_STEP_LABELS[
            "exchange" if request.kind == "exchange" else "return"
        ].format(period=refund_period(policy)),
    }
    if request.status == "refunded":
        paid = request.item.price_fen * request.item.quantity
        variables["refund_yuan"] = f"{(request.refund_fen or paid) / 100:.2f}"
    if request.status == "rejected" and not request.shop_note:
        # no reason recorded: say so and offer a person, never "原因：-"
        return "utter_return_status_rejected_no_note", variables
    return f"utter_return_status_{request.status}", variables


def already_settled(settled: ReturnRequest, session: Session) -> Messages:
    """An item a request already refunded or exchanged: no second request here (it
    would pay or send twice); its outcome, and a person for anything more."""
    policy = queries.get_policy(session=session)
    return [
        ("utter_return_already_settled", {"return_id": settled.id}),
        status_message(settled, policy),
        ("utter_offer_human", {}),
    ]


def rejected_before(rejected: ReturnRequest) -> tuple[str, dict[str, Any]]:
    """A new request for an item whose last one the shop rejected: that one named,
    with the shop's note when it wrote one."""
    note = (rejected.shop_note or "").strip().rstrip("。.")
    if not note:
        return "utter_return_rejected_before_no_note", {"return_id": rejected.id}
    return "utter_return_rejected_before", {"return_id": rejected.id, "note": note}


def already_requested(existing: ReturnRequest, session: Session, text: str = "") -> Messages:
    """An item with an open request: says so, with where that request stands.

    退货地址是哪里 or 我要退货 again reads as a new request; the request's state
    answers both (the address while it waits for the parcel, the refund once
    received), so the buyer is not sent off to ask again. 我想取消退货 reads as
    a request too: withdrawing one is for staff, so a person is offered.
    """
    policy = queries.get_policy(session=session)
    messages: Messages = [
        ("utter_return_exists", {"return_id": existing.id}),
        status_message(existing, policy),
    ]
    if any(word in text for word in CANCEL_REQUEST_WORDS):
        messages += [("utter_return_withdraw_by_staff", {}), ("utter_offer_human", {})]
    return messages

"""Asking which item and confirming; opening the return; its progress and tracking number.

The request is opened in one transaction that re-checks every rule. Status
answers follow the shop's records only: money refunded or new shoes sent is
said only once the shop has marked the returned goods received and beyond.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import sizing
from actions.common import (
    in_transaction,
    latest_text,
    reply_in_transaction,
)
from actions.return_checks import (
    FORM_SLOTS,
    Messages,
    _decision_messages,
    _item,
    _kind_name,
    _order,
    _text,
    already_requested,
    already_settled,
    available_sizes,
)
from actions.return_rules import NO_REASON_CODES, reason_code
from nlu_components.text import normalize_text
from shop.answers.policies import refund_period
from shop.clock import shop_now
from shop.db import queries, returns
from shop.db.models import ReturnRequest, ReturnStatusChange, StockItem
from shop.lexicon import RETURN_REASON_LABELS, label
from shop.transcript import described


class ActionAskOrderItemId(Action):
    """Asks which item of the order, with a button per item."""

    def name(self) -> str:
        return "action_ask_order_item_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        def buttons(session: Session) -> list[dict[str, str]]:
            order = _order(tracker, session)
            return [
                {
                    "title": f"{item.product.name} {item.color} {sizing.format_size(item.size)}",
                    "payload": f'/inform{{"order_item_id":"{item.id}"}}',
                }
                for item in (order.items if order else [])
            ]

        items = await in_transaction(buttons)
        dispatcher.utter_message(response="utter_choose_order_item", buttons=items)
        return []


class ActionAskReturnReason(Action):
    """Asks why, naming the item: the form may have picked the order and item itself
    (the only one that can still be returned), and the buyer should see which."""

    def name(self) -> str:
        return "action_ask_return_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        def named(session: Session) -> dict[str, str] | None:
            item = _item(tracker, session)
            if item is None:
                return None
            return {
                "product_name": item.product.name,
                "color": item.color,
                "size": sizing.format_size(item.size),
            }

        item = await in_transaction(named)
        if item is None:
            dispatcher.utter_message(response="utter_ask_return_reason")
            return []
        dispatcher.utter_message(response="utter_ask_return_reason_for", **item)
        return []


class ActionAskReturnConfirmed(Action):
    """Summarises the request, with who pays postage, and asks to confirm."""

    def name(self) -> str:
        return "action_ask_return_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason = tracker.get_slot("return_reason")

        def summary(session: Session) -> Messages:
            item = _item(tracker, session)
            if item is None:
                return [("utter_order_not_found", {})]
            _, decision = _decision_messages(item, reason, session)
            policy = queries.get_policy(session=session)
            exchange = tracker.get_slot("after_sale_goal") == "exchange"
            shown = item.product.name
            if exchange:
                color = tracker.get_slot("exchange_color") or item.color
                size = sizing.format_size(float(tracker.get_slot("exchange_size") or item.size))
                shown = f"{shown} {item.color}{sizing.format_size(item.size)} → {color}{size}"
            return [(
                "utter_ask_return_confirmed",
                {
                    "kind_name": _kind_name(exchange),
                    "product": shown,
                    "reason": label(RETURN_REASON_LABELS, reason),
                    "postage_note": _text(domain, f"utter_postage_note_{decision.postage}"),
                    "condition": _condition(policy, reason, domain),
                },
            )]  # fmt: skip

        for response, kwargs in await in_transaction(summary):
            dispatcher.utter_message(response=response, **kwargs)
        return []


def _condition(policy: Any, reason: str | None, domain: DomainDict) -> str:
    """What the returned shoes must be: the shop's resale condition (未穿着, 吊牌完好)
    for a return without fault; for a defect, worn shoes come back too."""
    if reason_code(reason) in NO_REASON_CODES:
        return str(policy.return_condition) if policy else ""
    return _text(domain, "utter_return_condition_defect")


class ActionOpenReturn(Action):
    """Opens the confirmed request in one transaction, re-checking every rule."""

    def name(self) -> str:
        return "action_open_return"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if tracker.get_slot("return_blocked"):
            return reset
        if tracker.get_slot("return_confirmed") is not True:
            dispatcher.utter_message(response="utter_return_cancelled")
            return reset
        exchange = tracker.get_slot("after_sale_goal") == "exchange"
        reason = tracker.get_slot("return_reason")

        def open_request(session: Session) -> Messages:
            item = _item(tracker, session)
            if item is None:
                return [("utter_order_not_found", {})]
            existing = returns.open_return_for_item(item.id, session=session)
            if existing is not None:
                return already_requested(existing, session, latest_text(tracker))
            settled = returns.settled_return_for_item(item.id, session=session)
            if settled is not None:
                return already_settled(settled, session)
            refusal, _ = _decision_messages(item, reason, session)
            if refusal:
                return refusal
            policy = queries.get_policy(session=session)
            now = shop_now()
            request = ReturnRequest(
                id=returns.next_return_id(session=session), order_id=item.order_id,
                order_item_id=item.id, kind="exchange" if exchange else "return",
                reason=reason_code(reason), status="requested",
                buyer_words=normalize_text(described(tracker.events), max_chars=500),
                created_at=now, updated_at=now,
            )  # fmt: skip
            extra: Messages = []
            if exchange:
                request.exchange_size = float(tracker.get_slot("exchange_size"))
                request.exchange_color = tracker.get_slot("exchange_color") or item.color
                stock = session.execute(
                    select(StockItem).where(
                        StockItem.product_id == item.product_id,
                        StockItem.color == request.exchange_color,
                        StockItem.size == request.exchange_size,
                    )
                ).scalar_one_or_none()
                if stock is None or stock.quantity - stock.reserved <= 0:
                    shown = (
                        "、".join(
                            sizing.format_size(s)
                            for s in available_sizes(item, request.exchange_color, session)
                        )
                        or "-"
                    )
                    return [(
                        "utter_exchange_no_stock",
                        {"color": request.exchange_color,
                         "size": sizing.format_size(request.exchange_size), "sizes": shown},
                    )]  # fmt: skip
                stock.reserved += 1
                extra.append((
                    "utter_exchange_rule",
                    {"color": request.exchange_color,
                     "size": sizing.format_size(request.exchange_size)},
                ))  # fmt: skip
            else:
                extra.append(("utter_return_refund_rule",
                              {"refund_days": refund_period(policy)}))  # fmt: skip
            session.add(request)
            session.add(
                ReturnStatusChange(
                    return_request=request, from_status=None, to_status="requested",
                    actor="assistant", note=reason, happened_at=now,
                )
            )  # fmt: skip
            session.flush()
            returns.transition(request.id, "awaiting_shipment", actor="assistant", session=session)
            address = {
                "return_address": policy.return_address if policy else "",
                "return_recipient": policy.return_recipient if policy else "",
                "return_phone": policy.return_phone if policy else "",
            }
            return [(
                "utter_return_opened",
                {"kind_name": _kind_name(exchange), "return_id": request.id, **address},
            ), *extra]  # fmt: skip

        await reply_in_transaction(
            dispatcher,
            work=open_request,
            failures=(returns.ReturnError,),
            failure_response="utter_return_failed",
            retries=2,  # two requests opened at once may both take the next RT number
        )
        return reset

"""What the assistant says when the shop ships, delivers, receives or refunds.

``shop/notify.py`` triggers one ``EXTERNAL_*`` intent per shop event with
the event's values as entities; the rules (``data/rules/proactive.yml``) run
:class:`ActionShopEvent`, which fills the matching response. An event id
already answered in this conversation is ignored (a retried delivery).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.common import latest_intent, reply_in_transaction
from actions.return_rules import decide_return
from shop.clock import shop_now
from shop.db.models import Order, ShopPolicy

Reply = tuple[str, dict[str, Any]]


def _entities(message: dict[str, Any]) -> dict[str, str]:
    return {
        str(e.get("entity")): str(e.get("value"))
        for e in message.get("entities") or []
        if e.get("value") is not None
    }


def already_answered(tracker: Tracker, event_id: str) -> bool:
    """True when an earlier message of this conversation carried the same shop event."""
    seen = 0
    for event in tracker.events:
        if event.get("event") == "user":
            entities = _entities(event.get("parse_data") or {})
            seen += entities.get("shop_event_id") == event_id
    return seen > 1


def delivered_reply(order_id: str, *, session: Session) -> list[Reply]:
    """The sign-for message: which shoes, and the days left to exchange without reason."""
    order = session.get(Order, order_id)
    policy = session.execute(select(ShopPolicy)).scalars().first()
    if order is None or policy is None:
        return []
    names = list(dict.fromkeys(item.product.name for item in order.items))
    values: dict[str, Any] = {"order_id": order.id, "product_name": "、".join(names)}
    decision = decide_return(
        order_status=order.status,
        delivered_at=order.delivered_at,
        reason="size",
        freight_insurance=order.freight_insurance,
        today=shop_now().date(),
        no_reason_days=policy.no_reason_return_days,
        quality_days=policy.quality_return_days,
    )
    if decision.refusal is not None:
        return [("utter_notify_delivered_no_window", values)]
    values.update(window_days=decision.window_days, days_left=decision.days_left)
    return [("utter_notify_delivered", values)]


class ActionShopEvent(Action):
    """Tells the buyer about a shop event: shipped, delivered, received, refunded."""

    def name(self) -> str:
        return "action_shop_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values = _entities(tracker.latest_message or {})
        event_id = values.pop("shop_event_id", "")
        if event_id and already_answered(tracker, event_id):
            return []
        intent = latest_intent(tracker)
        if intent == "EXTERNAL_order_delivered":
            order_id = values.get("order_id", "")
            await reply_in_transaction(
                dispatcher, lambda session: delivered_reply(order_id, session=session)
            )
            return []
        response = {
            "EXTERNAL_order_shipped": "utter_notify_shipped",
            "EXTERNAL_return_received": "utter_notify_return_received",
            "EXTERNAL_refund_completed": "utter_notify_refunded",
        }.get(intent or "")
        if response:
            dispatcher.utter_message(response=response, **values)
        return []

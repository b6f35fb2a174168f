"""The shop's rules, answered from the policy and promotion tables."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import reply_in_transaction
from actions.config import settings
from actions.db import queries

Messages = list[tuple[str, dict[str, Any]]]


class _PolicyAction(Action, ABC):
    """Runs one read in a transaction and sends the responses it picks."""

    @abstractmethod
    def messages(self, session: Session) -> Messages:
        """The responses (name, variables) to send."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await reply_in_transaction(dispatcher, work=self.messages)
        return []


class ActionAnswerReturnPolicy(_PolicyAction):
    """The return and exchange rules: windows, conditions, postage, refunds."""

    def name(self) -> str:
        return "action_answer_return_policy"

    def messages(self, session: Session) -> Messages:
        policy = queries.get_policy(session=session)
        if policy is None:
            return [("utter_shop_info_missing", {})]
        postage = (
            "utter_return_postage_shop"
            if policy.no_reason_postage_payer == "shop"
            else "utter_return_postage_buyer"
        )
        return [
            (
                "utter_return_policy",
                {
                    "no_reason_days": policy.no_reason_return_days,
                    "quality_days": policy.quality_return_days,
                    "condition": policy.return_condition,
                    "refund_days": policy.refund_days,
                },
            ),
            (postage, {"freight_insurance": policy.freight_insurance}),
        ]


class ActionAnswerShipping(_PolicyAction):
    """When and how orders ship, and where shipping is free."""

    def name(self) -> str:
        return "action_answer_shipping"

    def messages(self, session: Session) -> Messages:
        policy = queries.get_policy(session=session)
        if policy is None:
            return [("utter_shop_info_missing", {})]
        return [
            (
                "utter_shipping_policy",
                {
                    "ship_within_hours": policy.ship_within_hours,
                    "cutoff_time": policy.cutoff_time,
                    "ship_from": policy.ship_from,
                    "couriers": "、".join(policy.couriers or []),
                    "free_shipping": policy.free_shipping,
                    "remote_areas": policy.remote_areas,
                },
            )
        ]


class ActionAnswerPromotion(_PolicyAction):
    """The promotions valid today in the shop's time zone."""

    def name(self) -> str:
        return "action_answer_promotion"

    def messages(self, session: Session) -> Messages:
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        promotions = queries.active_promotions(today, session=session)
        if not promotions:
            return [("utter_no_promotions", {})]
        messages: Messages = [("utter_promotions_intro", {})]
        for promotion in promotions:
            response = (
                "utter_promotion_item_stackable" if promotion.stackable else "utter_promotion_item"
            )
            messages.append(
                (
                    response,
                    {
                        "title": promotion.title,
                        "description": promotion.description,
                        "ends_month": promotion.ends_on.month,
                        "ends_day": promotion.ends_on.day,
                    },
                )
            )
        return messages

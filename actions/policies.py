"""The shop's rules: return policy, shipping, promotions and price protection (价保).

The answers are the shop core's (``shop/answers/policies.py``), shared with the
agent console's suggested replies; each action reads the question from the
tracker and sends the answer computed in one transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import asked_of, reply_in_transaction
from shop.answers import policies
from shop.answers.asked import Asked
from shop.answers.policies import Messages


class _PolicyAction(Action, ABC):
    """Sends, in one transaction, the answer to the tracker's question."""

    @abstractmethod
    def answer(self, asked: Asked, session: Session) -> Messages:
        """The responses (name, variables) to send."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = asked_of(tracker)
        await reply_in_transaction(dispatcher, work=lambda session: self.answer(asked, session))
        return []


class ActionAnswerReturnPolicy(_PolicyAction):
    """The return and exchange rules: windows, conditions, postage, refunds."""

    def name(self) -> str:
        return "action_answer_return_policy"

    def answer(self, asked: Asked, session: Session) -> Messages:
        return policies.return_policy(asked, session)


class ActionAnswerShipping(_PolicyAction):
    """When and how orders ship, and where shipping is free."""

    def name(self) -> str:
        return "action_answer_shipping"

    def answer(self, asked: Asked, session: Session) -> Messages:
        return policies.shipping(asked, session)


class ActionAnswerPromotion(_PolicyAction):
    """The promotions valid today in the shop's time zone, or the price protection."""

    def name(self) -> str:
        return "action_answer_promotion"

    def answer(self, asked: Asked, session: Session) -> Messages:
        return policies.promotions(asked, session)

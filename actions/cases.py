"""Delivery problems and complaints: recorded with the buyer's words, then a human.

Both are things the assistant cannot settle alone, so each records a case for
the shop, queues the conversation for an agent with a reason and hands over
(``action_handoff`` follows).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.access import accessible_order, record_escalation, token_buyer_id
from actions.common import last_text_with_intent, reply_in_transaction
from actions.handoff import handoff_followup
from actions.orders import _locked_or_not_found
from actions.return_checks import reason_in
from nlu_components.text import normalize_text
from shop.answers.policies import quality_terms
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import Complaint, DeliveryCase
from shop.lexicon import (
    COMPLAINT_CATEGORY_LABELS,
    COMPLAINT_CATEGORY_WORDS,
    DELIVERY_KIND_LABELS,
    DELIVERY_KIND_WORDS,
    colors_named,
    label,
    names_color,
    wanted_words,
)
from shop.summaries import case_summary

# Offers a return or an exchange for a defect told as a delivery problem; the
# return form then takes the reason from the report (actions/return_requests.py).
DEFECT_OFFER = "utter_delivery_problem_is_quality"
PRIORITY = {"lost": 1, "signed_not_received": 1, "damaged": 1, "wrong_parcel": 1}
WRONG = "wrong_parcel"


def delivery_kind(text: str) -> str:
    """The kind of delivery problem the buyer's words describe."""
    for kind, groups in DELIVERY_KIND_WORDS:
        if all(any(word in text for word in group) for group in groups):
            return kind
    return "other"


def complaint_category(text: str) -> str:
    """The category of a complaint, from its words."""
    for category, words in COMPLAINT_CATEGORY_WORDS:
        if any(word in text for word in words):
            return category
    return "other"


def ordered_otherwise(order: Any, text: str) -> str:
    """What the order record says was bought (薄荷绿26码), when the buyer's words say
    they ordered a colour no item of it has (我要的柠檬黄 发成薄荷绿); else "".

    The record, not the claim, is what the assistant can stand on: the shop checks
    the buyer's choice before any exchange or postage is promised."""
    wanted = wanted_words(text)
    if not wanted or not colors_named(wanted):
        return ""
    if any(names_color(wanted, item.color) or item.color in wanted for item in order.items):
        return ""
    if any(color in item.color for item in order.items for color in colors_named(wanted)):
        return ""  # 白 of 白色: the colour ordered
    return "、".join(f"{item.color}{item.size:g}码" for item in order.items)


def update_case(case: DeliveryCase, kind: str, words: str) -> None:
    """A further report on a parcel with an open case: its words are added for the
    agent, and a named problem (lost, damaged …) replaces a vaguer one (stuck, other)."""
    if words not in case.buyer_words:
        case.buyer_words = f"{case.buyer_words}\n{words}"[:2000]
    if PRIORITY.get(kind, 2) < PRIORITY.get(case.kind, 2):
        case.kind = kind


def _next_case_id(session: Session) -> str:
    count = session.execute(select(func.count()).select_from(DeliveryCase)).scalar_one()
    return f"DC{count + 1:05d}"


class ActionReportDeliveryProblem(Action):
    """Records a delivery case for the buyer's order and escalates to a human.

    A defect of the goods told as a delivery problem (左右脚不一样大, no parcel word
    of a delivery kind) is no case for the courier: the buyer is offered a return
    or an exchange instead, which the return rules then judge.
    """

    def name(self) -> str:
        return "action_report_delivery_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        words = last_text_with_intent(tracker, {"report_delivery_problem"}, as_typed=True)
        kind = delivery_kind(normalize_text(words))  # 盒子壓壞了 reads as 压坏
        if kind == "other" and reason_in(normalize_text(words)) == "quality":
            # 收到的鞋子左右脚不一样大: the goods, not the parcel: a return or an exchange
            dispatcher.utter_message(response=DEFECT_OFFER)
            return []

        def record(session: Session) -> list[tuple[str, dict[str, Any]]]:
            order = accessible_order(tracker, tracker.get_slot("order_id"), session=session)
            if order is None:
                return _locked_or_not_found(tracker)
            found = kind
            if found == "other" and order.status == "shipped" and words.startswith("/"):
                found = "stuck"  # e.g. the button offered for a parcel with no tracking update
            existing = (
                session.execute(
                    select(DeliveryCase).where(
                        DeliveryCase.order_id == order.id, DeliveryCase.status == "open"
                    )
                )
                .scalars()
                .first()
            )
            if existing is not None:  # 是不是丢件了 after 物流不动了: one case per parcel
                update_case(existing, found, words)
                return [("utter_delivery_case_exists", {"case_id": existing.id})]
            case = DeliveryCase(
                id=_next_case_id(session), order_id=order.id, kind=found,
                buyer_words=words[:2000], status="open", created_at=shop_now(),
            )  # fmt: skip
            session.add(case)
            record_escalation(
                tracker, "delivery_problem", session=session, order=order,
                priority=PRIORITY.get(found, 2),
                summary=case_summary(label(DELIVERY_KIND_LABELS, found), words),
            )  # fmt: skip
            escalated.append(True)
            courier = order.shipments[-1].courier if order.shipments else ""
            ordered = ordered_otherwise(order, normalize_text(words)) if found == WRONG else ""
            if ordered:  # 我要的柠檬黄 of an order whose record says 薄荷绿: no promise
                return [
                    (
                        "utter_delivery_case_wrong_parcel_record",
                        {"case_id": case.id, "ordered": ordered},
                    )
                ]
            terms = quality_terms(queries.get_policy(session=session)) if found == WRONG else {}
            return [
                (f"utter_delivery_case_{found}", {"case_id": case.id, "courier": courier, **terms})
            ]

        escalated: list[bool] = []
        # two buyers reporting at once may both number their case DC00001: again
        await reply_in_transaction(dispatcher, work=record, retries=2)
        return handoff_followup(bool(escalated))


class ActionRecordComplaint(Action):
    """Apologises for the specific problem, records it and offers the way forward."""

    def name(self) -> str:
        return "action_record_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        words = last_text_with_intent(tracker, {"complain"}, as_typed=True)  # kept as typed
        category = complaint_category(normalize_text(words))  # 質量 reads as 质量

        def record(session: Session) -> list[tuple[str, dict[str, Any]]]:
            order = accessible_order(tracker, tracker.get_slot("order_id"), session=session)
            session.add(
                Complaint(
                    conversation_id=tracker.sender_id,
                    buyer_id=order.buyer_id if order else token_buyer_id(tracker),
                    order_id=order.id if order else None,
                    category=category,
                    buyer_words=words[:2000],
                    created_at=shop_now(),
                )
            )
            record_escalation(
                tracker, "complaint", session=session, order=order, priority=2,
                summary=case_summary(label(COMPLAINT_CATEGORY_LABELS, category), words),
            )  # fmt: skip
            escalated.append(True)
            terms = quality_terms(queries.get_policy(session=session))
            return [(f"utter_complaint_{category}", terms)]

        escalated: list[bool] = []
        await reply_in_transaction(dispatcher, work=record)
        return handoff_followup(bool(escalated))

"""Reviews after the sale: the invitation's schedule, the form's typed answers, and
the stored review with its complaint (shop/db/reviews.py, actions/review_invite.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.review_invite import (
    SKIPPED,
    ActionReviewInvite,
    ActionSaveReview,
    ValidateReviewForm,
    typed_score,
    words_beyond_score,
)
from shop.clock import local_now
from shop.db.models import Complaint, Escalation, ProductReview, ReturnRequest, ShopEvent
from shop.db.reviews import INVITE_KIND, masked_nickname, schedule_review_invites
from shop.db.session import session_scope
from shop.db.shop_events import mark_order_delivered, record_event
from shop.notify import event_key
from tests.conftest import make_tracker

SHIPPED = "2026120600562573"  # B027's 城市牛津皮鞋, shipped: the shop marks it delivered
OPEN_RETURN = "2026120213887976"  # B012's order with a return requested (RT0001)
LISTEN = [FollowupAction("action_listen")]  # the rule would start review_form otherwise


@pytest.mark.parametrize(
    ("text", "score"),
    [("5分", "5"), ("给4星", "4"), ("五星", "5"), ("挺好的", "4"), ("3", "3"), ("一般般", "3"),
     ("很差", "1"), ("磨脚", None), ("穿了10天", None)],
)  # fmt: skip
def test_typed_scores(text: str, score: str | None) -> None:
    assert typed_score(text) == score


@pytest.mark.parametrize(
    ("text", "words"),
    [("5分", ""), ("挺好的", ""), ("5分 很舒服", "5分 很舒服"), ("磨脚", "磨脚"), ("4", "")],
)
def test_words_beyond_the_score(text: str, words: str) -> None:
    assert words_beyond_score(text) == words


def test_a_nickname_is_masked() -> None:
    assert masked_nickname("张三丰") == "张**"
    assert masked_nickname("") == "匿名买家"


# --- the schedule ------------------------------------------------------------------------


def _delivered(order_id: str, days_ago: float) -> None:
    with session_scope() as session:
        mark_order_delivered(order_id, session=session, now=local_now() - timedelta(days=days_ago))


def _schedule(**kwargs: Any) -> int:
    with session_scope() as session:
        return schedule_review_invites(
            session=session, now=local_now(), after_days=kwargs.get("after", 3),
            late_days=kwargs.get("late", 14),
        )  # fmt: skip


def _invites() -> list[ShopEvent]:
    with session_scope() as session:
        rows = list(
            session.execute(select(ShopEvent).where(ShopEvent.kind == INVITE_KIND)).scalars()
        )
        session.expunge_all()
        return rows


@pytest.mark.usefixtures("shop_db")
def test_an_order_is_invited_once_a_few_days_after_delivery() -> None:
    assert _schedule() == 0  # imported orders were never marked delivered by the shop
    _delivered(SHIPPED, 2)
    assert _schedule() == 0  # too early
    assert _schedule(after=2) == 1
    assert _schedule(after=2) == 0  # at most once
    (invite,) = _invites()
    assert (invite.buyer_id, invite.order_id) == ("B027", SHIPPED)
    assert invite.payload == {"order_id": SHIPPED, "product_id": "P003"}


@pytest.mark.usefixtures("shop_db")
def test_never_too_late_nor_with_an_open_return() -> None:
    _delivered(SHIPPED, 30)
    assert _schedule() == 0  # 30 days > 3 + 14
    with session_scope() as session:
        record_event(
            "order_delivered", buyer_id="B012", session=session, order_id=OPEN_RETURN,
            payload={"order_id": OPEN_RETURN}, now=local_now() - timedelta(days=4),
        )  # fmt: skip
    assert _schedule() == 0  # RT0001 is open
    with session_scope() as session:
        session.get(ReturnRequest, "RT0001").status = "rejected"
    assert _schedule() == 1  # a rejected return: the buyer kept the shoes


@pytest.mark.usefixtures("shop_db")
def test_an_order_with_a_review_is_not_invited() -> None:
    _delivered(SHIPPED, 4)
    with session_scope() as session:
        session.add(
            ProductReview(product_id="P003", order_id=SHIPPED, nickname="x", rating=5, text="",
                          reviewed_at=local_now(), source="chat")
        )  # fmt: skip
    assert _schedule() == 0


# --- the invitation ----------------------------------------------------------------------


def _tracker(text: str = "", sender: str = "buyer-B027", **kwargs: Any) -> Tracker:
    tracker = make_tracker(text, **kwargs)
    tracker.sender_id = sender
    return tracker


def _invited() -> str:
    _delivered(SHIPPED, 4)
    _schedule()
    (invite,) = _invites()
    return event_key(invite)


@pytest.mark.usefixtures("shop_db")
async def test_the_invitation_starts_the_review_form() -> None:
    key = _invited()
    entities = [{"entity": "shop_event_id", "value": key}, {"entity": "order_id", "value": SHIPPED}]
    events = await ActionReviewInvite().run(
        CollectingDispatcher(), _tracker(intent="EXTERNAL_review_invite", entities=entities), {}
    )
    assert SlotSet("review_order_id", SHIPPED) in events
    assert SlotSet("review_product_name", "城市牛津皮鞋") in events
    assert events[-1] == FollowupAction("review_form")


@pytest.mark.usefixtures("shop_db")
async def test_a_forged_or_foreign_invitation_does_nothing() -> None:
    key = _invited()
    for sender, value in (("buyer-B001", key), ("buyer-B027", "1-20260101000000000000")):
        entities = [{"entity": "shop_event_id", "value": value}]
        tracker = _tracker(sender=sender, intent="EXTERNAL_review_invite", entities=entities)
        assert await ActionReviewInvite().run(CollectingDispatcher(), tracker, {}) == LISTEN


@pytest.mark.usefixtures("shop_db")
async def test_no_invitation_once_a_return_is_opened() -> None:
    key = _invited()
    with session_scope() as session:
        order_item = session.execute(
            select(ReturnRequest).where(ReturnRequest.order_id == OPEN_RETURN)
        ).scalar_one()
        session.add(
            ReturnRequest(id="RT9999", order_id=SHIPPED, order_item_id=order_item.order_item_id,
                          kind="return", reason="size", status="requested",
                          created_at=local_now(), updated_at=local_now())
        )  # fmt: skip
    entities = [{"entity": "shop_event_id", "value": key}]
    tracker = _tracker(intent="EXTERNAL_review_invite", entities=entities)
    assert await ActionReviewInvite().run(CollectingDispatcher(), tracker, {}) == LISTEN


# --- the form ----------------------------------------------------------------------------


async def _form(text: str, requested: str, intent: str = "inform", **kwargs: Any) -> list:
    tracker = _tracker(
        text, intent=intent, active_loop="review_form",
        slots={"requested_slot": requested, "review_score": None, "review_text": None},
        **kwargs,
    )  # fmt: skip
    domain = {"forms": {"review_form": {"required_slots": ["review_score", "review_text"]}},
              "slots": {"review_score": {}, "review_text": {}}, "responses": {}}  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateReviewForm().run(dispatcher, tracker, domain)
    return [e for e in events if e.get("event") == "slot"] + dispatcher.messages


def _slots(events: list) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_typed_answers_to_the_score() -> None:
    assert _slots(await _form("5分", "review_score"))["review_score"] == "5"
    assert _slots(await _form("挺好的", "review_score", intent="thank"))["review_score"] == "4"
    found = await _form("磨脚", "review_score", intent="complain")
    assert _slots(found)["review_text"] == "磨脚"
    assert "review_score" not in _slots(found) or _slots(found)["review_score"] is None
    assert any(m.get("response") == "utter_review_text_noted" for m in found)
    both = _slots(await _form("4分，就是有点磨脚", "review_score"))
    assert (both["review_score"], both["review_text"]) == ("4", "4分，就是有点磨脚")
    declined = _slots(await _form("不用了", "review_score", intent="deny"))
    assert (declined["review_score"], declined["review_text"]) == (SKIPPED, "")


async def test_typed_answers_to_the_words() -> None:
    assert _slots(await _form("不用了", "review_text", intent="deny"))["review_text"] == ""
    said = _slots(await _form("鞋底软，走路不累", "review_text"))
    assert said["review_text"] == "鞋底软，走路不累"


# --- storing it --------------------------------------------------------------------------


async def _save(score: str, text: str) -> tuple[list, CollectingDispatcher]:
    slots = {"review_score": score, "review_text": text, "review_order_id": SHIPPED,
             "review_product_id": "P003"}  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionSaveReview().run(dispatcher, _tracker(slots=slots), {})
    return events, dispatcher


def _count(model: Any) -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.usefixtures("shop_db")
async def test_a_good_review_is_stored_with_its_order(rendered: Any) -> None:
    complaints = _count(Complaint)
    events, dispatcher = await _save("5", "皮质好，偏小一点")
    assert rendered(dispatcher) == ["utter_review_thanks"]
    assert FollowupAction("action_handoff") not in events
    with session_scope() as session:
        review = session.execute(
            select(ProductReview).where(ProductReview.order_id == SHIPPED)
        ).scalar_one()
        assert (review.product_id, review.buyer_id, review.rating, review.source) == (
            "P003", "B027", 5, "chat")  # fmt: skip
        assert (review.size, review.fit, review.conversation_id) == (40.0, "small", "buyer-B027")
        assert review.nickname.endswith("**")
    assert _count(Complaint) == complaints
    _, dispatcher = await _save("4", "again")
    assert rendered(dispatcher) == ["utter_review_closed"]  # one review per order


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(("score", "text"), [("2", ""), ("4", "好看，就是磨脚后跟")])
async def test_a_low_score_or_a_problem_opens_a_complaint(
    rendered: Any, score: str, text: str
) -> None:
    complaints, escalations = _count(Complaint), _count(Escalation)
    events, dispatcher = await _save(score, text)
    assert rendered(dispatcher) == ["utter_review_complaint"]
    assert events[-1] == FollowupAction("action_handoff")
    assert (_count(Complaint), _count(Escalation)) == (complaints + 1, escalations + 1)
    with session_scope() as session:
        complaint = (
            session.execute(select(Complaint).order_by(Complaint.id.desc())).scalars().first()
        )
        assert complaint.order_id == SHIPPED and complaint.buyer_id == "B027"
        assert complaint.buyer_words.startswith(f"{score}分评价")
        assert text in complaint.buyer_words
        assert complaint.category == "quality"


@pytest.mark.usefixtures("shop_db")
async def test_a_declined_review_stores_nothing(rendered: Any) -> None:
    reviews = _count(ProductReview)
    _, dispatcher = await _save(SKIPPED, "")
    assert rendered(dispatcher) == ["utter_review_skipped"]
    assert _count(ProductReview) == reviews


@pytest.mark.usefixtures("shop_db")
def test_one_invitation_a_buyer_a_day() -> None:
    orders = ("2026101230647860", "2026062674602987")  # B026's delivered and completed
    with session_scope() as session:
        for order in orders:
            record_event(
                "order_delivered", buyer_id="B026", session=session, order_id=order,
                payload={"order_id": order}, now=local_now() - timedelta(days=4),
            )  # fmt: skip
    assert _schedule() == 1
    assert _schedule() == 0  # the other order waits a day
    with session_scope() as session:
        invite = session.execute(
            select(ShopEvent).where(ShopEvent.kind == INVITE_KIND)
        ).scalar_one()
        invite.created_at -= timedelta(days=1, minutes=1)
    assert _schedule() == 1
    assert {invite.order_id for invite in _invites()} == set(orders)

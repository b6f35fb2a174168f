"""Who may see an order: a token's buyer or a phone-verified order, nothing else.

Another buyer's order, a guessed number and a missing one are answered the same
way, so order numbers cannot be probed; three failed checks lock the form.
"""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.access import (
    accessible_order,
    accessible_orders,
    phone_matches,
    record_escalation,
)
from actions.order_form import ValidateOrderForm
from shop.db.models import Escalation, Order
from shop.db.session import session_scope
from shop.identity import issue_token
from shop.masking import mask_phone
from tests.conftest import make_tracker, token

FORM = ValidateOrderForm()
B001_SHIPPED = "2026051793538979"
B004_ONLY = "2026031740072167"
B010_SHIPPED = "2026102261125120"
B005_DELIVERED = "2026010506679357"
B005_COMPLETED = "2026020112025729"
B011_TO_FATHER = "2026091968114632"  # recipient 徐建国 …2806, buyer 徐明 …7138
GUESSED = "2026999999999999"
B010_ORDERS = {"2026102261125120", "2026081925627637", "2026040781376126", "2026091703045159"}

pytestmark = pytest.mark.usefixtures("shop_db")


# --- the demo shop, loaded once per module and restored before each test ---------


def escalations() -> list[tuple[str, str | None, str | None]]:
    with session_scope() as session:
        rows = session.execute(select(Escalation).order_by(Escalation.id)).scalars()
        return [(e.reason, e.order_id, e.conversation_id) for e in rows]


# --- access.py ----------------------------------------------------------------


def _visible(tracker: Any, order_id: str | None) -> str | None:
    with session_scope() as session:
        order = accessible_order(tracker, order_id, session=session)
        return order.id if order else None


def test_a_token_buyer_sees_exactly_their_own_orders() -> None:
    tracker = make_tracker(metadata=token("B010"))
    with session_scope() as session:
        ids = [o.id for o in accessible_orders(tracker, session=session)]
    assert set(ids) == B010_ORDERS and len(ids) == 4
    assert _visible(tracker, "2026081925627637") == "2026081925627637"
    assert _visible(tracker, B001_SHIPPED) is None


def test_orders_are_listed_newest_first() -> None:
    tracker = make_tracker(metadata=token("B010"))
    with session_scope() as session:
        created = [o.created_at for o in accessible_orders(tracker, session=session)]
    assert created == sorted(created, reverse=True)


def test_another_buyers_guessed_and_missing_orders_look_the_same() -> None:
    tracker = make_tracker(metadata=token("B005"))
    assert [_visible(tracker, oid) for oid in (B001_SHIPPED, GUESSED, None, "")] == [None] * 4


def test_a_verified_order_is_visible_without_a_token() -> None:
    tracker = make_tracker(slots={"verified_order_ids": [B001_SHIPPED]})
    assert _visible(tracker, B001_SHIPPED) == B001_SHIPPED
    assert _visible(tracker, B005_DELIVERED) is None
    with session_scope() as session:
        assert [o.id for o in accessible_orders(tracker, session=session)] == [B001_SHIPPED]


def test_a_token_buyer_also_sees_orders_verified_in_the_conversation() -> None:
    tracker = make_tracker(metadata=token("B004"), slots={"verified_order_ids": [B001_SHIPPED]})
    with session_scope() as session:
        ids = {o.id for o in accessible_orders(tracker, session=session)}
    assert ids == {B004_ONLY, B001_SHIPPED}


def test_nobody_sees_anything_without_token_or_verification() -> None:
    tracker = make_tracker()
    with session_scope() as session:
        assert accessible_orders(tracker, session=session) == []
    assert _visible(tracker, B005_DELIVERED) is None


@pytest.mark.parametrize(
    "metadata",
    [
        token("B005", hours=-0.01),  # expired
        token("B005", secret="not-the-shops-secret-at-all-0123456789"),  # forged
        {"buyer_token": "garbage"},
        {"buyer_token": None},
    ],
    ids=["expired", "forged", "garbage", "none"],
)
def test_expired_or_forged_token_is_no_token(metadata: dict[str, Any]) -> None:
    tracker = make_tracker(metadata=metadata)
    assert _visible(tracker, B005_DELIVERED) is None
    with session_scope() as session:
        assert accessible_orders(tracker, session=session) == []


def test_only_the_latest_messages_token_counts() -> None:
    """The token is read from the latest message only (a slot cannot carry it)."""
    tracker = make_tracker(slots={"buyer_token": issue_token("B005")})
    assert _visible(tracker, B005_DELIVERED) is None


@pytest.mark.parametrize(
    ("suffix", "matches"),
    [
        ("2806", True),  # the recipient's phone (his father)
        ("7138", True),  # the buyer's own phone
        (" 2806 ", True),
        ("0000", False),
        ("806", False),
        ("12806", False),
        ("28o6", False),
        ("", False),
    ],
)
def test_phone_suffix_of_recipient_or_buyer(suffix: str, matches: bool) -> None:
    with session_scope() as session:
        assert phone_matches(session.get(Order, B011_TO_FATHER), suffix) is matches


@pytest.mark.parametrize(
    ("phone", "masked"), [("13812345678", "138****5678"), ("0595-85681234", "059****1234")]
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
    assert mask_phone("123") == "****"


def _handoffs(reason: str) -> float:
    return REGISTRY.get_sample_value("shop_handoffs_total", {"reason": reason}) or 0.0


def test_an_open_escalation_is_not_duplicated() -> None:
    tracker = make_tracker()
    handoffs = _handoffs("delivery_problem")
    with session_scope() as session:
        order = session.get(Order, B004_ONLY)
        first = record_escalation(tracker, "delivery_problem", session=session, order=order)
        again = record_escalation(tracker, "delivery_problem", session=session, order=order)
        assert again.id == first.id
        first.status = "resolved"
    with session_scope() as session:
        order = session.get(Order, B004_ONLY)
        record_escalation(tracker, "delivery_problem", session=session, order=order)
        record_escalation(tracker, "complaint", session=session, order=order)
    assert escalations() == [
        ("delivery_problem", B004_ONLY, "test"),
        ("delivery_problem", B004_ONLY, "test"),
        ("complaint", B004_ONLY, "test"),
    ]
    assert _handoffs("delivery_problem") == handoffs + 2  # /metrics counts new ones only


def test_an_escalation_without_order_names_the_token_buyer() -> None:
    with session_scope() as session:
        esc = record_escalation(
            make_tracker(metadata=token("B005")), "request_human", session=session
        )
        assert (esc.buyer_id, esc.order_id, esc.status) == ("B005", None, "waiting")


# --- order_form: which fields are asked ------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "slots", "required"),
    [
        (token("B005"), {}, ["order_id"]),
        (token("B005"), {"after_sale_goal": "status"}, ["order_id"]),
        (token("B005"), {"after_sale_goal": "return_status"}, []),
        ({}, {}, ["order_id", "phone_suffix"]),
        ({}, {"after_sale_goal": "return_status"}, ["order_id", "phone_suffix"]),
        (token("B005", hours=-0.01), {}, ["order_id", "phone_suffix"]),
        ({}, {"order_id": B001_SHIPPED, "verified_order_ids": [B001_SHIPPED]}, ["order_id"]),
        (
            {},
            {"order_id": B005_DELIVERED, "verified_order_ids": [B001_SHIPPED]},
            ["order_id", "phone_suffix"],
        ),
        ({}, {"verify_attempts": 2}, ["order_id", "phone_suffix"]),
        ({}, {"verify_attempts": 3}, []),
        (token("B005"), {"verify_attempts": 3.0}, []),
    ],
)
async def test_required_slots(
    metadata: dict[str, Any], slots: dict[str, Any], required: list[str]
) -> None:
    tracker = make_tracker(metadata=metadata, slots=slots)
    domain_slots = ["order_id", "phone_suffix"]
    assert await FORM.required_slots(domain_slots, CollectingDispatcher(), tracker, {}) == required


# --- order_form: the order number -------------------------------------------------


async def _extract_order(text: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("intent", "inform")
    dispatcher = CollectingDispatcher()
    slots = await FORM.extract_order_id(dispatcher, make_tracker(text, **kwargs), {})
    assert dispatcher.messages == []
    return slots


async def test_an_order_number_in_the_text_resets_the_phone_suffix() -> None:
    assert await _extract_order(f"订单号{B001_SHIPPED}") == {
        "order_id": B001_SHIPPED,
        "phone_suffix": None,
    }


async def test_an_order_number_entity_wins_over_the_text() -> None:
    slots = await _extract_order(
        "帮我查下 2026999999999999",
        entities=[{"entity": "order_id", "value": B001_SHIPPED}],
    )
    assert slots == {"order_id": B001_SHIPPED, "phone_suffix": None}


async def test_the_same_order_number_again_changes_nothing() -> None:
    assert await _extract_order(B001_SHIPPED, slots={"order_id": B001_SHIPPED}) == {}


@pytest.mark.parametrize("text", ["12345", "20260517935389791", "订单号不记得了"])
async def test_an_answer_without_an_order_number_fills_nothing(text: str) -> None:
    """The form base then hints and asks again (tests/actions/test_forms.py)."""
    slots = await _extract_order(text, slots={"requested_slot": "order_id"})
    assert slots == {}


async def test_the_only_order_of_a_token_buyer_is_filled_in() -> None:
    slots = await _extract_order(
        "我的快递到哪了", intent="check_order_status", metadata=token("B004")
    )
    assert slots == {"order_id": B004_ONLY}


async def test_where_is_my_parcel_means_the_only_order_in_transit() -> None:
    slots = await _extract_order(
        "我的快递到哪了", intent="check_order_status", metadata=token("B010")
    )
    assert slots == {"order_id": B010_SHIPPED}


async def test_a_token_buyer_with_several_eligible_orders_is_asked() -> None:
    slots = await _extract_order(
        "帮我查下订单", intent="check_order_status", metadata=token("B005"),
        slots={"after_sale_goal": "status"},
    )  # fmt: skip
    assert slots == {}


async def test_nothing_is_guessed_without_a_token() -> None:
    assert await _extract_order("我的快递到哪了", intent="check_order_status") == {}


@pytest.mark.parametrize("requested", ["order_id", "phone_suffix"])
async def test_a_digression_extracts_nothing(requested: str) -> None:
    slots = {"requested_slot": requested}
    if requested == "phone_suffix":
        slots["order_id"] = B001_SHIPPED
    tracker = make_tracker("发什么快递 多久能到", intent="ask_shipping", slots=slots)
    assert await FORM.extract_order_id(CollectingDispatcher(), tracker, {}) == {}
    assert await FORM.extract_phone_suffix(CollectingDispatcher(), tracker, {}) == {}


async def _validate_order(value: Any, **kwargs: Any) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_order_id(value, dispatcher, make_tracker(**kwargs), {})
    return result, [m["response"] for m in dispatcher.messages]


async def test_a_token_buyers_own_order_is_accepted() -> None:
    assert await _validate_order(B005_DELIVERED, metadata=token("B005")) == (
        {"order_id": B005_DELIVERED},
        [],
    )


async def test_for_a_token_buyer_foreign_and_unknown_orders_are_answered_alike(
    rendered: Any,
) -> None:
    outcomes = []
    for value in (B001_SHIPPED, GUESSED):
        dispatcher = CollectingDispatcher()
        result = await FORM.validate_order_id(
            value, dispatcher, make_tracker(metadata=token("B005")), {}
        )
        outcomes.append((result, rendered(dispatcher), dispatcher.messages))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:2] == ({"order_id": None}, ["utter_order_not_found"])


async def test_without_a_token_any_well_formed_number_waits_for_the_phone_check() -> None:
    """Nothing is revealed before the phone suffix: real, foreign and made-up alike."""
    for value in (B001_SHIPPED, GUESSED):
        assert await _validate_order(value) == ({"order_id": value}, [])


@pytest.mark.parametrize("metadata", [{}, token("B005")])
@pytest.mark.parametrize("value", ["invalid", "12345", f"{B001_SHIPPED}0"])
async def test_a_malformed_order_number_is_refused(value: Any, metadata: dict[str, Any]) -> None:
    assert await _validate_order(value, metadata=metadata) == (
        {"order_id": None},
        ["utter_order_id_invalid"],
    )


async def test_an_expired_token_gets_the_phone_check_not_the_order() -> None:
    result = await _validate_order(B005_DELIVERED, metadata=token("B005", hours=-0.01))
    assert result == ({"order_id": B005_DELIVERED}, [])
    tracker = make_tracker(metadata=token("B005", hours=-0.01), slots={"order_id": B005_DELIVERED})
    assert await FORM.required_slots(
        ["order_id", "phone_suffix"], CollectingDispatcher(), tracker, {}
    ) == ["order_id", "phone_suffix"]


# --- order_form: the phone suffix -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "slots"),
    [
        ("9448", [], {"phone_suffix": "9448"}),
        ("尾号是9448", [], {"phone_suffix": "9448"}),
        ("手机后四位", [{"entity": "phone_suffix", "value": "9448"}], {"phone_suffix": "9448"}),
        ("不记得了", [], {}),
        ("944", [], {}),
    ],
)
async def test_extracts_the_phone_suffix_when_asked(
    text: str, entities: list, slots: dict[str, Any]
) -> None:
    tracker = make_tracker(
        text,
        intent="inform",
        entities=entities,
        slots={"requested_slot": "phone_suffix", "order_id": B005_DELIVERED},
    )
    assert await FORM.extract_phone_suffix(CollectingDispatcher(), tracker, {}) == slots


async def test_four_digits_are_no_suffix_when_not_asked_for() -> None:
    tracker = make_tracker("9448", intent="inform", slots={"requested_slot": "order_id"})
    assert await FORM.extract_phone_suffix(CollectingDispatcher(), tracker, {}) == {}


async def _validate_suffix(
    value: Any, slots: dict[str, Any], **kwargs: Any
) -> tuple[dict[str, Any], list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_phone_suffix(
        value, dispatcher, make_tracker(slots=slots, **kwargs), {}
    )
    return result, [m["response"] for m in dispatcher.messages], dispatcher.messages


@pytest.mark.parametrize("suffix", ["2806", "7138"])
async def test_a_right_suffix_verifies_the_order(suffix: str) -> None:
    slots = {"order_id": B011_TO_FATHER, "verified_order_ids": [B001_SHIPPED]}
    result, names, _ = await _validate_suffix(suffix, slots)
    assert names == []
    assert result == {
        "phone_suffix": suffix,
        "verified_order_ids": [B001_SHIPPED, B011_TO_FATHER],
    }
    assert escalations() == []


async def test_a_verified_order_can_then_be_seen() -> None:
    result, _, _ = await _validate_suffix("9448", {"order_id": B005_DELIVERED})
    tracker = make_tracker(slots={"order_id": B005_DELIVERED, **result})
    assert _visible(tracker, B005_DELIVERED) == B005_DELIVERED


async def test_wrong_suffix_unknown_order_and_foreign_order_fail_alike(rendered: Any) -> None:
    outcomes = []
    for order_id, suffix in ((B005_DELIVERED, "0000"), (GUESSED, "9448"), (B001_SHIPPED, "9448")):
        dispatcher = CollectingDispatcher()
        result = await FORM.validate_phone_suffix(
            suffix, dispatcher, make_tracker(slots={"order_id": order_id}), {}
        )
        outcomes.append((result, rendered(dispatcher), dispatcher.messages))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert outcomes[0][:2] == (
        {"phone_suffix": None, "verify_attempts": 1},  # the number stays: digits asked again
        ["utter_order_not_found"],
    )
    assert escalations() == []


async def test_the_second_failure_is_not_yet_locked() -> None:
    result, names, _ = await _validate_suffix(
        "0000", {"order_id": B005_DELIVERED, "verify_attempts": 1.0}
    )
    assert (result, names) == (
        {"phone_suffix": None, "verify_attempts": 2},
        ["utter_order_not_found"],
    )
    assert escalations() == []


async def test_the_third_failure_locks_and_hands_over(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_phone_suffix(
        "0000",
        dispatcher,
        make_tracker(slots={"order_id": GUESSED, "verify_attempts": 2.0}),
        {},
    )
    assert rendered(dispatcher) == ["utter_verification_locked"]
    assert result == {"phone_suffix": None, "order_id": None, "verify_attempts": 3}
    assert escalations() == [("verification_failed", None, "test")]
    with session_scope() as session:
        esc = session.execute(select(Escalation)).scalar_one()
        assert (esc.buyer_id, esc.status) == (None, "waiting")
    locked = make_tracker(slots={"verify_attempts": result["verify_attempts"]})
    assert (
        await FORM.required_slots(["order_id", "phone_suffix"], CollectingDispatcher(), locked, {})
        == []
    )


async def test_a_right_suffix_after_failures_still_verifies() -> None:
    result, names, _ = await _validate_suffix(
        "9448", {"order_id": B005_DELIVERED, "verify_attempts": 2.0}
    )
    assert names == []
    assert result == {"phone_suffix": "9448", "verified_order_ids": [B005_DELIVERED]}


@pytest.mark.parametrize(
    ("value", "slots"),
    [("9448", {})],
)
async def test_a_non_answer_is_not_counted_as_a_failure(value: str, slots: dict) -> None:
    result, names, _ = await _validate_suffix(value, {**slots, "verify_attempts": 2.0})
    assert (result, names) == ({"phone_suffix": None}, ["utter_phone_suffix_invalid"])
    assert escalations() == []


async def test_the_third_failure_is_told_once(domain: dict, rendered: Any) -> None:
    """Locked: no "try again, or ask for a person" beside the lock's own message."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "0000",
        intent="inform",
        slots={
            "order_id": GUESSED,
            "verify_attempts": 2.0,
            "requested_slot": "phone_suffix",
            "form_misses": 1.0,
        },
        active_loop="order_form",
    )
    events = await FORM.run(dispatcher, tracker, domain)
    assert rendered(dispatcher) == ["utter_verification_locked"]
    assert SlotSet("form_misses", 0) in events

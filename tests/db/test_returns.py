"""The return/exchange life-cycle: allowed steps, refused jumps, refunds, stock, ids."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from shop.db.models import ReturnRequest, StockItem
from shop.db.returns import (
    ALLOWED_TRANSITIONS,
    FINAL_STATUSES,
    OPEN_STATUSES,
    IllegalReturnTransition,
    InvalidRefundAmount,
    InvalidTrackingNumber,
    ReturnError,
    ReturnNotFound,
    exchange_stock_item,
    next_return_id,
    normalize_tracking_number,
    open_return_for_item,
    record_return_tracking,
    transition,
)
from shop.db.session import session_scope

NOW = datetime(2026, 11, 20, 15, 0, 0)
# Demo requests: RT0001 return requested, RT0002 return awaiting_shipment, RT0003 return
# in_transit, RT0004 return received, RT0005 return refunded, RT0006 return rejected,
# RT0007 exchange in_transit (42 -> 43), RT0008 return inspected, RT0009 exchange exchanged.
RETURN, EXCHANGE = "RT0001", "RT0007"


def _at(session: Session, return_id: str, status: str) -> ReturnRequest:
    """The demo request ``return_id``, put into ``status`` for the test."""
    request = session.get(ReturnRequest, return_id)
    assert request is not None
    request.status = status
    session.flush()
    return request


def _snapshot(request: ReturnRequest) -> tuple:
    return (
        request.status,
        len(request.history),
        request.updated_at,
        request.refund_fen,
        request.return_tracking_number,
        request.shop_note,
    )


def _reserve(session: Session, request: ReturnRequest, reserved: int = 1) -> StockItem:
    """What opening the exchange did: reserve the wanted size and colour."""
    stock = exchange_stock_item(request, session=session)
    assert stock is not None and (stock.size, stock.color) == (43.0, request.item.color)
    stock.reserved = reserved
    session.flush()
    return stock


ALLOWED = [(src, dst) for src, targets in ALLOWED_TRANSITIONS.items() for dst in sorted(targets)]


def test_the_state_machine() -> None:
    assert {"refunded", "exchanged", "rejected"} == FINAL_STATUSES
    assert {"requested", "awaiting_shipment", "in_transit", "received", "inspected"} == set(
        OPEN_STATUSES
    )
    assert len(ALLOWED) == 10
    assert all(not ALLOWED_TRANSITIONS[status] for status in FINAL_STATUSES)


@pytest.mark.parametrize(("src", "dst"), ALLOWED)
def test_every_allowed_transition(session: Session, src: str, dst: str) -> None:
    request = _at(session, EXCHANGE if dst == "exchanged" else RETURN, src)
    before = len(request.history)
    tracking = "YT1234567890123" if dst == "in_transit" else None
    result = transition(
        request.id, dst, actor="shop", session=session, tracking_number=tracking, now=NOW
    )
    assert result is request and request.status == dst and request.updated_at == NOW
    assert len(request.history) == before + 1
    change = request.history[-1]
    assert (change.from_status, change.to_status, change.actor) == (src, dst, "shop")
    assert change.happened_at == NOW and change.id is not None


def test_a_whole_return_with_its_history(session: Session) -> None:
    steps = [("awaiting_shipment", "shop"), ("received", "shop"), ("inspected", "小王")]
    transition(RETURN, steps[0][0], actor="shop", session=session, now=NOW)
    record_return_tracking(RETURN, "sf 1234 5678 90", actor="buyer", session=session, now=NOW)
    for status, actor in steps[1:]:
        transition(RETURN, status, actor=actor, session=session, note="ok", now=NOW)
    request = transition(RETURN, "refunded", actor="shop", session=session, now=NOW)
    assert request.return_tracking_number == "SF1234567890"
    assert [(c.from_status, c.to_status, c.actor) for c in request.history] == [
        ("requested", "awaiting_shipment", "shop"),
        ("awaiting_shipment", "in_transit", "buyer"),
        ("in_transit", "received", "shop"),
        ("received", "inspected", "小王"),
        ("inspected", "refunded", "shop"),
    ]
    assert request.history[1].note == "return tracking number SF1234567890"
    assert request.history[2].note == "ok" and request.history[4].note is None


@pytest.mark.parametrize(
    ("return_id", "status", "target"),
    [
        ("RT0002", "awaiting_shipment", "refunded"),
        ("RT0001", "requested", "received"),
        ("RT0005", "refunded", "received"),
        ("RT0003", "in_transit", "refunded"),
        ("RT0007", "inspected", "refunded"),  # an exchange is never refunded
        ("RT0008", "inspected", "exchanged"),  # a return is never exchanged
        ("RT0006", "rejected", "requested"),
        ("RT0009", "exchanged", "rejected"),
        ("RT0004", "received", "refunded"),  # not inspected yet
        ("RT0004", "received", "received"),
        ("RT0001", "requested", "in_transit"),
        ("RT0001", "requested", "approved"),  # not a status at all
    ],
)
def test_illegal_jumps_raise_and_change_nothing(
    session: Session, return_id: str, status: str, target: str
) -> None:
    request = _at(session, return_id, status)
    before = _snapshot(request)
    with pytest.raises(IllegalReturnTransition, match=target):
        transition(return_id, target, actor="shop", session=session, refund_fen=100, now=NOW)
    assert _snapshot(request) == before


def test_in_transit_needs_a_tracking_number(session: Session) -> None:
    request = session.get(ReturnRequest, "RT0002")
    before = _snapshot(request)
    with pytest.raises(IllegalReturnTransition, match="tracking number"):
        transition("RT0002", "in_transit", actor="shop", session=session)
    with pytest.raises(InvalidTrackingNumber):
        transition("RT0002", "in_transit", actor="shop", session=session, tracking_number="12-34")
    assert _snapshot(request) == before


def test_unknown_return_id(session: Session) -> None:
    with pytest.raises(ReturnNotFound, match="RT9999"):
        transition("RT9999", "received", actor="shop", session=session)
    with pytest.raises(ReturnNotFound):
        record_return_tracking("RT9999", "SF1234567890", actor="shop", session=session)


# --- refunds -------------------------------------------------------------------------------


def test_refund_defaults_to_what_the_item_cost(session: Session) -> None:
    request = session.get(ReturnRequest, "RT0008")  # inspected, the 2nd item of its order
    request.item.quantity = 2
    transition("RT0008", "refunded", actor="shop", session=session, now=NOW)
    assert request.refund_fen == request.item.price_fen * 2 > 0
    assert request.status == "refunded"


@pytest.mark.parametrize("fen", [1, 12345, "all"])
def test_explicit_refund(session: Session, fen: int | str) -> None:
    request = session.get(ReturnRequest, "RT0008")
    amount = request.item.price_fen if fen == "all" else fen
    transition("RT0008", "refunded", actor="shop", session=session, refund_fen=amount)
    assert request.refund_fen == amount


@pytest.mark.parametrize("fen", ["too_much", 0, -100])
def test_bad_refund_raises_and_changes_nothing(session: Session, fen: int | str) -> None:
    request = session.get(ReturnRequest, "RT0008")
    amount = request.item.price_fen * request.item.quantity + 1 if fen == "too_much" else fen
    before = _snapshot(request)
    with pytest.raises(InvalidRefundAmount):
        transition("RT0008", "refunded", actor="shop", session=session, refund_fen=amount)
    assert _snapshot(request) == before


def test_a_refund_amount_only_goes_with_refunded(session: Session) -> None:
    request = session.get(ReturnRequest, "RT0004")  # received
    before = _snapshot(request)
    with pytest.raises(InvalidRefundAmount):
        transition("RT0004", "inspected", actor="shop", session=session, refund_fen=100)
    assert _snapshot(request) == before


# --- exchange stock --------------------------------------------------------------------------


@pytest.mark.parametrize("src", ["requested", "awaiting_shipment", "received", "inspected"])
def test_rejecting_an_exchange_releases_the_reservation(session: Session, src: str) -> None:
    request = _at(session, EXCHANGE, src)
    stock = _reserve(session, request, reserved=2)
    quantity = stock.quantity
    transition(EXCHANGE, "rejected", actor="shop", session=session, note="鞋子已穿过")
    assert (stock.reserved, stock.quantity) == (1, quantity)
    assert request.shop_note == "鞋子已穿过" and request.history[-1].note == "鞋子已穿过"


def test_release_never_goes_below_zero(session: Session) -> None:
    request = _at(session, EXCHANGE, "received")
    stock = _reserve(session, request, reserved=0)
    transition(EXCHANGE, "rejected", actor="shop", session=session)
    assert stock.reserved == 0


def test_exchanged_consumes_the_reservation(session: Session) -> None:
    request = _at(session, EXCHANGE, "inspected")
    stock = _reserve(session, request)
    quantity = stock.quantity
    transition(EXCHANGE, "exchanged", actor="shop", session=session, now=NOW)
    assert (stock.reserved, stock.quantity) == (0, quantity - 1)
    assert request.refund_fen is None


def test_exchanged_refused_when_the_size_is_gone(session: Session) -> None:
    request = _at(session, EXCHANGE, "inspected")
    stock = _reserve(session, request, reserved=0)
    stock.quantity = 0
    before = _snapshot(request)
    with pytest.raises(ReturnError, match="out of stock"):
        transition(EXCHANGE, "exchanged", actor="shop", session=session)
    assert _snapshot(request) == before and (stock.quantity, stock.reserved) == (0, 0)


def test_rejecting_a_return_leaves_stock_alone(session: Session) -> None:
    request = session.get(ReturnRequest, "RT0002")
    stocks = {s.id: (s.quantity, s.reserved) for s in session.query(StockItem)}
    transition("RT0002", "rejected", actor="buyer", session=session, note="买家取消退货")
    assert {s.id: (s.quantity, s.reserved) for s in session.query(StockItem)} == stocks
    assert request.status == "rejected" and request.history[-1].actor == "buyer"


# --- actor and note --------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "note"), [("", None), ("  ", None), ("x" * 51, None)])
def test_actor_must_be_given(session: Session, actor: str, note: str | None) -> None:
    request = session.get(ReturnRequest, "RT0004")
    before = _snapshot(request)
    with pytest.raises(ReturnError, match="actor"):
        transition("RT0004", "inspected", actor=actor, session=session, note=note)
    assert _snapshot(request) == before


def test_note_too_long(session: Session) -> None:
    with pytest.raises(ReturnError, match="note"):
        transition("RT0004", "inspected", actor="shop", session=session, note="长" * 301)
    assert session.get(ReturnRequest, "RT0004").status == "received"


# --- ids and open requests -------------------------------------------------------------------


def test_next_return_id(session: Session) -> None:
    assert next_return_id(session=session) == "RT0010"
    template = session.get(ReturnRequest, "RT0006")
    for new_id in ("RT0123", "RX9999", "RTabc"):
        session.add(
            ReturnRequest(
                id=new_id,
                order_id=template.order_id,
                order_item_id=template.order_item_id,
                kind="return",
                reason="size",
                status="rejected",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    assert next_return_id(session=session) == "RT0124"


def test_next_return_id_on_an_empty_shop(empty_db: None) -> None:
    with session_scope() as session:
        assert next_return_id(session=session) == "RT0001"


def test_open_return_for_item(session: Session) -> None:
    first = session.get(ReturnRequest, "RT0001")
    assert open_return_for_item(first.order_item_id, session=session) is first
    transition("RT0001", "rejected", actor="shop", session=session)
    assert open_return_for_item(first.order_item_id, session=session) is None
    for final in ("RT0005", "RT0006", "RT0009"):
        item_id = session.get(ReturnRequest, final).order_item_id
        assert open_return_for_item(item_id, session=session) is None
    assert open_return_for_item(999_999, session=session) is None
    for open_id in ("RT0002", "RT0003", "RT0004", "RT0007", "RT0008"):
        request = session.get(ReturnRequest, open_id)
        assert open_return_for_item(request.order_item_id, session=session) is request


# --- tracking numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("YT1234567890123", "YT1234567890123"),
        ("SF1234567890", "SF1234567890"),
        ("75312345678901", "75312345678901"),
        ("  sf 1234 5678 90 ", "SF1234567890"),
        ("ＳＦ１２３４５６７８９０", "SF1234567890"),  # full-width input
        ("12345678", "12345678"),  # 8 characters
        ("A" + "1" * 19, "A" + "1" * 19),  # 20 characters
    ],
)
def test_good_tracking_numbers(raw: str, expected: str) -> None:
    assert normalize_tracking_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "1234567", "A" + "1" * 20, "SF-1234567890", "顺丰1234567890", "ABCDEFGHIJ"],
)
def test_bad_tracking_numbers(raw: str) -> None:
    with pytest.raises(InvalidTrackingNumber):
        normalize_tracking_number(raw)


def test_record_return_tracking(session: Session) -> None:
    request = record_return_tracking(
        "RT0002", "yt 1234567890123", actor="buyer", session=session, now=NOW
    )
    assert (request.status, request.return_tracking_number) == ("in_transit", "YT1234567890123")
    assert request.updated_at == NOW and request.history[-1].actor == "buyer"


@pytest.mark.parametrize(
    ("return_id", "number", "error"),
    [
        ("RT0002", "SF123", InvalidTrackingNumber),
        ("RT0001", "SF1234567890", IllegalReturnTransition),  # not approved yet
        ("RT0003", "SF1234567890", IllegalReturnTransition),  # already on its way
        ("RT0005", "SF1234567890", IllegalReturnTransition),
    ],
)
def test_record_return_tracking_refused(
    session: Session, return_id: str, number: str, error: type[Exception]
) -> None:
    request = session.get(ReturnRequest, return_id)
    before = _snapshot(request)
    with pytest.raises(error):
        record_return_tracking(return_id, number, actor="buyer", session=session)
    assert _snapshot(request) == before

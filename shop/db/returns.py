"""The life-cycle of return and exchange requests, as the shop moves them along.

A request goes ``requested → awaiting_shipment → in_transit → received →
inspected → refunded`` (a return) or ``exchanged`` (an exchange), or is
``rejected`` on the way. Every step is checked against :data:`ALLOWED_TRANSITIONS`
and written as a :class:`ReturnStatusChange`. Nothing here commits: the caller's
``session_scope()`` owns the transaction, and a refused step changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.clock import local_now
from shop.db.models import ReturnRequest, ReturnStatusChange, StockItem

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"awaiting_shipment", "rejected"}),
    # rejected here also covers the buyer cancelling or never sending the parcel.
    "awaiting_shipment": frozenset({"in_transit", "rejected"}),
    "in_transit": frozenset({"received"}),
    "received": frozenset({"inspected", "rejected"}),
    "inspected": frozenset({"refunded", "exchanged", "rejected"}),
    "refunded": frozenset(),
    "exchanged": frozenset(),
    "rejected": frozenset(),
}
STATUSES = tuple(ALLOWED_TRANSITIONS)
FINAL_STATUSES = frozenset({"refunded", "exchanged", "rejected"})
OPEN_STATUSES = frozenset(STATUSES) - FINAL_STATUSES
# The final status only a request of that kind may reach.
_KIND_ONLY = {"refunded": "return", "exchanged": "exchange"}

_TRACKING = re.compile(r"^[A-Z0-9]{8,20}$")
_RETURN_ID = re.compile(r"^RT(\d+)$")
MAX_NOTE = 300
MAX_ACTOR = 50


class ReturnError(Exception):
    """A return request cannot be changed as asked (base of the errors below)."""


class ReturnNotFound(ReturnError, LookupError):  # noqa: N818 (the names the callers use)
    """No return request has the given id."""


class IllegalReturnTransition(ReturnError):  # noqa: N818 (the names the callers use)
    """The requested status change is not allowed from the request's current state."""


class InvalidRefundAmount(ReturnError, ValueError):  # noqa: N818 (the names the callers use)
    """The refund is not more than zero and at most what the buyer paid for the item."""


class InvalidTrackingNumber(ReturnError, ValueError):  # noqa: N818 (the names the callers use)
    """The return parcel's tracking number is not 8-20 letters and digits."""


def normalize_tracking_number(raw: str) -> str:
    """Return ``raw`` without spaces, upper-case (full-width characters folded).

    Raises:
        InvalidTrackingNumber: Not 8-20 letters and digits with at least one digit.
    """
    number = "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()
    if not _TRACKING.match(number) or not any(char.isdigit() for char in number):
        raise InvalidTrackingNumber(
            f"{raw!r} is not a tracking number (8-20 letters and digits, e.g. SF1234567890)"
        )
    return number


def _get(return_id: str, session: Session) -> ReturnRequest:
    request = session.get(ReturnRequest, return_id)
    if request is None:
        raise ReturnNotFound(f"no return request {return_id!r}")
    return request


def exchange_stock_item(request: ReturnRequest, *, session: Session) -> StockItem | None:
    """The stock row of the size and colour an exchange asks for (None if there is none)."""
    item = request.item
    size = request.exchange_size if request.exchange_size is not None else item.size
    return session.execute(
        select(StockItem).where(
            StockItem.product_id == item.product_id,
            StockItem.color == (request.exchange_color or item.color),
            StockItem.size == size,
        )
    ).scalar_one_or_none()


def _check(
    request: ReturnRequest,
    to_status: str,
    tracking_number: str | None,
    refund_fen: int | None,
) -> None:
    """Raise unless ``request`` may move to ``to_status`` with these arguments."""
    current = request.status
    if to_status not in ALLOWED_TRANSITIONS:
        raise IllegalReturnTransition(f"unknown status {to_status!r}")
    if to_status not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS.get(current, ()))) or "nothing (final)"
        raise IllegalReturnTransition(
            f"{request.id} is {current}: cannot go to {to_status} (allowed: {allowed})"
        )
    if _KIND_ONLY.get(to_status, request.kind) != request.kind:
        article = "an" if request.kind == "exchange" else "a"
        raise IllegalReturnTransition(
            f"{request.id} is {article} {request.kind} request: cannot be marked {to_status}"
        )
    if to_status == "in_transit" and not (tracking_number or request.return_tracking_number):
        raise IllegalReturnTransition(f"{request.id}: in_transit needs a return tracking number")
    if tracking_number is not None and to_status != "in_transit":
        raise IllegalReturnTransition("a tracking number is only recorded with in_transit")
    if refund_fen is not None and to_status != "refunded":
        raise InvalidRefundAmount("a refund amount is only recorded with refunded")


def transition(
    return_id: str,
    to_status: str,
    *,
    actor: str,
    session: Session,
    note: str | None = None,
    tracking_number: str | None = None,
    refund_fen: int | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Move a return request to ``to_status`` and record the step (not committed).

    Args:
        return_id: The request, e.g. ``RT0001``.
        to_status: The new status; must be allowed from the current one.
        actor: Who makes the change (``shop``, ``buyer``, ``assistant`` or a name).
        session: The session to write with.
        note: Why (kept in the history and as the request's ``shop_note``).
        tracking_number: The return parcel's number (for ``in_transit``).
        refund_fen: The refund (for ``refunded``); default the item's price × quantity.
        now: The time of the change (default: the shop's local time now).

    Returns:
        The updated request.

    Raises:
        ReturnNotFound: Unknown ``return_id``.
        IllegalReturnTransition: The step is not allowed (nothing is changed).
        InvalidRefundAmount: The refund is ≤ 0 or more than the item cost.
        InvalidTrackingNumber: The tracking number is malformed.
        ReturnError: Missing exchange stock, or an empty or too long actor or note.
    """
    request = _get(return_id, session)
    _check(request, to_status, tracking_number, refund_fen)
    actor = (actor or "").strip()
    if not actor or len(actor) > MAX_ACTOR:
        raise ReturnError(f"the actor must be 1-{MAX_ACTOR} characters")
    if note is not None and len(note) > MAX_NOTE:
        raise ReturnError(f"the note is longer than {MAX_NOTE} characters")
    number = normalize_tracking_number(tracking_number) if tracking_number is not None else None
    if to_status == "refunded":
        paid = request.item.price_fen * request.item.quantity
        refund_fen = paid if refund_fen is None else refund_fen
        if isinstance(refund_fen, bool) or not isinstance(refund_fen, int):
            raise InvalidRefundAmount(f"the refund must be whole fen, not {refund_fen!r}")
        if not 0 < refund_fen <= paid:
            raise InvalidRefundAmount(
                f"the refund must be more than 0 and at most {paid / 100:.2f} yuan "
                f"(got {refund_fen / 100:.2f})"
            )
    stock = None
    if request.kind == "exchange" and to_status in ("exchanged", "rejected"):
        stock = exchange_stock_item(request, session=session)
        if to_status == "exchanged" and (stock is None or stock.quantity < 1):
            raise ReturnError(f"{request.id}: the wanted size and colour are out of stock")

    now = now or local_now()
    if stock is not None:  # the reservation made when the exchange was opened
        stock.reserved = max(0, stock.reserved - 1)
        if to_status == "exchanged":
            stock.quantity -= 1
    history_note = note
    if number is not None:
        request.return_tracking_number = number
        history_note = note or f"return tracking number {number}"
    if to_status == "refunded":
        request.refund_fen = refund_fen
    if note:
        request.shop_note = note
    session.add(
        ReturnStatusChange(
            return_request=request,
            from_status=request.status,
            to_status=to_status,
            actor=actor,
            note=history_note,
            happened_at=now,
        )
    )
    request.status = to_status
    request.updated_at = now
    session.flush()
    return request


def record_return_tracking(
    return_id: str,
    tracking_number: str,
    *,
    actor: str,
    session: Session,
    now: datetime | None = None,
) -> ReturnRequest:
    """Record the return parcel's tracking number: ``awaiting_shipment → in_transit``.

    Raises:
        ReturnNotFound: Unknown ``return_id``.
        InvalidTrackingNumber: Not 8-20 letters and digits (spaces are ignored).
        IllegalReturnTransition: The request is not awaiting the buyer's parcel.
    """
    number = normalize_tracking_number(tracking_number)
    request = _get(return_id, session)
    if request.status != "awaiting_shipment":
        raise IllegalReturnTransition(
            f"{request.id} is {request.status}: a return tracking number can only be "
            "recorded while awaiting_shipment"
        )
    return transition(
        return_id, "in_transit", actor=actor, session=session, tracking_number=number, now=now
    )


def next_return_id(*, session: Session) -> str:
    """The id for a new request: ``RT`` + the highest existing number + 1 (≥ 4 digits)."""
    ids = session.execute(select(ReturnRequest.id).where(ReturnRequest.id.like("RT%"))).scalars()
    numbers = [int(match.group(1)) for match in map(_RETURN_ID.match, ids) if match]
    return f"RT{max(numbers, default=0) + 1:04d}"


# Final states after which the item was settled (money back, or new shoes sent): a
# second request would pay or send twice, so only a person may open one.
SETTLED_STATUSES = frozenset({"refunded", "exchanged"})


def settled_return_for_item(order_item_id: int, *, session: Session) -> ReturnRequest | None:
    """The request that already refunded or exchanged an order item, if any."""
    return _latest_request(order_item_id, SETTLED_STATUSES, session)


def rejected_return_for_item(order_item_id: int, *, session: Session) -> ReturnRequest | None:
    """The latest request for an order item that the shop rejected, if any (a new
    request for it is told so, with the shop's reason)."""
    return _latest_request(order_item_id, frozenset({"rejected"}), session)


def open_return_for_item(order_item_id: int, *, session: Session) -> ReturnRequest | None:
    """The open (not yet final) request for an order item, if any (refuse duplicates)."""
    return _latest_request(order_item_id, OPEN_STATUSES, session)


def _latest_request(
    order_item_id: int, statuses: frozenset[str], session: Session
) -> ReturnRequest | None:
    return (
        session.execute(
            select(ReturnRequest)
            .where(
                ReturnRequest.order_item_id == order_item_id,
                ReturnRequest.status.in_(sorted(statuses)),
            )
            .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
        )
        .scalars()
        .first()
    )

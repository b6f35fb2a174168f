"""Which of a buyer's orders suit an after-sale goal, over small frozen views of them.

Pure functions (no Rasa, no session), so every form offers the same orders for
"which order?"; ``shop/order_match.py`` reads the buyer's typed answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.db.models import Order, OrderItem


@dataclass(frozen=True)
class ItemView:
    """One line of an order, as far as choosing an order needs it."""

    product_name: str
    aliases: tuple[str, ...]
    category: str
    color: str
    size: float


@dataclass(frozen=True)
class OrderView:
    """An order detached from the database; ``created_at`` is naive shop-local time."""

    id: str
    status: str
    created_at: datetime
    delivered_at: datetime | None
    items: tuple[ItemView, ...]
    has_return: bool = False


def item_view(item: OrderItem) -> ItemView:
    """A view of an ORM order line."""
    product = item.product
    return ItemView(
        product.name, tuple(product.aliases or ()), product.category, item.color, float(item.size)
    )


def view_of(
    order: Order, *, has_return: bool = False, items: Sequence[OrderItem] | None = None
) -> OrderView:
    """A view of an ORM order, still usable once its session has closed; with ``items``,
    of those lines only (a return request's line)."""
    return OrderView(
        id=str(order.id),
        status=str(order.status),
        created_at=order.created_at,
        delivered_at=order.delivered_at,
        items=tuple(item_view(item) for item in (order.items if items is None else items)),
        has_return=has_return,
    )


# --- eligibility ------------------------------------------------------------
GOALS = ("status", "delivery_problem", "return", "exchange", "return_status", "address")
# Orders the buyer most likely asks about come first: on the way, then waiting, then arrived.
_STATUS_RANK = {"shipped": 0, "paid": 1, "delivered": 2, "completed": 2}


def product_names(order: Order) -> str:
    """The order's products, for response variables (轻羽女子跑鞋、舒适羊皮乐福鞋)."""
    return "、".join(item.product.name for item in order.items)


def ineligible_reason(
    order: OrderView, goal: str | None, *, today: date, quality_days: int
) -> str | None:
    """Why ``order`` cannot serve ``goal`` as a short code, or None when it can.

    Returns and exchanges are checked against the longer quality window only;
    the form checks the window of the buyer's actual reason later.
    """
    if goal is not None and goal not in GOALS:
        raise ValueError(f"unknown goal: {goal}")
    if goal == "return_status":
        return None if order.has_return else "no_return"
    if order.status == "cancelled":
        return "cancelled"
    if goal == "address":
        return None if order.status in ("paid", "pending_payment") else "shipped"
    if order.status == "pending_payment":
        return "unpaid"
    if goal in ("return", "exchange"):
        if order.status not in ("delivered", "completed") or order.delivered_at is None:
            return "not_signed"
        if (today - order.delivered_at.date()).days > quality_days:
            return "outside_windows"
    return None


def eligible_orders(
    orders: Sequence[OrderView], goal: str | None, *, today: date, quality_days: int
) -> tuple[list[OrderView], dict[str, str]]:
    """The orders fit for ``goal`` in display order, and the others' reasons by id.

    Status questions (and no goal) list shipped, then paid, then delivered orders;
    every goal lists newest first within that.
    """
    reasons = {
        order.id: reason
        for order in orders
        if (reason := ineligible_reason(order, goal, today=today, quality_days=quality_days))
    }
    eligible = [order for order in orders if order.id not in reasons]
    eligible.sort(key=lambda order: order.created_at, reverse=True)
    if goal in (None, "status", "delivery_problem"):
        eligible.sort(key=lambda order: _STATUS_RANK.get(order.status, 3))
    return eligible, reasons

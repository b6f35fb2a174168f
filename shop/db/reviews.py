"""Reviews in the database: a product's reviews, the post-delivery invitations, and a
review given in a chat. Query functions take the session; nothing here commits.

Invitations (``docs/proactive.md``): :func:`schedule_review_invites` adds one
``review_invite`` shop event per order the shop marked delivered (an
``order_delivered`` event) ``after_days`` ago, at most ``late_days`` later, unless
the order already had an invitation or a review, or has an open return (or a
refunded one: the buyer no longer has the shoes). A buyer gets one invitation a day
at most (:data:`BUYER_GAP`): a second order waits for the next round after it. The
dispatcher (``shop/notify.py``) runs it before each delivery round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from shop.db.models import Order, ProductReview, ReturnRequest, ShopEvent
from shop.db.shop_events import record_event
from shop.review_stats import ReviewFacts

INVITE_KIND = "review_invite"
# One invitation a buyer at a time: another order of theirs waits this long (a buyer
# answering one review is not interrupted by the next).
BUYER_GAP = timedelta(days=1)
# Returns after which the buyer still has shoes to review.
_KEEPS_SHOES = ("exchanged", "rejected")
_DELIVERED = ("delivered", "completed")


def facts(review: ProductReview) -> ReviewFacts:
    """The statistics' view of a stored review."""
    return ReviewFacts(
        rating=int(review.rating),
        text=review.text or "",
        size=float(review.size) if review.size is not None else None,
        fit=review.fit,
        reviewed_at=review.reviewed_at,
    )


def product_reviews(product_id: str, *, session: Session) -> list[ReviewFacts]:
    """Every review of ``product_id``, newest first."""
    rows = session.execute(
        select(ProductReview)
        .where(ProductReview.product_id == product_id)
        .order_by(ProductReview.reviewed_at.desc(), ProductReview.id.desc())
    ).scalars()
    return [facts(row) for row in rows]


def reviews_by_product(*, session: Session) -> dict[str, list[ReviewFacts]]:
    """All reviews, grouped by product id (the owner's report)."""
    grouped: dict[str, list[ReviewFacts]] = {}
    for row in session.execute(select(ProductReview).order_by(ProductReview.reviewed_at)).scalars():
        grouped.setdefault(row.product_id, []).append(facts(row))
    return grouped


def blocks_invite(order_id: str, *, session: Session) -> bool:
    """Whether the order has a return that rules an invitation out (open or refunded)."""
    query = select(ReturnRequest.id).where(
        ReturnRequest.order_id == order_id, ReturnRequest.status.not_in(_KEEPS_SHOES)
    )
    return session.execute(query.limit(1)).first() is not None


def schedule_review_invites(
    *, session: Session, now: datetime, after_days: int, late_days: int
) -> int:
    """Adds the invitations now due (flushed, not committed); returns how many."""
    delivered = aliased(ShopEvent)
    invited = aliased(ShopEvent)
    latest = now - timedelta(days=after_days)
    query = (
        select(Order)
        .join(delivered, (delivered.order_id == Order.id) & (delivered.kind == "order_delivered"))
        .where(
            Order.status.in_(_DELIVERED),
            delivered.created_at <= latest,
            delivered.created_at >= latest - timedelta(days=late_days),
            ~exists().where(invited.order_id == Order.id, invited.kind == INVITE_KIND),
            ~exists().where(ProductReview.order_id == Order.id),
            ~exists().where(
                ReturnRequest.order_id == Order.id, ReturnRequest.status.not_in(_KEEPS_SHOES)
            ),
        )
        .order_by(Order.id)
    )
    recent = select(ShopEvent.buyer_id).where(
        ShopEvent.kind == INVITE_KIND, ShopEvent.created_at > now - BUYER_GAP
    )
    busy = set(session.execute(recent).scalars())
    count = 0
    for order in dict.fromkeys(session.execute(query).scalars()):
        if not order.items or order.buyer_id in busy:
            continue
        busy.add(order.buyer_id)
        product = order.items[0].product
        record_event(
            INVITE_KIND, buyer_id=order.buyer_id, session=session, order_id=order.id,
            payload={"order_id": order.id, "product_id": product.id}, now=now,
        )  # fmt: skip
        count += 1
    return count


def invite_event(event_key: str, *, session: Session) -> ShopEvent | None:
    """The ``review_invite`` event of a ``shop_event_id`` (``<id>-<created>``), if real."""
    head = event_key.split("-", 1)[0]
    if not head.isdigit():
        return None
    event = session.get(ShopEvent, int(head))
    if event is None or event.kind != INVITE_KIND:
        return None
    if event_key != f"{event.id}-{event.created_at:%Y%m%d%H%M%S%f}":
        return None
    return event


def masked_nickname(name: str) -> str:
    """张三丰 → 张**: what other buyers see of a reviewer."""
    name = name.strip()
    return f"{name[0]}**" if name else "匿名买家"


def order_reviewed(order_id: str, *, session: Session) -> bool:
    """Whether the order already has a review."""
    query = select(ProductReview.id).where(ProductReview.order_id == order_id).limit(1)
    return session.execute(query).first() is not None


def save_chat_review(
    order: Order,
    product_id: str,
    *,
    rating: int,
    text: str,
    fit: str | None,
    conversation_id: str,
    session: Session,
    now: datetime,
) -> ProductReview:
    """Stores a review given in a chat, linked to its order, buyer and product."""
    item = next((i for i in order.items if i.product_id == product_id), None)
    review = ProductReview(
        product_id=product_id,
        order_id=order.id,
        buyer_id=order.buyer_id,
        nickname=masked_nickname(order.buyer.name if order.buyer else ""),
        rating=rating,
        text=text[:1000],
        size=float(item.size) if item is not None else None,
        fit=fit,
        reviewed_at=now,
        source="chat",
        conversation_id=conversation_id,
    )
    session.add(review)
    session.flush()
    return review

"""Query functions over the shop database; each takes the session as a keyword."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.db.models import Order, Photo, Product, Promotion, ReturnRequest, ShopPolicy
from shop.db.returns import OPEN_STATUSES


def get_product(product_id: str, *, session: Session) -> Product | None:
    """The product with ``product_id`` with its chart and functions, or ``None``."""
    stmt = (
        select(Product)
        .where(Product.id == product_id)
        .options(selectinload(Product.size_chart), selectinload(Product.functions))
    )
    return session.execute(stmt).scalar_one_or_none()


def list_products(*, session: Session) -> list[Product]:
    """All products, by id."""
    return list(session.execute(select(Product).order_by(Product.id)).scalars())


def find_product_in_text(text: str, *, session: Session) -> Product | None:
    """The product whose name or alias occurs in ``text`` (longest match wins)."""
    if not text:
        return None
    best: Product | None = None
    best_len = 0
    for product in list_products(session=session):
        for label in [product.name, *(product.aliases or [])]:
            if label and label in text and len(label) > best_len:
                best, best_len = product, len(label)
    return best


SHOE_KIND_ENDINGS = "鞋靴"


def products_of_kind_in_text(text: str, *, session: Session, limit: int = 6) -> list[Product]:
    """Products a shoe-kind word of ``text`` fits best, by id: 跑鞋, 男子跑鞋, 短靴.

    A kind word is two to four characters ending in 鞋 or 靴 (靴子: 靴 alone, any
    boot); a product fits when its name, an alias or its category contains one. The longest fitting
    word wins: 男子跑鞋 is one shoe where 跑鞋 is two.
    """
    words = {
        text[start:end]
        for end, char in enumerate(text, start=1)
        if char in SHOE_KIND_ENDINGS
        for start in range(max(0, end - 4), end - 1)
    }
    if "靴子" in text:  # 有靴子吗: any boot
        words.add("靴")
    scored: list[tuple[int, Product]] = []
    for product in list_products(session=session) if words else []:
        labels = [product.name, product.category, *(product.aliases or [])]
        fit = max((len(w) for w in words if any(w in label for label in labels)), default=0)
        if fit:
            scored.append((fit, product))
    best = max((fit for fit, _ in scored), default=0)
    return [product for fit, product in scored if fit == best][:limit]


def get_policy(*, session: Session) -> ShopPolicy | None:
    """The shop's policy row, or ``None`` before a shop is imported."""
    return session.execute(select(ShopPolicy).limit(1)).scalar_one_or_none()


def active_promotions(today: date, *, session: Session) -> list[Promotion]:
    """Promotions valid on ``today``, soonest-ending first."""
    stmt = (
        select(Promotion)
        .where(Promotion.starts_on <= today, Promotion.ends_on >= today)
        .order_by(Promotion.ends_on, Promotion.id)
    )
    return list(session.execute(stmt).scalars())


def upcoming_promotions(today: date, within_days: int, *, session: Session) -> list[Promotion]:
    """Promotions starting after ``today`` and at most ``within_days`` later, soonest first."""
    stmt = (
        select(Promotion)
        .where(Promotion.starts_on > today, Promotion.starts_on <= today + timedelta(within_days))
        .order_by(Promotion.starts_on, Promotion.id)
    )
    return list(session.execute(stmt).scalars())


def list_promotions(*, session: Session) -> list[Promotion]:
    """Every promotion, ended ones too, soonest-starting first."""
    stmt = select(Promotion).order_by(Promotion.starts_on, Promotion.id)
    return list(session.execute(stmt).scalars())


def get_photo(photo_id: str, *, session: Session) -> Photo | None:
    """The photo with ``photo_id``, or ``None``."""
    return session.get(Photo, photo_id) if photo_id else None


def photos_for_conversation(conversation_id: str, *, session: Session) -> list[Photo]:
    """The photos a conversation's buyer sent, oldest first (for the agents' console)."""
    stmt = (
        select(Photo)
        .where(Photo.conversation_id == conversation_id)
        .order_by(Photo.created_at, Photo.id)
    )
    return list(session.execute(stmt).scalars())


def latest_open_return(buyer_id: str, *, session: Session) -> ReturnRequest | None:
    """The buyer's most recent return or exchange request that is not final yet."""
    stmt = (
        select(ReturnRequest)
        .join(Order, ReturnRequest.order_id == Order.id)
        .where(Order.buyer_id == buyer_id, ReturnRequest.status.in_(sorted(OPEN_STATUSES)))
        .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
    )
    return session.execute(stmt).scalars().first()

"""Promotions, answered from the promotion table and the catalogue's prices.

What runs now and what starts soon; a shopping day (会员日, 双十一) or a promotion
named by its title (汉服节8折) answered alone, running, to come or over; a price
question gets the shoe's catalogue price first. 价保 questions are the policy's
(:func:`shop.answers.policies.price_protection`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from shop.answers.asked import Asked
from shop.answers.policies import Messages, price_protection
from shop.answers.products import resolve_product
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import Promotion
from shop.db.values import yuan
from shop.lexicon import (
    PRICE_PROTECTION_WORDS,
    PRICE_WORDS,
    PROMOTION_EVENTS,
    promotion_event_named,
)


def promotions(asked: Asked, session: Session) -> Messages:
    """The promotions valid today in the shop's time zone, or the price protection;
    a price question (多少钱) gets the shoe's catalogue price before them, and those
    starting soon after them (the buyer may wait for a lower price)."""
    if any(word in asked.text for word in PRICE_PROTECTION_WORDS):
        return price_protection(asked, session)
    current = active_promotions(session)
    if any(word in asked.text for word in PRICE_WORDS):
        return [*product_price(asked, session), *current, *upcoming_promotions(session)]
    named = promotions_named(asked.text, queries.list_promotions(session=session))
    if named:  # 汉服节8折现在能用吗, 满399减50能用吗: those, running, to come or over
        return _by_date(named)
    general = [*(current or [("utter_no_promotions", {})]), *upcoming_promotions(session)]
    event = promotion_event_named(asked.text)
    return general if event is None else promotion_event(event, general, session)


# The name inside a promotion's title (汉服节 of 汉服节8折, 新人券 of 新人券10元).
_TITLE_NAME = re.compile(r"[\u4e00-\u9fff]{2,}?[节日季券庆周]")
# What a title offers, as buyers repeat it (满199减25, 20元券, 8.5折).
_TITLE_OFFER = re.compile(r"满\d+减\d+|\d+元券|\d+(?:\.\d+)?折")
# Words every promotion uses: a title's other words name it (冬日 of 冬日满199减25).
_TITLE_COMMON = re.compile(r"全场|全店|店铺|优惠|活动|立减|限时|特价|专享|[满减券折买送]")


def title_keys(title: str) -> set[str]:
    """The words of a promotion's title a buyer may name it by: the title, the name in
    it, what it offers, and its own words of two characters or more (秋季上新)."""
    words = [
        word
        for run in re.findall(r"[\u4e00-\u9fff]+", title)
        for word in _TITLE_COMMON.split(run)
        if len(word) >= 2
    ]
    return {title, *_TITLE_NAME.findall(title), *_TITLE_OFFER.findall(title), *words}


def promotions_named(text: str, found: list[Promotion]) -> list[Promotion]:
    """The shop's promotions the buyer names by their title or a word of it."""
    return [p for p in found if any(key in text for key in title_keys(p.title) if key)]


def _by_date(named: list[Promotion]) -> Messages:
    """``named`` promotions: the running ones, those to come, then the day each ended."""
    today = shop_now().date()
    running = [p for p in named if p.starts_on <= today <= p.ends_on]
    coming = [p for p in named if p.starts_on > today]
    ended = [p for p in named if p.ends_on < today]
    return [
        *_listed(running, upcoming=False),
        *_listed(coming, upcoming=True),
        *[("utter_promotion_event_ended", _promotion_dates(p)) for p in ended],
    ]


def promotion_event(event: str, general: Messages, session: Session) -> Messages:
    """The shop's promotions for the shopping day ``event`` (会员日, 双十一), running
    or to come, with their dates. None of them: the last one's end day (开学季的券还能用吗)
    or that the shop has none, then ``general`` (what runs now), never other
    promotions listed as if they were it."""
    today = shop_now().date()
    spellings = PROMOTION_EVENTS[event]
    named = [
        promotion
        for promotion in queries.list_promotions(session=session)
        if any(s in f"{promotion.title}{promotion.description}" for s in spellings)
    ]
    running = [p for p in named if p.starts_on <= today <= p.ends_on]
    coming = [p for p in named if p.starts_on > today]
    if running or coming:
        return [*_listed(running, upcoming=False), *_listed(coming, upcoming=True)]
    if not named:
        return [("utter_promotion_event_none", {"event": event}), *general]
    last = max(named, key=lambda promotion: promotion.ends_on)
    return [("utter_promotion_event_ended", _promotion_dates(last)), *general]


def product_price(asked: Asked, session: Session) -> Messages:
    """The catalogue price of the shoe the buyer means (named, or under discussion);
    which shoe, when none is known. ``product_id`` marks the shoe for the action."""
    found = resolve_product(asked, session=session, kind_switches=True)
    if found.unknown_name:
        return [("utter_unknown_product", {})]
    product = queries.get_product(found.product.id, session=session) if found.product else None
    if product is None:
        return [("utter_price_which_product", {})]
    return [
        (
            "utter_product_price",
            {"product_name": product.name, "price": yuan(product.price_fen),
             "product_id": product.id},
        )
    ]  # fmt: skip


UPCOMING_DAYS = 30  # promotions starting this soon are named beside the current ones


def upcoming_promotions(session: Session) -> Messages:
    """The promotions starting within :data:`UPCOMING_DAYS`, introduced; none: nothing
    (会员日能和满减一起用吗 asks about one that has not started yet)."""
    found = queries.upcoming_promotions(shop_now().date(), UPCOMING_DAYS, session=session)
    return _listed(found, upcoming=True)


def active_promotions(session: Session) -> Messages:
    """The promotions valid today, introduced; none: nothing."""
    return _listed(queries.active_promotions(shop_now().date(), session=session), upcoming=False)


def _listed(found: list[Promotion], *, upcoming: bool) -> Messages:
    """``found`` introduced and one item each (running or to come); none: nothing."""
    if not found:
        return []
    kind = "upcoming_item" if upcoming else "item"
    intro = "utter_promotions_upcoming_intro" if upcoming else "utter_promotions_intro"
    messages: Messages = [(intro, {})]
    for promotion in found:
        stackable = "_stackable" if promotion.stackable else ""
        messages.append((f"utter_promotion_{kind}{stackable}", _promotion_dates(promotion)))
    return messages


def _promotion_dates(promotion: Promotion) -> dict[str, Any]:
    """The variables of the promotion item responses: what it is and its dates."""
    return {
        "title": promotion.title,
        "description": promotion.description,
        "starts_month": promotion.starts_on.month,
        "starts_day": promotion.starts_on.day,
        "ends_month": promotion.ends_on.month,
        "ends_day": promotion.ends_on.day,
    }

"""The shop's clock: naive local times in the shop's time zone, as the database stores them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shop.config import settings


def shop_now() -> datetime:
    """Naive local time of the shop, as stored in the database."""
    return datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None)


def local_now() -> datetime:
    """The shop's current naive local time, to the second (imported data, events)."""
    return shop_now().replace(microsecond=0)

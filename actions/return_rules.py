"""The shop's return and exchange rules, as pure functions tested at their edges.

Windows count calendar days from the day after sign-for (签收): with a 7-day
window, goods signed for on the 1st can be returned up to and including the
8th. Size and no-reason returns use the no-reason window; quality problems,
goods not as described, shipping damage and wrong goods use the longer quality
window, and the shop pays their postage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shop.lexicon import RETURN_REASON_LABELS, code_of

# Reason codes (RETURN_REASON_LABELS: slot return_reason, button payloads, NLU
# synonyms and stored return requests) that use the no-reason window.
NO_REASON_CODES = frozenset({"size", "no_reason"})
SIGNED_STATUSES = frozenset({"delivered", "completed"})


@dataclass(frozen=True)
class ReturnDecision:
    """Whether a return may open, and if not which rule refuses it.

    ``refusal`` is ``None`` or one of ``not_shipped``, ``not_signed``, ``cancelled``,
    ``unpaid``, ``no_reason_window``, ``quality_window``. ``postage`` is who
    pays the return postage: ``shop``, ``insurance`` (the order's freight
    insurance pays) or ``buyer``. ``days_left`` counts today.
    """

    refusal: str | None
    postage: str = "buyer"
    window_days: int = 0
    days_left: int = 0


def reason_code(reason: str | None) -> str | None:
    """The code of a reason given as a code or as its display name (质量问题)."""
    return code_of(RETURN_REASON_LABELS, reason)


def days_since_signed(delivered_at: datetime, today: date) -> int:
    """Whole calendar days between sign-for and ``today`` (0 on the same day)."""
    return (today - delivered_at.date()).days


def decide_return(
    *,
    order_status: str,
    delivered_at: datetime | None,
    reason: str,
    freight_insurance: bool,
    today: date,
    no_reason_days: int,
    quality_days: int,
    no_reason_postage_payer: str = "buyer",
    quality_postage_payer: str = "shop",
) -> ReturnDecision:
    """Applies the shop's rules to one order item and one reason code."""
    if order_status == "cancelled":
        return ReturnDecision("cancelled")
    if order_status == "pending_payment":
        return ReturnDecision("unpaid")
    if order_status == "paid":  # not shipped: a refund of the order, not a return
        return ReturnDecision("not_shipped")
    if order_status not in SIGNED_STATUSES or delivered_at is None:
        return ReturnDecision("not_signed")
    elapsed = days_since_signed(delivered_at, today)
    if reason in NO_REASON_CODES:
        window = no_reason_days
        if elapsed > window:
            return ReturnDecision("no_reason_window", window_days=window)
        if no_reason_postage_payer == "shop":
            postage = "shop"
        else:
            postage = "insurance" if freight_insurance else "buyer"
        return ReturnDecision(None, postage, window, window - elapsed + 1)
    window = quality_days
    if elapsed > window:
        return ReturnDecision("quality_window", window_days=window)
    postage = "shop" if quality_postage_payer == "shop" else "buyer"
    return ReturnDecision(None, postage, window, window - elapsed + 1)

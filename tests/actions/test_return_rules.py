"""The return rules at their edges: windows, postage, order states."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from actions.return_rules import decide_return, reason_code

TODAY = date(2026, 11, 20)


def _decide(days_ago: int, reason: str, **kwargs: object) -> object:
    params: dict = {
        "order_status": "delivered",
        "delivered_at": datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()),
        "reason": reason,
        "freight_insurance": False,
        "today": TODAY,
        "no_reason_days": 7,
        "quality_days": 15,
    }
    params.update(kwargs)
    return decide_return(**params)


@pytest.mark.parametrize(("days", "refusal"), [(0, None), (7, None), (8, "no_reason_window")])
def test_no_reason_window_counts_seven_days_after_sign_for(days: int, refusal: str | None) -> None:
    assert _decide(days, "size").refusal == refusal
    assert _decide(days, "no_reason").refusal == refusal


@pytest.mark.parametrize(("days", "refusal"), [(8, None), (15, None), (16, "quality_window")])
@pytest.mark.parametrize("reason", ["quality", "not_as_described", "shipping_damage", "wrong_item"])
def test_quality_window(days: int, refusal: str | None, reason: str) -> None:
    assert _decide(days, reason).refusal == refusal


def test_days_left_counts_today() -> None:
    assert _decide(7, "size").days_left == 1
    assert _decide(0, "size").days_left == 8


@pytest.mark.parametrize(
    ("reason", "insurance", "payer", "postage"),
    [
        ("size", False, "buyer", "buyer"),
        ("size", True, "buyer", "insurance"),
        ("no_reason", False, "shop", "shop"),
        ("quality", False, "buyer", "shop"),
        ("shipping_damage", True, "buyer", "shop"),
    ],
)
def test_who_pays_the_return_postage(
    reason: str, insurance: bool, payer: str, postage: str
) -> None:
    decision = _decide(1, reason, freight_insurance=insurance, no_reason_postage_payer=payer)
    assert decision.postage == postage


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("pending_payment", "unpaid"),
        ("paid", "not_shipped"),  # a refund before shipping, not a return
        ("shipped", "not_signed"),
        ("cancelled", "cancelled"),
        ("completed", None),
    ],
)
def test_order_state_decides_first(status: str, refusal: str | None) -> None:
    assert _decide(1, "quality", order_status=status).refusal == refusal


def test_delivered_without_a_sign_for_time_is_not_signed() -> None:
    assert _decide(1, "size", delivered_at=None).refusal == "not_signed"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("尺码不合适", "size"), ("不喜欢/拍错了", "no_reason"), ("quality", "quality"), ("x", None)],
)
def test_reason_codes(reason: str, code: str | None) -> None:
    assert reason_code(reason) == code

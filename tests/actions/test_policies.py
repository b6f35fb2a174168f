"""Return policy, shipping and promotions are read from the shop's tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.config import settings
from actions.db.models import Promotion, ShopPolicy
from actions.db.session import session_scope
from actions.policies import ActionAnswerPromotion, ActionAnswerReturnPolicy, ActionAnswerShipping
from tests.conftest import make_tracker


async def _run(action: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    assert await action.run(dispatcher, make_tracker("?"), {}) == []
    return dispatcher


@pytest.mark.usefixtures("shop_db")
async def test_return_policy_from_the_policy_row(rendered: Any) -> None:
    dispatcher = await _run(ActionAnswerReturnPolicy())
    assert rendered(dispatcher) == ["utter_return_policy", "utter_return_postage_buyer"]
    assert dispatcher.messages[0]["no_reason_days"] == 7
    assert dispatcher.messages[0]["quality_days"] == 15
    assert "运费险" in dispatcher.messages[1]["freight_insurance"]


@pytest.mark.usefixtures("shop_db")
async def test_shop_paying_postage_picks_the_other_response(rendered: Any) -> None:
    with session_scope() as session:
        session.query(ShopPolicy).update({"no_reason_postage_payer": "shop"})
    dispatcher = await _run(ActionAnswerReturnPolicy())
    assert rendered(dispatcher) == ["utter_return_policy", "utter_return_postage_shop"]


@pytest.mark.usefixtures("shop_db")
async def test_shipping_from_the_policy_row(rendered: Any) -> None:
    dispatcher = await _run(ActionAnswerShipping())
    assert rendered(dispatcher) == ["utter_shipping_policy"]
    message = dispatcher.messages[0]
    assert (message["cutoff_time"], message["couriers"]) == ("16:00", "中通快递、顺丰速运")


@pytest.mark.usefixtures("shop_db")
async def test_only_current_promotions_are_listed(rendered: Any) -> None:
    dispatcher = await _run(ActionAnswerPromotion())
    assert rendered(dispatcher) == [
        "utter_promotions_intro",
        "utter_promotion_item",
        "utter_promotion_item",
    ]
    assert [m.get("title") for m in dispatcher.messages[1:]] == ["满300减30", "新人券10元"]


@pytest.mark.usefixtures("shop_db")
async def test_promotion_ending_today_in_the_shop_time_zone_is_listed(
    rendered: Any,
) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with session_scope() as session:
        session.query(Promotion).delete()
        session.add(
            Promotion(
                id="X1",
                title="今日特惠",
                kind="discount",
                description="全场95折",
                starts_on=today - timedelta(days=3),
                ends_on=today,
                stackable=True,
            )
        )
        session.add(
            Promotion(
                id="X2",
                title="明日开抢",
                kind="discount",
                description="全场8折",
                starts_on=today + timedelta(days=1),
                ends_on=today + timedelta(days=2),
            )
        )
    dispatcher = await _run(ActionAnswerPromotion())
    assert rendered(dispatcher) == ["utter_promotions_intro", "utter_promotion_item_stackable"]


@pytest.mark.usefixtures("empty_db")
@pytest.mark.parametrize(
    ("action", "response"),
    [
        (ActionAnswerReturnPolicy(), "utter_shop_info_missing"),
        (ActionAnswerShipping(), "utter_shop_info_missing"),
        (ActionAnswerPromotion(), "utter_no_promotions"),
    ],
)
async def test_an_empty_shop_says_so(action: Any, response: str, rendered: Any) -> None:
    assert rendered(await _run(action)) == [response]


async def test_database_down_gets_an_apology(rendered: Any, monkeypatch: Any) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        from sqlalchemy.exc import OperationalError

        raise OperationalError("select", {}, Exception("connection refused"))

    monkeypatch.setattr("actions.common.session_scope", broken)
    assert rendered(await _run(ActionAnswerShipping())) == ["utter_service_unavailable"]

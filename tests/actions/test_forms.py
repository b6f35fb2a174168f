"""The form base keeps helper slots that extract methods set."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.address import ValidateAddressForm
from tests.conftest import make_tracker, token

pytestmark = pytest.mark.usefixtures("shop_db")
B002_PAID = "2026101994084208"


async def test_recipient_and_phone_read_with_the_address_are_kept(domain: Any) -> None:
    tracker = make_tracker(
        "收件人王小明 电话13800001234 浙江省杭州市西湖区文三路100号",
        intent="inform",
        slots={"order_id": B002_PAID, "requested_slot": "new_address"},
        metadata=token("B002"),
        active_loop="address_form",
    )
    events = await ValidateAddressForm().run(CollectingDispatcher(), tracker, domain)
    assert SlotSet("new_recipient", "王小明") in events
    assert SlotSet("new_phone", "13800001234") in events
    assert SlotSet("new_address", "浙江省杭州市西湖区文三路100号") in events


async def test_a_refused_change_keeps_its_flag(domain: Any) -> None:
    tracker = make_tracker(
        "我要改地址",
        intent="change_address",
        slots={"order_id": "2026051793538979"},
        metadata=token("B001"),
        active_loop="address_form",
    )
    events = await ValidateAddressForm().run(CollectingDispatcher(), tracker, domain)
    assert SlotSet("address_blocked", True) in events

"""Typed follow-ups after size advice and typed picks among offered shoes.

宽脚 / 脚背也高 right after the advice asks it again for that foot; 那跑鞋呢 asks
it for another shoe (which one, when a kind fits two); 男款 / 第二个 picks one of
the shoes the assistant offered on buttons.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionInformWithoutQuestion
from actions.products import ValidateProductForm, offered_shoes, typed_pick
from tests.conftest import make_tracker, token

pytestmark = pytest.mark.usefixtures("shop_db")

RUNNING = ["疾风男子跑鞋", "轻羽女子跑鞋"]


def _after_advice(text: str, intent: str = "inform", **kwargs: Any) -> Tracker:
    """The buyer's message right after size advice for 小白鞋 (P006), normal foot."""
    slots = {"product_id": "P006", "foot_length_cm": 25.5, "foot_shape": "normal"}
    tracker = make_tracker(
        text, intent=intent, slots={**slots, **kwargs.pop("slots", {})}, **kwargs
    )
    tracker.events = [
        {"event": "user", "text": "脚长25.5 小白鞋多大", "parse_data": {"intent": {}}},
        {"event": "action", "name": "size_advice_form"},
        {"event": "active_loop", "name": None},
        {"event": "action", "name": "action_recommend_size"},
        {"event": "bot", "text": "建议您选 41码", "metadata": {}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    return tracker


async def _continue(tracker: Tracker) -> list[dict[str, Any]]:
    return await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})


@pytest.mark.parametrize(
    ("text", "shape"),
    [("宽脚", "wide"), ("我脚背也高", "high_instep"), ("脚比较窄", "narrow")],
)
async def test_a_foot_shape_after_the_advice_asks_it_again(text: str, shape: str) -> None:
    assert await _continue(_after_advice(text)) == [
        SlotSet("foot_shape", shape),
        FollowupAction("size_advice_form"),
    ]


async def test_the_same_foot_shape_again_is_no_follow_up() -> None:
    """正常脚 after advice for a normal foot changes nothing: the fallback answers."""
    events = await _continue(_after_advice("正常脚"))
    assert FollowupAction("size_advice_form") not in events


async def test_a_fit_complaint_is_not_a_foot_shape() -> None:
    """有点挤脚 speaks of a return for a logged-in buyer, not of another foot."""
    tracker = _after_advice("鞋有点挤脚", metadata=token("B005"))
    events = await _continue(tracker)
    assert SlotSet("after_sale_goal", "return") in events


async def test_a_named_shoe_after_the_advice_asks_for_that_shoe() -> None:
    assert await _continue(_after_advice("那轻羽女子跑鞋呢")) == [
        SlotSet("product_id", "P002"),
        SlotSet("product_name", "轻羽女子跑鞋"),
        FollowupAction("size_advice_form"),
    ]


async def test_a_kind_that_fits_two_shoes_clears_the_shoe_so_the_form_asks() -> None:
    assert await _continue(_after_advice("那跑鞋呢")) == [
        SlotSet("product_id", None),
        SlotSet("product_name", None),
        FollowupAction("size_advice_form"),
    ]


async def test_a_kind_that_fits_the_shoe_discussed_is_no_switch() -> None:
    """板鞋 while talking about 经典小白板鞋 is the same shoe."""
    events = await _continue(_after_advice("板鞋呢"))
    assert SlotSet("product_id", None) not in events


def test_offered_shoes_are_the_latest_questions_shoe_buttons() -> None:
    tracker = make_tracker("男款", intent="inform")
    tracker.events = [
        {"event": "bot", "data": {"buttons": [{"title": "正常脚", "payload": "/inform"}]}},
        {
            "event": "bot",
            "data": {
                "buttons": [{"title": t, "payload": f'/inform{{"product":"{t}"}}'} for t in RUNNING]
            },
        },
        {"event": "user", "text": "男款"},
    ]
    assert offered_shoes(tracker) == RUNNING


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("男款", "疾风男子跑鞋"),
        ("女的那个", "轻羽女子跑鞋"),
        ("第二个", "轻羽女子跑鞋"),
        ("第1双", "疾风男子跑鞋"),
        ("要疾风吧", "疾风男子跑鞋"),
        ("跑鞋那个", None),  # both are running shoes
        ("第三个", None),  # only two were offered
        ("嗯嗯", None),
    ],
)
def test_typed_pick_at_its_edges(text: str, picked: str | None) -> None:
    assert typed_pick(RUNNING, text) == picked


async def test_the_product_form_takes_a_typed_pick_of_the_offered_shoes() -> None:
    tracker = make_tracker("男款", intent="inform", slots={"requested_slot": "product_id"})
    tracker.events = [
        {
            "event": "bot",
            "data": {
                "buttons": [{"title": t, "payload": f'/inform{{"product":"{t}"}}'} for t in RUNNING]
            },
        },
        {"event": "user", "text": "男款", "parse_data": {"intent": {"name": "inform"}}},
    ]
    slots = await ValidateProductForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert (slots["product_id"], slots["product_name"]) == ("P001", "疾风男子跑鞋")

"""Review questions answered from the stored reviews, and size advice that mentions
reviews contradicting the fit note (actions/reviews.py, actions/size_advice.py).

The demo shop's figures are counted from seed/demo_shop.json by hand: 疾风男子跑鞋 has
10 reviews (41 stars: 4.1), 4 of them 偏小 while its note says 正码; 萌趣儿童雨靴 has none.
The second shop (tests/e2e/second_shop.json, its own reviews) shows nothing here
depends on the demo shop's data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionInformWithoutQuestion
from actions.review_answer import question_topic, review_answer
from actions.reviews import ActionAnswerReviews
from actions.size_advice import ActionRecommendSize
from shop.db.importer import load_shop
from shop.db.models import Base
from shop.db.session import get_engine, session_scope
from shop.review_stats import ReviewFacts
from tests.conftest import make_tracker

SECOND_SHOP = Path(__file__).resolve().parents[1] / "e2e" / "second_shop.json"


async def _ask(text: str, **kwargs: Any) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    kwargs.setdefault("intent", "ask_reviews")
    tracker = kwargs.pop("tracker", None) or make_tracker(text, **kwargs)
    events = await ActionAnswerReviews().run(dispatcher, tracker, {})
    return events, dispatcher


def _by_name(dispatcher: CollectingDispatcher) -> dict[str, dict[str, Any]]:
    return {m["response"]: m for m in dispatcher.messages}


# --- pure answers ------------------------------------------------------------------------


def test_no_reviews_is_said_and_nothing_invented() -> None:
    assert review_answer("某鞋", []) == [("utter_reviews_none", {"product_name": "某鞋"})]


def test_a_topic_nobody_mentions_gets_no_quote() -> None:
    reviews = [ReviewFacts(5, "很轻"), ReviewFacts(4, "好看")]
    names = [name for name, _ in review_answer("某鞋", reviews, topic="开胶")]
    assert names == ["utter_reviews_summary", "utter_reviews_topic_none"]


def test_a_fit_question_without_fit_feedback_says_so() -> None:
    names = [name for name, _ in review_answer("某鞋", [ReviewFacts(5, "很轻")], topic="尺码")]
    assert names == ["utter_reviews_summary", "utter_reviews_fit_unknown", "utter_reviews_quotes"]


@pytest.mark.parametrize(
    ("text", "topic"),
    [("穿过的说磨脚吗", "磨脚"), ("大家说偏码吗", "尺码"), ("有差评吗", None),
     ("买家说有味道吗", "味道"), ("评论说偏小吗", "偏小")],
)  # fmt: skip
def test_the_topic_of_a_question(text: str, topic: str | None) -> None:
    assert question_topic(text) == topic


# --- the action on the demo shop ---------------------------------------------------------


@pytest.mark.usefixtures("shop_db")
async def test_figures_match_the_data(rendered: Any) -> None:
    events, dispatcher = await _ask("疾风男子跑鞋评价怎么样")
    assert rendered(dispatcher) == [
        "utter_reviews_summary",
        "utter_reviews_fit",
        "utter_reviews_fit_disagree",
        "utter_reviews_quotes",
    ]
    found = _by_name(dispatcher)
    summary = found["utter_reviews_summary"]
    assert (summary["count"], summary["average"]) == (10, "4.1")
    assert (summary["good"], summary["middle"], summary["bad"]) == (8, 1, 1)
    fit = found["utter_reviews_fit"]
    assert (fit["fit_count"], fit["small_pct"], fit["large_pct"], fit["true_pct"]) == (
        10,
        40,
        0,
        60,
    )
    disagree = found["utter_reviews_fit_disagree"]
    assert (disagree["percent"], disagree["fit"]) == (40, "偏小")
    assert disagree["fit_note"].startswith("正码")
    quotes = found["utter_reviews_quotes"]["quotes"].split("\n")
    assert len(quotes) == 2
    assert quotes[0] == "「轻便，上班通勤也能穿」（5分，41码）"  # the newest good review
    assert quotes[1] == "「偏小，前掌挤脚，跑久了磨脚」（2分，43码）"  # newest of 3 stars or fewer
    assert SlotSet("product_id", "P001") in events


@pytest.mark.usefixtures("shop_db")
async def test_a_topic_asked_about_is_counted_and_quoted(rendered: Any) -> None:
    _, dispatcher = await _ask("牛津鞋穿过的说磨脚吗")
    names = rendered(dispatcher)
    assert "utter_reviews_topic_count" in names
    topic = _by_name(dispatcher)["utter_reviews_topic_count"]
    assert (topic["topic"], topic["topic_count"], topic["count"]) == ("磨脚", 2, 5)
    quotes = _by_name(dispatcher)["utter_reviews_quotes"]["quotes"]
    assert all("磨脚" in line for line in quotes.split("\n"))
    assert "utter_reviews_fit_disagree" not in names  # runs small, and the note says so


@pytest.mark.usefixtures("shop_db")
async def test_a_shoe_without_reviews(rendered: Any) -> None:
    _, dispatcher = await _ask("这款评价怎么样", metadata={"product_id": "P009"})
    assert rendered(dispatcher) == ["utter_reviews_none"]
    assert dispatcher.messages[0]["product_name"] == "萌趣儿童雨靴"


@pytest.mark.usefixtures("shop_db")
async def test_the_shoe_under_discussion_and_traditional_script(rendered: Any) -> None:
    _, dispatcher = await _ask("有差評嗎", slots={"product_id": "P011"})
    found = _by_name(dispatcher)
    assert found["utter_reviews_summary"]["count"] == 6
    assert found["utter_reviews_summary"]["average"] == "4.2"
    assert found["utter_reviews_fit_disagree"]["fit"] == "偏大"
    assert found["utter_reviews_fit_disagree"]["percent"] == 33


@pytest.mark.usefixtures("shop_db")
async def test_no_shoe_known_asks_which_and_a_typed_name_answers(rendered: Any) -> None:
    _, dispatcher = await _ask("买过的人怎么说")
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    asked = [
        {
            "event": "user",
            "text": "买过的人怎么说",
            "parse_data": {"intent": {"name": "ask_reviews"}},
        },
        {"event": "action", "name": "action_answer_reviews"},
        {"event": "bot", "text": "?", "metadata": {"utter_action": "utter_ask_product_id"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "小白鞋", "parse_data": {"intent": {"name": "inform"}}},
    ]
    tracker = make_tracker("小白鞋", intent="inform")
    tracker.events.extend(asked)
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events == [FollowupAction("action_answer_reviews")]
    _, dispatcher = await _ask("小白鞋", intent="inform", tracker=tracker)
    assert _by_name(dispatcher)["utter_reviews_summary"]["product_name"] == "经典小白板鞋"


@pytest.mark.usefixtures("shop_db")
async def test_an_unknown_shoe_is_not_invented(rendered: Any) -> None:
    _, dispatcher = await _ask(
        "飞天靴评价怎么样", entities=[{"entity": "product", "value": "飞天靴"}]
    )
    assert rendered(dispatcher) == ["utter_unknown_product"]


# --- size advice -------------------------------------------------------------------------


async def _recommend(product_id: str) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    slots = {"product_id": product_id, "foot_length_cm": 25.5, "foot_shape": "normal"}
    await ActionRecommendSize().run(dispatcher, make_tracker(slots=slots), {})
    return dispatcher


@pytest.mark.usefixtures("shop_db")
async def test_size_advice_mentions_reviews_that_contradict_the_note(rendered: Any) -> None:
    dispatcher = await _recommend("P001")
    assert "utter_size_reviews_disagree" in rendered(dispatcher)
    found = _by_name(dispatcher)["utter_size_reviews_disagree"]
    assert (found["percent"], found["fit"], found["fit_count"]) == (40, "偏小", 10)


@pytest.mark.usefixtures("shop_db")
async def test_size_advice_says_nothing_when_reviews_agree(rendered: Any) -> None:
    for product_id in ("P003", "P004", "P009"):  # noted small / noted large / no reviews
        assert "utter_size_reviews_disagree" not in rendered(await _recommend(product_id))


# --- a second shop from its own file -----------------------------------------------------


@pytest.fixture()
def second_shop() -> Any:
    engine = get_engine()
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with session_scope() as session:
        load_shop(json.loads(SECOND_SHOP.read_text(encoding="utf-8")), session=session)
    yield
    Base.metadata.drop_all(engine)


@pytest.mark.usefixtures("second_shop")
async def test_the_second_shop_answers_from_its_own_reviews(rendered: Any) -> None:
    _, dispatcher = await _ask("马丁靴买过的人说偏码吗")
    found = _by_name(dispatcher)
    assert found["utter_reviews_summary"]["product_name"] == "铁骑马丁靴"
    assert (found["utter_reviews_summary"]["count"], found["utter_reviews_summary"]["average"]) == (
        5,
        "4.2",
    )
    fit = found["utter_reviews_fit"]
    assert (fit["small_pct"], fit["large_pct"], fit["true_pct"]) == (20, 40, 40)
    assert found["utter_reviews_fit_disagree"]["fit"] == "偏大"  # the note says 偏小半码
    _, dispatcher = await _ask("逐风评价怎么样")
    assert rendered(dispatcher) == ["utter_reviews_none"]
    dispatcher = CollectingDispatcher()
    slots = {"product_id": "C102", "foot_length_cm": 26.0, "foot_shape": "normal"}
    await ActionRecommendSize().run(dispatcher, make_tracker(slots=slots), {})
    assert _by_name(dispatcher)["utter_size_reviews_disagree"]["percent"] == 40

"""Stock answers come from the stock table minus reservations, never invented."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.common import asks_the_same
from actions.context import ActionInformWithoutQuestion
from actions.products import ValidateProductForm
from actions.return_requests import ValidateReturnForm
from actions.size_advice import ValidateSizeAdviceForm
from actions.stock import ActionAnswerStock, asked_which_shoe, stock_question_before
from actions.stock_answer import StockRow, stock_answer
from actions.stock_query import StockQuery, read_query, with_catalogue_colors
from shop.clock import shop_now
from shop.db import queries
from shop.db.models import StockItem
from shop.db.session import session_scope
from tests.conftest import make_tracker, token

TODAY = date(2026, 11, 20)
CHART = [41.0, 41.5, 42.0, 42.5, 43.0, 43.5, 44.0]


def _rows(**free: int) -> list[StockRow]:
    """Rows of 黑色 and 白色 in every CHART size, 10 free unless given (黑_43=0)."""
    rows = []
    for color, stem in (("黑色", "黑"), ("白色", "白")):
        for size in CHART:
            key = f"{stem}_{size:g}".replace(".", "_")
            rows.append(StockRow(color, size, free.get(key, 10)))
    return rows


def _names(messages: list[tuple[str, dict]]) -> list[str]:
    return [name for name, _ in messages]


# --- the pure answer, at its edges -------------------------------------------------------


def test_in_stock() -> None:
    messages = stock_answer("疾风", _rows(), CHART, StockQuery(("黑色",), 43.0), TODAY)
    assert messages == [
        ("utter_stock_available", {"product_name": "疾风", "color": "黑色", "size": "43"})
    ]


def test_few_left_says_how_many() -> None:
    messages = stock_answer("疾风", _rows(黑_43=2), CHART, StockQuery(("黑",), 43.0), TODAY)
    assert messages == [
        (
            "utter_stock_few_left",
            {"product_name": "疾风", "color": "黑色", "size": "43", "count": 2},
        )
    ]


def test_sold_out_names_other_colours_and_neighbouring_sizes() -> None:
    rows = _rows(黑_43=0, 黑_43_5=0, 白_43=0, 黑_42=0)
    rows.append(StockRow("蓝色", 43.0, 5))
    messages = stock_answer("疾风", rows, CHART, StockQuery(("黑色",), 43.0), TODAY)
    assert _names(messages) == [
        "utter_stock_sold_out",
        "utter_stock_restock_unknown",
        "utter_stock_other_colors",
        "utter_stock_nearby_sizes",
    ]
    assert messages[1][1] == {"what": "黑色43码"}
    assert messages[2][1] == {"size": "43", "colors": "蓝色"}
    # one size away at most: 42 is sold out, 44 is in reach, 41.5 is not
    assert messages[3][1] == {"color": "黑色", "sizes": "42.5、44"}


def test_nothing_nearby_says_only_what_is_known() -> None:
    rows = [StockRow("黑色", 43.0, 0)]
    messages = stock_answer("疾风", rows, [43.0], StockQuery(("黑色",), 43.0), TODAY)
    assert _names(messages) == ["utter_stock_sold_out", "utter_stock_restock_unknown"]


def test_restock_date_known_today_or_later_is_said() -> None:
    soon = TODAY + timedelta(days=5)
    rows = [StockRow("黑色", 43.0, 0, soon), StockRow("黑色", 44.0, 0, TODAY)]
    messages = stock_answer("疾风", rows, [43.0, 44.0], StockQuery(("黑色",), None, True), TODAY)
    assert messages == [
        ("utter_stock_color_sold_out", {"product_name": "疾风", "color": "黑色"}),
        ("utter_stock_restock_on", {"what": "黑色44码", "month": 11, "day": 20}),
        ("utter_stock_restock_on", {"what": "黑色43码", "month": 11, "day": 25}),
    ]


def test_a_past_restock_date_is_stale_and_not_said() -> None:
    rows = [StockRow("黑色", 43.0, 0, TODAY - timedelta(days=1)), StockRow("黑色", 42.0, 3)]
    messages = stock_answer("疾风", rows, [42.0, 43.0], StockQuery(("黑色",), 43.0), TODAY)
    assert ("utter_stock_restock_unknown", {"what": "黑色43码"}) in messages
    assert "utter_stock_restock_on" not in _names(messages)


def test_size_only_lists_the_colours_in_stock() -> None:
    messages = stock_answer("疾风", _rows(黑_43=0), CHART, StockQuery((), 43.0), TODAY)
    assert messages == [
        ("utter_stock_size_colors", {"product_name": "疾风", "size": "43", "colors": "白色"})
    ]


def test_size_sold_out_in_every_colour_names_the_nearby_sizes() -> None:
    rows = _rows(黑_43=0, 白_43=0, 黑_43_5=0, 白_43_5=0)
    messages = stock_answer("疾风", rows, CHART, StockQuery((), 43.0), TODAY)
    assert _names(messages) == [
        "utter_stock_size_sold_out",
        "utter_stock_restock_unknown",
        "utter_stock_nearby_sizes_any",
    ]
    assert messages[1][1] == {"what": "黑色、白色43码"}
    assert messages[2][1] == {"size": "43", "sizes": "42、42.5、44"}


def test_colour_only_gives_size_ranges() -> None:
    messages = stock_answer("疾风", _rows(白_42=0), CHART, StockQuery(("白色",)), TODAY)
    assert messages == [
        (
            "utter_stock_color_sizes",
            {"product_name": "疾风", "color": "白色", "sizes": "41-41.5、42.5-44"},
        )
    ]


def test_colour_sold_out_points_to_the_colours_in_stock() -> None:
    rows = [StockRow("黑色", s, 0) for s in CHART] + [StockRow("白色", 42.0, 4)]
    messages = stock_answer("疾风", rows, CHART, StockQuery(("黑色",)), TODAY)
    assert _names(messages)[0] == "utter_stock_color_sold_out"
    assert messages[-1] == (
        "utter_stock_colors_available",
        {"product_name": "疾风", "colors": "白色"},
    )


def test_overview_and_restock_when_asked() -> None:
    rows = _rows(黑_43=0)
    plain = stock_answer("疾风", rows, CHART, StockQuery(), TODAY)
    assert plain == [
        (
            "utter_stock_overview",
            {"product_name": "疾风", "summary": "黑色 41-42.5、43.5-44码；白色 41-44码"},
        )
    ]
    asked = stock_answer("疾风", rows, CHART, StockQuery(restock=True), TODAY)
    assert _names(asked) == ["utter_stock_overview", "utter_stock_restock_unknown"]
    nothing_out = stock_answer("疾风", _rows(), CHART, StockQuery(restock=True), TODAY)
    assert _names(nothing_out) == ["utter_stock_overview", "utter_stock_nothing_sold_out"]


def test_everything_sold_out() -> None:
    rows = [StockRow("黑色", 42.0, 0)]
    messages = stock_answer("疾风", rows, [42.0], StockQuery(), TODAY)
    assert _names(messages) == ["utter_stock_all_sold_out", "utter_stock_restock_unknown"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (StockQuery(("紫色",), 43.0), "utter_stock_no_color"),
        (StockQuery((), 47.0), "utter_stock_no_size"),
    ],
)
def test_a_colour_or_size_the_shoe_does_not_come_in(query: StockQuery, expected: str) -> None:
    messages = stock_answer("疾风", _rows(), CHART, query, TODAY)
    assert _names(messages) == [expected]


def test_no_stock_rows_is_admitted() -> None:
    messages = stock_answer("疾风", [], CHART, StockQuery((), 42.0), TODAY)
    assert _names(messages) == ["utter_stock_unknown", "utter_offer_human"]


@pytest.mark.parametrize(
    ("text", "colors", "size", "restock"),
    [
        ("白色38码还有吗", ("白",), 38.0, False),
        ("灰色什么时候补货", ("灰",), None, True),
        ("43的有货没", (), 43.0, False),
        ("黑的四十二码有吗", ("黑",), 42.0, False),
        ("小白鞋有货吗", (), None, False),  # 小白鞋 is a shoe, not a colour
        ("这个颜色断货了吗", (), None, False),
    ],
)
def test_reading_the_question(
    text: str, colors: tuple[str, ...], size: float | None, restock: bool
) -> None:
    assert read_query(text) == StockQuery(colors, size, restock)


@pytest.mark.parametrize(
    ("text", "colors"),
    [
        ("燕麦色41码有货吗", ("燕麦色",)),  # no lexicon stem in the shop's colour name
        ("薄荷绿的有吗", ("薄荷绿",)),
        ("墨绿39码有吗", ("墨绿色",)),  # the full name replaces its stem 绿
        ("绿色有吗", ("绿",)),  # a stem alone stays a stem: every green
        ("小白鞋有货吗", ()),
    ],
)
def test_the_shops_own_colour_names(text: str, colors: tuple[str, ...]) -> None:
    shop_colors = ["墨绿色", "薄荷绿", "燕麦色", "白色"]
    query = with_catalogue_colors(read_query(text), [text], shop_colors)
    assert query.colors == colors


def test_entities_are_read_first() -> None:
    query = read_query("那个还有吗", color_entity="米色", size_entity="36")
    assert (query.colors, query.size) == (("米",), 36.0)


@pytest.mark.parametrize(
    ("text", "entity", "colors"),
    [
        ("象牙白有吗", None, ("象牙白",)),  # not 白: the shoe may have white and not ivory
        ("荧光橙的有吗", None, ("荧光橙",)),
        ("深灰的呢", "的呢", ("深灰",)),  # the tagger's span holds no colour
        ("要白的", "要白的", ("白",)),
        ("今天蓝色的能发吗", None, ("蓝",)),  # 今天 is no 天蓝
    ],
)
def test_colours_are_read_from_the_words_not_the_taggers_span(
    text: str, entity: str | None, colors: tuple[str, ...]
) -> None:
    assert read_query(text, color_entity=entity).colors == colors


def test_a_colour_the_shoe_lacks_is_said_as_a_colour() -> None:
    rows = [StockRow("白色", 42.0, 3), StockRow("黑色", 42.0, 1)]
    for words, said in ((("象牙白",), "象牙白"), (("橙",), "橙色")):
        messages = stock_answer("疾风", rows, CHART, StockQuery(words), TODAY)
        assert messages == [
            (
                "utter_stock_no_color",
                {"product_name": "疾风", "color": said, "colors": "白色、黑色"},
            )
        ]


# --- the action on the demo shop ---------------------------------------------------------


async def _ask(text: str, **kwargs: Any) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    kwargs.setdefault("intent", "ask_stock")
    tracker = kwargs.pop("tracker", None) or make_tracker(text, **kwargs)
    events = await ActionAnswerStock().run(dispatcher, tracker, {})
    return events, dispatcher


def _set(product_id: str, color: str, size: float, **values: Any) -> None:
    with session_scope() as session:
        row = session.execute(
            select(StockItem).where(
                StockItem.product_id == product_id,
                StockItem.color == color,
                StockItem.size == size,
            )
        ).scalar_one()
        for key, value in values.items():
            setattr(row, key, value)


@pytest.mark.usefixtures("shop_db")
async def test_sold_out_with_a_restock_date_from_the_shop(rendered: Any) -> None:
    events, dispatcher = await _ask("疾风黑色43码还有货吗")
    assert rendered(dispatcher) == [
        "utter_stock_sold_out",
        "utter_stock_restock_on",
        "utter_stock_other_colors",
        "utter_stock_nearby_sizes",
    ]
    expected = shop_now().date() + timedelta(days=5)  # seed: restock_on "+5d"
    restock = dispatcher.messages[1]
    assert (restock["month"], restock["day"]) == (expected.month, expected.day)
    assert dispatcher.messages[2]["colors"] == "白色、蓝色"
    assert dispatcher.messages[3]["sizes"] == "42、42.5、44"  # 43.5 is sold out too
    assert SlotSet("product_id", "P001") in events


@pytest.mark.usefixtures("shop_db")
async def test_sold_out_without_a_date_says_none_is_known(rendered: Any) -> None:
    _, dispatcher = await _ask("疾风黑色43.5码有吗")
    assert rendered(dispatcher)[:2] == ["utter_stock_sold_out", "utter_stock_restock_unknown"]


@pytest.mark.usefixtures("shop_db")
async def test_reserved_units_are_not_for_sale(rendered: Any) -> None:
    _, dispatcher = await _ask("疾风白色42码有货吗")
    assert rendered(dispatcher) == ["utter_stock_available"]
    _set("P001", "白色", 42.0, reserved=23)
    _, dispatcher = await _ask("疾风白色42码有货吗")
    assert rendered(dispatcher) == ["utter_stock_few_left"]
    assert dispatcher.messages[0]["count"] == 2
    _set("P001", "白色", 42.0, reserved=25)
    _, dispatcher = await _ask("疾风白色42码有货吗")
    assert rendered(dispatcher)[0] == "utter_stock_sold_out"


@pytest.mark.usefixtures("shop_db")
async def test_product_from_the_page_and_traditional_script(rendered: Any) -> None:
    _, dispatcher = await _ask("這款白色43碼還有貨嗎", metadata={"product_id": "P001"})
    assert rendered(dispatcher) == ["utter_stock_available"]
    assert dispatcher.messages[0]["product_name"] == "疾风男子跑鞋"


@pytest.mark.usefixtures("shop_db")
async def test_product_from_the_conversation(rendered: Any) -> None:
    _, dispatcher = await _ask("43码还有吗", slots={"product_id": "P001"})
    assert rendered(dispatcher) == ["utter_stock_size_colors"]
    assert dispatcher.messages[0]["colors"] == "白色、蓝色"


@pytest.mark.usefixtures("shop_db")
async def test_entities_of_a_button_payload(rendered: Any) -> None:
    _, dispatcher = await _ask(
        '/ask_stock{"product":"小白鞋","color":"米色","shoe_size":"36"}',
        entities=[
            {"entity": "product", "value": "小白鞋"},
            {"entity": "color", "value": "米色"},
            {"entity": "shoe_size", "value": "36"},
        ],
    )
    assert rendered(dispatcher)[:2] == ["utter_stock_sold_out", "utter_stock_restock_on"]


@pytest.mark.usefixtures("shop_db")
async def test_unknown_product_asks_which_shoe_offering_the_kind(rendered: Any) -> None:
    _, dispatcher = await _ask("跑鞋43码还有货吗")
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["疾风男子跑鞋", "轻羽女子跑鞋"]
    _, dispatcher = await _ask("你们店都有哪些鞋")  # no kind: the catalogue, 12 shoes
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    assert len(dispatcher.messages[0]["buttons"]) == 12


@pytest.mark.usefixtures("shop_db")
async def test_a_kind_the_shop_sells_once_is_that_shoe(rendered: Any) -> None:
    """皮鞋 fits only 城市牛津皮鞋: no "which shoe?" with a single button."""
    _, dispatcher = await _ask("皮鞋43码有货吗")
    assert rendered(dispatcher) == ["utter_stock_size_colors"]
    assert dispatcher.messages[0]["product_name"] == "城市牛津皮鞋"


@pytest.mark.usefixtures("shop_db")
async def test_a_shoe_the_shop_does_not_sell(rendered: Any) -> None:
    _, dispatcher = await _ask("椰子鞋有货吗", entities=[{"entity": "product", "value": "椰子鞋"}])
    assert rendered(dispatcher) == ["utter_unknown_product"]


@pytest.mark.usefixtures("shop_db")
async def test_a_kind_of_shoe_while_another_shoe_is_discussed(rendered: Any) -> None:
    _, dispatcher = await _ask("跑鞋43码还有货吗", slots={"product_id": "P006"})
    assert rendered(dispatcher) == ["utter_ask_product_id"]  # not the 小白鞋 discussed
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "疾风男子跑鞋",
        "轻羽女子跑鞋",
    ]
    events, dispatcher = await _ask("皮鞋42码有货吗", slots={"product_id": "P006"})
    assert SlotSet("product_id", "P003") in events  # the one 皮鞋
    _, dispatcher = await _ask("跑鞋43码还有货吗", slots={"product_id": "P001"})
    assert dispatcher.messages[0]["product_name"] == "疾风男子跑鞋"  # a 跑鞋 already


@pytest.mark.usefixtures("shop_db")
async def test_a_kind_entity_is_not_an_unknown_shoe(rendered: Any) -> None:
    _, dispatcher = await _ask("跑鞋有货吗", entities=[{"entity": "product", "value": "跑鞋"}])
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    brand = [{"entity": "product", "value": "耐克跑鞋"}]
    _, dispatcher = await _ask("耐克跑鞋有货吗", entities=brand)
    assert rendered(dispatcher) == ["utter_unknown_product"]


@pytest.mark.usefixtures("shop_db")
async def test_a_colour_the_tagger_took_for_a_shoe_is_a_colour_of_this_one(rendered: Any) -> None:
    """奶白有没有 on a runner's page: no "we do not sell 奶白", but that it lacks 奶白."""
    _, dispatcher = await _ask(
        "奶白有没有",
        entities=[{"entity": "product", "value": "奶白"}],
        slots={"product_id": "P001"},
    )
    assert rendered(dispatcher) == ["utter_stock_no_color"]
    assert dispatcher.messages[0]["color"] == "奶白"


@pytest.mark.usefixtures("shop_db")
async def test_inside_a_form_without_the_shoe(rendered: Any) -> None:
    _, dispatcher = await _ask(
        "43码有货吗", active_loop="order_form", slots={"requested_slot": "order_id"}
    )
    assert rendered(dispatcher) == ["utter_stock_which_product"]
    _, dispatcher = await _ask(
        "43码有货吗", active_loop="size_advice_form", slots={"requested_slot": "product_id"}
    )
    assert dispatcher.messages == []  # the form asks which shoe right after


def _after_which_shoe(text: str, intent: str, **kwargs: Any) -> Tracker:
    """The buyer's reply after a stock question was answered with "which shoe?"."""
    tracker = make_tracker(text, intent=intent, **kwargs)
    tracker.events = [
        {
            "event": "user",
            "text": "米色36码什么时候有货",
            "parse_data": {"intent": {"name": "ask_stock"}},
        },
        {"event": "action", "name": "action_answer_stock"},
        {
            "event": "bot",
            "text": "亲，您问的是哪一款鞋呢？",
            "metadata": {"utter_action": "utter_ask_product_id"},
        },
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": "action_inform_without_question"},
    ]
    return tracker


@pytest.mark.usefixtures("shop_db")
async def test_the_shoe_typed_after_which_shoe_answers_the_stock_question(rendered: Any) -> None:
    tracker = _after_which_shoe("小白鞋", "inform")
    assert asked_which_shoe(tracker) == "米色36码什么时候有货"
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events == [FollowupAction("action_answer_stock")]
    _, dispatcher = await _ask("", tracker=tracker)
    assert rendered(dispatcher)[:2] == ["utter_stock_sold_out", "utter_stock_restock_on"]
    assert (dispatcher.messages[0]["color"], dispatcher.messages[0]["size"]) == ("米色", "36")


@pytest.mark.usefixtures("shop_db")
async def test_an_older_stock_question_is_not_carried_over() -> None:
    tracker = _after_which_shoe("小白鞋", "inform")
    tracker.events.insert(4, {"event": "action", "name": "action_answer_shipping"})
    assert asked_which_shoe(tracker) is None


def _after_stock_answer(text: str, intent: str, **kwargs: Any) -> Tracker:
    """The buyer's next message right after a stock question was answered."""
    tracker = make_tracker(text, intent=intent, **kwargs)
    tracker.events = [
        {"event": "user", "text": "疾风白色43码还有货吗", "parse_data": {}},
        {"event": "action", "name": "action_answer_stock"},
        {"event": "bot", "text": "有货", "metadata": {"utter_action": "utter_stock_available"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": "action_inform_without_question"},
    ]
    return tracker


def test_the_stock_question_just_answered_is_found() -> None:
    tracker = _after_stock_answer("那44呢", "inform")
    assert stock_question_before(tracker) == "疾风白色43码还有货吗"
    assert asked_which_shoe(tracker) is None  # no "which shoe?" was asked


def test_another_answer_in_between_forgets_the_stock_question() -> None:
    tracker = _after_stock_answer("那44呢", "inform")
    tracker.events.insert(2, {"event": "action", "name": "action_answer_shipping"})
    assert stock_question_before(tracker) is None


def test_a_follow_up_handed_over_by_the_context_chains() -> None:
    tracker = _after_stock_answer("黑色的呢", "inform")
    tracker.events[4:4] = [
        {"event": "user", "text": "那44呢", "parse_data": {}},
        {"event": "action", "name": "action_inform_without_question"},
        {"event": "action", "name": "action_answer_stock"},
        {"event": "action", "name": "action_listen"},
    ]
    assert stock_question_before(tracker) == "那44呢"


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize("text", ["那44呢", "44的呢", "黑色的呢", "那蓝色呢"])
async def test_a_typed_size_or_colour_after_a_stock_answer_asks_again(text: str) -> None:
    tracker = _after_stock_answer(text, "inform", slots={"product_id": "P001"})
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events == [FollowupAction("action_answer_stock")]


@pytest.mark.usefixtures("shop_db")
async def test_words_without_a_size_or_colour_are_no_stock_follow_up() -> None:
    tracker = _after_stock_answer("好的呢", "inform", slots={"product_id": "P001"})
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert FollowupAction("action_answer_stock") not in events


@pytest.mark.usefixtures("shop_db")
async def test_the_follow_up_keeps_the_colour_and_changes_the_size(rendered: Any) -> None:
    tracker = _after_stock_answer("那44呢", "inform", slots={"product_id": "P001"})
    _, dispatcher = await _ask("", tracker=tracker)
    message = dispatcher.messages[0]
    assert (message.get("color"), message.get("size")) == ("白色", "44"), message


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize("text", ["黑色的呢", "那黑色呢"])
async def test_the_follow_up_changes_the_colour_and_keeps_the_size(text: str) -> None:
    """黑色的呢 after 疾风白色43码还有货吗: black 43 alone, not white 43 again."""
    tracker = _after_stock_answer(text, "inform", slots={"product_id": "P001"})
    _, dispatcher = await _ask("", tracker=tracker)
    colors = {m.get("color") for m in dispatcher.messages if m.get("color")}
    assert colors == {"黑色"}, dispatcher.messages
    assert dispatcher.messages[0].get("size") == "43"


@pytest.mark.usefixtures("shop_db")
async def test_another_shoe_named_is_a_new_question(rendered: Any) -> None:
    tracker = _after_stock_answer(
        "小白鞋有货吗", "ask_stock", entities=[{"entity": "product", "value": "小白鞋"}]
    )
    _, dispatcher = await _ask("", tracker=tracker)
    assert dispatcher.messages[0].get("product_name") == "经典小白板鞋"
    assert dispatcher.messages[0].get("size") in (None, "")  # 43 is not carried over


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "product"),
    [("小白鞋呢", "经典小白板鞋"), ("那皮鞋呢", "城市牛津皮鞋"), ("乐福鞋呢？", "舒适羊皮乐福鞋")],
)
async def test_another_shoe_as_a_follow_up_asks_the_same_question(
    text: str, product: str, rendered: Any
) -> None:
    """小白鞋呢 right after 疾风白色43码还有货吗: white 43 of that shoe (or, for a shoe
    sold in no white, the colours it has)."""
    tracker = _after_stock_answer(text, "inform", slots={"product_id": "P001"})
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events == [FollowupAction("action_answer_stock")]
    _, dispatcher = await _ask("", tracker=tracker)
    message = dispatcher.messages[0]
    assert message.get("product_name") == product, message
    assert message.get("size") == "43" or message.get("color") == "白色", message


@pytest.mark.usefixtures("shop_db")
async def test_a_new_question_naming_a_shoe_without_its_entity_starts_afresh() -> None:
    """A second shop's names are not in the NLU's lookup tables: no entity, still new."""
    tracker = _after_stock_answer("小白鞋有货吗", "ask_stock")
    _, dispatcher = await _ask("", tracker=tracker)
    assert dispatcher.messages[0].get("product_name") == "经典小白板鞋"
    assert dispatcher.messages[0].get("size") in (None, "")


@pytest.mark.parametrize(
    ("text", "same"),
    [
        ("马丁靴呢", True),
        ("那双黑色的呢？", True),
        ("那40呢～", True),
        ("马丁靴43码有货吗", False),
        ("这个马丁靴的黑色43码现在还有货呢", False),  # long: a whole new question
        ("呢", True),
    ],
)
def test_asks_the_same_at_its_edges(text: str, same: bool) -> None:
    assert asks_the_same(text) is same


# --- forms step aside for a stock question -------------------------------------------------


@pytest.mark.usefixtures("shop_db")
async def test_the_size_form_does_not_read_the_asked_size_as_the_usual_one() -> None:
    tracker = make_tracker(
        "42码有货吗",
        intent="ask_stock",
        slots={"product_id": "P001", "requested_slot": "foot_length_cm"},
        active_loop="size_advice_form",
    )
    form = ValidateSizeAdviceForm()
    assert await form.extract_foot_length_cm(CollectingDispatcher(), tracker, {}) == {}
    assert form.passes_through(tracker)


@pytest.mark.usefixtures("shop_db")
async def test_the_product_form_leaves_the_shoe_to_the_stock_answer() -> None:
    tracker = make_tracker(
        "小白鞋有货吗",
        intent="ask_stock",
        slots={"requested_slot": "product_id"},
        active_loop="product_form",
    )
    assert await ValidateProductForm().extract_product_id(CollectingDispatcher(), tracker, {}) == {}


@pytest.mark.usefixtures("shop_db")
async def test_asking_for_stock_while_choosing_the_exchange_size_answers_it(domain: Any) -> None:
    with session_scope() as session:
        from shop.db.models import Order

        item = str(session.get(Order, "2026010506679357").items[0].id)  # 轻羽 白色 38
    tracker = make_tracker(
        "39码有货吗",
        intent="ask_stock",
        slots={
            "order_id": "2026010506679357", "order_item_id": item, "after_sale_goal": "exchange",
            "return_reason": "size", "requested_slot": "exchange_size",
        },
        metadata=token("B005"),
        active_loop="return_form",
    )  # fmt: skip
    slots = await ValidateReturnForm().extract_exchange_size(CollectingDispatcher(), tracker, {})
    assert slots == {"exchange_size": 39.0}


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize("text", ["燕麦色39有货马", "39码有现货不"])
async def test_a_stock_question_without_a_question_mark_is_no_usual_size(text: str) -> None:
    """A typo for 吗 (有货马) leaves no question word; the stock words still say it."""
    size_form = make_tracker(
        text,
        intent="ask_stock",
        slots={"product_id": "P001", "requested_slot": "foot_length_cm"},
        active_loop="size_advice_form",
    )
    slots = await ValidateSizeAdviceForm().extract_foot_length_cm(
        CollectingDispatcher(), size_form, {}
    )
    assert slots == {}


@pytest.mark.usefixtures("shop_db")
async def test_an_answer_misread_as_a_stock_question_is_still_an_answer() -> None:
    size_form = make_tracker(
        "平时穿43",
        intent="ask_stock",
        slots={"product_id": "P001", "requested_slot": "foot_length_cm"},
        active_loop="size_advice_form",
    )
    slots = await ValidateSizeAdviceForm().extract_foot_length_cm(
        CollectingDispatcher(), size_form, {}
    )
    assert slots == {"usual_size": 43.0, "foot_length_cm": "size"}
    product_form = make_tracker(
        "小白鞋",
        intent="ask_stock",
        slots={"requested_slot": "product_id"},
        active_loop="product_form",
    )
    slots = await ValidateProductForm().extract_product_id(CollectingDispatcher(), product_form, {})
    assert slots["product_id"] == "P006"


@pytest.mark.usefixtures("shop_db")
async def test_a_colour_named_only_by_the_shop_after_a_stock_answer_asks_again() -> None:
    """奶茶色 holds no colour stem: the shoe's own colours are looked up."""
    with session_scope() as session:
        for row in queries.get_product("P001", session=session).stock:
            if row.color == "蓝色":
                row.color = "奶茶色"
    tracker = _after_stock_answer("奶茶色呢", "inform", slots={"product_id": "P001"})
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events == [FollowupAction("action_answer_stock")]
    # a shoe without it: asked of the stock all the same, which says it lacks 奶茶色
    elsewhere = _after_stock_answer("奶茶色呢", "inform", slots={"product_id": "P002"})
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), elsewhere, {})
    assert events == [FollowupAction("action_answer_stock")]
    assert read_query("奶茶色呢").colors == ("奶茶色",)


@pytest.mark.parametrize(
    ("text", "entity", "size"),
    [
        ("37半有吗", "37", 37.5),  # the entity holds only 37
        ("41码半的呢", "41", 41.5),
        ("脚长24.5 要37的", "37", 37.0),  # another number in the text stays out
        ("那个还有吗", "36", 36.0),
    ],
)
def test_a_half_size_the_entity_cut_short_is_read_whole(
    text: str, entity: str, size: float
) -> None:
    assert read_query(text, size_entity=entity).size == size


# --- 我买的这双: the buyer's own pair ----------------------------------------------------


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("buyer", "product_id"),
    [
        ("B005", "P002"),  # delivered 轻羽; the completed 小白鞋 is an older pair
        ("B002", "P002"),  # paid 轻羽; the completed 乐福鞋 is older
        ("B009", "P003"),  # only a completed 牛津: that one
    ],
)
async def test_my_pair_is_the_shoe_of_my_current_order(buyer: str, product_id: str) -> None:
    events, dispatcher = await _ask("我买的这双偏小，39有粉色吗", metadata=token(buyer))
    assert SlotSet("product_id", product_id) in events
    assert dispatcher.messages[0]["response"].startswith("utter_stock_")


@pytest.mark.usefixtures("shop_db")
async def test_several_pairs_of_mine_are_my_choice_not_the_catalogue(rendered: Any) -> None:
    """B010 has a shipped 高跟鞋 and a delivered 凉鞋: which of the two."""
    _, dispatcher = await _ask("我买的这双有39吗", metadata=token("B010"))
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    titles = {button["title"] for button in dispatcher.messages[0]["buttons"]}
    assert titles == {"优雅细跟高跟鞋", "清凉沙滩凉鞋"}


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "metadata"),
    [
        ("我买的这双有39吗", None),  # a guest has no pair of their own
        ("这双有39吗", "B005"),  # 这双 alone on no product page: which shoe
        ("你们家买的人多的是哪双，有39吗", "B005"),  # 买的 without 我 is no pair of mine
    ],
)
async def test_no_pair_of_mine_asks_among_the_catalogue(
    text: str, metadata: str | None, rendered: Any
) -> None:
    kwargs = {"metadata": token(metadata)} if metadata else {}
    events, dispatcher = await _ask(text, **kwargs)
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    assert len(dispatcher.messages[0]["buttons"]) > 2
    assert not any(getattr(e, "get", lambda _k: None)("name") == "product_id" for e in events)


def _after_size_advice(text: str, **slots: Any) -> Tracker:
    """The buyer's next message right after size advice for a shoe."""
    tracker = make_tracker(text, intent="inform", slots=slots)
    tracker.events = [
        {"event": "user", "text": "轻羽脚长23.5穿多大", "parse_data": {}},
        {"event": "action", "name": "size_advice_form"},
        {"event": "bot", "text": "建议您选 37码"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "inform"}}},
        {"event": "action", "name": "action_inform_without_question"},
    ]
    return tracker


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "slots", "follow_up"),
    [
        ("那粉色37码呢", {"product_id": "P002"}, "action_answer_stock"),
        ("那粉色的呢", {"product_id": "P002"}, "action_answer_stock"),
        ("平时穿37", {"product_id": "P002"}, "size_advice_form"),  # no colour: a usual size
        ("那粉色37码呢", {}, "size_advice_form"),  # no shoe under discussion: no stock
    ],
)
async def test_a_colour_after_size_advice_asks_for_stock(
    text: str, slots: dict[str, Any], follow_up: str
) -> None:
    tracker = _after_size_advice(text, **slots)
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events[-1] == FollowupAction(follow_up)


@pytest.mark.usefixtures("shop_db")
async def test_a_shoe_named_alone_is_asked_what_about_it() -> None:
    tracker = make_tracker("小白鞋", intent="inform")
    dispatcher = CollectingDispatcher()
    events = await ActionInformWithoutQuestion().run(dispatcher, tracker, {})
    assert events == [SlotSet("product_id", "P006"), SlotSet("product_name", "经典小白板鞋")]
    assert dispatcher.messages[0]["response"] == "utter_product_what_about"
    assert dispatcher.messages[0]["product_name"] == "经典小白板鞋"


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        (("白色",), ()),  # the shoe has no white: said already, not carried to 46
        (("黑",), ("黑",)),  # a stem of 黑色
        (("燕麦",), ("燕麦",)),  # a shop's own name without 色
        (("白色", "黑色"), ("黑色",)),
    ],
)
def test_colours_the_shoe_lacks_are_not_carried_over(
    words: tuple[str, ...], kept: tuple[str, ...]
) -> None:
    from actions.stock_query import without_missing_colors

    query = StockQuery(colors=words, size=46.0)
    assert without_missing_colors(query, ["黑色", "燕麦色"]) == StockQuery(colors=kept, size=46.0)


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("疾风有女款吗", "女款"),  # P001 is a men's shoe
        ("有没有女款的疾风跑鞋 42码", "女款"),
        ("疾风有男款吗", None),  # it is the men's
        ("雪地靴有男款吗", None),  # 暖冬雪地靴 is for both
        ("雪地靴有童款吗", "童鞋"),
        ("疾风42码有货吗", None),  # no version asked
    ],
)
async def test_a_version_the_shoe_is_not_made_in_is_said(
    text: str, said: str | None, rendered: Any
) -> None:
    _, dispatcher = await _ask(text)
    first = dispatcher.messages[0]
    if said is None:
        assert "utter_stock_variant_missing" not in rendered(dispatcher)
    else:
        assert first["response"] == "utter_stock_variant_missing"
        assert first["asked_for"] == said and first["product_name"]
        assert rendered(dispatcher)[1].startswith("utter_stock_")  # the stock follows


async def test_a_tracking_number_in_a_sentence_is_recorded() -> None:
    """乐福鞋已经寄回了 单号JT…: the shoe beside the number kept the rule from matching."""
    tracker = make_tracker(
        "乐福鞋已经寄回了 单号JT3123456789012",
        intent="inform",
        entities=[
            {"entity": "product", "value": "乐福鞋"},
            {"entity": "tracking_number", "value": "JT3123456789012"},
        ],
    )
    events = await ActionInformWithoutQuestion().run(CollectingDispatcher(), tracker, {})
    assert events == [FollowupAction("action_record_return_tracking")]


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize(
    ("text", "product", "buttons"),
    [
        ("藏青色37有货吗", "清凉沙滩凉鞋", None),  # one shoe comes in 藏青色: that shoe
        ("红色的还有吗", "优雅细跟高跟鞋", None),
        ("粉色30码有吗", None, {"轻羽女子跑鞋", "乐乐儿童运动鞋", "萌趣儿童雨靴"}),  # three: which
    ],
)
async def test_a_colour_one_shoe_comes_in_names_that_shoe(
    text: str, product: str | None, buttons: set[str] | None
) -> None:
    events, dispatcher = await _ask(text)
    named = [e["value"] for e in events if e.get("name") == "product_name"]
    assert named == ([product] if product else [])
    if buttons:
        assert {b["title"] for b in dispatcher.messages[0]["buttons"]} == buttons

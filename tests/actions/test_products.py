"""Material and function answers come from the catalogue, never invented."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.products import ActionAnswerProductQuestion, ActionAskProductId, ValidateProductForm
from actions.size_advice import ValidateSizeAdviceForm
from actions.stock import ActionAnswerStock
from nlu_components.text import normalize_text
from shop.answers.products import catalogue_clauses
from shop.db import queries
from shop.db.models import Product
from shop.db.session import session_scope
from tests.conftest import make_tracker

pytestmark = pytest.mark.usefixtures("shop_db")


async def _answer(text: str, intent: str, **kwargs: Any) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerProductQuestion().run(
        dispatcher, make_tracker(text, intent=intent, **kwargs), {}
    )
    return events, dispatcher


async def test_material_of_a_named_product(rendered: Any) -> None:
    events, dispatcher = await _answer("小白鞋是什么材质的", "ask_material")
    assert rendered(dispatcher) == ["utter_material_all"]
    message = dispatcher.messages[0]
    assert (message["upper"], message["lining"], message["sole"]) == ("超纤皮", "网布", "橡胶大底")
    assert events == [SlotSet("product_id", "P006"), SlotSet("product_name", "经典小白板鞋")]


async def test_material_of_one_part_from_the_entity(rendered: Any) -> None:
    _, dispatcher = await _answer(
        "鞋底是啥做的",
        "ask_material",
        entities=[{"entity": "shoe_part", "value": "sole"}],
        slots={"product_id": "P003"},
    )
    assert rendered(dispatcher) == ["utter_material_sole"]
    assert dispatcher.messages[0]["material"] == "橡胶大底"


async def test_missing_material_is_admitted_and_a_human_offered(rendered: Any) -> None:
    _, dispatcher = await _answer("雨靴里面是什么料", "ask_material")
    assert rendered(dispatcher) == ["utter_material_unknown", "utter_offer_human"]


async def test_whole_material_with_a_gap_names_what_is_known(rendered: Any) -> None:
    _, dispatcher = await _answer("凉鞋什么材质", "ask_material")
    assert rendered(dispatcher) == [
        "utter_material_upper",
        "utter_material_sole",
        "utter_material_unknown",
        "utter_offer_human",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("徒步鞋防水吗", "utter_function_yes"),
        ("雪地靴防水吗", "utter_function_partial"),
        ("疾风跑鞋下雨天能穿吗", "utter_function_no"),
        ("疾风冬天穿冷不冷", "utter_function_unknown"),
    ],
)
async def test_function_answers_are_graded_by_the_catalogue(
    text: str, expected: str, rendered: Any
) -> None:
    _, dispatcher = await _answer(text, "ask_function")
    names = rendered(dispatcher)
    assert names[0] == expected
    if expected == "utter_function_unknown":
        assert names == ["utter_function_unknown", "utter_offer_human"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two functions asked in one message: both answered, in the buyer's order
        ("徒步鞋防水吗？防滑吗", ["utter_function_yes", "utter_function_yes"]),
        ("疾风跑鞋防水嗎？打外場耐磨嗎", ["utter_function_no", "utter_function_partial"]),
        ("疾风跑鞋重不重 能防水吗", ["utter_function_no", "utter_function_yes"]),
        ("徒步鞋防水吗 防滑不", ["utter_function_yes", "utter_function_yes"]),  # closing 不
        # one function: the shoe's name (防水 of 山野防水徒步鞋) or a kind (跑鞋) adds none
        ("山野防水徒步鞋耐磨吗", ["utter_function_yes"]),
        ("疾风跑鞋透气吗", ["utter_function_yes"]),
        # a part that is no question adds none
        ("徒步鞋防水吗 我经常爬山", ["utter_function_yes"]),
    ],
)
async def test_every_function_asked_in_one_message_is_answered(
    text: str, expected: list[str], rendered: Any
) -> None:
    _, dispatcher = await _answer(normalize_text(text), "ask_function")
    assert rendered(dispatcher) == expected


@pytest.mark.parametrize(
    ("text", "tagged", "expected"),
    [
        # 防水 tagged inside the shoe's name asks nothing: running is asked (its claim: no)
        ("山野防水徒步鞋适合跑步吗", (2, 4), ["utter_function_no"]),
        ("徒步鞋适合跑步吗", None, ["utter_function_no"]),
        # the same word outside the name is the question
        ("山野徒步鞋防水吗", (5, 7), ["utter_function_yes"]),
    ],
)
async def test_a_function_tag_inside_the_shoes_name_asks_nothing(
    text: str, tagged: tuple[int, int] | None, expected: list[str], rendered: Any
) -> None:
    entities = [{"entity": "product", "value": "山野防水徒步鞋"}]
    if tagged:
        start, end = tagged
        entities.append({"entity": "shoe_function", "value": "waterproof", "start": start,
                         "end": end})  # fmt: skip
    _, dispatcher = await _answer(text, "ask_function", entities=entities)
    assert rendered(dispatcher) == expected


async def test_function_entity_wins_over_keywords(rendered: Any) -> None:
    _, dispatcher = await _answer(
        "这个怎么样",
        "ask_function",
        entities=[{"entity": "shoe_function", "value": "anti_slip"}],
        slots={"product_id": "P004"},
    )
    assert rendered(dispatcher) == ["utter_function_yes"]
    assert "防滑" in dispatcher.messages[0]["claim"] or dispatcher.messages[0]["claim"]


async def test_a_stray_function_tag_does_not_hide_the_one_asked(rendered: Any) -> None:
    """DIET tagged 穿 before 冷不冷 (warm): the answer is about warmth, which 疾风's
    catalogue does not speak to, not about running, which the text's 跑 names."""
    _, dispatcher = await _answer(
        "疾风跑鞋冬天穿冷不冷",
        "ask_function",
        entities=[
            {"entity": "product", "value": "疾风跑鞋"},
            {"entity": "shoe_function", "value": "穿"},
            {"entity": "shoe_function", "value": "warm"},
        ],
    )
    assert rendered(dispatcher) == ["utter_function_unknown", "utter_offer_human"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("冬天", "utter_function_yes"),  # a word DIET tagged, not a canonical value
        ("冷", "utter_function_yes"),  # unknown itself: the text's 冬天 says warm
        ("warm", "utter_function_yes"),
    ],
)
async def test_a_function_word_tagged_raw_is_read_as_its_function(
    value: str, expected: str, rendered: Any
) -> None:
    _, dispatcher = await _answer(
        "冬天穿会冷吗",
        "ask_function",
        entities=[{"entity": "shoe_function", "value": value}],
        slots={"product_id": "P004"},
    )
    assert rendered(dispatcher) == [expected]
    assert "保暖" in dispatcher.messages[0]["claim"]


async def test_a_function_nothing_maps_says_the_catalogue_is_silent(rendered: Any) -> None:
    _, dispatcher = await _answer(
        "会不会掉色",
        "ask_function",
        entities=[{"entity": "shoe_function", "value": "掉色"}],
        slots={"product_id": "P004"},
    )
    assert rendered(dispatcher) == ["utter_function_unknown", "utter_offer_human"]


async def test_function_overview_without_a_specific_function(rendered: Any) -> None:
    _, dispatcher = await _answer("这款有什么功能", "ask_function", slots={"product_id": "P001"})
    assert rendered(dispatcher) == ["utter_function_overview"]


async def test_page_product_from_metadata(rendered: Any) -> None:
    events, dispatcher = await _answer(
        "这款是真皮吗", "ask_material", metadata={"product_id": "P007"}
    )
    assert rendered(dispatcher) == ["utter_material_all"]
    assert SlotSet("product_id", "P007") in events
    assert SlotSet("page_product_id", "P007") in events


async def test_named_product_beats_the_page_already_seen(rendered: Any) -> None:
    events, _ = await _answer(
        "那牛津鞋呢什么材质",
        "ask_material",
        metadata={"product_id": "P007"},
        slots={"page_product_id": "P007", "product_id": "P007"},
    )
    assert SlotSet("product_id", "P003") in events


async def test_unknown_product_is_not_answered_for_another_shoe(rendered: Any) -> None:
    events, dispatcher = await _answer(
        "马丁靴是什么皮",
        "ask_material",
        entities=[{"entity": "product", "value": "马丁靴"}],
        slots={"product_id": "P001"},
    )
    assert rendered(dispatcher) == ["utter_unknown_product"]
    assert events == []


async def test_no_product_at_all_asks_which(rendered: Any) -> None:
    _, dispatcher = await _answer("什么材质", "ask_material")
    assert rendered(dispatcher) == ["utter_ask_product_id"]


async def test_inside_a_form_asking_for_the_shoe_the_form_asks_alone(rendered: Any) -> None:
    events, dispatcher = await _answer(
        "那这个鞋防水吗",
        "ask_function",
        slots={"requested_slot": "product_id"},
        active_loop="size_advice_form",
    )
    assert rendered(dispatcher) == []  # the form's own question follows at once
    pending = {"question": "function", "part": None, "function": "waterproof"}
    assert events == [SlotSet("pending_question", pending)]  # answered with the size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("跑鞋选多大", ["P001", "P002"]),
        ("男子跑鞋42码合适吗", ["P001"]),
        ("跑步鞋", ["P001", "P002"]),
        ("儿童运动鞋有吗", ["P008"]),
        ("短靴", ["P007"]),
        ("皮鞋偏码吗", ["P003"]),
        ("这双鞋选多大", []),  # "双鞋", "这双鞋" fit no shoe
        ("靴", []),  # one character is not a kind
        ("有靴子吗", ["P004", "P007", "P009"]),  # 靴子: any boot
        ("雪地靴子还有吗", ["P004"]),  # the longer kind wins
        ("", []),
    ],
)
def test_shoe_kind_words_find_their_shoes(text: str, expected: list[str]) -> None:
    with session_scope() as session:
        found = queries.products_of_kind_in_text(text, session=session)
        assert [p.id for p in found] == expected


def _asked_after(*texts: str) -> Tracker:
    events = [{"event": "user", "text": t} for t in texts]
    return Tracker("test", {}, {"text": texts[-1]}, events, False, None, {}, "action_listen")


async def test_asking_which_shoe_offers_the_kind_named_before(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _asked_after("平时穿42，跑鞋选多大", "退货运费谁出")
    assert await ActionAskProductId().run(dispatcher, tracker, {}) == []
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "疾风男子跑鞋", "payload": '/inform{"product":"疾风男子跑鞋"}'},
        {"title": "轻羽女子跑鞋", "payload": '/inform{"product":"轻羽女子跑鞋"}'},
    ]


CATALOGUE = [
    "疾风男子跑鞋",
    "轻羽女子跑鞋",
    "城市牛津皮鞋",
    "暖冬雪地靴",
    "山野防水徒步鞋",
    "经典小白板鞋",
    "复古切尔西靴",
    "乐乐儿童运动鞋",
    "萌趣儿童雨靴",
    "优雅细跟高跟鞋",
    "舒适羊皮乐福鞋",
    "清凉沙滩凉鞋",
]


async def test_asking_which_shoe_without_a_kind_offers_the_catalogue(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskProductId().run(dispatcher, _asked_after("鞋子选多大"), {})
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == CATALOGUE


async def test_asking_which_shoe_looks_back_five_messages_only(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _asked_after("跑鞋选多大", "好", "嗯", "在吗", "运费", "哦")
    await ActionAskProductId().run(dispatcher, tracker, {})
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == CATALOGUE  # not 跑鞋


async def test_asking_which_shoe_when_the_database_is_down(rendered: Any, monkeypatch: Any) -> None:
    from shop.db import session as common

    def broken(_fn: Any, _retries: int = 0) -> Any:
        raise common.ShopDataUnavailableError("down")

    monkeypatch.setattr(common, "_call_in_transaction", broken)
    dispatcher = CollectingDispatcher()
    await ActionAskProductId().run(dispatcher, _asked_after("跑鞋选多大"), {})
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    assert dispatcher.messages[0]["buttons"] == []


async def test_database_failure_gets_an_apology(rendered: Any, monkeypatch: Any) -> None:
    from shop.db import session as common

    def broken(_fn: Any, _retries: int = 0) -> Any:
        raise common.ShopDataUnavailableError("down")

    monkeypatch.setattr(common, "_call_in_transaction", broken)
    _, dispatcher = await _answer("小白鞋什么材质", "ask_material")
    assert rendered(dispatcher) == ["utter_service_unavailable"]


async def test_product_form_extracts_the_product(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    slots = await ValidateProductForm().extract_product_id(
        dispatcher, make_tracker("雪地靴", intent="inform"), {}
    )
    assert slots == {"product_id": "P004", "product_name": "暖冬雪地靴"}
    assert dispatcher.messages == []


async def test_product_form_leaves_an_unchanged_product_alone() -> None:
    slots = await ValidateProductForm().extract_product_id(
        CollectingDispatcher(),
        make_tracker("雪地靴", intent="inform", slots={"product_id": "P004"}),
        {},
    )
    assert slots == {}


async def test_a_digression_naming_a_product_does_not_change_the_form() -> None:
    slots = await ValidateProductForm().extract_product_id(
        CollectingDispatcher(),
        make_tracker("雪地靴包邮吗", intent="ask_shipping", slots={"product_id": "P001"}),
        {},
    )
    assert slots == {}


@pytest.mark.parametrize("text", ["和雪地靴比哪个轻", "跟小白鞋有什么区别", "和乐福鞋对比呢"])
async def test_a_shoe_named_to_compare_does_not_change_the_form(text: str) -> None:
    """While the size advice asks the foot shape, the shoe under discussion stays."""
    tracker = make_tracker(
        text,
        intent="nlu_fallback",
        slots={"product_id": "P001", "requested_slot": "foot_shape"},
    )
    assert (
        await ValidateSizeAdviceForm().extract_product_id(CollectingDispatcher(), tracker, {}) == {}
    )


@pytest.mark.parametrize(("text", "product"), [("高跟鞋穿多大", "P010"), ("凉鞋怎么选码", "P012")])
async def test_a_kind_the_shop_sells_once_is_that_shoe_for_size_advice(
    text: str, product: str
) -> None:
    tracker = make_tracker(text, intent="ask_size_advice")
    slots = await ValidateSizeAdviceForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert slots.get("product_id") == product


async def test_a_kind_the_shop_sells_twice_is_still_asked() -> None:
    tracker = make_tracker("跑鞋穿多大", intent="ask_size_advice")
    slots = await ValidateSizeAdviceForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert slots.get("product_id") is None


def _one_shoe_offered(text: str) -> Tracker:
    tracker = make_tracker(text, intent="inform", slots={"requested_slot": "product_id"})
    button = {"title": "优雅细跟高跟鞋", "payload": '/inform{"product":"优雅细跟高跟鞋"}'}
    tracker.events[:] = [
        {"event": "user", "text": "这个穿多大"},
        {"event": "bot", "text": "哪一款？", "data": {"buttons": [button]}},
        {"event": "user", "text": text},
    ]
    return tracker


@pytest.mark.parametrize(
    ("text", "product"), [("正常脚", "P010"), ("就这双", "P010"), ("不是", None)]
)
async def test_the_one_shoe_offered_is_taken_unless_refused(text: str, product: str | None) -> None:
    tracker = _one_shoe_offered(text)
    slots = await ValidateSizeAdviceForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert slots.get("product_id") == product


async def test_a_shoe_named_to_compare_can_answer_which_shoe() -> None:
    """Asked which shoe, 雪地靴吧 比较暖和 is an answer, comparison word or not."""
    tracker = make_tracker(
        "雪地靴吧 比较暖和", intent="inform", slots={"requested_slot": "product_id"}
    )
    slots = await ValidateProductForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert slots.get("product_id") == "P004"


@pytest.mark.parametrize(
    ("text", "intent", "entities", "topic"),
    [
        ("这双磨脚吗", "ask_function", [], "磨脚"),
        ("會不會擠腳", "ask_function", [], "偏小"),  # traditional, read as NLU reads it
        (
            "防水吗 会磨脚吗",
            "ask_function",
            [{"entity": "shoe_function", "value": "waterproof"}],
            None,
        ),
        ("防水吗", "ask_function", [], None),  # a claim the catalogue can make
        ("这双舒服吗", "ask_function", [], "舒适"),  # comfort: wearers tell, not the catalogue
        ("这双有什么功能", "ask_function", [], None),  # the overview
    ],
)
def test_review_topic_at_its_edges(text: str, intent: str, entities: list, topic: Any) -> None:
    from actions.common import asked_of
    from actions.products import review_topic
    from shop.answers.products import product_question

    asked = asked_of(make_tracker(text, intent=intent, entities=entities))
    assert review_topic(asked.text, product_question(asked)[2]) == topic


async def test_rubbing_is_answered_from_the_reviews_not_the_function_list(rendered: Any) -> None:
    events, dispatcher = await _answer("这双磨脚吗", "ask_function", slots={"product_id": "P003"})
    names = rendered(dispatcher)
    assert names[0] == "utter_reviews_on_topic" and "utter_function_overview" not in names
    by_name = {m["response"]: m for m in dispatcher.messages}
    assert by_name["utter_reviews_on_topic"]["topic"] == "磨脚"
    assert by_name["utter_reviews_topic_count"]["topic_count"] == 2
    assert SlotSet("product_id", "P003") in events


async def test_rubbing_without_reviews_says_so(rendered: Any) -> None:
    _, dispatcher = await _answer("会不会磨脚", "ask_function", slots={"product_id": "P012"})
    assert rendered(dispatcher) == ["utter_reviews_on_topic", "utter_reviews_none"]


async def test_a_material_question_keeps_its_answer_beside_the_reviews(rendered: Any) -> None:
    _, dispatcher = await _answer(
        "鞋底什么材料 会开胶吗",
        "ask_material",
        entities=[{"entity": "shoe_part", "value": "sole"}],
        slots={"product_id": "P003"},
    )
    names = rendered(dispatcher)
    assert names[:2] == ["utter_material_sole", "utter_reviews_summary"]


async def test_comfort_gets_the_catalogues_words_on_it_then_the_reviews(rendered: Any) -> None:
    """软羊皮 … 鞋身柔软 is quoted, not the whole function list."""
    _, dispatcher = await _answer("穿着舒服吗", "ask_function", slots={"product_id": "P011"})
    names = rendered(dispatcher)
    assert names[0] == "utter_product_detail" and "utter_function_overview" not in names
    assert dispatcher.messages[0]["detail"].startswith("软羊皮豆豆乐福鞋")
    assert "鞋身柔软可折" in dispatcher.messages[0]["detail"]
    assert "utter_reviews_summary" in names


async def test_comfort_the_catalogue_is_silent_on_gets_the_reviews(rendered: Any) -> None:
    _, dispatcher = await _answer("穿着舒服吗", "ask_function", slots={"product_id": "P003"})
    names = rendered(dispatcher)
    assert names[0] == "utter_reviews_on_topic" and "utter_function_overview" not in names
    assert "utter_reviews_summary" in names


# --- details no function claim covers (跟高多少) --------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "product", "expected"),
    [
        ("这双跟高多少", "ask_function", "P010", "8厘米细跟尖头单鞋"),
        ("鞋跟多高啊", "ask_material", "P010", "8厘米细跟尖头单鞋"),
        ("跟有多高", "ask_function", "P010", "细跟"),
        ("适合几岁的孩子", "ask_function", "P008", "适合幼儿园和小学体育课"),
    ],
)
async def test_a_detail_is_quoted_from_the_catalogue(
    text: str, intent: str, product: str, expected: str, rendered: Any
) -> None:
    _, dispatcher = await _answer(text, intent, slots={"product_id": product})
    assert rendered(dispatcher) == ["utter_product_detail"]
    assert expected in dispatcher.messages[0]["detail"]


async def test_a_detail_the_catalogue_lacks_is_not_answered_with_the_function_list(
    rendered: Any,
) -> None:
    """怎么充电 on a shoe without lights: silent catalogue, a person offered."""
    _, dispatcher = await _answer("这双怎么充电", "ask_function", slots={"product_id": "P001"})
    assert rendered(dispatcher) == ["utter_function_unknown", "utter_offer_human"]


async def test_an_age_the_catalogue_does_not_give_is_not_guessed(rendered: Any) -> None:
    """萌趣儿童雨靴's text names no age or school: silent, a person offered."""
    _, dispatcher = await _answer("适合几岁的孩子", "ask_function", slots={"product_id": "P009"})
    assert rendered(dispatcher) == ["utter_function_unknown", "utter_offer_human"]


async def test_a_function_word_wins_over_a_detail_word(rendered: Any) -> None:
    _, dispatcher = await _answer("鞋带防水吗", "ask_function", slots={"product_id": "P004"})
    assert rendered(dispatcher)[0].startswith("utter_function_")
    assert rendered(dispatcher) != ["utter_product_detail"]


def test_catalogue_clauses_split_on_chinese_punctuation() -> None:
    """Description, fit note and claims, clause by clause, each clause once."""
    with session_scope() as session:
        product = queries.get_product("P010", session=session)
        # the claim's 8厘米细跟 is inside the description's clause: said once
        assert catalogue_clauses(product, ("跟",)) == ["8厘米细跟尖头单鞋"]
        assert catalogue_clauses(product, ("充电",)) == []
        assert len(catalogue_clauses(product, ("羊皮", "码", "滑"), limit=2)) == 2


# --- what the shop sells, for whom ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有没有男鞋", ["P001", "P003", "P004", "P005", "P006", "P007", "P012"]),
        ("女款的有哪些", ["P002", "P004", "P006", "P010", "P011", "P012"]),
        ("小孩穿的有吗", ["P008", "P009"]),
    ],
)
async def test_which_shoe_lists_the_shoes_for_whom_the_buyer_named(
    text: str, expected: list[str], rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskProductId().run(dispatcher, _asked_after(text), {})
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    with session_scope() as session:
        names = [queries.get_product(p, session=session).name for p in expected]
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == names


async def test_which_shoe_says_when_no_shoe_is_for_whom_the_buyer_named(rendered: Any) -> None:
    with session_scope() as session:
        for product in queries.list_products(session=session):
            if product.gender == "kids":
                product.gender = "unisex"
    dispatcher = CollectingDispatcher()
    await ActionAskProductId().run(dispatcher, _asked_after("有童款吗"), {})
    assert rendered(dispatcher) == ["utter_no_shoes_for", "utter_ask_product_id"]
    assert dispatcher.messages[0]["who"] == "童鞋"
    assert [b["title"] for b in dispatcher.messages[1]["buttons"]] == CATALOGUE


async def test_which_shoe_in_a_long_catalogue_says_how_to_find_the_rest(rendered: Any) -> None:
    with session_scope() as session:
        for number in range(3):
            session.add(
                Product(
                    id=f"P9{number:02d}", name=f"测试拖鞋{number}", aliases=[], category="拖鞋",
                    gender="unisex", price_fen=5900,
                )
            )  # fmt: skip
    dispatcher = CollectingDispatcher()
    await ActionAskProductId().run(dispatcher, _asked_after("你们店都有哪些鞋"), {})
    assert rendered(dispatcher) == ["utter_ask_product_id_many"]
    message = dispatcher.messages[0]
    assert (message["count"], message["shown"], len(message["buttons"])) == (15, 12, 12)


async def test_a_word_for_whom_tagged_as_a_product_is_no_unknown_shoe(rendered: Any) -> None:
    """男鞋 tagged as a product is no shoe the shop lacks: "which shoe?" lists men's."""
    _, dispatcher = await _answer(
        "男鞋有什么功能", "ask_function", entities=[{"entity": "product", "value": "男鞋"}]
    )
    assert rendered(dispatcher) == ["utter_ask_product_id"]


async def test_a_comparison_answers_both_shoes_and_keeps_the_current(rendered: Any) -> None:
    """和雪地靴比哪个轻 about 疾风: both claims, and 疾风 stays the shoe under discussion."""
    events, dispatcher = await _answer(
        "和雪地靴比哪个轻", "ask_function", slots={"product_id": "P001"}
    )
    names = [m["product_name"] for m in dispatcher.messages]
    assert names == ["疾风男子跑鞋", "暖冬雪地靴"]
    assert SlotSet("product_id", "P004") not in events


@pytest.mark.parametrize(
    ("text", "product", "expected"),
    [
        ("多少克", "P005", "单只约450克（42码）"),  # heavy: the figure, not "lacks the function"
        ("一只多重", "P001", "单只约260克（42码）"),
    ],
)
async def test_a_weight_asked_is_the_catalogues_figure(
    text: str, product: str, expected: str, rendered: Any
) -> None:
    _, dispatcher = await _answer(text, "ask_function", slots={"product_id": product})
    assert rendered(dispatcher) == ["utter_product_detail"]
    assert expected in dispatcher.messages[0]["detail"]


async def test_whether_it_is_light_is_still_graded(rendered: Any) -> None:
    _, dispatcher = await _answer("重不重", "ask_function", slots={"product_id": "P005"})
    assert rendered(dispatcher) == ["utter_function_no"]


async def test_for_whom_on_a_product_page_is_about_the_shop(rendered: Any) -> None:
    """有女鞋吗 on 疾风's page: the women's shoes, not 疾风's stock."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("有女鞋吗", intent="ask_stock", metadata={"product_id": "P001"})
    await ActionAnswerStock().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "轻羽女子跑鞋" in titles and "疾风男子跑鞋" not in titles


@pytest.mark.parametrize(
    ("text", "product", "expected"),
    [("男生能穿吗", "P010", "女款"), ("这款男女同款吗", "P006", "男女同款")],
)
async def test_for_whom_this_shoe_is_from_the_catalogue(
    text: str, product: str, expected: str, rendered: Any
) -> None:
    _, dispatcher = await _answer(text, "ask_function", slots={"product_id": product})
    assert rendered(dispatcher) == ["utter_product_detail"]
    assert dispatcher.messages[0]["detail"] == expected


# --- 我买的这双: the buyer's own pair ----------------------------------------------------


async def test_my_pair_is_the_one_shoe_of_my_current_order() -> None:
    """B005's current order is a 轻羽; the completed 小白鞋 is an older pair."""
    from tests.conftest import token

    tracker = make_tracker("我买的这双防水吗", intent="ask_function", metadata=token("B005"))
    slots = await ValidateProductForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert slots["product_id"] == "P002"


@pytest.mark.parametrize("buyer", [None, "B010"])
async def test_my_pair_is_not_guessed_without_one_current_shoe(buyer: str | None) -> None:
    """A guest has none; B010 has two current orders (高跟鞋 shipped, 凉鞋 delivered)."""
    from tests.conftest import token

    metadata = token(buyer) if buyer else None
    tracker = make_tracker("我买的这双防水吗", intent="ask_function", metadata=metadata)
    slots = await ValidateProductForm().extract_product_id(CollectingDispatcher(), tracker, {})
    assert not slots.get("product_id")


async def test_asking_which_of_my_pairs(rendered: Any) -> None:
    from tests.conftest import token

    events = [{"event": "user", "text": "我买的这双防水吗"}]
    latest = {"text": "我买的这双防水吗", "metadata": token("B010")}
    tracker = Tracker("test", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionAskProductId().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_ask_product_id"]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["优雅细跟高跟鞋", "清凉沙滩凉鞋"]

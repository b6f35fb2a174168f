"""The size form reads free Chinese answers; the advice follows chart and fit."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.size_advice import ActionRecommendSize, ValidateSizeAdviceForm
from tests.conftest import make_tracker

pytestmark = pytest.mark.usefixtures("shop_db")
FORM = ValidateSizeAdviceForm()


async def _extract_length(text: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("intent", "inform")
    kwargs.setdefault("slots", {"requested_slot": "foot_length_cm"})
    return await FORM.extract_foot_length_cm(
        CollectingDispatcher(), make_tracker(text, **kwargs), {}
    )


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("25.5厘米", {"foot_length_cm": 25.5, "usual_size": None}),
        ("脚长二十四点五公分", {"foot_length_cm": 24.5, "usual_size": None}),
        ("255mm", {"foot_length_cm": 25.5, "usual_size": None}),
        ("平时穿42码", {"usual_size": 42.0, "foot_length_cm": "size"}),
        ("我一般穿四十码半", {"usual_size": 40.5, "foot_length_cm": "size"}),
        ("啊啊啊", {}),  # the form base hints and asks again
    ],
)
async def test_extracts_length_or_usual_size(text: str, slots: dict[str, Any]) -> None:
    assert await _extract_length(text) == slots


async def test_a_digression_is_not_taken_as_an_answer() -> None:
    assert await _extract_length("退货运费谁出", intent="ask_return_policy") == {}


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("28码", {}),  # a size named while the foot shape is asked: the known foot stays
        ("29的呢", {}),
        ("平时穿30", {"usual_size": 30.0, "foot_length_cm": "size"}),  # a new foot, stated
        ("脚长19厘米", {"foot_length_cm": 19.0, "usual_size": None}),
    ],
)
async def test_a_known_foot_changes_only_when_a_foot_is_stated(
    text: str, slots: dict[str, Any]
) -> None:
    known = {"requested_slot": "foot_shape", "foot_length_cm": 18.0}
    assert await _extract_length(text, intent="inform", slots=known) == slots


async def test_nothing_extracted_when_another_slot_is_asked() -> None:
    assert await _extract_length("随便", slots={"requested_slot": "foot_shape"}) == {}


def _validate_length(value: Any, slots: dict[str, Any] | None = None) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    result = FORM.validate_foot_length_cm(value, dispatcher, make_tracker(slots=slots), {})
    return result, [m["response"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("value", "result", "responses"),
    [
        (25.5, {"foot_length_cm": 25.5}, []),
        (12.0, {"foot_length_cm": 12.0}, []),
        (32.0, {"foot_length_cm": 32.0}, []),
        (11.9, {"foot_length_cm": None}, ["utter_foot_length_out_of_range"]),
        (100.0, {"foot_length_cm": None}, ["utter_foot_length_out_of_range"]),
        ("啊啊啊", {"foot_length_cm": None}, ["utter_invalid_foot_length"]),
    ],
)
def test_foot_length_edges(value: Any, result: dict, responses: list) -> None:
    assert _validate_length(value) == (result, responses)


def test_usual_size_becomes_a_foot_length(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    result = FORM.validate_foot_length_cm(
        "size", dispatcher, make_tracker(slots={"usual_size": 42.0}), {}
    )
    assert result == {"foot_length_cm": 26.0}
    assert rendered(dispatcher) == ["utter_size_from_usual"]


@pytest.mark.parametrize("size", [19.0, 51.0, 41.3])
def test_implausible_usual_size_is_re_asked(size: float) -> None:
    result, responses = _validate_length("size", {"usual_size": size})
    assert result == {"foot_length_cm": None, "usual_size": None}
    assert responses == ["utter_size_out_of_range"]


@pytest.mark.parametrize(
    ("text", "entity", "shape"),
    [
        ("我脚比较肥", None, "wide"),
        ("脚背高", None, "high_instep"),
        ("正常吧", None, "normal"),
        ("不知道", None, "normal"),
        ("/inform", "narrow", "narrow"),
        ("脚比较宽", "脚比较", "wide"),
        # a yes to the question: nothing special about the foot
        ("好的 那我拍了", None, "normal"),
        ("嗯嗯", None, "normal"),
    ],
)
async def test_foot_shape_from_words_or_buttons(text: str, entity: str | None, shape: str) -> None:
    entities = [{"entity": "foot_shape", "value": entity}] if entity else []
    tracker = make_tracker(
        text, intent="inform", entities=entities, slots={"requested_slot": "foot_shape"}
    )
    assert await FORM.extract_foot_shape(CollectingDispatcher(), tracker, {}) == {
        "foot_shape": shape
    }


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("脚比较宽", "inform", {"foot_shape": "wide"}),  # said while the shoe is asked
        ("我是扁平足", "nlu_fallback", {"foot_shape": "flat"}),
        ("细跟那款", "inform", {}),  # a shoe, not a foot: "细" is not 窄脚 here
        ("一般的就行", "inform", {}),
        ("好的", "affirm", {}),  # a yes to another question is no foot shape
        ("脚比较宽，退货运费谁出", "ask_return_policy", {}),  # a digression
    ],
)
async def test_foot_shape_out_of_turn_only_about_the_foot(
    text: str, intent: str, expected: dict[str, Any]
) -> None:
    tracker = make_tracker(text, intent=intent, slots={"requested_slot": "product_id"})
    assert await FORM.extract_foot_shape(CollectingDispatcher(), tracker, {}) == expected


PENDING = {"question": "function", "part": None, "function": "anti_slip"}


async def test_a_new_size_question_drops_a_stale_pending_question(
    domain: dict[str, Any],
) -> None:
    tracker = make_tracker(
        "小白鞋选多大", intent="ask_size_advice", slots={"pending_question": PENDING},
        active_loop="size_advice_form",
    )  # fmt: skip
    events = await FORM.run(CollectingDispatcher(), tracker, domain)
    assert SlotSet("pending_question", None) in events


async def test_the_pending_question_stays_while_the_form_asks_for_the_shoe(
    domain: dict[str, Any],
) -> None:
    tracker = make_tracker(
        "退货运费谁出", intent="ask_return_policy",
        slots={"pending_question": PENDING, "requested_slot": "product_id"},
        active_loop="size_advice_form",
    )  # fmt: skip
    events = await FORM.run(CollectingDispatcher(), tracker, domain)
    assert not [e for e in events if e.get("name") == "pending_question"]


async def _recommend(slots: dict[str, Any]) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionRecommendSize().run(dispatcher, make_tracker(slots=slots), {})
    return events, dispatcher


async def test_true_to_size_shoe(rendered: Any) -> None:
    events, dispatcher = await _recommend(
        {"product_id": "P006", "foot_length_cm": 25.0, "foot_shape": "normal"}
    )
    # the shop's fit note (正码) is said even when it changes nothing
    assert rendered(dispatcher) == [
        "utter_size_recommendation",
        "utter_fit_note",
        "utter_size_in_stock",
    ]
    assert dispatcher.messages[0]["size"] == "40"
    assert dispatcher.messages[1]["fit_note"].startswith("正码")
    assert events == [SlotSet("requested_slot", None)]


async def test_a_question_asked_before_the_shoe_was_known_is_answered_after(
    rendered: Any,
) -> None:
    pending = {"question": "function", "part": None, "function": "waterproof"}
    events, dispatcher = await _recommend(
        {"product_id": "P001", "foot_length_cm": 26.0, "foot_shape": "normal",
         "pending_question": pending}
    )  # fmt: skip
    assert rendered(dispatcher)[-1] == "utter_function_no"  # 疾风: mesh, not waterproof
    assert "不防水" in dispatcher.messages[-1]["claim"]
    assert events == [SlotSet("requested_slot", None), SlotSet("pending_question", None)]


async def test_a_pending_material_question_about_one_part(rendered: Any) -> None:
    pending = {"question": "material", "part": "sole", "function": None}
    _, dispatcher = await _recommend(
        {"product_id": "P006", "foot_length_cm": 25.0, "pending_question": pending}
    )
    assert rendered(dispatcher)[-1] == "utter_material_sole"
    assert dispatcher.messages[-1]["material"] == "橡胶大底"


async def test_runs_small_without_half_sizes(rendered: Any) -> None:
    _, dispatcher = await _recommend(
        {"product_id": "P003", "foot_length_cm": 25.0, "foot_shape": "normal"}
    )
    names = rendered(dispatcher)
    assert names[:3] == [
        "utter_size_recommendation",
        "utter_size_reason_fit_adjust",
        "utter_size_reason_rounded_up",
    ]
    assert dispatcher.messages[0]["chart_size"] == "40"
    assert dispatcher.messages[0]["size"] == "41"


async def test_runs_large_goes_down(rendered: Any) -> None:
    _, dispatcher = await _recommend(
        {"product_id": "P004", "foot_length_cm": 24.0, "foot_shape": "normal"}
    )
    assert rendered(dispatcher)[:2] == ["utter_size_recommendation", "utter_size_reason_fit_adjust"]
    assert dispatcher.messages[0]["size"] == "37"


async def test_wide_last_keeps_the_size_for_wide_feet(rendered: Any) -> None:
    _, dispatcher = await _recommend(
        {"product_id": "P005", "foot_length_cm": 25.0, "foot_shape": "wide"}
    )
    assert rendered(dispatcher)[:2] == ["utter_size_recommendation", "utter_size_reason_wide_last"]
    assert dispatcher.messages[0]["size"] == "40"


async def test_a_length_the_fit_note_adds_moves_the_size(rendered: Any) -> None:
    """按宝宝脚长加1厘米选码: 18.2 cm is chosen as 19.2 (29, not 27), and the clause said."""
    from shop.db.models import Product
    from shop.db.session import session_scope

    with session_scope() as session:
        session.get(Product, "P008").fit_note = "正码，按宝宝脚长加1厘米左右选码"
    _, dispatcher = await _recommend(
        {"product_id": "P008", "foot_length_cm": 18.2, "foot_shape": "normal"}
    )
    assert rendered(dispatcher)[:2] == [
        "utter_size_recommendation",
        "utter_size_reason_fit_note_step",
    ]
    assert "utter_fit_note" not in rendered(dispatcher)  # the clause was quoted already
    first = dispatcher.messages[0]
    assert (first["foot_length"], first["chart_size"], first["size"]) == (
        "18.2厘米加1厘米即19.2",
        "29",
        "29",
    )
    assert dispatcher.messages[1]["clause"] == "按宝宝脚长加1厘米左右选码"


async def test_adult_foot_on_a_kids_shoe_gets_no_size(rendered: Any) -> None:
    _, dispatcher = await _recommend(
        {"product_id": "P008", "foot_length_cm": 26.0, "foot_shape": "normal"}
    )
    assert rendered(dispatcher) == ["utter_size_no_fit"]
    assert (dispatcher.messages[0]["min_size"], dispatcher.messages[0]["max_size"]) == ("26", "35")


async def test_missing_slots_do_not_crash(rendered: Any) -> None:
    _, dispatcher = await _recommend({"product_id": None, "foot_length_cm": None})
    assert rendered(dispatcher) == ["utter_default"]


# --- 这款偏大还是偏小: the fit note at once --------------------------------------------


@pytest.mark.usefixtures("shop_db")
@pytest.mark.parametrize("text", ["这款偏大还是偏小", "码数准吗", "是正码吗"])
async def test_a_fit_question_gets_the_fit_note_and_no_miss(
    text: str, domain: dict[str, Any], rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text,
        intent="ask_size_advice",
        slots={"product_id": "P010", "requested_slot": "foot_length_cm", "form_misses": 0},
        active_loop="size_advice_form",
    )
    events = await ValidateSizeAdviceForm().run(dispatcher, tracker, domain)
    assert rendered(dispatcher) == ["utter_fit_note"]
    assert dispatcher.messages[0]["fit_note"] == "正码；楦头偏窄，脚宽的建议拍大一码"
    assert SlotSet("form_misses", 0) in events


@pytest.mark.usefixtures("shop_db")
async def test_no_fit_note_once_the_foot_length_is_known(
    domain: dict[str, Any], rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "偏大吗",
        intent="ask_size_advice",
        slots={"product_id": "P010", "foot_length_cm": 24.0, "requested_slot": "foot_shape"},
        active_loop="size_advice_form",
    )
    await ValidateSizeAdviceForm().run(dispatcher, tracker, domain)
    assert "utter_fit_note" not in rendered(dispatcher)


async def _recommend_after(said: str, slots: dict[str, Any]) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(said, slots=slots)
    tracker.events = [{"event": "user", "text": said}]
    await ActionRecommendSize().run(dispatcher, tracker, {})
    return dispatcher


async def test_the_fit_notes_step_for_thick_socks_moves_the_size(rendered: Any) -> None:
    """萌趣儿童雨靴: 正码，冬天穿厚袜建议拍大一码."""
    slots = {"product_id": "P009", "foot_length_cm": 19.0, "foot_shape": "normal"}
    plain = await _recommend_after("孩子脚长19厘米穿几码", slots)
    socks = await _recommend_after("脚长19 冬天穿厚袜子穿几码", slots)
    assert rendered(socks)[:2] == ["utter_size_recommendation", "utter_size_reason_fit_note_step"]
    assert float(socks.messages[0]["size"]) == float(plain.messages[0]["size"]) + 1
    assert socks.messages[1]["clause"] == "冬天穿厚袜建议拍大一码"
    assert "utter_size_reason_fit_note_step" not in rendered(plain)


async def test_the_fit_notes_step_for_wide_feet_replaces_the_general_half_size(
    rendered: Any,
) -> None:
    """优雅细跟高跟鞋: 楦头偏窄，脚宽的建议拍大一码 (not the general half size)."""
    wide = await _recommend_after(
        "脚宽", {"product_id": "P010", "foot_length_cm": 23.0, "foot_shape": "wide"}
    )
    normal = await _recommend_after(
        "正常", {"product_id": "P010", "foot_length_cm": 23.0, "foot_shape": "normal"}
    )
    names = rendered(wide)
    assert "utter_size_reason_fit_note_step" in names
    assert "utter_size_reason_wide_foot" not in names
    assert float(wide.messages[0]["size"]) == float(normal.messages[0]["size"]) + 1

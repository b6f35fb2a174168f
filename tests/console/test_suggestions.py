"""The suggested reply: the assistant's own answer to the buyer's latest message, reused
when it answered before the pause, else predicted by Rasa (a fake here) and rendered from
the project's domain, or run as a read-only answer action on the demo shop."""

from __future__ import annotations

from typing import Any

import pytest

from console.responses import Responses
from console.suggestions import Suggester, answered, latest_buyer_turn, unpaused
from tests.console.conftest import FakeRasa

pytestmark = pytest.mark.usefixtures("shop_db")


def user(text: str, intent: str = "inform", at: float = 1.0, **extra: Any) -> dict[str, Any]:
    parse = {"intent": {"name": intent, "confidence": 0.95}}
    return {"event": "user", "text": text, "timestamp": at, "parse_data": parse, **extra}


def bot(text: str, response: str = "", **metadata: Any) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"utter_action": response, **metadata}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


PAUSED = [
    action("action_listen"),
    user("退货运费谁出", "ask_return_policy", at=1.0),
    action("action_answer_return_policy"),
    bot("七天无理由退换……", "utter_return_policy"),
    action("action_listen"),
    user("转人工", "request_human", at=2.0),
    action("action_handoff"),
    bot("正在为您转接人工客服", "utter_handoff_queued"),
    {"event": "pause"},
    user("几点前下单当天发", "ask_shipping", at=3.0),
    action("action_handoff_waiting"),
    bot("您现在排在第1位", "utter_handoff_waiting"),
]


def predicting(action_name: str, confidence: float = 1.0, **slots: Any) -> dict[str, Any]:
    return {
        "scores": [
            {"action": "action_listen", "score": 0.0},
            {"action": action_name, "score": confidence},
        ],
        "confidence": confidence,
        "tracker": {"sender_id": "default", "slots": slots, "latest_message": {}, "events": []},
    }


@pytest.fixture()
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def suggester(rasa: FakeRasa) -> Suggester:
    responses = Responses()  # the project's domain.yml and rules
    return Suggester(lambda: rasa, lambda: responses)


def test_the_events_rasa_predicts_on_leave_out_pauses_waiting_notes_and_agents() -> None:
    events = [
        *PAUSED,
        bot("您好，我是小美", agent_name="小美"),
        user("好的", "affirm", at=4.0),
    ]
    turn = latest_buyer_turn(events)
    assert turn == len(events) - 1
    kept = unpaused(events, turn)
    assert {"event": "pause"} not in kept
    assert all(e.get("name") != "action_handoff_waiting" for e in kept)
    assert [e["text"] for e in kept if e["event"] == "bot"] == [
        "七天无理由退换……",
        "正在为您转接人工客服",
    ]
    for index, event in enumerate(kept):  # every buyer message follows action_listen
        if event["event"] == "user":
            assert kept[index - 1] == action("action_listen")


def test_a_reply_before_the_pause_is_reused_but_handoff_notes_are_not() -> None:
    assert answered(PAUSED, 1) == ["七天无理由退换……"]
    assert answered(PAUSED, 5) == []  # 转人工: only the handoff note
    assert answered(PAUSED, 9) == []  # while paused: only the waiting note


async def test_an_answered_message_offers_the_assistants_reply(
    suggester: Suggester, rasa: FakeRasa
) -> None:
    events = PAUSED[:4]
    assert await suggester.suggest("c1", events) == [
        {"text": "七天无理由退换……", "intent": "ask_return_policy", "confidence": 0.95,
         "source": "answered"}
    ]  # fmt: skip
    assert rasa.calls == []


async def test_a_message_while_paused_runs_the_read_only_answer_rasa_predicts(
    suggester: Suggester, rasa: FakeRasa
) -> None:
    rasa.prediction = predicting("action_answer_shipping")
    found = await suggester.suggest("c1", PAUSED)
    assert len(found) == 1 and found[0]["source"] == "predicted"
    assert "16:00" in found[0]["text"] and "福建泉州" in found[0]["text"]  # the demo policy
    assert found[0]["intent"] == "ask_shipping"
    sent = rasa.calls[0][2]
    assert sent[-1]["text"] == "几点前下单当天发" and {"event": "pause"} not in sent
    assert await suggester.suggest("c1", PAUSED) == found
    assert len(rasa.calls) == 1  # cached: the page polls


async def test_a_predicted_response_is_filled_with_the_slots(
    suggester: Suggester, rasa: FakeRasa
) -> None:
    rasa.prediction = predicting("utter_welcome")
    found = await suggester.suggest("c1", [*PAUSED, user("谢谢", "thank", at=5.0)])
    assert found[0]["source"] == "predicted" and found[0]["text"]
    rasa.prediction = predicting("utter_material_unknown")  # needs {product_name}: no slot
    assert await suggester.suggest("c1", [*PAUSED, user("鞋底啥材质", at=6.0)]) == []
    rasa.prediction = predicting("utter_material_unknown", product_name="云朵小白鞋")
    found = await suggester.suggest("c1", [*PAUSED, user("鞋底啥材质", at=7.0)])
    assert "云朵小白鞋" in found[0]["text"]


@pytest.mark.parametrize("predicted", ["action_handoff", "return_form", "utter_default"])
async def test_actions_that_change_something_or_handoff_notes_are_never_offered(
    predicted: str, suggester: Suggester, rasa: FakeRasa
) -> None:
    rasa.prediction = predicting(predicted)
    rasa.parse_result = {"intent": {"name": "request_human", "confidence": 0.99}}
    assert await suggester.suggest("c1", PAUSED) == []


async def test_without_rasa_no_suggestion_and_nothing_cached(
    suggester: Suggester, rasa: FakeRasa
) -> None:
    rasa.down = True
    assert await suggester.suggest("c1", PAUSED) == []
    rasa.down = False
    rasa.prediction = predicting("action_answer_shipping")
    assert (await suggester.suggest("c1", PAUSED))[0]["source"] == "predicted"


async def test_with_the_database_down_the_rule_is_offered_and_nothing_cached(
    suggester: Suggester, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    import console.suggestions as suggestions
    from shop.db.session import ShopDataUnavailableError

    async def down(_work: Any) -> Any:
        raise ShopDataUnavailableError("database down")

    rasa.prediction = predicting("action_answer_shipping")
    rasa.parse_result = {"intent": {"name": "ask_shipping", "confidence": 0.99}}
    with monkeypatch.context() as patched:
        patched.setattr(suggestions, "in_transaction", down)
        found = await suggester.suggest("c1", PAUSED)
    assert all(s["source"] == "rule" for s in found)
    found = await suggester.suggest("c1", PAUSED)  # back up: asked again, not the cache
    assert found[0]["source"] == "predicted" and "16:00" in found[0]["text"]

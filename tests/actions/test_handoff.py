"""Handing over to a person: queue entry, expected wait, pause, fallbacks, /restart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import ANY

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, ConversationResumed, FollowupAction, Restarted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.handoff import (
    ActionHandleFallback,
    ActionHandoff,
    ActionHandoffWaiting,
    ActionRestart,
    consecutive_fallbacks,
    summarize,
)
from shop.clock import shop_now
from shop.db.escalations.presence import ONLINE_WINDOW
from shop.db.escalations.queue import BUYER_LEFT_AFTER, buyer_left
from shop.db.models import Escalation, StaffUser
from shop.db.session import session_scope
from tests.conftest import make_tracker, token

B005_DELIVERED = "2026010506679357"

pytestmark = pytest.mark.usefixtures("shop_db")


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def conversation(*turns: tuple[str, str], sender: str = "test", **kwargs: Any) -> Tracker:
    text, intent = turns[-1]
    tracker = make_tracker(text, intent=intent, **kwargs)
    tracker.sender_id = sender
    for t, i in turns:
        if tracker.events and tracker.events[-1]["parse_data"]["intent"]["name"] == "nlu_fallback":
            tracker.events.append(FALLBACK_REPLY_EVENT)  # how the assistant answered it
        tracker.events.append(user(t, i))
    return tracker


FALLBACK_REPLY_EVENT = {"event": "bot", "metadata": {"utter_action": "utter_default"}}


def add_agent(
    username: str,
    seen_seconds_ago: float | None,
    roles: tuple = ("agent",),
    presence: str = "online",
) -> None:
    seen = None if seen_seconds_ago is None else shop_now() - timedelta(seconds=seen_seconds_ago)
    with session_scope() as session:
        session.add(
            StaffUser(
                username=username, display_name=username, password_hash="x", roles=list(roles),
                max_open=3, active=True, last_seen_at=seen, created_at=shop_now(),
                presence=presence,
            )
        )  # fmt: skip


def queued() -> list[tuple[str, str, str | None, str | None, str]]:
    with session_scope() as session:
        rows = session.execute(select(Escalation).order_by(Escalation.id)).scalars()
        return [(e.conversation_id, e.reason, e.buyer_id, e.order_id, e.status) for e in rows]


async def _handoff(tracker: Tracker, rendered: Any) -> tuple[list, list[str], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, tracker, {})
    return events, rendered(dispatcher), dispatcher


async def test_nobody_online_queues_pauses_and_says_when_the_shop_replies(rendered: Any) -> None:
    tracker = conversation(("鞋子有点问题", "inform"), ("转人工", "request_human"))
    events, names, _ = await _handoff(tracker, rendered)
    assert events == [ConversationPaused()]
    assert names == ["utter_handoff_offline"]
    assert queued() == [("test", "request_human", None, None, "waiting")]


@pytest.mark.parametrize("text", ["取消转人工", "不用转人工了", "不要人工", "取消排队"])
async def test_declining_a_person_while_not_queued_hands_nothing_over(
    text: str, rendered: Any
) -> None:
    tracker = conversation(("我要退货", "request_return"), (text, "request_human"))
    events, names, _ = await _handoff(tracker, rendered)
    assert events == []
    assert names == ["utter_handoff_not_queued"]
    assert queued() == []


@pytest.mark.parametrize(
    ("said", "intent", "reason"),
    [
        ("鞋子质量太差了 气死了", "complain", "complaint"),
        ("显示签收了但我没收到", "report_delivery_problem", "request_human"),
    ],
)
async def test_a_handover_the_assistant_chose_while_nobody_is_online_does_not_pause(
    said: str, intent: str, reason: str, rendered: Any
) -> None:
    events, names, _ = await _handoff(conversation((said, intent)), rendered)
    assert events == []  # the buyer's next questions are still answered
    assert names == ["utter_handoff_offline_noted"]
    assert [(row[1], row[4]) for row in queued()] == [(reason, "waiting")]


async def test_a_handover_the_assistant_chose_pauses_when_an_agent_is_online(
    rendered: Any,
) -> None:
    add_agent("agent1", seen_seconds_ago=5)
    events, names, _ = await _handoff(conversation(("质量太差了", "complain")), rendered)
    assert events == [ConversationPaused()]
    assert names == ["utter_handoff_queued"]


@pytest.mark.parametrize(
    ("said", "intent", "offer", "events", "response"),
    [
        # a yes to an offered person is the buyer's choice: paused, as 转人工
        ("我想取消退货", "request_return", "转人工客服", [ConversationPaused()],
         "utter_handoff_offline"),
        # a yes to another offer (a parcel case registered): the assistant's handover
        ("我的快递怎么还不到", "report_delivery_problem", "登记物流异常", [],
         "utter_handoff_offline_noted"),
    ],
)  # fmt: skip
async def test_a_yes_hands_over_as_the_offer_it_answers(
    said: str, intent: str, offer: str, events: list, response: str, rendered: Any
) -> None:
    tracker = conversation((said, intent), ("好的", "affirm"))
    button = {"title": offer, "payload": "/affirm"}
    tracker.events.insert(-1, {"event": "bot", "text": "…", "data": {"buttons": [button]}})
    got, names, _ = await _handoff(tracker, rendered)
    assert got == events
    assert names == [response]


async def test_two_misses_in_a_row_still_pause_while_nobody_is_online(rendered: Any) -> None:
    tracker = conversation(("那个那个", "nlu_fallback"))
    tracker.events.append(
        {"event": "bot", "text": "x", "metadata": {"utter_action": "utter_fallback_handoff"}}
    )
    events, names, _ = await _handoff(tracker, rendered)
    assert events == [ConversationPaused()]
    assert names == ["utter_handoff_offline"]


async def test_with_an_agent_online_the_buyer_hears_the_place_and_the_wait(rendered: Any) -> None:
    add_agent("agent1", seen_seconds_ago=5)
    await _handoff(conversation(("人工", "request_human"), sender="first"), rendered)
    events, names, dispatcher = await _handoff(
        conversation(("找客服", "request_human"), sender="second"), rendered
    )
    assert events == [ConversationPaused()]
    assert names == ["utter_handoff_queued"]
    assert (dispatcher.messages[0]["position"], dispatcher.messages[0]["wait_minutes"]) == (2, 6)


@pytest.mark.parametrize(
    ("seen", "roles", "response"),
    [
        (ONLINE_WINDOW.total_seconds() - 5, ("agent",), "utter_handoff_queued"),
        (ONLINE_WINDOW.total_seconds() + 5, ("agent",), "utter_handoff_offline"),
        (None, ("agent",), "utter_handoff_offline"),
        (5, ("trainer", "owner"), "utter_handoff_offline"),
    ],
)
async def test_only_agents_seen_recently_count_as_online(
    seen: float | None, roles: tuple, response: str, rendered: Any
) -> None:
    add_agent("someone", seen_seconds_ago=seen, roles=roles)
    _, names, _ = await _handoff(conversation(("人工", "request_human")), rendered)
    assert names == [response]


async def test_the_verified_order_and_buyer_go_with_the_escalation(rendered: Any) -> None:
    tracker = conversation(
        ("人工客服", "request_human"), slots={"order_id": B005_DELIVERED}, metadata=token("B005")
    )
    await _handoff(tracker, rendered)
    assert queued() == [("test", "request_human", "B005", B005_DELIVERED, "waiting")]


async def test_an_order_the_buyer_may_not_see_is_not_attached(rendered: Any) -> None:
    tracker = conversation(
        ("人工客服", "request_human"), slots={"order_id": B005_DELIVERED}, metadata=token("B001")
    )
    await _handoff(tracker, rendered)
    assert queued() == [("test", "request_human", "B001", None, "waiting")]


async def test_an_escalation_an_action_already_queued_is_reused_and_summarised(
    rendered: Any,
) -> None:
    with session_scope() as session:
        session.add(
            Escalation(
                conversation_id="test", reason="delivery_problem", priority=1,
                summary="lost: 快递丢了", status="waiting", created_at=shop_now(),
            )
        )  # fmt: skip
    tracker = conversation(("快递丢了", "report_delivery_problem"))
    await _handoff(tracker, rendered)
    assert queued() == [("test", "delivery_problem", None, None, "waiting")]
    with session_scope() as session:
        summary = session.execute(select(Escalation.summary)).scalar_one()
    assert summary.startswith("lost: 快递丢了 | 转人工前：反映物流问题；最近说：「快递丢了」")


async def test_the_summary_names_the_buyers_words_intent_and_slots() -> None:
    tracker = conversation(
        ("你好", "greet"),
        ("/ask_size_advice", "ask_size_advice"),
        ("脚长25.5", "inform"),
        ("还是找人工吧", "request_human"),
        slots={"foot_length_cm": 25.5, "phone_suffix": "1234", "order_id": None},
    )
    assert (
        summarize(tracker)
        == "买家要求人工；脚长25.5厘米；最近说：「你好」「脚长25.5」「还是找人工吧」"
    )


async def test_the_summary_is_chinese_sentences_without_codes_or_payloads() -> None:
    tracker = conversation(
        ("我想换货", "request_exchange"),
        ('/inform{"return_reason":"size"}', "inform"),
        ("EXTERNAL: EXTERNAL_agent_handback", "EXTERNAL_agent_handback"),
        ("/affirm", "affirm"),
        ("/request_human", "request_human"),
        slots={
            "order_id": B005_DELIVERED,
            "after_sale_goal": "exchange",
            "return_reason": "size",
            "exchange_size": 43.0,
        },
    )
    summary = summarize(tracker)
    assert summary == (
        f"买家要求人工；订单{B005_DELIVERED}；想换货，原因：尺码不合适，换成43码；最近说：「我想换货」"
    )
    for code in ("EXTERNAL", "/", "意图", "=", "request_human", "exchange"):
        assert code not in summary
    assert summarize(conversation(("快递丢了", "report_delivery_problem"))) == (
        "转人工前：反映物流问题；最近说：「快递丢了」"
    )
    assert summarize(conversation(("/restart", "restart"))) == "转人工"


async def test_a_database_failure_apologises_and_does_not_pause(
    rendered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise __import__("sqlalchemy").exc.OperationalError("select", {}, Exception("down"))

    monkeypatch.setattr("actions.handoff.open_escalation", broken)
    events, names, _ = await _handoff(conversation(("人工", "request_human")), rendered)
    assert (events, names) == ([], ["utter_handoff_unavailable"])


async def _waiting(
    sender: str, rendered: Any, text: str = "在吗"
) -> tuple[list, list[str], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = conversation((text, "greet"), sender=sender)
    events = await ActionHandoffWaiting().run(dispatcher, tracker, {})
    return events, rendered(dispatcher), dispatcher


async def test_a_message_while_queued_hears_the_place_and_the_wait(rendered: Any) -> None:
    add_agent("agent1", seen_seconds_ago=5)
    await _handoff(conversation(("人工", "request_human"), sender="first"), rendered)
    await _handoff(conversation(("找客服", "request_human"), sender="second"), rendered)
    events, names, dispatcher = await _waiting("second", rendered)
    assert (events, names) == ([], ["utter_handoff_waiting"])
    assert (dispatcher.messages[0]["position"], dispatcher.messages[0]["wait_minutes"]) == (2, 6)


async def test_a_message_while_queued_and_nobody_online_is_kept(rendered: Any) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    assert await _waiting("test", rendered) == ([], ["utter_handoff_waiting_offline"], ANY)


async def test_once_an_agent_has_the_conversation_the_assistant_keeps_quiet(
    rendered: Any,
) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    with session_scope() as session:
        session.execute(__import__("sqlalchemy").update(Escalation).values(status="assigned"))
    assert await _waiting("test", rendered) == ([], [], ANY)


@pytest.mark.parametrize("broken", [False, True])
async def test_paused_without_an_open_escalation_or_database_still_answers(
    broken: bool, rendered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if broken:

        def down(*_: Any, **__: Any) -> None:
            raise __import__("sqlalchemy").exc.OperationalError("select", {}, Exception("down"))

        monkeypatch.setattr("actions.handoff.open_escalation", down)
    assert await _waiting("nobody-queued", rendered) == ([], ["utter_handoff_waiting_offline"], ANY)


@pytest.mark.parametrize(
    ("turns", "count"),
    [
        ([("???", "nlu_fallback")], 1),
        ([("你好", "greet"), ("???", "nlu_fallback"), ("啊啊", "nlu_fallback")], 2),
        ([("???", "nlu_fallback"), ("你好", "greet"), ("啊啊", "nlu_fallback")], 1),
        ([("你好", "greet"), ("嗯嗯", "inform")], 1),  # the message answered with a fallback now
    ],
)
def test_consecutive_fallbacks_count_the_latest_run(turns: list, count: int) -> None:
    assert consecutive_fallbacks(conversation(*turns)) == count


def test_a_core_fallback_counts_like_an_nlu_fallback() -> None:
    """The policy found no rule for 就那个呗 (intent inform): the next miss goes to a person."""
    tracker = conversation(("就那个呗", "inform"))
    tracker.events.append({"event": "action", "name": "action_handle_fallback"})
    tracker.events.append({"event": "bot", "metadata": {"utter_action": "utter_default"}})
    tracker.events.append({"event": "action", "name": "action_listen"})
    tracker.events.append(user("啥", "inform"))
    assert consecutive_fallbacks(tracker) == 2


def test_a_hand_back_starts_the_count_again() -> None:
    tracker = conversation(("???", "nlu_fallback"))
    tracker.events.append({"event": "resume"})
    tracker.events.append(user("啊啊", "nlu_fallback"))
    assert consecutive_fallbacks(tracker) == 1


async def test_the_first_miss_asks_to_rephrase(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, conversation(("???", "nlu_fallback")), {})
    assert (events, rendered(dispatcher)) == ([], ["utter_default"])


NEW_ADDRESS = "改到上海市徐匯區漕溪北路88號 林小雨 13288880008"


@pytest.mark.parametrize(
    ("reason", "text", "expected"),
    [
        # a person is to change a shipped order's address: the new one is acknowledged
        ("address_after_shipment", NEW_ADDRESS, "utter_address_noted_for_agent"),
        ("address_after_shipment", "改到漕溪北路88号", "utter_default"),  # not whole
        ("complaint", NEW_ADDRESS, "utter_default"),  # waiting for something else
        (None, NEW_ADDRESS, "utter_default"),  # nobody waited for
    ],
)
async def test_an_address_typed_for_the_agent_is_acknowledged(
    reason: str | None, text: str, expected: str, rendered: Any
) -> None:
    from actions.access import record_escalation
    from nlu_components.text import normalize_text

    tracker = conversation((normalize_text(text), "nlu_fallback"), metadata=token("B001"))
    if reason:
        with session_scope() as session:
            record_escalation(tracker, reason, session=session)
    dispatcher = CollectingDispatcher()
    assert await ActionHandleFallback().run(dispatcher, tracker, {}) == []
    assert rendered(dispatcher) == [expected]
    if expected == "utter_address_noted_for_agent":
        said = dispatcher.messages[0]
        assert (said["recipient"], said["phone"]) == ("林小雨", "132****0008")
        assert said["address"] == "上海市徐汇区漕溪北路88号"


async def test_the_second_miss_in_a_row_goes_to_a_person(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = conversation(("???", "nlu_fallback"), ("啊啊啊", "nlu_fallback"))
    events = await ActionHandleFallback().run(dispatcher, tracker, {})
    assert events == [FollowupAction("action_handoff")]
    assert rendered(dispatcher) == ["utter_fallback_handoff"]
    await _handoff(tracker, rendered)
    assert queued() == [("test", "repeated_fallback", None, None, "waiting")]


def _rejected_then_fell_back(slot: str | None) -> Tracker:
    """就那个呗 inside the return form: the form rejected it and the core fallback answered."""
    tracker = conversation(("就那个呗", "inform"), active_loop="return_form")
    tracker.slots["requested_slot"] = slot
    tracker.events += [
        {"event": "action", "name": "return_form"},
        {"event": "action_execution_rejected", "name": "return_form"},
        {"event": "action", "name": "action_handle_fallback"},
        FALLBACK_REPLY_EVENT,
        {"event": "action", "name": "return_form"},
        {"event": "action_execution_rejected", "name": "return_form"},
    ]
    return tracker


async def test_a_second_fallback_on_one_message_re_asks_and_listens(rendered: Any) -> None:
    """Without this the fallback and the rejecting form alternate up to Rasa's circuit
    breaker: ten identical 没太明白 to one message."""
    dispatcher = CollectingDispatcher()
    domain = {"responses": {"utter_ask_return_reason": [{"text": "请问退换的原因是？"}]}}
    tracker = _rejected_then_fell_back("return_reason")
    events = await ActionHandleFallback().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("action_listen")]
    assert rendered(dispatcher) == ["utter_ask_return_reason"]
    assert queued() == []


@pytest.mark.parametrize("slot", [None, "order_item_id"])
async def test_a_second_fallback_without_a_plain_question_only_listens(slot: str | None) -> None:
    """order_item_id is asked by an action (buttons of the order's items): not repeated here."""
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, _rejected_then_fell_back(slot), {})
    assert (events, dispatcher.messages) == ([FollowupAction("action_listen")], [])


async def test_a_fallback_in_a_new_turn_is_not_a_repeat(rendered: Any) -> None:
    """The previous message's fallback does not silence this one's."""
    tracker = _rejected_then_fell_back("return_reason")
    tracker.events += [{"event": "action", "name": "action_listen"}, user("嗯嗯", "inform")]
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, tracker, {})
    assert events == [FollowupAction("action_handoff")]  # the second miss in a row
    assert rendered(dispatcher) == ["utter_fallback_handoff"]


async def test_restart_resets_a_conversation_nobody_has() -> None:
    assert await ActionRestart().run(CollectingDispatcher(), make_tracker("/restart"), {}) == [
        Restarted()
    ]


async def test_restart_does_not_take_a_conversation_away_from_a_person() -> None:
    tracker = make_tracker("/restart")
    tracker._paused = True
    dispatcher = CollectingDispatcher()
    assert await ActionRestart().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []


@pytest.mark.parametrize("presence", ["away", "offline"])
async def test_agents_away_or_offline_do_not_count_as_online(presence: str, rendered: Any) -> None:
    add_agent("agent1", seen_seconds_ago=5, presence=presence)
    _, names, _ = await _handoff(conversation(("人工", "request_human")), rendered)
    assert names == ["utter_handoff_offline"]


def _left_escalation(conversation_id: str, minutes_silent: float) -> None:
    """An escalation queued an hour ago whose buyer last wrote ``minutes_silent`` ago."""
    with session_scope() as session:
        session.add(
            Escalation(
                conversation_id=conversation_id, reason="request_human", priority=2,
                summary="", status="waiting", created_at=shop_now() - timedelta(hours=1),
                buyer_seen_at=shop_now() - timedelta(minutes=minutes_silent),
            )
        )  # fmt: skip


async def test_the_wait_counts_only_conversations_whose_buyers_are_still_there(
    rendered: Any,
) -> None:
    """Three buyers ahead left (已离开); one is still there: second place, not fourth."""
    add_agent("agent1", seen_seconds_ago=5)
    for n in range(3):
        _left_escalation(f"gone-{n}", minutes_silent=BUYER_LEFT_AFTER.total_seconds() / 60)
    _left_escalation("here", minutes_silent=1)
    _, names, dispatcher = await _handoff(conversation(("转人工", "request_human")), rendered)
    assert names == ["utter_handoff_queued"]
    assert (dispatcher.messages[0]["position"], dispatcher.messages[0]["wait_minutes"]) == (2, 6)


async def test_a_message_while_queued_or_assigned_marks_the_buyer_present(rendered: Any) -> None:
    _left_escalation("test", minutes_silent=60)
    await _waiting("test", rendered)
    with session_scope() as session:
        row = session.execute(select(Escalation)).scalar_one()
        assert not buyer_left(row, shop_now())
        row.status, row.buyer_seen_at = "assigned", shop_now() - timedelta(hours=1)
    assert await _waiting("test", rendered) == ([], [], ANY)
    with session_scope() as session:
        assert not buyer_left(session.execute(select(Escalation)).scalar_one(), shop_now())


def test_a_hand_over_after_two_misunderstandings_is_a_repeated_fallback() -> None:
    """The second 就那个 (intent inform) was answered with a fallback that handed over."""
    from actions.handoff import handoff_cause

    tracker = conversation(("就那个", "inform"), ("那个那个", "inform"))
    tracker.events.append({"event": "bot", "metadata": {"utter_action": "utter_fallback_handoff"}})
    assert handoff_cause(tracker) == "nlu_fallback"
    assert handoff_cause(conversation(("转人工", "request_human"))) == "request_human"


def _escalation_states() -> list[tuple[str, str | None]]:
    with session_scope() as session:
        return [(e.status, e.outcome) for e in session.scalars(select(Escalation))]


@pytest.mark.parametrize(
    "text",
    [
        "取消转人工",
        "不等了 我自己看吧",
        "算了不排队了",
        "取消轉人工",
        "不用了",
        "算了。",
        "不用了，謝謝",
    ],
)
async def test_a_buyer_still_waiting_can_leave_the_queue(text: str, rendered: Any) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    events, names, _ = await _waiting("test", rendered, text)
    assert (events, names) == ([ConversationResumed()], ["utter_handoff_cancelled"])
    assert _escalation_states() == [("resolved", "buyer_cancelled")]


async def test_leaving_with_a_question_asks_for_it_again(rendered: Any) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    events, names, _ = await _waiting("test", rendered, "不等了 运费险怎么赔")
    assert (events, names) == ([ConversationResumed()], ["utter_handoff_cancelled_ask_again"])


async def test_leaving_with_a_rule_question_read_as_second_leaves_it_to_be_answered(
    rendered: Any,
) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    dispatcher = CollectingDispatcher()
    tracker = conversation(("不等了 运费险怎么赔", "greet"), sender="test")
    tracker.latest_message["also_asked"] = {"intent": "ask_return_policy", "text": "运费险怎么赔"}
    events = await ActionHandoffWaiting().run(dispatcher, tracker, {})
    assert (events, rendered(dispatcher)) == ([ConversationResumed()], ["utter_handoff_cancelled"])


@pytest.mark.parametrize("text", ["我不想跟机器人聊", "等不了了 快点", "在吗", "不用了 我要投诉"])
async def test_other_words_while_waiting_keep_the_place(text: str, rendered: Any) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    events, names, _ = await _waiting("test", rendered, text)
    assert (events, names) == ([], ["utter_handoff_waiting_offline"])
    assert _escalation_states() == [("waiting", None)]


async def test_once_an_agent_has_it_leaving_words_go_to_the_agent(rendered: Any) -> None:
    await _handoff(conversation(("人工", "request_human")), rendered)
    with session_scope() as session:
        session.execute(__import__("sqlalchemy").update(Escalation).values(status="assigned"))
    assert await _waiting("test", rendered, "不等了") == ([], [], ANY)
    assert _escalation_states() == [("assigned", None)]

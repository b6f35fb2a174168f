"""A restock question right after a stock answer is read as one, not as the buyer's parcel."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.follow_up_intent import (
    address_done_not_change,
    asks_restock,
    bought_item_not_advice,
    claim_after_price_protection,
    parcel_not_return,
    replacement_after_return_status,
    restock_after_stock,
    same_question_after_stock,
    signer_not_chat,
    size_change_not_address,
    slowness_after_order_status,
    stock_not_size,
)


def _after(action: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "buyer-1",
        [
            ActionExecuted("action_listen"),
            UserUttered("燕麦色还有35吗", {"name": "ask_stock", "confidence": 0.99}),
            ActionExecuted(action),
            BotUttered("燕麦色35码已售罄"),
            ActionExecuted("action_listen"),
        ],
    )


def _parsed(intent: str) -> dict[str, Any]:
    ranking = [{"name": intent, "confidence": 0.7}, {"name": "ask_stock", "confidence": 0.2}]
    return {"intent": dict(ranking[0]), "intent_ranking": ranking}


@pytest.mark.parametrize(
    ("text", "intent", "action", "read_as"),
    [
        ("那什么时候到货", "check_order_status", "action_answer_stock", "ask_stock"),
        ("啥时候补", "report_delivery_problem", "action_answer_stock", "ask_stock"),
        # the buyer's own parcel, even right after a stock answer
        ("我的快递什么时候到货", "check_order_status", "action_answer_stock", "check_order_status"),
        # no restock words
        ("我的鞋到哪了", "check_order_status", "action_answer_stock", "check_order_status"),
        # no stock answer just before
        ("那什么时候到货", "check_order_status", "action_answer_shipping", "check_order_status"),
        # another intent is left alone
        ("什么时候到货", "ask_promotion", "action_answer_stock", "ask_promotion"),
    ],
)
def test_restock_after_a_stock_answer_at_its_edges(
    text: str, intent: str, action: str, read_as: str
) -> None:
    data = _parsed(intent)
    restock_after_stock(_after(action), text, data)
    assert data["intent"]["name"] == read_as
    assert data["intent_ranking"][0]["name"] == read_as
    assert len(data["intent_ranking"]) == 2


def test_a_new_message_before_the_stock_answer_is_not_after_it() -> None:
    tracker = _after("action_answer_stock")
    tracker.update(UserUttered("谢谢", {"name": "thank", "confidence": 1.0}))
    data = _parsed("check_order_status")
    restock_after_stock(tracker, "什么时候到货", data)
    assert data["intent"]["name"] == "check_order_status"


def _stock_digression_in_the_size_form() -> DialogueStateTracker:
    """The size form asked the foot shape; a stock question was answered in between
    and the form asked again."""
    from rasa.shared.core.events import ActiveLoop

    return DialogueStateTracker.from_events(
        "buyer-1",
        [
            ActionExecuted("action_listen"),
            UserUttered("孩子脚长18厘米穿雨靴多大码", {"name": "ask_size_advice"}),
            ActionExecuted("size_advice_form"),
            ActiveLoop("size_advice_form"),
            ActionExecuted("action_listen"),
            UserUttered("柠檬黄有没有", {"name": "ask_stock"}),
            ActionExecuted("action_answer_stock"),
            ActionExecuted("size_advice_form"),
            ActionExecuted("action_listen"),
        ],
    )


@pytest.mark.parametrize(
    ("text", "intent", "read_as"),
    [
        ("28码呢", "inform", "ask_stock"),  # the stock question again, not the size worn
        ("那29呢", "ask_size_advice", "ask_stock"),
        ("平时穿28呢", "inform", "inform"),  # the size worn answers the form
        ("正常脚", "inform", "inform"),  # the form's answer
    ],
)
def test_a_stock_follow_up_inside_a_form(text: str, intent: str, read_as: str) -> None:
    data = _parsed(intent)
    same_question_after_stock(_stock_digression_in_the_size_form(), text, data)
    assert data["intent"]["name"] == read_as


@pytest.mark.parametrize(
    ("text", "asks"), [("什么时候补货", True), ("寄回去什么时候到货", False), ("好的", False)]
)
def test_asks_restock_at_its_edges(text: str, asks: bool) -> None:
    assert asks_restock(text) is asks


@pytest.mark.parametrize(
    ("text", "intent", "action", "read_as"),
    [
        ("奶茶色呢", "nlu_fallback", "action_answer_stock", "inform"),
        ("荧光橙的呢", "affirm", "action_answer_stock", "inform"),
        ("那43呢", "out_of_scope", "action_answer_stock", "inform"),
        ("42的", "nlu_fallback", "action_answer_stock", "inform"),
        ("電光紫41呢", "nlu_fallback", "action_answer_stock", "inform"),
        # a yes stays a yes
        ("好的呢", "affirm", "action_answer_stock", "affirm"),
        # a long message is a new question, not the same one
        ("那你们家有没有别的颜色的鞋子呢", "out_of_scope", "action_answer_stock", "out_of_scope"),
        # no stock answer just before
        ("奶茶色呢", "nlu_fallback", "action_answer_shipping", "nlu_fallback"),
        # an intent NLU placed is left alone
        ("包邮吗", "ask_shipping", "action_answer_stock", "ask_shipping"),
        ("在吗", "nlu_fallback", "action_answer_stock", "nlu_fallback"),
    ],
)
def test_same_question_after_a_stock_answer_at_its_edges(
    text: str, intent: str, action: str, read_as: str
) -> None:
    data = _parsed(intent)
    same_question_after_stock(_after(action), text, data)
    assert data["intent"]["name"] == read_as
    assert data["intent_ranking"][0]["name"] == read_as


@pytest.mark.parametrize(
    ("text", "intent", "action", "read_as"),
    [
        ("怎么这么慢", "out_of_scope", "action_check_order_status", "complain"),
        ("咋还没到啊", "nlu_fallback", "action_check_order_status", "complain"),
        ("都好幾天了", "out_of_scope", "action_check_order_status", "complain"),
        # no slowness words: the shop cannot help with it
        ("明天会下雨吗", "out_of_scope", "action_check_order_status", "out_of_scope"),
        # not right after the buyer's parcel: nothing to be slow
        ("怎么这么慢", "out_of_scope", "action_answer_stock", "out_of_scope"),
        # an intent NLU placed is left alone, a yes too
        (
            "物流怎么这么慢 到哪了",
            "check_order_status",
            "action_check_order_status",
            "check_order_status",
        ),
        ("好的 慢慢等", "affirm", "action_check_order_status", "affirm"),
    ],
)
def test_slowness_after_the_buyers_parcel_at_its_edges(
    text: str, intent: str, action: str, read_as: str
) -> None:
    data = _parsed(intent)
    slowness_after_order_status(_after(action), text, data)
    assert data["intent"]["name"] == read_as
    assert data["intent_ranking"][0]["name"] == read_as


@pytest.mark.parametrize(
    ("text", "intent", "action", "read_as"),
    [
        ("啥时候能收到新的", "check_order_status", "action_check_return_status",
         "check_return_status"),
        ("换的那双到哪了", "check_order_status", "action_check_return_status",
         "check_return_status"),
        ("新鞋什么时候发", "ask_shipping", "action_check_return_status", "check_return_status"),
        ("啥時候能收到新的", "nlu_fallback", "action_check_return_status",
         "check_return_status"),  # traditional
        # without the return's progress right before, the buyer's parcel
        ("啥时候能收到新的", "check_order_status", "action_check_order_status",
         "check_order_status"),
        # no word for the new pair
        ("我的快递到哪了", "check_order_status", "action_check_return_status",
         "check_order_status"),
        # a yes stays a yes; another intent is left alone
        ("新的好的", "affirm", "action_check_return_status", "affirm"),
        ("新的会不会也偏小", "ask_size_advice", "action_check_return_status",
         "ask_size_advice"),
    ],
)  # fmt: skip
def test_the_new_pair_after_a_returns_progress(
    text: str, intent: str, action: str, read_as: str
) -> None:
    data = _parsed(intent)
    replacement_after_return_status(_after(action), text, data)
    assert data["intent"]["name"] == read_as
    assert data["intent_ranking"][0]["name"] == read_as


EXCHANGE, STOCK, DONE = size_change_not_address, stock_not_size, address_done_not_change
BOUGHT, SIGNER = bought_item_not_advice, signer_not_chat


@pytest.mark.parametrize(
    ("reading", "text", "intent", "read_as"),
    [
        (EXCHANGE, "还没收到呢 能直接改尺码吗", "change_address", "request_exchange"),
        (EXCHANGE, "不是改地址 是改尺码 42换43", "change_address", "request_exchange"),
        (EXCHANGE, "不是改地址 是改颜色", "change_address", "request_exchange"),
        (EXCHANGE, "能改成43码吗", "change_address", "request_exchange"),
        (EXCHANGE, "42换43", "change_address", "request_exchange"),
        (EXCHANGE, "能改尺碼嗎", "change_address", "request_exchange"),  # traditional
        # the bought pair said not to fit: the exchange it wishes
        (EXCHANGE, "我买的这双偏小，39有粉色吗", "ask_size_advice", "request_exchange"),
        (EXCHANGE, "我买的鞋子大了 想要小一码", "ask_size_advice", "request_exchange"),
        # asked whether it runs small, or before buying: size advice
        (EXCHANGE, "我买的这双偏小吗", "ask_size_advice", "ask_size_advice"),
        (EXCHANGE, "这双偏小，39有粉色吗", "ask_size_advice", "ask_size_advice"),
        # a size change of an order read as a stock question
        (EXCHANGE, "跑鞋还没发货 能直接改成38码吗", "ask_stock", "request_exchange"),
        (EXCHANGE, "能改成38码吗", "ask_stock", "ask_stock"),  # no order spoken of
        # an address change that also names a size stays an address change
        (EXCHANGE, "改地址 改成杭州市西湖区文三路100号", "change_address", "change_address"),
        (EXCHANGE, "地址和尺码都要改", "change_address", "change_address"),
        # another intent is left alone
        (EXCHANGE, "能换成43码吗", "request_exchange", "request_exchange"),
        (EXCHANGE, "我的快递改地址了吗", "check_order_status", "check_order_status"),
        # read as size advice: only about an order placed
        (EXCHANGE, "还没收到呢 能直接改尺码吗", "ask_size_advice", "request_exchange"),
        (EXCHANGE, "订单能换成43码吗", "ask_size_advice", "request_exchange"),
        (EXCHANGE, "要不要换个尺码", "ask_size_advice", "ask_size_advice"),
        (STOCK, "燕麦色39有货马", "ask_size_advice", "ask_stock"),
        (STOCK, "39码还有现货吗", "inform", "ask_stock"),
        (STOCK, "39碼有貨嗎", "ask_size_advice", "ask_stock"),  # traditional
        # a size question beside the stock words stays size advice
        (STOCK, "平时穿39选多大 有货吗", "ask_size_advice", "ask_size_advice"),
        (STOCK, "偏小吗 39有货吗", "ask_size_advice", "ask_size_advice"),
        (STOCK, "平时穿39", "inform", "inform"),  # no stock words
        (STOCK, "有货吗", "check_order_status", "check_order_status"),  # other intents alone
        # whether an address change went through: the order's status, which shows it
        (DONE, "地址改好了吗", "change_address", "check_order_status"),
        (DONE, "收货地址改过来了没", "change_address", "check_order_status"),
        (DONE, "地址改好了嗎", "change_address", "check_order_status"),  # traditional
        (DONE, "能改地址吗", "change_address", "change_address"),  # asks for a change
        (DONE, "地址改了 改成文三路100号", "change_address", "change_address"),  # types one
        (DONE, "改好了吗", "change_address", "change_address"),  # no address word
        (DONE, "地址改好了吗", "complain", "complain"),  # other intents alone
        # what the buyer bought, asked: the order, which names it
        (BOUGHT, "我买的是多大码的来着", "ask_size_advice", "check_order_status"),
        (BOUGHT, "我拍的什么颜色", "nlu_fallback", "check_order_status"),
        (BOUGHT, "我那双是几码的", "ask_size_advice", "check_order_status"),
        (BOUGHT, "這雙是什麼碼的來著", "ask_material", "check_order_status"),  # traditional
        (BOUGHT, "这双是什么码的", "ask_material", "ask_material"),  # a shopping question
        (BOUGHT, "我买的鞋偏小 换几码", "ask_size_advice", "ask_size_advice"),  # no 我买的+码 ask
        (BOUGHT, "我买的是多大码的来着", "check_return_status", "check_return_status"),
        # who signed for the parcel: the order, whose last scan says
        (SIGNER, "是谁签收的", "affirm", "check_order_status"),
        (SIGNER, "签收人是谁", "bot_challenge", "check_order_status"),
        (SIGNER, "是誰簽收的", "affirm", "check_order_status"),  # traditional
        (SIGNER, "显示签收了 放哪了", "report_delivery_problem", "report_delivery_problem"),
        (SIGNER, "你是谁", "bot_challenge", "bot_challenge"),  # no signer word
    ],
)
def test_a_reading_nlu_misses_without_context_at_its_edges(
    reading: Any, text: str, intent: str, read_as: str
) -> None:
    """改尺码 read as an address change is an exchange; 有货吗 read as size advice, stock."""
    data = _parsed(intent)
    reading(text, data)
    assert data["intent"]["name"] == read_as


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        # a parcel that has not moved, with no word of a return: the parcel intent ranked
        ("我的马丁靴怎么好几天都没动了", "report_delivery_problem"),
        ("我的馬丁靴怎麼好幾天都沒動了", "report_delivery_problem"),  # traditional
        ("快递到哪了", "report_delivery_problem"),
        # a return or its money spoken of, or no parcel word: the return's progress
        ("退货寄回去好几天都没动了", "check_return_status"),
        ("钱怎么还没到", "check_return_status"),
        ("进度怎么样了", "check_return_status"),
    ],
)
def test_a_parcel_read_as_a_returns_progress_is_the_parcel(text: str, read_as: str) -> None:
    ranking = [
        {"name": "check_return_status", "confidence": 0.31},
        {"name": "ask_stock", "confidence": 0.25},
        {"name": "report_delivery_problem", "confidence": 0.22},
    ]
    data = {"intent": dict(ranking[0]), "intent_ranking": ranking}
    parcel_not_return(text, data)
    assert data["intent"] == {"name": read_as, "confidence": 0.31}


def test_a_parcel_question_without_a_parcel_intent_ranked_stays() -> None:
    data = _parsed("check_return_status")
    parcel_not_return("我的鞋怎么好几天都没动了", data)
    assert data["intent"]["name"] == "check_return_status"


def _after_reply(utter_action: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "buyer-1",
        [
            ActionExecuted("action_listen"),
            UserUttered("我买的降价了能保价吗", {"name": "ask_promotion", "confidence": 0.99}),
            ActionExecuted("action_answer_promotion"),
            BotUttered("订单…还在价保期内", metadata={"utter_action": utter_action}),
            ActionExecuted("action_listen"),
        ],
    )


@pytest.mark.parametrize(
    ("reply", "text", "read_as"),
    [
        ("utter_price_protection_order_inside", "那怎么申请", "ask_promotion"),
        ("utter_price_protection_days", "怎么弄", "ask_promotion"),
        ("utter_price_protection_order_inside", "那怎麼申請", "ask_promotion"),  # traditional
        ("utter_promotions_intro", "那怎么申请", "request_return"),  # no 价保 answered
        ("utter_price_protection_order_inside", "我想退货", "request_return"),  # no how-to
        ("utter_price_protection_order_inside",
         "那怎么申请退货退款呢我想把这双鞋子退掉换别的", "request_return"),  # a new request
    ],
)  # fmt: skip
def test_how_to_claim_right_after_price_protection(reply: str, text: str, read_as: str) -> None:
    data = _parsed("request_return")
    claim_after_price_protection(_after_reply(reply), text, data)
    assert data["intent"]["name"] == read_as

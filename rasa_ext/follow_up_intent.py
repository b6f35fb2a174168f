"""An intent the assistant's previous answer decides.

那什么时候到货 right after a stock answer (燕麦色35码已售罄) asks when the shoe comes
back, but NLU alone reads it as the buyer's parcel (order status), and the order
form would then ask for an order number the buyer never meant. 奶茶色呢 or 42呢
right after it asks the same with another colour or size, but a shop's own colour
names are words NLU never saw, so it may read them as nothing it knows. Read in
the Rasa server's parse (``rasa_ext/second_question.py``), where the conversation
is known. 怎么这么慢 right after the buyer's parcel was shown is a grievance about it,
and 啥时候能收到新的 right after a return's progress asks about that exchange.
A size change read as an address change is the exchange it asks for; 地址改好了吗,
我买的是多大码的来着 and 是谁签收的 the order's status; a parcel that has not moved, read
as a return's progress, the parcel; 那怎么申请 right after price protection that
question again; and a stock question read as size advice (燕麦色39有货吗) the stock
question.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_components.text import normalize_text
from shop.clauses import FOLLOW_UP_MAX_CHARS, asks_the_same
from shop.lexicon import (
    BOUGHT_WORDS,
    HOW_TO_CLAIM_WORDS,
    OWN_PARCEL_WORDS,
    PARCEL_WORDS,
    PRICE_PROTECTION_RESPONSES,
    REPLACEMENT_WORDS,
    RESTOCK_WORDS,
    RETURN_TOPIC_WORDS,
    SIGNER_WORDS,
    SLOW_DELIVERY_WORDS,
    YES_WORDS,
    asks_address_done,
    asks_bought_item,
    asks_size_change,
    asks_stock_only,
    says_it_does_not_fit,
)

STOCK_ACTION = "action_answer_stock"
ORDER_STATUS_ACTION = "action_check_order_status"
RETURN_STATUS_ACTION = "action_check_return_status"
RETURN_STATUS_INTENT = "check_return_status"
COMPLAIN_INTENT = "complain"
ORDER_STATUS_INTENT = "check_order_status"
STOCK_INTENT = "ask_stock"
# What NLU reads a restock follow-up as, without the stock answer before it.
PARCEL_INTENTS = frozenset({"check_order_status", "report_delivery_problem", "ask_shipping"})
OWN_PARCEL_INTENTS = PARCEL_INTENTS - {"ask_shipping"}
# Questions before buying, or none placed: what 我买的是几码的来着 may be read as.
SHOPPING_INTENTS = frozenset(
    {"ask_size_advice", "ask_material", "ask_function", "ask_stock", "inform", "affirm",
     "nlu_fallback", "out_of_scope"}
)  # fmt: skip
CHAT_INTENTS = frozenset({"bot_challenge", "deny", "greet", "thank"})
# What NLU may make of a colour it never saw (奶茶色呢, 荧光橙的呢).
UNPLACED_INTENTS = frozenset({"nlu_fallback", "out_of_scope", "affirm"})
INFORM_INTENT = "inform"
ADDRESS_INTENT = "change_address"
SIZE_ADVICE_INTENT = "ask_size_advice"
SIZE_INTENTS = frozenset({SIZE_ADVICE_INTENT, INFORM_INTENT})
EXCHANGE_INTENT = "request_exchange"
# 平时穿28呢 answers the size form even right after a stock answer.
WORN_WORDS = ("平时", "平常", "一般", "脚长", "通常")


def answered_last(
    tracker: DialogueStateTracker, action: str, *, past_the_form: bool = False
) -> bool:
    """Whether the assistant's last action before this message was ``action``;
    ``past_the_form``: also when the active form ran after it (a digression answered
    inside the form, which then asked its own question again)."""
    skipped = {ACTION_LISTEN_NAME, tracker.active_loop_name if past_the_form else None}
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name not in skipped:
            return event.action_name == action
    return False


def answered_stock_last(tracker: DialogueStateTracker) -> bool:
    """Whether the assistant's last action before this message answered a stock question,
    also as a digression inside a form that then asked its own question again."""
    return answered_last(tracker, STOCK_ACTION, past_the_form=True)


def asks_restock(text: str) -> bool:
    """Whether ``text`` asks when goods come back, and not about the buyer's own parcel."""
    return any(w in text for w in RESTOCK_WORDS) and not any(w in text for w in OWN_PARCEL_WORDS)


def restock_after_stock(
    tracker: DialogueStateTracker, text: str, parse_data: dict[str, Any]
) -> None:
    """Reads a parcel question right after a stock answer as the restock question it is.

    ``text`` as typed; it is normalised only for the few messages read as a parcel
    question (this runs on every message)."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent not in PARCEL_INTENTS or not answered_stock_last(tracker):
        return
    if not asks_restock(normalize_text(text)):
        return
    take_ranked_intent(parse_data, STOCK_INTENT)


def same_question_after_stock(
    tracker: DialogueStateTracker, text: str, parse_data: dict[str, Any]
) -> None:
    """Reads a short 「…呢」 or a size (奶茶色呢, 42呢, 43的) right after a stock answer
    as information for it (``inform``: the context asks the stock question again
    with it) when NLU could not place it. A yes stays a yes."""
    intent = (parse_data.get("intent") or {}).get("name")
    in_form = tracker.active_loop_name is not None
    placed = UNPLACED_INTENTS | (SIZE_INTENTS if in_form else frozenset())
    if intent not in placed or not answered_stock_last(tracker):
        return
    plain = normalize_text(text)
    if intent == "affirm" and any(word in plain for word in YES_WORDS):
        return
    short_size = len(plain) <= FOLLOW_UP_MAX_CHARS and any(c.isdigit() for c in plain)
    if in_form and asks_the_same(plain) and not any(w in plain for w in WORN_WORDS):
        # 28码呢 after a stock digression in the size form: the stock question again
        # (the form would take 28 for the size worn), then the form asks its own again
        take_ranked_intent(parse_data, STOCK_INTENT)
        return
    if intent == INFORM_INTENT or not (asks_the_same(plain) or short_size):
        return
    take_ranked_intent(parse_data, INFORM_INTENT)


def slowness_after_order_status(
    tracker: DialogueStateTracker, text: str, parse_data: dict[str, Any]
) -> None:
    """Reads 怎么这么慢 right after the buyer's parcel was shown as the grievance it is
    (``complain``: apologised for, recorded and handed to a person) when NLU could not
    place it; alone, without the parcel before it, it names nothing the shop handles."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent not in UNPLACED_INTENTS - {"affirm"}:
        return
    if not answered_last(tracker, ORDER_STATUS_ACTION):
        return
    if any(word in normalize_text(text) for word in SLOW_DELIVERY_WORDS):
        take_ranked_intent(parse_data, COMPLAIN_INTENT)


def replacement_after_return_status(
    tracker: DialogueStateTracker, text: str, parse_data: dict[str, Any]
) -> None:
    """Reads 啥时候能收到新的 right after a return's progress was shown as a question
    about that exchange (``check_return_status``), not about a parcel of an order,
    which would ask the buyer which order they mean."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent not in PARCEL_INTENTS | UNPLACED_INTENTS - {"affirm"}:
        return
    if not answered_last(tracker, RETURN_STATUS_ACTION):
        return
    if any(word in normalize_text(text) for word in REPLACEMENT_WORDS):
        take_ranked_intent(parse_data, RETURN_STATUS_INTENT)


def size_change_not_address(text: str, parse_data: dict[str, Any]) -> None:
    """Reads 能直接改尺码吗 or 不是改地址 是改尺码 42换43, which NLU may take for an address
    change (改 …), as the exchange it asks for: the address form would ask for an
    address the buyer never meant to change and re-ask it forever. Read as size
    advice, only when the words speak of an order (还没收到呢 能直接改尺码吗), or when the
    bought pair is said not to fit (我买的这双偏小，39有粉色吗)."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent not in (ADDRESS_INTENT, SIZE_ADVICE_INTENT, STOCK_INTENT):
        return
    said = normalize_text(text)
    if intent != ADDRESS_INTENT and not any(w in said for w in BOUGHT_WORDS):
        return  # 要不要换个尺码 before buying is size advice, 能改成38码吗 stock
    # 我买的这双偏小，39有粉色吗: the bought pair does not fit, the other size is wished
    misfit = intent == SIZE_ADVICE_INTENT and says_it_does_not_fit(said)
    if asks_size_change(said) or misfit:
        take_ranked_intent(parse_data, EXCHANGE_INTENT)


def address_done_not_change(text: str, parse_data: dict[str, Any]) -> None:
    """Reads 地址改好了吗 (NLU: an address change) as the order-status question it is:
    the status answer shows the order's current address, where the address form
    would ask for a new one the buyer already gave."""
    if (parse_data.get("intent") or {}).get("name") != ADDRESS_INTENT:
        return
    if asks_address_done(normalize_text(text)):
        take_ranked_intent(parse_data, ORDER_STATUS_INTENT)


def bought_item_not_advice(text: str, parse_data: dict[str, Any]) -> None:
    """Reads 我买的是多大码的来着 (NLU: size advice) as the question about the buyer's
    order it is: the order's answer names what was bought, where size advice would
    ask for a foot length."""
    if (parse_data.get("intent") or {}).get("name") not in SHOPPING_INTENTS:
        return  # an after-sale question (退的那双是几码的) keeps its own flow
    if asks_bought_item(normalize_text(text)):
        take_ranked_intent(parse_data, ORDER_STATUS_INTENT)


def signer_not_chat(text: str, parse_data: dict[str, Any]) -> None:
    """Reads 是谁签收的 / 签收人是谁 (NLU: a yes, or a question about the bot) as the
    question about the buyer's parcel it is: the order's last scan names who signed."""
    if (parse_data.get("intent") or {}).get("name") not in SHOPPING_INTENTS | CHAT_INTENTS:
        return
    if any(word in normalize_text(text) for word in SIGNER_WORDS):
        take_ranked_intent(parse_data, ORDER_STATUS_INTENT)


PROMOTION_INTENT = "ask_promotion"


def answered_price_protection_last(tracker: DialogueStateTracker) -> bool:
    """Whether the replies to the buyer's previous message were price-protection ones."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered):
            action = str((event.metadata or {}).get("utter_action") or "")
            if action.startswith(PRICE_PROTECTION_RESPONSES):
                return True
    return False


def claim_after_price_protection(
    tracker: DialogueStateTracker, text: str, parse_data: dict[str, Any]
) -> None:
    """Reads 那怎么申请 right after a price-protection answer as that question again
    (the answer offers a person to claim it), not as a return NLU may make of it."""
    said = normalize_text(text)
    if len(said) > FOLLOW_UP_MAX_CHARS + 4 or not any(w in said for w in HOW_TO_CLAIM_WORDS):
        return
    if answered_price_protection_last(tracker):
        take_ranked_intent(parse_data, PROMOTION_INTENT)


def parcel_not_return(text: str, parse_data: dict[str, Any]) -> None:
    """Reads 我的马丁靴怎么好几天都没动了, which NLU may take for a return's progress,
    as the parcel question it is, when no word speaks of a return or its money:
    the return answer would say there is no return and never show the parcel."""
    if (parse_data.get("intent") or {}).get("name") != RETURN_STATUS_INTENT:
        return
    said = normalize_text(text)
    if any(word in said for word in RETURN_TOPIC_WORDS):
        return
    if not any(word in said for word in (*PARCEL_WORDS, *SLOW_DELIVERY_WORDS)):
        return
    ranking = parse_data.get("intent_ranking") or []
    ranked = [r for r in ranking if r.get("name") in OWN_PARCEL_INTENTS]
    if ranked:
        take_ranked_intent(parse_data, str(ranked[0]["name"]))


def stock_not_size(text: str, parse_data: dict[str, Any]) -> None:
    """Reads 燕麦色39有货吗, which NLU may take for size advice or a typed size (the size
    form would then read 39 as the buyer's usual size), as the stock question it is."""
    if (parse_data.get("intent") or {}).get("name") not in SIZE_INTENTS:
        return
    if asks_stock_only(normalize_text(text)):
        take_ranked_intent(parse_data, STOCK_INTENT)


def take_ranked_intent(parse_data: dict[str, Any], name: str) -> None:
    """Gives the parse data intent ``name`` with the higher of its own confidence in
    the ranking and that of the intent it replaces."""
    ranking = parse_data.get("intent_ranking") or []
    own = next((float(r.get("confidence") or 0) for r in ranking if r.get("name") == name), 0.0)
    take_intent(parse_data, name, max(own, float(parse_data["intent"].get("confidence") or 0)))


def take_intent(parse_data: dict[str, Any], name: str, confidence: float) -> None:
    """Gives the parse data intent ``name``, first in its ranking (the rest kept in order)."""
    taken = {"name": name, "confidence": confidence}
    ranking = parse_data.get("intent_ranking") or []
    parse_data["intent"] = taken
    parse_data["intent_ranking"] = [taken] + [r for r in ranking if r.get("name") != name]

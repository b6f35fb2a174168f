"""Returns and exchanges: the form that checks the shop's rules, opening the
request after the buyer confirms, its status, and the return tracking number.

Nothing is created before the buyer confirms, and every check is repeated in
the transaction that creates the request. No response says money was refunded
or new shoes sent unless the shop has recorded it after receiving the goods.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.access import accessible_orders
from actions.cases import DEFECT_OFFER
from actions.common import (
    confirmation,
    in_transaction,
    last_text_with_intent,
    latest_entity,
    latest_intent,
    latest_text,
    recent_user_texts,
    replies_before_latest,
)
from actions.forms import ShopFormValidation
from actions.return_checks import (
    REQUEST_INTENTS,
    Messages,
    _decision_messages,
    _item,
    _order,
    already_requested,
    already_settled,
    available_sizes,
    item_in_text,
    kept_goal,
    outside_windows,
    reason_in,
    rejected_before,
)
from actions.return_rules import reason_code
from shop.db import queries, returns
from shop.lexicon import RELATIVE_SIZES, colors_in, names_color


def other_item_named(tracker: Tracker, text: str, session: Session) -> dict[str, Any]:
    """The order and item of the shoe ``text`` names by name or alias, when it is not
    the item under discussion and one of the buyer's orders holds it (the newest)."""
    product = queries.find_product_in_text(text, session=session)
    current = _item(tracker, session)
    if product is None or (current is not None and current.product_id == product.id):
        return {}
    for order in accessible_orders(tracker, session=session):  # newest first
        item = next((i for i in order.items if i.product_id == product.id), None)
        if item is not None:
            return {"order_id": order.id, "order_item_id": str(item.id)}
    return {}


RECENT_MESSAGES = 3  # the request and the order chosen after it


# An exchange asked for before the goods left: said as the change it is.
EXCHANGE_REFUSALS = {
    "utter_return_refused_not_shipped": "utter_exchange_refused_not_shipped",
    "utter_return_refused_unpaid": "utter_exchange_refused_unpaid",
}


class ValidateReturnForm(ShopFormValidation):
    """Picks the item, checks the rules for the reason, the exchange stock, and asks to confirm."""

    own_intents = REQUEST_INTENTS

    def name(self) -> str:
        return "validate_return_form"

    def corrected_goal(self, tracker: Tracker) -> str | None:
        """A reason typed mid-form does not turn a return into an exchange.

        NLU may read 有点挤脚 as an exchange request, which sets the goal; only
        words that say so (换 / 退) change a return into an exchange or back.
        """
        return kept_goal(tracker)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Exchanges also need the wanted size; a refused request needs nothing more."""
        if tracker.get_slot("return_blocked"):
            return []
        slots = ["order_item_id", "return_reason"]
        if tracker.get_slot("after_sale_goal") == "exchange":
            slots.append("exchange_size")
        return [*slots, "return_confirmed"]

    async def extract_order_item_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A chosen item (button), an item named by product, or the only item.

        While the reason is asked, a shoe of another of the buyer's orders named
        instead (乐福鞋那双, when the form had picked the sandals) switches to it:
        its checks then run, and a refusal explains why that one cannot go back.
        """
        if tracker.get_slot("return_blocked"):
            return {}
        chosen = latest_entity(tracker, "order_item_id")
        text = latest_text(tracker)
        if tracker.get_slot("order_item_id") is not None:
            if tracker.get_slot("requested_slot") != "return_reason":
                return {}
            return await in_transaction(lambda session: other_item_named(tracker, text, session))

        earlier = recent_user_texts(tracker, RECENT_MESSAGES)[1:]

        def pick(session: Session) -> str | None:
            order = _order(tracker, session)
            if order is None:
                return None
            if chosen and any(str(item.id) == chosen for item in order.items):
                return chosen
            if len(order.items) == 1:
                return str(order.items[0].id)
            for said in (text, *earlier):  # 第一个 after 乐福鞋那双开胶了: the shoe said before
                named = item_in_text(order.items, said)
                if named:
                    return str(named.id)
            return None

        item_id = await in_transaction(pick)
        return {"order_item_id": item_id} if item_id else {}

    async def validate_order_item_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The order must be signed for and the item free of an open request."""
        if value is None:  # cleared by another step, nothing to check
            return {"order_item_id": None}

        context: dict[str, Any] = {}
        notes: Messages = []

        def check(session: Session) -> Messages:
            order = _order(tracker, session)
            items = order.items if order else []
            item = next((i for i in items if str(i.id) == str(value)), None)
            if item is None:
                return [("utter_order_not_found", {})]
            context.update(product_id=item.product_id, product_name=item.product.name)
            existing = returns.open_return_for_item(item.id, session=session)
            if existing is not None:
                # 取消退货 said when the request started, 绣花鞋 now: still a withdrawal
                request = last_text_with_intent(tracker, REQUEST_INTENTS)
                said = f"{latest_text(tracker)} {request}"
                return already_requested(existing, session, said)
            settled = returns.settled_return_for_item(item.id, session=session)
            if settled is not None:
                return already_settled(settled, session)
            rejected = returns.rejected_return_for_item(item.id, session=session)
            if rejected is not None:  # asked again: the shop's reason, then its rules
                notes.append(rejected_before(rejected))
            refusal, _ = _decision_messages(item, "quality", session)
            if refusal and refusal[0][0].endswith("quality_window"):
                return outside_windows(item, session)  # no reason could open it
            if tracker.get_slot("after_sale_goal") == "exchange":
                # 能改尺码吗 before shipping: a change of the order, not an exchange
                return [(EXCHANGE_REFUSALS.get(r, r), kwargs) for r, kwargs in refusal]
            return refusal

        messages = await in_transaction(check)
        for response, kwargs in [*notes, *messages]:
            dispatcher.utter_message(response=response, **kwargs)
        if messages:
            return {"order_item_id": None, "return_blocked": True, **context}
        return {"order_item_id": str(value), **context}

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A reason from a button, the entity, or the buyer's words.

        When the form starts, the request that started it ("小了想换大一码")
        may already say why. An exchange answered with a size is a size
        problem, and so is an exchange asked one size up or down (换个大一码的).
        An answer that gives no reason is asked again.
        """
        requested = tracker.get_slot("requested_slot")
        if tracker.get_slot("return_reason") or requested not in (None, "return_reason"):
            return {}
        if self.digresses(tracker):
            return {}
        entity = latest_entity(tracker, "return_reason")
        text = latest_text(tracker)
        reason = reason_code(entity) or reason_in(entity or text)
        if reason is None and requested is None:
            reason = reason_in(last_text_with_intent(tracker, REQUEST_INTENTS))
        if reason is None and requested is None and offered_for_a_defect(tracker):
            # 换货 after 左右脚不一样大 was offered a return or an exchange for it
            reason = reason_in(last_text_with_intent(tracker, {"report_delivery_problem"}))
        exchange = tracker.get_slot("after_sale_goal") == "exchange"
        said = text if requested else f"{text} {last_text_with_intent(tracker, REQUEST_INTENTS)}"
        relative = any(word in said for word in RELATIVE_SIZES)  # 想换个大一码的
        if reason is None and exchange and (relative or sizing.parse_size_answer(text)):
            reason = "size"
        return {"return_reason": reason} if reason else {}

    async def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Applies the window of the reason; a refusal explains the rule."""
        if value is None:  # cleared by another step, nothing to check
            return {"return_reason": None}
        value = reason_code(value)
        if value is None:
            return {"return_reason": None}

        def check(session: Session) -> Messages | None:
            item = _item(tracker, session)
            if item is None:
                return None
            return _decision_messages(item, value, session)[0]

        messages = await in_transaction(check)
        if messages is None:
            return {"return_reason": value}  # the item check runs first and reports
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        if messages:
            return {"return_reason": None, "return_blocked": True}
        return {"return_reason": value}

    async def extract_exchange_size(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The wanted size (and colour, if named) for an exchange.

        Read from the answer to the size question, or earlier from any
        message of the exchange that names a size ("换39码", "大一码"); and at
        the summary, a size or colour typed instead of yes (41, 还是换41吧,
        换黑色的) changes the wish, and the new summary is confirmed.
        """
        requested = tracker.get_slot("requested_slot")
        at_summary = changes_exchange_at_summary(tracker)
        asked = requested == "exchange_size" or at_summary
        if tracker.get_slot("after_sale_goal") != "exchange" or (
            tracker.get_slot("exchange_size") is not None and not asked
        ):
            return {}
        stock_answer = asked and latest_intent(tracker) == "ask_stock"  # 43码有货吗: the wish
        if not stock_answer and (
            self.digresses(tracker) or (not asked and self.passes_through(tracker))
        ):
            return {}
        texts = [latest_text(tracker)]
        if requested is None:
            texts.append(last_text_with_intent(tracker, REQUEST_INTENTS))
        # "大一码" first: the size parser would read its 一码 as size 1.
        step = next((RELATIVE_SIZES[w] for t in texts for w in RELATIVE_SIZES if w in t), None)
        stems = [c for c in [latest_entity(tracker, "color"), *colors_in(texts[0])] if c]
        size = None
        if step is None:
            size = next((s for s in map(sizing.parse_size_answer, texts) if s is not None), None)

        def resolve(session: Session) -> tuple[float | None, str | None]:
            item = _item(tracker, session)
            if item is None:
                return size, next(iter(stems), None)
            colors = sorted({row.color for row in item.product.stock})
            color = next((c for c in colors if names_color(texts[0], c)), None) or next(
                (c for stem in stems for c in colors if stem in c), None
            )
            if step is not None:
                return item.size + step, color
            if size is None and color and asked:  # 换黑色的: the same size, other colour
                wished = tracker.get_slot("exchange_size") if at_summary else None
                return (item.size if wished is None else float(wished)), color
            return size, color

        size, color = await in_transaction(resolve)
        slots: dict[str, Any] = {}
        if size is not None:
            slots["exchange_size"] = size
        if color:
            slots["exchange_color"] = color
        return slots

    async def validate_exchange_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The wanted size must differ and be in stock (not reserved by others)."""
        if value is None:  # cleared by another step, nothing to check
            return {"exchange_size": None}
        if float(value) < 0 or not sizing.is_plausible_size(float(value)):
            dispatcher.utter_message(response="utter_exchange_size_invalid")
            return {"exchange_size": None}
        size = float(value)

        def check(session: Session) -> Messages | None:
            item = _item(tracker, session)
            if item is None or tracker.get_slot("return_blocked"):
                return None  # the item check speaks for it
            color = tracker.get_slot("exchange_color") or item.color
            if size == item.size and color == item.color:
                return [("utter_exchange_same_item", {})]
            sizes = available_sizes(item, color, session)
            if size not in sizes:
                shown = "、".join(sizing.format_size(s) for s in sizes) or "-"
                return [(
                    "utter_exchange_no_stock",
                    {"color": color, "size": sizing.format_size(size), "sizes": shown},
                )]  # fmt: skip
            return []

        messages = await in_transaction(check)
        if messages is None:
            return {"exchange_size": None}
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        return {"exchange_size": None if messages else size}

    async def extract_return_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no to the summary (那就退货吧 restating a return is a yes); not a yes
        that changes the size (是的 换41吧)."""
        if changes_exchange_at_summary(tracker):
            return {}
        return confirmation(tracker, "return_confirmed", tracker.get_slot("after_sale_goal"))


def changes_exchange_at_summary(tracker: Tracker) -> bool:
    """Whether the exchange's summary is answered with a size or colour.

    Then the wish is read again and the new summary confirmed: a yes in the
    same message (43码 确认, 还是换43吧) never submits a size the buyer has not
    seen in a summary.
    """
    if (
        tracker.get_slot("requested_slot") != "return_confirmed"
        or tracker.get_slot("after_sale_goal") != "exchange"
    ):
        return False
    text = latest_text(tracker)
    return (
        any(word in text for word in RELATIVE_SIZES)
        or bool(colors_in(text))
        or sizing.parse_size_answer(text) is not None
    )


def offered_for_a_defect(tracker: Tracker) -> bool:
    """Whether the assistant's last message before the buyer's offered a return or an
    exchange for a defect the buyer told as a delivery problem."""
    replies = replies_before_latest(tracker)
    return bool(replies) and (replies[0].get("metadata") or {}).get("utter_action") == DEFECT_OFFER

"""Size advice: a form gathers product, foot length (or usual size) and foot
shape; the recommendation comes from the product's size chart and fit note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import sizing
from actions.common import (
    ShopDataUnavailableError,
    in_transaction,
    latest_entity,
    latest_intent,
    latest_text,
    recent_user_texts,
    yes_or_no,
)
from actions.products import ProductFormValidationBase
from shop.answers.products import product_answer
from shop.db import queries
from shop.db.reviews import product_reviews
from shop.fit_notes import length_allowance, step_for
from shop.lexicon import (
    DONT_KNOW_WORDS,
    FIT_ASK_WORDS,
    FIT_LABELS,
    FOOT_SHAPE_LABELS,
    FOOT_SHAPE_WORDS,
    NORMAL_FOOT_FALLBACK_WORDS,
    asks_stock_only,
    code_of,
    first_key,
    label,
)
from shop.review_stats import ReviewFacts, fit_disagreement, summarize

# Intents during which an answer to the form's question is expected out of
# turn (a foot length said with the size question); when a slot is asked, any
# message is read as its answer first (actions/forms.py).
ANSWER_INTENTS = frozenset({"inform", "ask_size_advice", "affirm", "nlu_fallback", "out_of_scope"})


def _foot_shape_in(text: str, *, asked: bool = True) -> str | None:
    """The foot shape the words name; vague ones (一般, 不知道) only when it was asked."""
    shape = first_key(text, FOOT_SHAPE_WORDS)
    if shape is None and asked and any(word in text for word in NORMAL_FOOT_FALLBACK_WORDS):
        return "normal"
    return shape


def explicit_foot(text: str) -> bool:
    """Whether ``text`` states a foot (脚长16厘米, 平时穿41), rather than names a size."""
    return any(w in text for w in ("脚长", "厘米", "cm", "公分")) or bool(
        sizing.parse_worn_size(text)
    )


class ValidateSizeAdviceForm(ProductFormValidationBase):
    """Fills and checks the size form's slots from free Chinese text."""

    answer_intents = ANSWER_INTENTS
    own_intents = frozenset({"ask_size_advice"})

    def name(self) -> str:
        return "validate_size_advice_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """As the base; a new size question also drops a product question left
        pending by an earlier one that was never finished."""
        misses = tracker.get_slot("form_misses")
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot") is None and tracker.get_slot("pending_question"):
            events.append(SlotSet("pending_question", None))
        if await self._tell_fit(dispatcher, tracker):  # answered: no miss
            events = [e for e in events if e.get("name") != "form_misses"]
            events.append(SlotSet("form_misses", misses))
        return events

    @staticmethod
    async def _tell_fit(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """这款偏大还是偏小 before the foot length is known: the catalogue's fit note
        at once, and the form then asks on. Whether it was said."""
        product_id = tracker.get_slot("product_id")
        text = latest_text(tracker)
        if not product_id or tracker.get_slot("foot_length_cm") is not None:
            return False
        if not any(word in text for word in FIT_ASK_WORDS):
            return False

        def note(session: Session) -> tuple[str, str] | None:
            product = queries.get_product(str(product_id), session=session)
            return (product.name, product.fit_note) if product and product.fit_note else None

        try:
            found = await in_transaction(note)
        except ShopDataUnavailableError:
            return False
        if found is None:
            return False
        name, fit_note = found
        dispatcher.utter_message(response="utter_fit_note", product_name=name, fit_note=fit_note)
        return True

    def hint_response(self, slot: str, tracker: Tracker) -> str | None:
        """不知道脚长 gets how to measure, or the usual size, instead of an example."""
        text = latest_text(tracker)
        if slot == "foot_length_cm" and any(w in text for w in DONT_KNOW_WORDS):
            return "utter_hint_measure_foot"
        if tracker.get_slot("product_id") and any(w in text for w in FIT_ASK_WORDS):
            return None  # 偏大还是偏小 was no bad answer: the fit note follows
        return super().hint_response(slot, tracker)

    @staticmethod
    def _is_answer(tracker: Tracker, slot: str) -> bool:
        """Whether the message answers ``slot``: it was asked, or it is said with the request."""
        requested = tracker.get_slot("requested_slot")
        return requested == slot or (requested is None and latest_intent(tracker) in ANSWER_INTENTS)

    async def extract_foot_length_cm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads a foot length, or a usual size converted to a foot length.

        Read from the answer to the question, or out of turn from a message
        that answers (脚长24.5, 平时穿39 said with the size question). Nothing
        found leaves the slot empty: the form base hints and asks again.
        """
        if not self._is_answer(tracker, "foot_length_cm") and (
            latest_intent(tracker) not in ANSWER_INTENTS
        ):
            return {}
        text = latest_text(tracker)
        if latest_intent(tracker) == "ask_stock" and (
            self.digresses(tracker) or asks_stock_only(text)
        ):
            return {}  # 42码有货吗, 燕麦色39有货马: the size wanted, not the size worn
        known = tracker.get_slot("foot_length_cm") is not None
        if known and not self._is_answer(tracker, "foot_length_cm") and not explicit_foot(text):
            return {}  # 28码呢 while the foot shape is asked: no new foot, keep the known one
        entity_text = latest_entity(tracker, "foot_length")
        length = sizing.parse_foot_length_cm(entity_text or text)
        size_text = latest_entity(tracker, "shoe_size")
        size = sizing.parse_worn_size(text) or sizing.parse_shoe_size(
            f"{size_text}码" if size_text else text
        )
        if length is not None:
            return {"foot_length_cm": length, "usual_size": None}
        if size is not None:
            return {"usual_size": size, "foot_length_cm": "size"}
        return {}

    def validate_foot_length_cm(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accepts 12-32 cm, or a usual size 20-50; otherwise explains and re-asks."""
        if slot_value is None:  # cleared by another step, nothing to check
            return {"foot_length_cm": None}
        if slot_value == "size":
            size = tracker.get_slot("usual_size")
            if size is None or not sizing.is_plausible_size(float(size)):
                dispatcher.utter_message(response="utter_size_out_of_range", shoe_size=size)
                return {"foot_length_cm": None, "usual_size": None}
            length = sizing.size_to_foot_length_cm(float(size))
            dispatcher.utter_message(
                response="utter_size_from_usual",
                usual_size=sizing.format_size(float(size)),
                foot_length=f"{length:g}",
            )
            return {"foot_length_cm": length}
        if isinstance(slot_value, int | float):
            if sizing.is_plausible_foot_length(float(slot_value)):
                return {"foot_length_cm": float(slot_value)}
            dispatcher.utter_message(
                response="utter_foot_length_out_of_range", foot_length=f"{slot_value:g}"
            )
            return {"foot_length_cm": None}
        dispatcher.utter_message(response="utter_invalid_foot_length")
        return {"foot_length_cm": None}

    async def extract_foot_shape(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads the foot shape from the entity, a button, or plain words."""
        entity = latest_entity(tracker, "foot_shape")
        shape = code_of(FOOT_SHAPE_LABELS, entity)
        text = latest_text(tracker)
        # Out of turn ("脚比较宽" while the shoe is asked) only when it speaks of the foot.
        about_foot = ("脚" in text or "足" in text) and latest_intent(tracker) in ANSWER_INTENTS
        if shape is None and (
            entity
            or about_foot
            or self._is_answer(tracker, "foot_shape")
            or tracker.get_slot("requested_slot") is None
        ):
            asked = tracker.get_slot("requested_slot") == "foot_shape"
            shape = _foot_shape_in(text, asked=asked)
            if shape is None and asked and yes_or_no(tracker):
                shape = "normal"  # 好的 那我拍了: nothing special about the foot
        if shape is None or shape == tracker.get_slot("foot_shape"):
            return {}
        return {"foot_shape": shape}

    def validate_foot_shape(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Maps any known shape word to its canonical value."""
        if slot_value is None:  # cleared by another step, nothing to check
            return {"foot_shape": None}
        shape = code_of(FOOT_SHAPE_LABELS, slot_value) or _foot_shape_in(str(slot_value))
        return {"foot_shape": shape}


SAID_MESSAGES = 6  # the buyer's latest messages read for what they wear (厚袜)


class ActionRecommendSize(Action):
    """Recommends a size from the product's chart, fit note and the buyer's foot."""

    def name(self) -> str:
        return "action_recommend_size"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        product_id = tracker.get_slot("product_id")
        length = tracker.get_slot("foot_length_cm")
        shape = tracker.get_slot("foot_shape")
        if not product_id or length is None:
            dispatcher.utter_message(response="utter_default")
            return []

        pending = tracker.get_slot("pending_question")

        def advise(session: Session) -> list[tuple[str, dict]]:
            product = queries.get_product(product_id, session=session)
            if product is None:
                return [("utter_unknown_product", {})]
            reviews = product_reviews(product.id, session=session)
            said = " ".join(recent_user_texts(tracker, SAID_MESSAGES))
            messages = recommendation_messages(product, float(length), shape, reviews, said)
            if isinstance(pending, dict):  # asked while the form still needed the shoe
                messages += product_answer(
                    product,
                    str(pending.get("question")),
                    pending.get("part"),
                    pending.get("function"),
                )
            return messages

        try:
            messages = await in_transaction(advise)
        except ShopDataUnavailableError:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        for response, kwargs in messages:
            dispatcher.utter_message(response=response, **kwargs)
        # Keep product and foot for follow-up questions; a new form asks again
        # only for what is missing.
        done = [SlotSet("pending_question", None)] if pending is not None else []
        return [SlotSet("requested_slot", None), *done]


def recommendation_messages(
    product: Any,
    length: float,
    shape: str | None,
    reviews: Sequence[ReviewFacts] = (),
    said: str = "",
) -> list:
    """The responses (name, variables) advising ``product`` for a foot.

    A clause of the fit note for this buyer's foot shape or for what they ``said``
    they wear (脚瘦的拍小一码, 冬天穿厚袜建议拍大一码: ``shop/fit_notes.py``) moves the
    size, and replaces the general half size for wide feet. When the ``reviews``
    disagree with the fit note (``shop/review_stats.py``), the advice says so:
    40%的买家反馈偏小.
    """
    name = product.name
    chart = [sizing.ChartRow(row.size, row.foot_length_mm) for row in product.size_chart]
    if not chart:
        return [("utter_size_chart_missing", {"product_name": name}), ("utter_offer_human", {})]
    note = step_for(product.fit_note or "", shape, said)
    allowance = length_allowance(product.fit_note or "")  # 按脚长加1厘米选码
    advice = sizing.recommend_size(
        chart,
        length + (allowance.step if allowance is not None else 0.0),
        fit_adjust=product.fit_adjust or 0.0,
        foot_shape=None if note is not None and note.condition == shape else shape,
        wide_last=bool(product.wide_last),
        note_step=note.step if note is not None else 0.0,
    )
    if advice is None:
        sizes = sorted(row.size for row in chart)
        return [
            (
                "utter_size_no_fit",
                {
                    "product_name": name,
                    "foot_length": f"{length:g}",
                    "min_size": sizing.format_size(sizes[0]),
                    "max_size": sizing.format_size(sizes[-1]),
                },
            )
        ]
    size = sizing.format_size(advice.size)
    shown = f"{length:g}"
    if allowance is not None:  # 16厘米加1厘米即17厘米的脚长对应24码
        shown = f"{length:g}厘米加{allowance.step:g}厘米即{length + allowance.step:g}"
    messages: list[tuple[str, dict]] = [
        (
            "utter_size_recommendation",
            {
                "product_name": name,
                "foot_length": shown,
                "chart_size": sizing.format_size(advice.chart_size),
                "size": size,
            },
        )
    ]
    for reason in advice.reasons:
        messages.append(
            (
                f"utter_size_reason_{reason}",
                {
                    "fit_note": product.fit_note or "",
                    "foot_shape": label(FOOT_SHAPE_LABELS, shape),
                    "size": size,
                    "clause": note.clause if note is not None else "",
                },
            )
        )
    if allowance is not None:
        messages.append(
            ("utter_size_reason_fit_note_step", {"clause": allowance.clause, "size": size})
        )
    elif product.fit_note and not {"fit_adjust", "fit_note_step"} & set(advice.reasons):
        # 正码, 孩子脚长+1厘米选: the shop's own word on the fit, said once
        messages.append(("utter_fit_note", {"product_name": name, "fit_note": product.fit_note}))
    disagreement = fit_disagreement(product.fit_adjust, summarize(reviews))
    if disagreement is not None:
        messages.append(
            (
                "utter_size_reviews_disagree",
                {"percent": disagreement.percent, "fit": FIT_LABELS[disagreement.fit],
                 "fit_count": disagreement.fit_count},
            )
        )  # fmt: skip
    colors = sorted(
        {item.color for item in product.stock if item.size == advice.size and item.quantity > 0}
    )
    if colors:
        messages.append(("utter_size_in_stock", {"size": size, "colors": "、".join(colors)}))
    else:
        messages.append(("utter_size_out_of_stock", {"size": size}))
    return messages

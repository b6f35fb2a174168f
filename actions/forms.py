"""The base of every form validation action in this project.

Every question a form asks must accept a typed answer and never end in the
core fallback. Rasa rejects a form step when nothing was extracted for the
requested slot, and with no rule for what follows the buyer would read
"没太明白" (Rasa issue #9520). So after the extract and validate methods ran:

- an answer that filled something goes on as usual;
- a message whose intent has rules inside forms (a digression such as a
  shipping question, leaving with 算了 or asking for a person, or a request of
  another flow) is left to those rules: the step is rejected on purpose;
- anything else is a miss: the form asks its question again with a short
  hint, and the second miss in a row also offers a human.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import is_question, latest_intent, latest_text
from shop.lexicon import DONT_KNOW_WORDS, OFFER_HUMAN_IN_FORM

# Questions answered inside any form, after which the form asks again
# (data/rules/forms.yml).
DIGRESSION_INTENTS = frozenset(
    {"ask_return_policy", "ask_shipping", "ask_promotion", "bot_challenge", "ask_material",
     "ask_function", "ask_stock", "ask_reviews", "send_photo"}
)  # fmt: skip
# Leaving the form: stop (deny, goodbye) or a person (request_human).
LEAVE_INTENTS = frozenset({"deny", "goodbye", "request_human"})
AFTER_SALE_INTENTS = frozenset(
    {"check_order_status", "report_delivery_problem", "request_return", "request_exchange",
     "check_return_status", "change_address"}
)  # fmt: skip
# Requests that start another flow (action_switch_request).
REQUEST_INTENTS = AFTER_SALE_INTENTS | {"ask_size_advice", "complain"}
PASSTHROUGH_INTENTS = DIGRESSION_INTENTS | LEAVE_INTENTS | REQUEST_INTENTS
MISSES_BEFORE_HUMAN = 2
# The responses of a re-ask, as the staff pages count them (a buyer stuck in a form).


class ShopFormValidation(FormValidationAction, ABC):
    """A form validation action that keeps helper slots and never dead-ends.

    rasa-sdk 3.6 drops every slot an ``extract_<slot>`` method returns unless it
    is one of the form's required slots, so a recipient read together with an
    address, or a "refused" flag, would be lost: this keeps them. It also turns
    a typed answer that fills nothing into a re-ask (module docstring).
    """

    #: Intents that belong to this form: read as answers, never passed through.
    own_intents: frozenset[str] = frozenset()
    #: Helper slots whose setting is progress without an answer (a narrowed choice).
    progress_slots: frozenset[str] = frozenset()

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

    def passes_through(self, tracker: Tracker) -> bool:
        """Whether the latest message is for the rules rather than an answer.

        不记得了 (NLU: deny) answers the question: the hint says where to look.
        """
        intent = latest_intent(tracker) or ""
        if intent == "deny" and any(w in latest_text(tracker) for w in DONT_KNOW_WORDS):
            return False
        return intent in PASSTHROUGH_INTENTS and intent not in self.own_intents

    def digresses(self, tracker: Tracker) -> bool:
        """A question with a digression's intent (退货运费谁出 鞋子小了): not an answer."""
        return self.passes_through(tracker) and is_question(latest_text(tracker))

    def hint_response(self, slot: str, tracker: Tracker) -> str | None:
        """The short hint sent before asking ``slot`` again (``utter_hint_<slot>``)."""
        return f"utter_hint_{slot}"  # HINT_PREFIX

    def repeats_request(self, tracker: Tracker) -> bool:
        """Whether the message repeats the request the form serves (no hint then)."""
        return False

    def question_dropped(self, tracker: Tracker) -> bool:
        """Whether the message made the asked slot unnecessary (no re-ask then)."""
        return False

    def corrected_goal(self, tracker: Tracker) -> str | None:
        """The after-sale goal the buyer's words mean, when NLU's reading set another.

        None keeps the goal. Forms whose goal words can be misread override it.
        """
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Extracts, validates, and returns the validated slots plus helper slots.

        A goal corrected from the buyer's words is set first, so extraction and
        validation see it.
        """
        goal = self.corrected_goal(tracker)
        corrected: list[EventType] = []
        if goal is not None and goal != tracker.get_slot("after_sale_goal"):
            tracker.slots["after_sale_goal"] = goal
            corrected = [SlotSet("after_sale_goal", goal)]
        extraction_events = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction_events)
        validation_events = await self._extract_validation_events(dispatcher, tracker, domain)
        own = set(self.domain_slots(domain)) | {"requested_slot"}
        validated = {event.get("name") for event in validation_events}
        helpers = [
            event
            for event in extraction_events
            if event.get("name") not in own and event.get("name") not in validated
        ]
        events = helpers + validation_events
        return corrected + events + self._miss_events(dispatcher, tracker, domain, events)

    def _miss_events(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        events: list[EventType],
    ) -> list[EventType]:
        """Re-asks (hint, then a human offered) when the asked slot got nothing."""
        requested = tracker.get_slot("requested_slot")
        own = set(self.domain_slots(domain))
        filled = any(
            e.get("event") == "slot" and e.get("name") in own and e.get("value") is not None
            for e in events
        )
        misses = int(tracker.get_slot("form_misses") or 0)
        if filled or not requested or requested not in own:
            return [SlotSet("form_misses", 0)] if misses and (filled or not requested) else []
        if self.question_dropped(tracker):
            # A slot event all the same, or Rasa rejects the step and the core
            # fallback answers instead of the form's end.
            return [SlotSet("form_misses", 0)]
        if any(
            e.get("event") == "slot" and e.get("name") in self.progress_slots and e.get("value")
            for e in events
        ):
            return [SlotSet(requested, None)]  # asked again among fewer choices
        complained = any(
            e.get("event") == "bot" or (e.get("event") == "slot" and e.get("name") in own)
            for e in events
        ) or bool(dispatcher.messages)
        if not complained and self.passes_through(tracker):
            return []  # rejected on purpose: the rules answer it
        if not latest_text(tracker).strip():
            return [SlotSet(requested, None)]
        if self.repeats_request(tracker) and not misses:
            return [SlotSet(requested, None), SlotSet("form_misses", 1)]  # the choice again
        misses += 1
        if not complained:
            hint = self.hint_response(str(requested), tracker)
            if hint and hint in (domain.get("responses") or {}):
                dispatcher.utter_message(response=hint)
        if misses >= MISSES_BEFORE_HUMAN:
            dispatcher.utter_message(response=OFFER_HUMAN_IN_FORM)
        return [SlotSet(requested, None), SlotSet("form_misses", misses)]

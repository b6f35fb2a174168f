"""Leaving a form cleanly when the buyer asks for something else.

A request of another flow typed in the middle of a form (发什么快递 is a
digression and keeps the form; 我要退货 while choosing a size is a new
request) ends the form and forgets its half-filled answers; the rules of
data/rules/forms.yml then start the new flow at once. Left at its final
confirmation, the buyer is told the change was not made. What the conversation is about (the
shoe, the order, the foot) is kept: it is context, not an answer.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Half-filled answers of each form, forgotten when it is left. Context slots
# (order_id, product_id, foot_length_cm, foot_shape) stay.
ANSWER_SLOTS = {
    "order_form": ("order_choices", "all_orders"),
    "return_form": ("order_item_id", "return_reason", "exchange_size", "exchange_color",
                    "return_confirmed", "return_blocked"),
    "address_form": ("new_address", "new_recipient", "new_phone", "address_confirmed",
                     "address_blocked"),
    "rating_form": ("rating_score", "rating_comment"),
}  # fmt: skip


# A form left while it asked for the final yes: the buyer is told nothing was done.
DROPPED_AT_CONFIRMATION = {
    "address_confirmed": "utter_address_change_dropped",
    "return_confirmed": "utter_return_request_dropped",
}


class ActionSwitchRequest(Action):
    """Ends the active form; the rule that ran it starts the buyer's new request."""

    def name(self) -> str:
        return "action_switch_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = tracker.active_loop.get("name") if tracker.active_loop else None
        dropped = DROPPED_AT_CONFIRMATION.get(str(tracker.get_slot("requested_slot")))
        if dropped:  # 确认 typed later must not read as if the change had been made
            dispatcher.utter_message(response=dropped)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("form_misses", 0),
            *(SlotSet(slot, None) for slot in ANSWER_SLOTS.get(str(form), ())),
        ]

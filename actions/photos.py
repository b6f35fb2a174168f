"""Photos a buyer sends from the widget.

The channel stores an upload (``channels/uploads.py``) and then sends
``/send_photo{"photo_id": ...}`` into the conversation itself; a buyer who only
asks how to send one gets ``send_photo`` without an id. The photo is trusted
only when it belongs to this conversation.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import latest_entity, reply_in_transaction
from shop.db import queries

Messages = list[tuple[str, dict[str, str]]]


class ActionReceivePhoto(Action):
    """Confirms a stored photo, or explains the widget's photo button."""

    def name(self) -> str:
        return "action_receive_photo"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        photo_id = latest_entity(tracker, "photo_id")
        if not photo_id:
            dispatcher.utter_message(response="utter_how_to_send_photo")
            return []

        def confirm(session: Session) -> Messages:
            photo = queries.get_photo(photo_id, session=session)
            if photo is None or photo.conversation_id != tracker.sender_id:
                return [("utter_photo_not_found", {})]
            if photo.return_id:
                return [("utter_photo_received_for_return", {"return_id": photo.return_id})]
            if tracker.active_loop_name:
                return [("utter_photo_received_in_form", {})]
            return [("utter_photo_received", {})]

        await reply_in_transaction(dispatcher, confirm)
        return []

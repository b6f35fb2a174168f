"""The base of every form validation action in this project."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ShopFormValidation(FormValidationAction, ABC):
    """A form validation action whose ``extract_`` methods may set helper slots.

    rasa-sdk 3.6 drops every slot an ``extract_<slot>`` method returns unless it
    is one of the form's required slots, so a recipient read together with an
    address, or a "refused" flag, would be lost. This keeps the extracted slots
    that are not the form's own (the form's own still go through validation).
    """

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Extracts, validates, and returns the validated slots plus helper slots."""
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
        return helpers + validation_events

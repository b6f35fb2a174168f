"""The buyer's latest message and the conversation's slots, as plain values.

The actions read it from rasa-sdk's tracker (``actions/common.py``: ``asked_of``),
the agent console from the tracker Rasa predicts on; the shop core never sees Rasa.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shop.identity import buyer_id_from_token

MAX_MESSAGE_CHARS = 2000  # words are matched in the whole message, not NLU's capped text


@dataclass(frozen=True)
class Asked:
    """The latest message: ``text`` as NLU read it (simplified script, NFKC widths),
    its intent, entities and channel metadata; the slots and the active form."""

    text: str = ""
    intent: str | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    slots: Mapping[str, Any] = field(default_factory=dict)
    active_loop: str | None = None

    @classmethod
    def read(
        cls,
        latest_message: Mapping[str, Any] | None,
        slots: Mapping[str, Any],
        active_loop: str | None,
        *,
        text: str,
    ) -> Asked:
        """From a tracker's ``latest_message`` and slots; ``text`` already normalised."""
        message = latest_message or {}
        metadata = message.get("metadata") or {}
        return cls(
            text=text,
            intent=(message.get("intent") or {}).get("name"),
            entities=tuple(message.get("entities") or ()),
            metadata=metadata if isinstance(metadata, dict) else {},
            slots=dict(slots),
            active_loop=active_loop,
        )

    def entity(self, name: str) -> str | None:
        """The first value of entity ``name`` in the message, if any."""
        for entity in self.entities:
            if entity.get("entity") == name and entity.get("value") not in (None, ""):
                return str(entity["value"])
        return None

    def entity_values(self, name: str) -> list[str]:
        """Every value of entity ``name`` in the message, in order."""
        return [
            str(e["value"])
            for e in self.entities
            if e.get("entity") == name and e.get("value") not in (None, "")
        ]

    def slot(self, name: str) -> Any:
        """The value of slot ``name`` (``None`` when unset)."""
        return self.slots.get(name)

    @property
    def buyer_id(self) -> str | None:
        """The buyer named by a valid token on the message."""
        return buyer_id_from_token(self.metadata.get("buyer_token"))

    @property
    def verified_order_ids(self) -> list[str]:
        """Orders proven by phone suffix earlier in this conversation."""
        value = self.slot("verified_order_ids") or []
        return [str(v) for v in value] if isinstance(value, list) else []

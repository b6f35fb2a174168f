"""A conversation as agents see it: messages, unread counts, export.

Messages (``M`` in ``docs/console-api.md``) are the lines of the one renderer,
:mod:`shop.transcript`: button clicks as their titles, triggered events as
grey notes, never a slash payload. Exports mask phone numbers and addresses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shop import transcript
from shop.config import settings
from shop.lexicon import INTENT_LABELS, label
from shop.masking import mask_phone

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-－ ](\d{3,4})(\d{4})(?!\d)")
_NAME_CHAR = r"(?![是在到的寄址往改为送收从了把和与我你您])[\u4e00-\u9fff]"  # not a particle
_PLACE = f"(?:{_NAME_CHAR}){{2,4}}?(?:省|自治区|市|区|县|旗)"
_BETWEEN = r"[\u4e00-\u9fffA-Za-z0-9#\-－()（）·]{0,20}?"
_STREET = r"(?:路|街|道|巷|弄|胡同|村|镇|乡|小区|大厦|广场|花园|公寓|园区|号|栋|幢|座|单元|室|楼)"
_TAIL = r"(?:[A-Za-z0-9#\-－]+|[号栋幢座单元室楼层院弄])*"
# A place (省/市/区/县) followed by street-like parts, each with its numbers.
ADDRESS = re.compile(_PLACE + f"(?:{_BETWEEN}{_STREET}{_TAIL})+")
ADDRESS_MASK = "[地址已隐藏]"
CSV_FIELDS = (
    "time", "who", "agent_name", "intent", "intent_label", "confidence", "text", "buttons",
    "photo_id",
)  # fmt: skip


def iso_time(timestamp: Any) -> str | None:
    """A tracker timestamp (Unix seconds) as ISO 8601 in the shop's time zone."""
    if not isinstance(timestamp, int | float):
        return None
    return datetime.fromtimestamp(timestamp, ZoneInfo(settings.timezone)).isoformat()


def message(line: transcript.Line) -> dict[str, Any]:
    """``M`` of one rendered line (``kind``: text, click, choice, photo, message, note).

    Buttons keep only their titles: staff never see a payload.
    """
    event, who = line.event, line.who
    intent = ((event.get("parse_data") or {}).get("intent") or {}) if who == "buyer" else {}
    data = (event.get("data") or {}) if who in ("bot", "agent") else {}
    agent = (event.get("metadata") or {}).get("agent_name") if who == "agent" else None
    return {
        "who": who,
        "kind": line.kind,
        "text": line.text,
        "time": iso_time(event.get("timestamp")),
        "agent_name": agent,
        "intent": intent.get("name"),
        "intent_label": label(INTENT_LABELS, intent.get("name")) or None,
        "confidence": intent.get("confidence"),
        "buttons": [{"title": str(b.get("title") or "")} for b in transcript.buttons(event)]
        if data
        else [],
        "custom": data.get("custom"),
        "photo_id": line.photo_id,
    }


def messages(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation's messages as agents read them, oldest first."""
    return [message(line) for line in transcript.render(events)]


def activity(events: Iterable[dict[str, Any]]) -> tuple[str | None, int]:
    """``(last_buyer_message_at, unread)``.

    Unread: the buyer's messages after the agent's latest reply or, before the
    first reply, after the conversation was paused for a person.
    """
    last_buyer: float | None = None
    unread = 0
    for event in events:
        kind = event.get("event")
        agent = kind == "bot" and (event.get("metadata") or {}).get("agent_name")
        if agent or kind == "pause":
            unread = 0
        elif transcript.is_buyer_message(event):
            unread += 1
            stamp = event.get("timestamp")
            last_buyer = stamp if isinstance(stamp, int | float) else last_buyer
    return iso_time(last_buyer), unread


def latest_buyer_text(events: list[dict[str, Any]]) -> str | None:
    """The buyer's latest message if they typed it (not a photo or a button click)."""
    said = [line for line in transcript.render(events) if line.who == "buyer"]
    return said[-1].text if said and said[-1].kind == "text" else None


def known_addresses(events: Iterable[dict[str, Any]]) -> set[str]:
    """Address values the conversation's slots held (``new_address`` and the like)."""
    found = set()
    for event in events:
        value = event.get("value")
        slot = event.get("event") == "slot" and "address" in str(event.get("name") or "")
        if slot and isinstance(value, str) and len(value.strip()) >= 4:
            found.add(value.strip())
    return found


def mask_text(text: str, addresses: Iterable[str] = ()) -> str:
    """``text`` with mobile and landline numbers and addresses masked."""
    for address in sorted(set(addresses), key=len, reverse=True):
        text = text.replace(address, ADDRESS_MASK)
    text = MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    text = LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
    return ADDRESS.sub(ADDRESS_MASK, text)


def mask(value: Any, addresses: Iterable[str] = ()) -> Any:
    """Every string inside ``value`` (dicts, lists) masked with :func:`mask_text`."""
    addresses = tuple(addresses)
    if isinstance(value, str):
        return mask_text(value, addresses)
    if isinstance(value, list):
        return [mask(item, addresses) for item in value]
    if isinstance(value, dict):
        return {key: mask(item, addresses) for key, item in value.items()}
    return value


def export_json(
    escalation: dict[str, Any], events: list[dict[str, Any]], addresses: Iterable[str] = ()
) -> dict[str, Any]:
    """The conversation as one JSON document, masked."""
    hidden = known_addresses(events) | set(addresses)
    return {
        "escalation": mask(escalation, hidden),
        "messages": mask(messages(events), hidden),
        "exported_at": datetime.now(ZoneInfo(settings.timezone)).isoformat(),
    }


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(events: list[dict[str, Any]], addresses: Iterable[str] = ()) -> str:
    """The conversation's messages as CSV (UTF-8 with BOM for spreadsheets), masked."""
    hidden = known_addresses(events) | set(addresses)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in mask(messages(events), hidden):
        row["buttons"] = " | ".join(str(b.get("title") or "") for b in row["buttons"])
        writer.writerow([_cell(row[field]) for field in CSV_FIELDS])
    return out.getvalue()

"""action_receive_photo: confirms only photos of this conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.photos import ActionReceivePhoto
from shop.db import queries
from shop.db.models import Photo
from shop.db.session import session_scope
from tests.conftest import make_tracker, token

pytestmark = pytest.mark.usefixtures("shop_db")

PAYLOAD = '/send_photo{"photo_id":"%s"}'


def add_photo(photo_id: str, conversation_id: str, return_id: str | None = None) -> None:
    with session_scope() as session:
        session.add(
            Photo(
                id=photo_id,
                conversation_id=conversation_id,
                buyer_id=conversation_id.removeprefix("buyer-")
                if conversation_id.startswith("buyer-")
                else None,
                return_id=return_id,
                content_type="image/jpeg",
                size_bytes=1234,
                width=640,
                height=480,
                sha256="0" * 64,
                storage_path=f"2026/12/{photo_id}.jpg",
                created_at=datetime(2026, 12, 1, 10, 0),
            )
        )


def tracker(sender_id: str, photo_id: str | None, **kwargs: Any) -> Tracker:
    entities = [{"entity": "photo_id", "value": photo_id}] if photo_id else []
    text = PAYLOAD % photo_id if photo_id else "怎么发图片给你"
    result = make_tracker(text, intent="send_photo", entities=entities, **kwargs)
    result.sender_id = sender_id
    return result


async def run(tracker: Tracker, domain: dict, rendered: Any) -> tuple[list, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await ActionReceivePhoto().run(dispatcher, tracker, domain)
    rendered(dispatcher)
    return events, dispatcher.messages


async def test_a_photo_linked_to_a_return_names_the_return(domain: dict, rendered: Any) -> None:
    add_photo("a" * 32, "buyer-B015", "RT0004")
    events, messages = await run(
        tracker("buyer-B015", "a" * 32, metadata=token("B015")), domain, rendered
    )
    assert events == []
    assert [(m["response"], m.get("return_id")) for m in messages] == [
        ("utter_photo_received_for_return", "RT0004")
    ]


async def test_a_photo_without_a_return_offers_one(domain: dict, rendered: Any) -> None:
    add_photo("b" * 32, "anon-123")
    _, messages = await run(tracker("anon-123", "b" * 32), domain, rendered)
    assert [m["response"] for m in messages] == ["utter_photo_received"]
    buttons = domain["responses"]["utter_photo_received"][0]["buttons"]
    assert [b["payload"] for b in buttons] == [
        "/request_return",
        "/request_exchange",
        "/request_human",
    ]


async def test_inside_a_form_the_form_goes_on(domain: dict, rendered: Any) -> None:
    add_photo("c" * 32, "anon-123")
    _, messages = await run(
        tracker("anon-123", "c" * 32, active_loop="return_form"), domain, rendered
    )
    assert [m["response"] for m in messages] == ["utter_photo_received_in_form"]


@pytest.mark.parametrize("photo_id", ["d" * 32, "0" * 32, "../etc"])
async def test_someone_elses_or_an_unknown_photo_is_not_confirmed(
    photo_id: str, domain: dict, rendered: Any
) -> None:
    add_photo("d" * 32, "buyer-B012", "RT0001")
    _, messages = await run(tracker("buyer-B005", photo_id), domain, rendered)
    assert [m["response"] for m in messages] == ["utter_photo_not_found"]
    assert all("RT0001" not in str(m) for m in messages)


async def test_without_a_photo_the_button_is_explained(domain: dict, rendered: Any) -> None:
    events, messages = await run(tracker("anon-123", None), domain, rendered)
    assert events == []
    assert [m["response"] for m in messages] == ["utter_how_to_send_photo"]


def test_photos_for_conversation_are_oldest_first() -> None:
    add_photo("e" * 32, "buyer-B015")
    add_photo("f" * 32, "buyer-B015", "RT0004")
    add_photo("9" * 32, "anon-other")
    with session_scope() as session:
        photos = queries.photos_for_conversation("buyer-B015", session=session)
        assert [p.id for p in photos] == ["e" * 32, "f" * 32]
        assert queries.latest_open_return("B015", session=session).id == "RT0004"
        assert queries.latest_open_return("B016", session=session) is None  # refunded

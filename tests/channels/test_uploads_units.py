"""Unit tests of the photo routes' parts and of agents' names on bot messages."""

from __future__ import annotations

import dataclasses
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rasa.shared.core.events import BotUttered
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import shop.config
from channels.commands import OfferedPayloads
from channels.session import SessionSigner
from channels.socketio import ShopSocketIOInput
from channels.socketio_output import ShopSocketIOOutput
from channels.uploads import Caller, UploadError, resolve_caller, upload_limit
from shop import photos
from shop.db import queries
from shop.db.models import Photo
from shop.db.session import session_scope
from shop.images import clean_photo
from tests.channels.test_socketio_units import SECRET, FakeServer, _buyers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh upload directory in the settings."""
    folder = tmp_path / "uploads"
    settings = dataclasses.replace(shop.config.settings, upload_dir=folder)
    monkeypatch.setattr(shop.config, "settings", settings)
    return folder


def photo() -> Any:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (1, 2, 3)).save(out, "PNG")
    return clean_photo(out.getvalue())


def test_callers_are_resolved_like_socket_bindings() -> None:
    channel = ShopSocketIOInput(session_secret=SECRET, verify_buyer=_buyers)
    signer = SessionSigner(SECRET)
    anon, buyer = signer.sign("anon-abc"), signer.sign("buyer-B002")
    assert resolve_caller(channel, anon, None) == Caller("anon-abc", None, None)
    assert resolve_caller(channel, buyer, "tok-b1") == Caller("buyer-B001", "B001", "tok-b1")
    assert resolve_caller(channel, anon, "expired") == Caller("anon-abc", None, None)
    for session_id, token, code in (
        (buyer, None, "buyer_changed"),
        (buyer, "forged", "buyer_changed"),
        ("anon-abc", None, "no_session"),
        (SessionSigner("other").sign("anon-abc"), None, "no_session"),
        (None, None, "no_session"),
    ):
        with pytest.raises(UploadError) as caught:
            resolve_caller(channel, session_id, token)
        assert caught.value.code == code


def test_uploads_use_the_one_rate_limiter() -> None:
    limit = upload_limit()
    assert (limit.name, limit.limit, limit.window) == ("upload", 10, 600)
    key = f"t-{uuid.uuid4().hex}"
    assert [limit.hit(key) for _ in range(10)] == [0] * 10
    assert limit.hit(key) > 0


@pytest.mark.parametrize("inside", ["channels/static", "channels/static/uploads", "console/static"])
def test_uploads_are_never_stored_in_a_web_root(
    inside: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dataclasses.replace(shop.config.settings, upload_dir=ROOT / inside)
    monkeypatch.setattr(shop.config, "settings", settings)
    with pytest.raises(photos.StorageUnavailableError):
        photos.upload_root()


@pytest.mark.usefixtures("shop_db")
async def test_a_buyers_photo_is_stored_and_linked(uploads: Path) -> None:
    photo_id, return_id = await photos.store(photo(), "buyer-B015", "B015")
    assert return_id == "RT0004"  # B015's quality return (received) is still open
    with session_scope() as session:
        (row,) = queries.photos_for_conversation("buyer-B015", session=session)
        assert (row.id, row.buyer_id, row.return_id) == (photo_id, "B015", "RT0004")
        assert (row.width, row.height, row.content_type) == (32, 24, "image/png")
        assert (uploads / row.storage_path).read_bytes()[:4] == b"\x89PNG"
    for buyer, expected in (("B016", None), ("B999", None)):  # refunded only; unknown buyer
        _, linked = await photos.store(photo(), f"buyer-{buyer}", buyer)
        assert linked is expected


@pytest.mark.usefixtures("shop_db")
async def test_a_database_failure_leaves_no_file(
    uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(queries, "latest_open_return", broken)
    with pytest.raises(Exception, match="disk full"):
        await photos.store(photo(), "buyer-B015", "B015")
    assert not [p for p in uploads.rglob("*") if p.is_file()]
    with session_scope() as session:
        assert session.execute(select(Photo)).first() is None


async def test_agent_name_rides_along_with_each_text_part() -> None:
    fake = FakeServer()
    output = ShopSocketIOOutput(fake, "bot_uttered", OfferedPayloads())
    event = BotUttered("您好，我是小美\n\n鞋子的照片我看到了", metadata={"agent_name": " 小美 "})
    await output.send_response("buyer-B005", event.message())
    assert [(data, room) for _, data, room in fake.emitted] == [
        ({"text": "您好，我是小美", "agent_name": "小美"}, "buyer-B005"),
        ({"text": "鞋子的照片我看到了", "agent_name": "小美"}, "buyer-B005"),
    ]
    fake.emitted.clear()
    for metadata in ({}, {"agent_name": 7}, {"agent_name": "  "}):
        await output.send_response("anon-1", BotUttered("好的", metadata=metadata).message())
    assert [data for _, data, _ in fake.emitted] == [{"text": "好的"}] * 3
    fake.emitted.clear()
    await output.send_text_message("anon-1", "嗨", agent_name="<b>" + "长" * 40)
    assert fake.emitted[0][1] == {"text": "嗨", "agent_name": "<b>" + "长" * 27}

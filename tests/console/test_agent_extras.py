"""Quick replies and buyers' photos in the agents' API (real app and database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from console import agent_extras
from shop.config import settings
from shop.db.models import Photo
from shop.db.session import session_scope
from tests.console.test_agent_api import API, Login, call


async def test_quick_replies_crud(console: str, login: Login) -> None:
    agent = await login("agent1")
    assert await call(agent, console, "GET", "/quick-replies") == (200, [])
    status, made = await call(
        agent, console, "POST", "/quick-replies", {"title": "问候", "text": "亲，您好～"}
    )
    assert status == 201 and made == {"id": made["id"], "title": "问候", "text": "亲，您好～"}
    for bad in [{"title": "", "text": "x"}, {"title": "x" * 51, "text": "x"}, {"title": "t"}]:
        assert (await call(agent, console, "POST", "/quick-replies", bad))[0] == 400
    path = f"/quick-replies/{made['id']}"
    status, changed = await call(agent, console, "PUT", path, {"title": "问候", "text": "在的亲"})
    assert (status, changed["text"]) == (200, "在的亲")
    assert await call(agent, console, "GET", "/quick-replies") == (200, [changed])
    assert (await call(agent, console, "DELETE", path))[0] == 204
    assert (await call(agent, console, "DELETE", path))[0] == 404
    assert (await call(agent, console, "PUT", path, {"title": "a", "text": "b"}))[0] == 404


async def test_photos_served_from_the_upload_dir_only(
    console: str, login: Login, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "2026").mkdir(parents=True)
    (uploads / "2026" / "ok.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "secret.txt").write_text("secret")
    monkeypatch.setattr(agent_extras, "settings", replace(settings, upload_dir=uploads))
    with session_scope() as session:
        for photo_id, path, kind in [
            ("p1", "2026/ok.png", "image/png"),
            ("p2", "../secret.txt", "image/png"),
            ("p3", str(tmp_path / "secret.txt"), "image/png"),
            ("p4", "2026/missing.png", "image/png"),
            ("p5", "2026/ok.png", "text/html"),
        ]:
            session.add(
                Photo(
                    id=photo_id,
                    conversation_id="c",
                    content_type=kind,
                    size_bytes=9,
                    width=1,
                    height=1,
                    sha256="0" * 64,
                    storage_path=path,
                    created_at=datetime(2026, 12, 1),
                )
            )
    agent = await login("agent1")
    async with agent.get(f"{console}{API}/photos/p1") as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == "image/png"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert await resp.read() == b"\x89PNG fake"
    for photo_id in ("p2", "p3", "p4", "nope", "..%2F..%2Fetc%2Fpasswd"):
        async with agent.get(f"{console}{API}/photos/{photo_id}") as resp:
            assert resp.status == 404, photo_id
    async with agent.get(f"{console}{API}/photos/p5") as resp:
        assert resp.headers["Content-Type"] == "application/octet-stream"

"""A buyer attaches a photo in the real widget, against the real servers: the
thumbnail shows, the assistant confirms it for the open return, the photo is
stored without its GPS data and linked to the return, and a human agent's
reply pushed through Rasa's HTTP API carries the agent's name."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from shop.db.models import Order, Photo, ReturnRequest
from shop.identity import issue_token
from tests.e2e.conftest import Servers

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BUYER = "B008"  # delivered 10 days ago: a quality return; no other e2e test uses B008
ORDER = "2026121991324671"
RETURN_ID = "RT0900"


def open_quality_return(servers: Servers) -> None:
    """The return B008 opened earlier (a quality return, waiting for the shop)."""
    engine = create_engine(servers.database_url)
    now = datetime.now().replace(microsecond=0)
    with Session(engine) as session, session.begin():
        order = session.get(Order, ORDER)
        assert order is not None and order.buyer_id == BUYER
        session.add(
            ReturnRequest(
                id=RETURN_ID,
                order_id=ORDER,
                order_item_id=order.items[0].id,
                kind="return",
                reason="quality",
                status="requested",
                buyer_words="鞋跟松了",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()


def photos_of(servers: Servers, conversation_id: str) -> list[dict[str, Any]]:
    engine = create_engine(servers.database_url)
    with Session(engine) as session:
        rows = session.execute(select(Photo).where(Photo.conversation_id == conversation_id))
        found = [
            {c: getattr(p, c) for c in ("id", "buyer_id", "return_id", "storage_path", "width")}
            for p in rows.scalars()
        ]
    engine.dispose()
    return found


def defect_photo() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    image = Image.new("RGB", (640, 480), (235, 235, 230))
    image.paste((40, 40, 40), (380, 300, 520, 360))  # "the loose heel"
    image.save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def test_a_buyer_sends_a_photo_of_a_defect(browser: Any, servers: Servers) -> None:
    open_quality_return(servers)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    url = f"{servers.rasa_url}/webhooks/socketio/webchat/demo.html"
    page.goto(f"{url}?buyer_token={issue_token(BUYER)}")
    page.locator(".scw-launcher").click()
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=15_000
    )
    with page.expect_file_chooser() as chooser:
        page.locator(".scw-attach").click()
    chooser.value.set_files(
        files=[{"name": "鞋跟.jpg", "mimeType": "image/jpeg", "buffer": defect_photo()}]
    )
    thumb = page.locator(".scw-user .scw-photo-img")
    expect(thumb).to_have_count(1)
    confirmation = page.locator(".scw-bot .scw-bubble").filter(has_text=RETURN_ID)
    expect(confirmation).to_have_count(1, timeout=30_000)
    expect(confirmation).to_contain_text("收到您的照片")
    expect(page.locator(".scw-user .scw-note")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "real-server-photo.png"))

    (photo,) = photos_of(servers, f"buyer-{BUYER}")
    assert (photo["buyer_id"], photo["return_id"], photo["width"]) == (BUYER, RETURN_ID, 640)
    stored = Path(servers.env["SHOP_UPLOAD_DIR"]) / photo["storage_path"]
    with Image.open(stored) as kept:
        assert kept.format == "JPEG" and not kept.getexif()

    # A human agent answers from the console: Rasa's HTTP API, the event's metadata.
    pushed = requests.post(
        f"{servers.rasa_url}/conversations/buyer-{BUYER}/tracker/events",
        params={"output_channel": "socketio", "execute_side_effects": "true"},
        json={
            "event": "bot",
            "text": "您好，照片看到了\n\n鞋跟开胶属于质量问题，我来跟进",
            "metadata": {"agent_name": "<b>小美</b>"},
        },
        timeout=30,
    )
    assert pushed.ok, pushed.text
    label = page.locator(".scw-from-agent .scw-agent")
    expect(label).to_have_count(2, timeout=15_000)
    expect(label.first).to_have_text("人工客服 · <b>小美</b>")
    assert page.locator(".scw-agent b").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "real-server-agent-name.png"))

    page.reload()
    page.locator(".scw-panel").wait_for(state="visible", timeout=10_000)
    page.wait_for_function(
        "() => document.querySelector('.scw-user .scw-photo-img').naturalWidth > 0",
        timeout=15_000,
    )
    expect(page.locator(".scw-bot .scw-bubble").filter(has_text=RETURN_ID)).to_have_count(1)
    context.close()


def test_photo_routes_answer_cross_origin_preflights(servers: Servers) -> None:
    """The demo shop (another origin) uploads with progress events and fetches with headers."""
    for path, method, headers in (
        ("upload", "POST", "content-type"),
        ("photos/" + "0" * 32, "GET", "x-session-id,x-buyer-token"),
    ):
        reply = requests.options(
            f"{servers.rasa_url}/webhooks/socketio/{path}",
            headers={
                "Origin": "http://localhost:5002",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": headers,
            },
            timeout=10,
        )
        assert reply.status_code in (200, 204), (path, reply.status_code)
        assert reply.headers.get("Access-Control-Allow-Origin") in ("*", "http://localhost:5002")
        allowed = reply.headers.get("Access-Control-Allow-Headers", "").lower()
        assert all(h in allowed for h in headers.split(",")), allowed

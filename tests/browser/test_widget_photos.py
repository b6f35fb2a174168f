"""The widget's photo button in Chromium, against the fake socket.io channel; the
HTTP photo routes are played by Playwright (``page.route``). The real routes are
tested in tests/channels/test_uploads.py and end to end in tests/e2e/."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, Route, expect

from tests.browser.harness import FakeServer
from tests.browser.test_widget import assert_no_horizontal_scroll, open_chat, wait_session

PHOTO_ID = "ab" * 16


def image(kind: str = "PNG", size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (220, 80, 30)).save(out, kind)
    return out.getvalue()


class PhotoRoutes:
    """Plays POST /webhooks/socketio/upload and GET .../photos/<id> for one page."""

    def __init__(self, page: Page, replies: list[tuple[int, dict[str, Any]]]) -> None:
        self.replies = replies
        self.uploads: list[dict[str, Any]] = []
        self.fetches: list[dict[str, str]] = []
        page.route("**/webhooks/socketio/upload", self._upload)
        page.route("**/webhooks/socketio/photos/**", self._photo)

    def _upload(self, route: Route) -> None:
        request = route.request
        body = request.post_data_buffer or b""
        self.uploads.append({"headers": request.headers, "body": body})
        if not self.replies:
            route.abort("connectionreset")
            return
        status, reply = self.replies.pop(0)
        if status == 0:
            route.abort("connectionreset")
            return
        route.fulfill(status=status, content_type="application/json", body=json.dumps(reply))

    def _photo(self, route: Route) -> None:
        self.fetches.append({"url": route.request.url, **route.request.headers})
        route.fulfill(status=200, content_type="image/webp", body=image("WEBP", (60, 40)))


def choose(page: Page, name: str, data: bytes, mime: str) -> None:
    """Picks a file through the 📷 button, as a buyer does."""
    with page.expect_file_chooser() as chooser:
        page.locator(".scw-attach").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_wrong_type_and_too_big_are_refused_in_the_browser(
    make_page: Any, server: FakeServer
) -> None:
    w = make_page(375, 812)
    page = open_chat(w, server, token="tok-photo-checks")
    routes = PhotoRoutes(page, [])
    attach = page.locator(".scw-attach")
    expect(attach).to_have_attribute("aria-label", "发送图片")
    assert page.locator(".scw-file").get_attribute("accept") == "image/jpeg,image/png,image/webp"
    choose(page, "动图.gif", image("GIF"), "image/gif")
    expect(page.locator(".scw-notice")).to_have_text("只能发送 JPG、PNG 或 WebP 格式的图片")
    choose(page, "big.jpg", b"\xff\xd8" + b"\0" * (5 * 1024 * 1024), "image/jpeg")
    expect(page.locator(".scw-notice")).to_have_text("图片超过5MB，请换一张或压缩后再发")
    assert routes.uploads == []
    expect(page.locator(".scw-user")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_a_photo_is_sent_shown_and_shown_again_after_a_reload(
    make_page: Any, server: FakeServer, screenshots: Path
) -> None:
    w = make_page(375, 812)
    page = open_chat(w, server, token="tok-photo-send")
    session_id = wait_session(page)
    routes = PhotoRoutes(page, [(201, {"photo_id": PHOTO_ID, "return_id": "RT0001"})])
    choose(page, "开胶.png", image(), "image/png")
    thumb = page.locator(".scw-user .scw-photo-img")
    expect(thumb).to_have_count(1)
    expect(page.locator(".scw-user .scw-note")).to_have_count(0)  # sent: no note left
    assert thumb.evaluate("img => img.naturalWidth") == 120
    (upload,) = routes.uploads
    body = upload["body"]
    assert b'name="session_id"\r\n\r\n' + session_id.encode() in body
    assert b'name="buyer_token"\r\n\r\ntok-photo-send' in body
    assert b'name="product_id"\r\n\r\nP003' in body
    assert image() in body
    page.screenshot(path=str(screenshots / "photo-sent-phone.png"))

    page.reload()
    expect(page.locator(".scw-panel")).to_be_visible()
    expect(page.locator(".scw-user .scw-photo-img")).to_have_count(1)
    page.wait_for_function("() => document.querySelector('.scw-photo-img').naturalWidth > 0")
    (fetch,) = routes.fetches
    assert fetch["url"].endswith(f"/webhooks/socketio/photos/{PHOTO_ID}?size=thumb")
    assert fetch["x-session-id"] == session_id and fetch["x-buyer-token"] == "tok-photo-send"


def test_errors_are_shown_and_a_failed_upload_can_be_retried(
    make_page: Any, server: FakeServer
) -> None:
    page = open_chat(make_page(), server, token="tok-photo-errors")
    routes = PhotoRoutes(
        page,
        [(415, {"error": "not_an_image"}), (0, {}), (201, {"photo_id": PHOTO_ID})],
    )
    choose(page, "fake.jpg", b"\xff\xd8 not really", "image/jpeg")
    note = page.locator(".scw-user .scw-note")
    expect(note).to_have_text("只能发送 JPG、PNG 或 WebP 格式的图片")
    expect(page.locator(".scw-retry")).to_have_count(0)  # the server refused the file itself

    choose(page, "ok.jpg", image("JPEG"), "image/jpeg")
    retry = page.locator(".scw-user").last.locator(".scw-retry")
    expect(page.locator(".scw-user").last.locator(".scw-note")).to_contain_text("网络异常")
    retry.click()
    expect(page.locator(".scw-user").last.locator(".scw-note")).to_have_count(0)
    assert len(routes.uploads) == 3
    expect(page.locator(".scw-user .scw-photo-img")).to_have_count(2)  # nothing lost

"""Photo upload and download routes against a real server (``echo_server.py``).

The server runs on its own seeded SQLite shop and upload directory, so the
stored files and ``photos`` rows can be checked.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from tests.channels.conftest import ROOT, SECRET, EchoServer, _free_port, buyer_token


class UploadServer(EchoServer):
    """The echo server with a shop database and an upload directory."""

    def __init__(self, url: str, database: Path, uploads: Path) -> None:
        super().__init__(url)
        self.database = database
        self.uploads = uploads

    def upload(
        self,
        data: bytes,
        *,
        session_id: str | None = None,
        token: str | None = None,
        name: str = "photo.jpg",
        content_type: str = "image/jpeg",
        **fields: str,
    ) -> requests.Response:
        """POSTs a photo as the widget does."""
        form = {k: v for k, v in (("session_id", session_id), ("buyer_token", token)) if v}
        return requests.post(
            f"{self.url}/webhooks/socketio/upload",
            data={**form, **fields},
            files={"file": (name, data, content_type)},
            timeout=30,
        )

    def photo(self, photo_id: str, headers: dict[str, str], **params: str) -> requests.Response:
        """GETs a stored photo."""
        url = f"{self.url}/webhooks/socketio/photos/{photo_id}"
        return requests.get(url, headers=headers, params=params, timeout=30)

    def rows(self) -> list[dict[str, Any]]:
        """Every ``photos`` row."""
        with sqlite3.connect(self.database) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM photos ORDER BY created_at, id")]

    def files(self) -> list[Path]:
        """Every file under the upload directory."""
        return sorted(p for p in self.uploads.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UploadServer]:
    """The echo server on a seeded shop file and a fresh upload directory."""
    work = tmp_path_factory.mktemp("uploads")
    database, uploads = work / "shop.db", work / "uploads"
    env = {
        **os.environ,
        "SHOP_SECRET": SECRET,
        "RASA_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "SHOP_UPLOAD_DIR": str(uploads),
    }
    seed = [sys.executable, "-m", "shop.db.importer", str(ROOT / "seed" / "demo_shop.json")]
    subprocess.run([*seed, "--if-empty"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = work / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.channels.echo_server", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    server = UploadServer(url, database, uploads)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server not up:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"{url}/webhooks/socketio/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield server
    finally:
        server.close_widgets()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def jpeg(size: tuple[int, int] = (120, 90)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 0.0)})
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(out, "JPEG")
    return out.getvalue()


def injected(server: UploadServer, sender_id: str, timeout: float = 5) -> list[dict[str, Any]]:
    """The messages the agent received in ``sender_id``'s conversation."""
    deadline = time.monotonic() + timeout
    while True:
        got = [m for m in server.received() if m["sender_id"] == sender_id]
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_anonymous_upload_is_stored_recorded_and_told_to_the_assistant(
    upload_server: UploadServer,
) -> None:
    widget = upload_server.widget()
    session_id = widget.start()
    sender = session_id.split(".")[1]
    reply = upload_server.upload(jpeg(), session_id=session_id, product_id="P003")
    assert reply.status_code == 201, reply.text
    body = reply.json()
    photo_id = body["photo_id"]
    assert body == {
        "photo_id": photo_id,
        "return_id": None,
        "content_type": "image/jpeg",
        "width": 120,
        "height": 90,
    }
    (row,) = [r for r in upload_server.rows() if r["id"] == photo_id]
    assert (row["conversation_id"], row["buyer_id"], row["return_id"]) == (sender, None, None)
    stored = upload_server.uploads / row["storage_path"]
    assert row["storage_path"].endswith(f"/{photo_id}.jpg")
    assert len(row["storage_path"].split("/")) == 3  # yyyy/mm/<id>.jpg
    assert stored.stat().st_size == row["size_bytes"]
    assert b"Exif" not in stored.read_bytes()
    assert not (ROOT / "channels" / "static" / stored.name).exists()

    (message,) = injected(upload_server, sender)
    assert message["text"] == '/send_photo{"photo_id":"' + photo_id + '"}'
    assert message["input_channel"] == "socketio"
    assert message["metadata"] == {"product_id": "P003"}
    assert widget.next("bot_uttered") == {"text": f"收到：{message['text']}"}

    own = upload_server.photo(photo_id, {"X-Session-Id": session_id})
    assert own.status_code == 200 and own.headers["Content-Type"] == "image/jpeg"
    assert own.content == stored.read_bytes()
    thumb = upload_server.photo(photo_id, {"X-Session-Id": session_id}, size="thumb")
    assert thumb.headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(thumb.content)).format == "WEBP"


def test_a_buyers_photo_is_linked_to_the_open_return(upload_server: UploadServer) -> None:
    token = buyer_token("B012")  # RT0001 (requested)
    reply = upload_server.upload(jpeg(), token=token, session_id="v1.anon-x.forged")
    assert reply.status_code == 201, reply.text
    assert reply.json()["return_id"] == "RT0001"
    (message,) = injected(upload_server, "buyer-B012")
    assert message["metadata"] == {"buyer_token": token}
    none_open = upload_server.upload(jpeg(), token=buyer_token("B005"))
    assert none_open.json()["return_id"] is None
    rows = {r["id"]: r for r in upload_server.rows()}
    assert rows[reply.json()["photo_id"]]["buyer_id"] == "B012"
    assert rows[none_open.json()["photo_id"]]["buyer_id"] == "B005"


def test_no_or_forged_session_is_refused_and_nothing_is_stored(
    upload_server: UploadServer,
) -> None:
    before_rows, before_files = upload_server.rows(), upload_server.files()
    owner = upload_server.widget()
    owner_session = owner.start(token=buyer_token("B001"))
    anonymous = upload_server.widget().start()
    cases = [
        ({}, 401, "no_session"),
        ({"session_id": "anon-" + "0" * 32}, 401, "no_session"),
        ({"session_id": anonymous[:-3] + "AAA"}, 401, "no_session"),
        ({"session_id": owner_session}, 403, "buyer_changed"),  # a buyer's id, no token
        (
            {"session_id": owner_session, "token": buyer_token("B001", hours=-1)},
            403,
            "buyer_changed",
        ),
        ({"token": "forged.jwt.token"}, 401, "no_session"),
    ]
    for kwargs, status, code in cases:
        reply = upload_server.upload(jpeg(), **kwargs)
        assert (reply.status_code, reply.json()) == (status, {"error": code}), kwargs
    assert upload_server.rows() == before_rows and upload_server.files() == before_files


def test_another_buyers_conversation_cannot_be_targeted(upload_server: UploadServer) -> None:
    victim = upload_server.widget()
    victim_session = victim.start(token=buyer_token("B014"))
    victim_photo = upload_server.upload(jpeg(), token=buyer_token("B014")).json()["photo_id"]
    victim.drain(0.5)
    reply = upload_server.upload(jpeg(), session_id=victim_session, token=buyer_token("B002"))
    assert reply.status_code == 201  # lands in the intruder's own conversation
    row = next(r for r in upload_server.rows() if r["id"] == reply.json()["photo_id"])
    assert (row["conversation_id"], row["return_id"]) == ("buyer-B002", None)
    assert not [e for e in victim.drain(0.5) if e[0] == "bot_uttered"]
    for headers in (
        {"X-Buyer-Token": buyer_token("B002")},
        {"X-Session-Id": upload_server.widget().start()},
    ):
        assert upload_server.photo(victim_photo, headers).status_code == 404
    assert upload_server.photo(victim_photo, {}).json() == {"error": "no_session"}
    assert upload_server.photo(victim_photo, {"X-Session-Id": victim_session}).status_code == 403
    owner = {"X-Buyer-Token": buyer_token("B014")}
    assert upload_server.photo(victim_photo, owner).status_code == 200
    assert upload_server.photo("../../shop.db", owner).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        ("纯文字，不是图片".encode(), "defect.jpg", 415, "not_an_image"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", 415, "not_an_image"),
        (noisy_jpeg()[:20_000], "cut.jpg", 422, "broken_image"),
        (b"", "empty.jpg", 422, "empty"),
    ],
    ids=["text-named-jpg", "gif-header-only", "truncated-jpeg", "empty"],
)
def test_bad_files_are_refused_with_a_code(
    upload_server: UploadServer, data: bytes, name: str, status: int, code: str
) -> None:
    before = upload_server.files()
    session_id = upload_server.widget().start()
    reply = upload_server.upload(data, session_id=session_id, name=name)
    assert (reply.status_code, reply.json()["error"]) == (status, code)
    assert upload_server.files() == before


def test_a_gif_is_refused(upload_server: UploadServer) -> None:
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, "GIF")
    session_id = upload_server.widget().start()
    reply = upload_server.upload(out.getvalue(), session_id=session_id, content_type="image/jpeg")
    assert (reply.status_code, reply.json()) == (415, {"error": "unsupported_type"})


def test_more_than_5_mb_is_refused_without_reading_it_all(upload_server: UploadServer) -> None:
    session_id = upload_server.widget().start()
    big = jpeg() + os.urandom(5 * 1024 * 1024)
    reply = upload_server.upload(big, session_id=session_id)
    assert reply.status_code == 413
    assert reply.json() == {"error": "too_large", "max_bytes": 5 * 1024 * 1024}

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off while streaming
        boundary = b"--xyz\r\n"
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        for _ in range(200):
            yield b"\0" * 65536

    url = f"{upload_server.url}/webhooks/socketio/upload"
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    try:
        streamed = requests.post(url, data=chunks(), headers=headers, timeout=30)
    except requests.ConnectionError:
        pass  # the server closed the connection while the client was still sending
    else:
        assert (streamed.status_code, streamed.json()["error"]) == (413, "too_large")


def test_malformed_requests(upload_server: UploadServer) -> None:
    url = f"{upload_server.url}/webhooks/socketio/upload"
    session_id = upload_server.widget().start()
    as_json = requests.post(url, json={"session_id": session_id}, timeout=5)
    assert (as_json.status_code, as_json.json()) == (400, {"error": "bad_request"})
    no_file = requests.post(url, files={"session_id": (None, session_id)}, timeout=5)
    assert (no_file.status_code, no_file.json()) == (400, {"error": "no_file"})


def test_uploads_are_rate_limited_per_conversation(upload_server: UploadServer) -> None:
    session_id = upload_server.widget().start()
    codes = [
        upload_server.upload(jpeg((16, 16)), session_id=session_id).status_code for _ in range(11)
    ]
    assert codes == [201] * 10 + [429]
    limited = upload_server.upload(jpeg((16, 16)), session_id=session_id)
    assert limited.json() == {"error": "rate_limited", "retry_after": 600}
    assert limited.headers["Retry-After"] == "600"
    other = upload_server.widget().start()  # another conversation is not affected
    assert upload_server.upload(jpeg((16, 16)), session_id=other).status_code == 201
    assert json.loads(json.dumps(upload_server.received()))  # the agent kept up

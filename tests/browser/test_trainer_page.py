"""A trainer annotates a low-confidence buyer message from a stored conversation in the
browser: marks an entity by selecting text, sees the jieba warning, adds the word to the
dictionary in one click, picks the intent, saves; the example lands in (a temporary copy
of) data/nlu/ and the change log names the trainer.

The console runs for real (``python -m console``) on a temporary shop database with a
trainer account; the conversation is stored by Rasa's own SQLTrackerStore.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.e2e.conftest import _free_port, _wait
from tests.trainer.conftest import ROOT, copy_project, save_conversations
from trainer import evaluation
from trainer.jobs import Job
from trainer.workspace import Workspace, read_log

TEXT = "奶茶色高帮鞋是真皮的吗"
PASSWORD = "trainer-pass-1"
CONVERSATION = {
    "buyer-77": [
        ("user", ("在吗", "greet", 0.98, "m1")),
        ("bot", "在的亲，请问有什么可以帮您"),
        (
            "user",
            (TEXT, "ask_function", 0.38, "m2", [{"name": "ask_material", "confidence": 0.33}]),
        ),
        ("bot", "亲，这款防水吗？我没太明白"),
    ]
}


class _FakeRasa(BaseHTTPRequestHandler):
    """``PUT /model`` as Rasa answers it (204); the bodies are kept in ``loaded``."""

    loaded: ClassVar[list[str]] = []

    def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeRasa.loaded.append(body["model_file"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def trainer_console(
    tmp_path_factory: pytest.TempPathFactory, fake_rasa: str
) -> Iterator[tuple[str, Workspace]]:
    base = tmp_path_factory.mktemp("trainer_page")
    copy_project(base / "project")
    ws = Workspace(
        base / "project",
        base / "trainer",
        base / "candidates",
        base / "no-eval",
        f"sqlite:///{base / 'tracker.db'}",
    )
    save_conversations(ws.tracker_db_url, CONVERSATION)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{base / 'shop.db'}",
        "TRAINER_PROJECT_DIR": str(ws.project_dir),
        "TRAINER_DIR": str(ws.trainer_dir),
        "TRAINER_CANDIDATES_DIR": str(ws.candidates_dir),
        "SHOP_EVAL_DIR": str(ws.eval_dir),
        "TRACKER_DB_URL": ws.tracker_db_url,
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_URL": fake_rasa,
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "shop.db.importer", "seed/demo_shop.json",
                    "--if-empty"], **run)  # fmt: skip
    staff = ["console.staff", "add", "trainer1", "--name", "小训", "--roles", "trainer"]
    subprocess.run([sys.executable, "-m", *staff, "--password-stdin"], input=PASSWORD.encode(),
                   **run)  # fmt: skip
    port = _free_port()
    log = base / "console.log"
    console = subprocess.Popen(
        [sys.executable, "-m", "console", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{port}/health", console, log, timeout=60)
        yield f"http://127.0.0.1:{port}", ws
    finally:
        console.terminate()
        console.wait(timeout=30)


def test_trainer_annotates_a_stored_message(
    browser: Any, trainer_console: tuple[str, Workspace]
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # a loaded 2-core machine; back to 5 s at the end

    base, ws = trainer_console
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(f"{base}/console/trainer")
        page.fill("#login-username", "trainer1")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        item = page.locator(".inbox-item", has_text=TEXT)
        item.wait_for()
        # the Chinese display name beside the code, and why it is listed in Chinese
        assert "问功能（ask_function） 0.38 · 把握低" in item.inner_text()
        item.click()
        assert page.locator("#ann-text").inner_text() == TEXT
        assert "在的亲" in page.locator("#ann-context").inner_text()
        # the buyer's intent was really a material question: pick the alternative
        page.click("#ann-alternatives button:has-text('问材质（ask_material）')")
        assert page.input_value("#ann-intent") == "ask_material"
        # select 奶茶色 with the mouse's result (a DOM selection) and mark it a colour
        page.evaluate(
            """() => { const node = document.getElementById('ann-text').firstChild;
                const range = document.createRange();
                range.setStart(node, 0); range.setEnd(node, 3);
                const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range); }"""
        )
        page.select_option("#ann-entity-type", "color")
        page.click("#ann-mark")
        page.locator("#ann-entities li", has_text="奶茶色 → color").wait_for()
        warning = page.locator("#ann-warnings li")
        warning.wait_for()
        assert "奶茶 | 色高" in warning.inner_text()
        page.click("#ann-warnings button:has-text('奶茶色')")
        page.locator("#ann-msg", has_text="已加入词典").wait_for()
        expect(page.locator("#ann-warnings li")).to_have_count(0, timeout=15_000)
        assert "奶茶色" in page.locator("#ann-tokens").inner_text()
        page.click("#ann-save")
        page.locator("#ann-msg", has_text="已保存到 data/nlu/").wait_for()
        page.screenshot(path=str(ROOT / "var" / "screenshots" / "trainer-annotate.png"))
        # the inbox no longer lists it
        expect(page.locator(".inbox-item", has_text=TEXT)).to_have_count(0, timeout=15_000)
    finally:
        expect.set_options(timeout=5_000)
        context.close()
    assert not errors, errors
    saved = [p for p in ws.nlu_dir.glob("*.yml") if f"- [奶茶色](color){TEXT[3:]}" in p.read_text()]
    assert [p.name for p in saved] == ["presale_product.yml"]
    assert ws.userdict.read_text(encoding="utf-8").endswith("奶茶色 3000 n\n")
    log = read_log(ws)
    assert [(r["user"], r["action"]) for r in log] == [
        ("trainer1", "dict_add"),
        ("trainer1", "annotate"),
    ]
    assert log[-1]["source"] == {"conversation_id": "buyer-77", "message_id": "m2"}
    # the repository's own data is untouched
    assert TEXT[3:] not in (ROOT / "data" / "nlu" / "presale_product.yml").read_text("utf-8")
    assert "奶茶色 " not in (ROOT / "data" / "jieba" / "userdict.txt").read_text("utf-8")


def _candidate(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A live model and a compared candidate (fake model files, fake predictions)."""
    live = ws.live_model
    live.parent.mkdir(parents=True, exist_ok=True)
    live.write_bytes(b"live")
    ws.candidates_dir.mkdir(parents=True, exist_ok=True)
    model = ws.candidates_dir / "cand-20261201-120000.tar.gz"
    model.write_bytes(b"candidate")
    manifest = {"name": model.name[:-7], "model": str(model), "created": "2026-12-01T12:00:00",
                "user": "trainer1", "held_out_excluded": True, "held_out_left_out": 1}  # fmt: skip
    (ws.candidates_dir / f"{manifest['name']}.json").write_text(json.dumps(manifest), "utf-8")
    held = evaluation.heldout_rows(ws)

    def predict(_: Workspace, path: Path, texts: list[str]) -> list[str]:
        gold = [dict(held)[t] for t in texts]
        if path == model:
            gold[0] = "nlu_fallback"  # the candidate now gets the first one wrong
        return gold

    monkeypatch.setattr(evaluation, "predict", predict)
    evaluation.compare(ws, candidate=model, current=live, user="trainer1",
                       job=Job(ws, None, "compare", "trainer1"))  # fmt: skip
    return live, model


def test_trainer_reads_the_report_activates_and_rolls_back(
    browser: Any, trainer_console: tuple[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # a loaded 2-core machine; back to 5 s at the end

    base, ws = trainer_console
    live, model = _candidate(ws, monkeypatch)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(f"{base}/console/trainer")
        page.fill("#login-username", "trainer1")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.click("#tab-ship")
        row = page.locator("#cand-table tr", has_text="cand-20261201-120000")
        row.locator("button", has_text="查看报告").click()
        expect(page.locator("#report-sets")).to_contain_text("留出集")
        expect(page.locator("#report-sets details.worse")).to_contain_text(
            "以前对、现在错的例句: 1"
        )
        image = page.locator("#report-sets img.confusion")
        expect(image).to_have_count(1)
        page.wait_for_timeout(500)
        assert image.evaluate("img => img.naturalWidth") > 100  # the PNG really loads
        page.screenshot(
            path=str(ROOT / "var" / "screenshots" / "trainer-report.png"), full_page=True
        )
        page.click("#btn-activate")
        expect(page.locator("#job-stage")).to_contain_text("已上线")
        expect(page.locator("#models-state")).to_contain_text("正在使用: cand-20261201-120000")
        page.click("#btn-rollback")
        expect(page.locator("#job-stage")).to_contain_text("已回滚到 shoe-shop.tar.gz")
        page.click("#tab-log")
        expect(page.locator("#log-table")).to_contain_text("回滚")
        expect(page.locator("#panel-inbox")).to_be_hidden()
        expect(page.locator("#panel-ship")).to_be_hidden()
        page.screenshot(path=str(ROOT / "var" / "screenshots" / "trainer-log.png"))
    finally:
        expect.set_options(timeout=5_000)
        context.close()
    assert not errors, errors
    assert _FakeRasa.loaded[-2:] == [str(model.resolve()), str(live.resolve())]
    actions = [(r["user"], r["action"]) for r in read_log(ws)][-2:]
    assert actions == [("trainer1", "activate"), ("trainer1", "rollback")]

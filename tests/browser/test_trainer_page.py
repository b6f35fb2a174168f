"""A trainer annotates a low-confidence buyer message from a stored conversation in the
browser: marks an entity by selecting text, sees the jieba warning, adds the word to the
dictionary in one click, picks the intent, saves; the example lands in (a temporary copy
of) data/nlu/ and the change log names the trainer.

The console runs for real (``python -m console``) on a temporary shop database with a
trainer account; the conversation is stored by Rasa's own SQLTrackerStore.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import _free_port, _wait
from tests.trainer.conftest import ROOT, copy_project, save_conversations
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


@pytest.fixture(scope="module")
def trainer_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workspace]]:
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
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "actions.db.importer", "seed/demo_shop.json",
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
        assert "ask_function 0.38" in item.inner_text()
        item.click()
        assert page.locator("#ann-text").inner_text() == TEXT
        assert "在的亲" in page.locator("#ann-context").inner_text()
        # the buyer's intent was really a material question: pick the alternative
        page.click("#ann-alternatives button:has-text('ask_material')")
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
        expect(page.locator("#ann-warnings li")).to_have_count(0)
        assert "奶茶色" in page.locator("#ann-tokens").inner_text()
        page.click("#ann-save")
        page.locator("#ann-msg", has_text="已保存到 data/nlu/").wait_for()
        page.screenshot(path=str(ROOT / "var" / "screenshots" / "trainer-annotate.png"))
        # the inbox no longer lists it
        expect(page.locator(".inbox-item", has_text=TEXT)).to_have_count(0, timeout=15_000)
    finally:
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

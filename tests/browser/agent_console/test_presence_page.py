"""The agent console's presence switch, 已离开 entries and the limit message, in Chromium
against the fake API (the real servers: tests/e2e/test_presence_in_browser.py)."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.browser.agent_console.conftest import FakeConsole, shot


def _boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_switch_stores_the_status_and_shows_every_agents_status(
    agent_page: Any, console: FakeConsole
) -> None:
    page = agent_page(console)
    switch = page.locator("#presence-switch")
    expect(switch.locator("[data-presence='online']")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#presence-hint")).to_contain_text("接收新会话")
    switch.locator("[data-presence='offline']").click()
    expect(switch.locator("[data-presence='offline']")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#presence-hint")).to_contain_text("离线：不分配新会话")
    mine = page.locator("#agents .agent").filter(has_text="小美")
    expect(mine).to_have_class("agent agent-offline")
    expect(mine.locator(".agent-status")).to_have_text("离线")
    sent = [e for e in console.log() if e["path"] == "/console/api/presence"]
    assert sent and sent[-1]["method"] == "PUT" and sent[-1]["x_console"] == "1"
    assert json.loads(sent[-1]["body"]) == {"status": "offline"}
    switch.locator("[data-presence='away']").click()
    expect(page.locator("#presence-hint")).to_contain_text("暂时离开")
    page.reload()
    expect(switch.locator("[data-presence='away']")).to_have_attribute("aria-checked", "true")
    assert page.errors == []


def test_a_buyer_who_left_is_marked_in_the_queue(agent_page: Any, console: FakeConsole) -> None:
    console.add(buyer_name="张伟", buyer_left=True, summary="买家要求人工")
    console.add(buyer_name="王芳")
    page = agent_page(console)
    left = page.locator("#queue-waiting .queue-item.buyer-left")
    expect(left).to_have_count(1)
    expect(left).to_contain_text("张伟")
    expect(left.locator(".left-badge")).to_have_text("已离开")
    assert "不自动分配" in (left.locator(".left-badge").get_attribute("title") or "")
    expect(page.locator("#queue-waiting .queue-item:not(.buyer-left)")).to_contain_text("王芳")


def test_the_limit_message_sits_above_the_queue_and_covers_none_of_it(
    agent_page: Any, console: FakeConsole
) -> None:
    ids = [console.add(buyer_name=f"买家{n}") for n in range(4)]
    for eid in ids[:3]:  # agent1 is at max_open (3)
        console.control(f"/escalations/{eid}/assign", {"username": "agent1"})
    page = agent_page(console)
    waiting = page.locator(f"#queue-waiting .queue-item[data-id='{ids[3]}']")
    waiting.locator(".claim").click()
    limit = page.locator("#queue-limit")
    expect(limit).to_be_visible()
    expect(limit).to_contain_text("已达上限")
    expect(limit).to_contain_text("3/3")
    expect(page.locator(".notice-error")).to_have_count(0)  # no toast over the queue
    box = limit.bounding_box()
    assert box is not None
    for item in page.locator(".queue-item").all():
        other = item.bounding_box()
        assert other is not None and not _boxes_overlap(box, other)
    center = waiting.bounding_box()
    assert center is not None
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.queue-item')?.dataset.id",
        [center["x"] + center["width"] / 2, center["y"] + center["height"] / 2],
    )
    assert hit == str(ids[3])  # the entry itself is what a click there reaches
    shot(page, "limit")
    page.locator("#queue-limit-close").click()
    expect(limit).to_be_hidden()
    assert page.errors == []

"""Shop events reach the buyer's open widget exactly once, and a widget opened
later catches up (real servers, headless Chromium). Buyer B028 is used by no
other test: a paid order the shop ships and delivers here."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from shop.db.models import ShopEvent
from shop.db.shop_events import record_event
from shop.identity import issue_token
from tests.e2e.conftest import ROOT, Servers

ORDER = "2026021753634728"  # B028, paid
TRACKING = "SF5566778899"


def _run(servers: Servers, *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *argv], cwd=ROOT, env=servers.env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _open(context: Any, servers: Servers) -> Any:
    page = context.new_page()
    url = f"{servers.rasa_url}/webhooks/socketio/webchat/demo.html"
    page.goto(f"{url}?buyer_token={issue_token('B028')}")
    page.locator(".scw-launcher").wait_for(state="attached", timeout=15_000)
    page.wait_for_timeout(500)  # a reopened page restores the open panel by itself
    if not page.locator(".scw-panel").is_visible():
        page.locator(".scw-launcher").click()
    expect(page.locator(".scw-panel")).to_be_visible()
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.endsWith(':session'))", timeout=15_000
    )
    return page


def test_shipped_and_delivered_reach_the_open_widget_once(browser: Any, servers: Servers) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = _open(context, servers)
    bot = page.locator(".scw-bot .scw-bubble")

    out = _run(servers, "shop.db.shop_cli", "orders", "mark", ORDER, "shipped",
               "--courier", "顺丰速运", "--tracking", TRACKING)  # fmt: skip
    assert out.startswith(f"{ORDER}: paid -> shipped")
    _run(servers, "shop.notify")  # two dispatchers (and the console's loop)
    _run(servers, "shop.notify")
    shipped = bot.filter(has_text=TRACKING)
    expect(shipped).to_have_count(1, timeout=30_000)

    _run(servers, "shop.db.shop_cli", "orders", "mark", ORDER, "delivered")
    _run(servers, "shop.notify")
    _run(servers, "shop.notify")
    delivered = bot.filter(has_text="已经签收")
    expect(delivered).to_have_count(1, timeout=30_000)
    expect(delivered).to_contain_text("7天内可以无理由退换")
    expect(page.locator(".scw-reply").filter(has_text="想换个尺码")).to_have_count(1)
    page.wait_for_timeout(4_000)  # the console's dispatcher polls every 3 s
    expect(shipped).to_have_count(1)
    expect(delivered).to_have_count(1)

    engine = create_engine(servers.database_url, future=True)
    with Session(engine) as session:
        rows = session.execute(
            select(ShopEvent).where(ShopEvent.buyer_id == "B028").order_by(ShopEvent.id)
        ).scalars()
        assert [(e.kind, e.attempts, e.delivered_at is not None) for e in rows] == [
            ("order_shipped", 1, True),
            ("order_delivered", 1, True),
        ]

    # The widget is closed; the shop receives a return; the buyer comes back.
    page.close()
    with Session(engine) as session, session.begin():
        record_event(
            "return_received", buyer_id="B028", session=session,
            payload={"return_id": "RT9028"},
        )  # fmt: skip
    _run(servers, "shop.notify")
    page = _open(context, servers)
    bot = page.locator(".scw-bot .scw-bubble")
    expect(bot.filter(has_text="RT9028")).to_have_count(1, timeout=30_000)
    page.wait_for_timeout(1_000)
    expect(bot.filter(has_text=TRACKING)).to_have_count(1)  # from the transcript, not again
    expect(bot.filter(has_text="已经签收")).to_have_count(1)
    page.reload()
    page.locator(".scw-panel").wait_for(state="visible", timeout=10_000)
    page.wait_for_timeout(2_000)
    expect(page.locator(".scw-bot .scw-bubble").filter(has_text="RT9028")).to_have_count(1)
    context.close()
    engine.dispose()

"""The owner's page, report API, charts and the shop's order API, on the real console app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from console import owner
from console.analytics import today
from shop.db.models import ConversationRating, Order, ShopEvent
from shop.db.session import session_scope
from tests.console.conftest import HEADERS, Client

pytestmark = pytest.mark.usefixtures("staff")
Login = Callable[[str], Awaitable[Client]]


@pytest.fixture(autouse=True)
def no_tracker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    monkeypatch.setattr(owner, "tracker_engine", lambda: engine)
    owner.charts._items.clear()


def _rate(score: int) -> None:
    from datetime import datetime, time

    with session_scope() as session:
        session.add(
            ConversationRating(
                conversation_id="c1", handling="bot", score=score,
                created_at=datetime.combine(today(), time(9)),
            )
        )  # fmt: skip


async def test_the_owner_sees_the_page_with_numbers_and_charts(console: str, login: Login) -> None:
    _rate(5)
    _rate(2)
    http = await login("owner")
    async with http.get(f"{console}/console/owner?days=7") as resp:
        assert resp.status == 200
        assert "script-src 'none'" in resp.headers["Content-Security-Policy"]
        page = await resp.text()
    assert '<b data-metric="average_rating">3.50</b>' in page
    assert page.count('src="/console/api/owner/charts/') == len(owner.CHARTS) == 5
    async with http.get(f"{console}/console/owner/owner.css") as resp:
        assert resp.status == 200
    for name in ("conversations", "rates", "returns", "products", "reviews"):
        async with http.get(f"{console}/console/api/owner/charts/{name}.png?days=7") as resp:
            assert (resp.status, resp.content_type) == (200, "image/png")
            assert (await resp.read()).startswith(b"\x89PNG")
    assert len(owner.charts._items) == 5
    async with http.get(f"{console}/console/api/owner/charts/secret.png") as resp:
        assert resp.status == 404
    async with http.get(f"{console}/console/api/owner/report?days=3") as resp:
        report = await resp.json()
    assert report["end"] == today().isoformat()
    assert report["start"] == (today() - timedelta(2)).isoformat()
    assert report["total"]["average_rating"] == 3.5 and report["total"]["ratings"] == 2
    assert report["ratings_by_handling"] == {"bot": {"ratings": 2, "average": 3.5}}
    assert len(report["days"]) == 3
    reviews = report["reviews"]  # the demo shop's (console/review_insights.py)
    assert (reviews["total"], reviews["negative"]) == (46, 11)
    assert reviews["negative_topics"][0] == {"topic": "磨脚", "reviews": 5}
    assert {c["name"] for c in reviews["fit_contradictions"]} == {"疾风男子跑鞋", "舒适羊皮乐福鞋"}


async def test_only_owners(console: str, login: Login, client: Callable[[], Client]) -> None:
    anonymous = client()
    async with anonymous.get(f"{console}/console/owner", allow_redirects=False) as resp:
        assert (resp.status, resp.headers["Location"]) == (302, "/console")
    async with anonymous.get(f"{console}/console/api/owner/report") as resp:
        assert resp.status == 401
    agent = await login("agent1")
    async with agent.get(f"{console}/console/owner") as resp:
        assert resp.status == 403
    async with agent.get(f"{console}/console/api/owner/charts/rates.png") as resp:
        assert resp.status == 403


async def test_the_shop_marks_an_order_shipped_and_delivered(console: str, login: Login) -> None:
    http = await login("owner")
    url = f"{console}/console/api/shop/orders/2026101994084208"
    body = {"courier": "顺丰速运", "tracking_number": "SF1234567890"}
    async with http.post(f"{url}/shipped", json=body) as resp:
        assert resp.status == 403  # no X-Console header
    async with http.post(f"{url}/delivered", headers=HEADERS) as resp:
        assert resp.status == 409
        assert (await resp.json())["detail"].endswith("only a shipped order can be delivered")
    async with http.post(f"{url}/shipped", json=body, headers=HEADERS) as resp:
        assert await resp.json() == {"order_id": "2026101994084208", "status": "shipped",
                                     "event_id": 1}  # fmt: skip
    async with http.post(f"{url}/delivered", headers=HEADERS) as resp:
        assert (await resp.json())["event_id"] == 2
    with session_scope() as session:
        assert session.get(Order, "2026101994084208").status == "delivered"
        kinds = session.execute(select(ShopEvent.kind).order_by(ShopEvent.id)).scalars().all()
    assert kinds == ["order_shipped", "order_delivered"]


async def test_the_page_shows_honest_numbers_in_chinese_and_only_the_owners_nav(
    console: str, login: Login
) -> None:
    http = await login("owner")
    async with http.get(f"{console}/console/owner?days=7") as resp:
        page = await resp.text()
    assert 'data-metric="stuck_rate"' in page and "没听懂、未解决" in page
    assert 'rel="icon"' in page
    nav = page[page.index('<nav class="staff-nav"') : page.index("</nav>")]
    assert 'href="/console/owner" aria-current="page">店铺数据</a>' in nav
    assert '<a href="/console/quick-replies">快捷回复</a>' in nav
    assert "/console/trainer" not in nav and 'href="/console/"' not in nav
    assert 'action="/console/logout"' in page
    assert "chart-error" not in page


async def test_without_a_cjk_font_the_page_says_so_instead_of_drawing_boxes(
    console: str, login: Login, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from console import charts as chart_module

    monkeypatch.setattr(chart_module, "_font", None)
    monkeypatch.setattr(chart_module, "FONT_GLOBS", ())
    http = await login("owner")
    async with http.get(f"{console}/console/owner?days=7") as resp:
        assert resp.status == 200
        page = await resp.text()
    assert page.count('class="chart-error"') == 5 and "/console/api/owner/charts/" not in page
    assert "服务器缺少中文字体" in page and "fonts-noto-cjk" in page
    async with http.get(f"{console}/console/api/owner/charts/rates.png?days=7") as resp:
        assert resp.status == 503
        body = await resp.json()
    assert body["error"] == "chart_unavailable" and "fonts-noto-cjk" in body["message"]
    errors = [r for r in caplog.records if r.levelname == "ERROR" and "fonts-noto-cjk" in r.message]
    assert errors, "the log says what is missing"
    assert not owner.charts._items  # nothing cached: the next request tries again
    monkeypatch.undo()
    async with http.get(f"{console}/console/owner?days=7") as resp:
        assert "chart-error" not in await resp.text()  # installed: drawn at once


async def test_a_non_owner_gets_a_page_back_to_their_own(console: str, login: Login) -> None:
    trainer = await login("trainer")
    async with trainer.get(f"{console}/console/owner") as resp:
        assert resp.status == 403
        page = await resp.text()
    assert '<a href="/console/trainer">回到我的页面</a>' in page
    assert "店铺数据</a>" not in page  # no link to a page the trainer may not use


async def test_a_label_the_font_lacks_is_named_where_its_chart_would_be(
    console: str, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = owner.render

    def render(kind: str, report: object, size: str = "wide") -> bytes:
        if kind == "products":  # e.g. a product renamed 闪电鞋👟
            raise owner.ChartFontError("the chart font has no glyph for '👟'", "👟")
        return real(kind, report, size)  # type: ignore[arg-type]

    monkeypatch.setattr(owner, "render", render)
    http = await login("owner")
    async with http.get(f"{console}/console/owner?days=7") as resp:
        page = await resp.text()
    assert page.count('class="chart-error"') == 1 and 'data-chart="products"' in page
    assert "图中的文字「👟」字体里没有" in page
    assert page.count('<img src="/console/api/owner/charts/') == 4

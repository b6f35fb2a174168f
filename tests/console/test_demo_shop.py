"""The demo shop's pages, served by the real console (``python -m console``) in a
subprocess on a copy of the demo shop, once with ``SHOP_DEMO=1`` and once without:
demo mode comes from the environment, as in production.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from html import unescape
from pathlib import Path

import jwt
import pytest
import requests
from sqlalchemy.orm import Session

from console import demo_shop
from shop.config import settings
from shop.db.models import Product, SizeChartRow
from shop.db.session import get_engine, session_scope
from shop.identity import buyer_id_from_token

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'data-buyer-token="([^"]+)"')


@dataclass
class Site:
    """One running console and its shop database."""

    base: str
    database_url: str

    def get(self, path: str, buyer: str | None = None) -> tuple[int, str]:
        """GET ``path`` (as the chosen demo buyer) -> status and body."""
        headers = {"Cookie": f"{demo_shop.COOKIE}={buyer}"} if buyer else {}
        resp = requests.get(self.base + path, headers=headers, timeout=10)
        return resp.status_code, resp.text

    def post(self, path: str, form: dict[str, str]) -> requests.Response:
        """POST a form, not following the redirect."""
        return requests.post(self.base + path, data=form, allow_redirects=False, timeout=10)

    def add_product(self, product_id: str, name: str, **fields: object) -> None:
        """Adds a product (a name to escape, missing fields) to this site's database."""
        with session_scope(get_engine(self.database_url)) as session:
            _add_product(session, product_id, name, **fields)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(work: Path, snapshot: sqlite3.Connection, demo: bool) -> Iterator[Site]:
    db = work / f"shop-{int(demo)}.db"
    target = sqlite3.connect(db)
    snapshot.backup(target)
    target.close()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SHOP_DEMO": "1" if demo else ""}
    log = (work / f"console-{int(demo)}.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (work / f"console-{int(demo)}.log").read_text()
            try:
                if requests.get(base + "/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the console did not start"
            time.sleep(0.2)
        yield Site(base, env["DATABASE_URL"])
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory, demo_snapshot: sqlite3.Connection
) -> Iterator[Site]:
    """The console with ``SHOP_DEMO=1``."""
    yield from _start(tmp_path_factory.mktemp("shop"), demo_snapshot, demo=True)


@pytest.fixture(scope="module")
def plain_site(
    tmp_path_factory: pytest.TempPathFactory, demo_snapshot: sqlite3.Connection
) -> Iterator[Site]:
    """The console without demo mode."""
    yield from _start(tmp_path_factory.mktemp("shop"), demo_snapshot, demo=False)


@pytest.fixture(params=[True, False], ids=["demo", "no-demo"])
def any_site(request: pytest.FixtureRequest) -> tuple[Site, bool]:
    """Each of the two consoles, with whether it is in demo mode."""
    name = "demo_site" if request.param else "plain_site"
    return request.getfixturevalue(name), bool(request.param)


def test_shop_front_lists_the_catalogue_with_the_widget(demo_site: Site) -> None:
    status, html = demo_site.get("/")
    assert status == 200
    assert all(f'href="/products/P{n:03d}"' in html for n in range(1, 13))
    assert "疾风男子跑鞋" in html and "¥399.00" in html and "跑步鞋" in html
    assert "福建泉州发货" in html
    widget = f'src="{settings.rasa_public_url}/webhooks/socketio/webchat/widget.js"'
    assert html.count("widget.js") == 1 and widget in html
    assert "data-product-id" not in html and "data-buyer-token" not in html


def test_product_page_shows_catalogue_facts(demo_site: Site) -> None:
    status, html = demo_site.get("/products/P005")
    assert status == 200
    for fact in ("山野防水徒步鞋", "¥459.00", "宽楦", "防水 · 支持", "尺码表", "255"):
        assert fact in html, fact
    assert html.count("widget.js") == 1 and 'data-product-id="P005"' in html
    _, oxford = demo_site.get("/products/P003")
    assert "偏小半码" in oxford and "没有半码" in oxford


def test_missing_catalogue_fields_are_left_out(demo_site: Site) -> None:
    demo_site.add_product("P900", "无描述鞋")
    status, html = demo_site.get("/products/P900")
    assert status == 200
    assert "功能说明" not in html and "鞋面" not in html and "尺码提示" not in html


def test_unknown_product_is_a_404_page(any_site: tuple[Site, bool]) -> None:
    site, _ = any_site
    for path in ("/products/P999", "/products/..%2F..%2Fetc", "/products/" + "x" * 40):
        status, html = site.get(path)
        assert status == 404, path
        if "P999" in path:
            assert "商品不存在" in html and "widget.js" in html


def test_database_text_is_escaped(demo_site: Site) -> None:
    evil = '<script>alert(1)</script>"鞋'
    demo_site.add_product("P901", evil, material_upper='<img src=x onerror="alert(2)">')
    for path in ("/", "/products/P901"):
        status, html = demo_site.get(path)
        assert status == 200
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;鞋" in html


def test_switcher_and_token_only_in_demo_mode(any_site: tuple[Site, bool]) -> None:
    site, demo = any_site
    status, html = site.get("/products/P003", buyer="B005")
    assert status == 200
    assert ('name="buyer"' in html) is demo
    assert ("会为所选的演示买家签发登录凭证" in html) is demo  # the page says it hands them out
    tokens = TOKEN.findall(html)
    if demo:
        assert [buyer_id_from_token(unescape(t)) for t in tokens] == ["B005"]
        assert "B009 周杰" in html and "已过退货期" in html
    else:
        assert tokens == [] and "B005" not in html and "我的订单" not in html


def test_demo_routes_are_404_without_demo_mode(any_site: tuple[Site, bool]) -> None:
    site, demo = any_site
    status, _ = site.get("/orders", buyer="B009")
    assert status == (200 if demo else 404)
    resp = site.post("/demo/buyer", {"buyer": "B009", "next": "/"})
    assert resp.status_code == (303 if demo else 404)
    assert ("shop_demo_buyer" in resp.headers.get("Set-Cookie", "")) is demo


def test_switching_buyer_sets_and_clears_the_cookie(demo_site: Site) -> None:
    chosen = demo_site.post("/demo/buyer", {"buyer": "B009", "next": "/products/P003"})
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/products/P003"
    cookie = chosen.headers["Set-Cookie"]
    assert "shop_demo_buyer=B009" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    guest = demo_site.post("/demo/buyer", {"buyer": "", "next": "//evil.example/"})
    assert guest.headers["Location"] == "/"
    assert "Max-Age=0" in guest.headers["Set-Cookie"]
    # a buyer of the shop, but not one of the switcher's
    other = demo_site.post("/demo/buyer", {"buyer": "B007", "next": "https://evil.example/"})
    assert other.headers["Location"] == "/" and "Max-Age=0" in other.headers["Set-Cookie"]


def test_an_unknown_cookie_is_a_guest(demo_site: Site) -> None:
    for cookie in ("B007", "B999", "x"):
        _, html = demo_site.get("/", buyer=cookie)
        assert "data-buyer-token" not in html
        assert "当前是游客" in html


def test_orders_page_lists_the_buyers_orders(demo_site: Site) -> None:
    status, html = demo_site.get("/orders", buyer="B014")
    assert status == 200
    assert "2026050168107560" in html and "已签收" in html and "RT0003" in html
    assert "寄回中" in html and "暖冬雪地靴" in html
    assert "data-product-id" not in html
    assert [buyer_id_from_token(unescape(t)) for t in TOKEN.findall(html)] == ["B014"]
    _, guest = demo_site.get("/orders")
    assert "游客没有订单" in guest and "data-buyer-token" not in guest


def test_token_is_stable_during_a_day(demo_site: Site) -> None:
    first = TOKEN.findall(demo_site.get("/", buyer="B009")[1])
    second = TOKEN.findall(demo_site.get("/orders", buyer="B009")[1])
    assert first == second  # the widget keeps its transcript across pages
    claims = jwt.decode(unescape(first[0]), options={"verify_signature": False})
    expires = datetime.fromtimestamp(claims["exp"], timezone.utc)
    assert (expires.hour, expires.minute, expires.second) == (0, 0, 0)
    assert 24 * 3600 <= (expires - datetime.now(timezone.utc)).total_seconds() <= 48 * 3600


def test_static_assets(demo_site: Site) -> None:
    css = requests.get(demo_site.base + "/shop/static/shop.css", timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    svg = requests.get(demo_site.base + "/shop/static/shoe-boot.svg", timeout=10)
    assert svg.status_code == 200 and svg.headers["Content-Type"] == "image/svg+xml"
    for name in ("..%2Fdemo_shop.py", "shop.py", "missing.svg"):
        resp = requests.get(demo_site.base + "/shop/static/" + name, timeout=10)
        assert resp.status_code == 404, name


def _add_product(session: Session, product_id: str, name: str, **fields: object) -> None:
    product = Product(
        id=product_id,
        name=name,
        aliases=[],
        category="板鞋",
        gender="unisex",
        price_fen=10000,
        description="",
        **fields,
    )
    product.size_chart = [SizeChartRow(size=40, foot_length_mm=250)]
    session.add(product)

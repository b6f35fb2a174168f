"""Every role lands on its own page, the navigation lists only the pages a role may
use, and the console and the demo shop have a favicon (on the real console app)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from console.auth import home_for, pages_for
from tests.console.conftest import HEADERS, Client

pytestmark = pytest.mark.usefixtures("staff")
Login = Callable[[str], Awaitable[Client]]


@pytest.mark.parametrize(
    ("roles", "home", "nav"),
    [
        (["agent"], "/console/", ["agent", "agent,owner"]),  # and the records
        (["trainer"], "/console/trainer", ["trainer"]),
        (
            ["owner"],
            "/console/owner",
            ["owner", "owner", "agent,owner"],
        ),  # report, quick replies, records
        (
            ["owner", "agent"],
            "/console/",
            ["agent", "owner", "owner", "agent,owner"],
        ),  # landing order
        (["trainer", "owner"], "/console/trainer", ["trainer", "owner", "owner", "agent,owner"]),
        ([], None, []),
    ],
)
def test_landing_page_and_navigation_by_role(
    roles: list[str], home: str | None, nav: list[str]
) -> None:
    assert home_for(roles) == home
    assert [p["role"] for p in pages_for(roles)] == nav


@pytest.mark.parametrize(
    ("user", "home", "labels"),
    [
        ("agent1", "/console/", ["客服工作台", "聊天记录"]),
        ("trainer", "/console/trainer", ["训练师工作台"]),
        ("owner", "/console/owner", ["店铺数据", "快捷回复", "聊天记录"]),
    ],
)
async def test_login_tells_the_page_where_to_land(
    console: str, login: Login, user: str, home: str, labels: list[str]
) -> None:
    http = await login(user)
    async with http.get(f"{console}/console/api/me") as resp:
        me = await resp.json()
    assert me["home"] == home and [p["label"] for p in me["pages"]] == labels
    async with http.get(f"{console}/console/", allow_redirects=False) as resp:
        if user == "agent1":
            assert resp.status == 200  # the agent console itself
        else:
            assert (resp.status, resp.headers["Location"]) == (302, home)


async def test_the_login_page_is_for_everyone_without_a_session(
    console: str, client: Callable[[], Client]
) -> None:
    async with client().get(f"{console}/console", allow_redirects=False) as resp:
        assert resp.status == 200
        assert "员工登录" in await resp.text()


async def test_logout_from_a_page_without_script(console: str, login: Login) -> None:
    http = await login("owner")
    async with http.post(f"{console}/console/logout", allow_redirects=False) as resp:
        assert (resp.status, resp.headers["Location"]) == (303, "/console")
        assert "max-age=0" in resp.headers["Set-Cookie"].lower()
    async with http.get(f"{console}/console/api/me") as resp:
        assert resp.status == 401
    async with http.post(f"{console}/console/api/logout", headers=HEADERS) as resp:
        assert resp.status == 200  # the API's logout stays as it was


@pytest.mark.parametrize(
    ("path", "kind", "magic"),
    [
        ("/favicon.ico", "image/x-icon", b"\x00\x00\x01\x00"),
        ("/favicon.svg", "image/svg+xml", b"<svg"),
    ],
)
async def test_a_favicon_is_served(
    console: str, client: Callable[[], Client], path: str, kind: str, magic: bytes
) -> None:
    async with client().get(f"{console}{path}") as resp:
        assert resp.status == 200 and resp.content_type == kind
        assert (await resp.read()).startswith(magic)


async def test_every_staff_page_and_the_shop_link_the_favicon(
    console: str, client: Callable[[], Client], login: Login
) -> None:
    anonymous = client()
    for path in ("/", "/products/P001", "/console/", "/console/trainer"):
        async with anonymous.get(f"{console}{path}") as resp:
            assert '<link rel="icon" href="/favicon.svg"' in await resp.text(), path
    owner = await login("owner")
    async with owner.get(f"{console}/console/owner") as resp:
        assert '<link rel="icon" href="/favicon.svg"' in await resp.text()

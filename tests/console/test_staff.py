"""``python -m console.staff``: add, list, passwd, disable, demo (SHOP_DEMO=1 only)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from console import staff
from console.auth import staff_by_username, verify_password
from shop.config import settings
from shop.db.importer import load_shop
from shop.db.migrate import upgrade_database
from shop.db.models import QuickReply
from shop.db.session import get_engine, session_scope

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def db(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade_database(url)
    return url, get_engine(url)


def run(
    url: str,
    *args: str,
    stdin: str = "",
    monkeypatch: pytest.MonkeyPatch | None = None,
    capsys: pytest.CaptureFixture[str] | None = None,
) -> tuple[int, str, str]:
    assert monkeypatch is not None and capsys is not None
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = staff.main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_passwd_disable(
    db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    kw = {"monkeypatch": monkeypatch, "capsys": capsys}
    code, out, _ = run(
        url,
        "add",
        "xiaomei",
        "--name",
        "小美",
        "--roles",
        "agent,owner",
        "--max-open",
        "4",
        "--password-stdin",
        stdin="first-pass\n",
        **kw,
    )
    assert code == 0 and "created xiaomei" in out
    with session_scope(engine) as session:
        user = staff_by_username("xiaomei", session=session)
        assert user is not None
        assert (user.display_name, user.roles, user.max_open) == ("小美", ["agent", "owner"], 4)
        assert user.password_hash.startswith("scrypt$") and "first-pass" not in user.password_hash
        assert verify_password("first-pass", user.password_hash)
    code, _, err = run(
        url,
        "add",
        "xiaomei",
        "--name",
        "x",
        "--roles",
        "agent",
        "--password-stdin",
        stdin="other-pass\n",
        **kw,
    )
    assert code == 1 and "already exists" in err
    for args, stdin, message in [
        (["add", "a2", "--name", "x", "--roles", "boss"], "long-enough\n", "roles"),
        (["add", "A b", "--name", "x", "--roles", "agent"], "long-enough\n", "username"),
        (["add", "a3", "--name", "x", "--roles", "agent"], "short\n", "password"),
        (["passwd", "ghost"], "long-enough\n", "no staff user"),
    ]:
        code, _, err = run(url, *args, "--password-stdin", stdin=stdin, **kw)
        assert code == 1 and message in err
    code, out, _ = run(url, "list", **kw)
    assert code == 0 and "xiaomei" in out and "agent,owner" in out and "1 staff user(s)" in out
    code, _, _ = run(url, "passwd", "xiaomei", "--password-stdin", stdin="second-pass\n", **kw)
    assert code == 0
    code, _, _ = run(url, "disable", "xiaomei", **kw)
    assert code == 0
    with session_scope(engine) as session:
        user = staff_by_username("xiaomei", session=session)
        assert user is not None and not user.active
        assert verify_password("second-pass", user.password_hash)


def test_demo_only_in_demo_mode_and_idempotent(
    db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    kw = {"monkeypatch": monkeypatch, "capsys": capsys}
    monkeypatch.setattr(staff, "settings", replace(settings, demo_mode=False))
    code, _, err = run(url, "demo", **kw)
    assert code == 1 and "SHOP_DEMO=1" in err
    monkeypatch.setattr(staff, "settings", replace(settings, demo_mode=True))
    code, out, _ = run(url, "demo", **kw)
    assert code == 0 and "created agent1" in out and "created owner" in out
    run(url, "passwd", "agent1", "--password-stdin", stdin="changed-pass\n", **kw)
    code, out, _ = run(url, "demo", "--if-missing", **kw)
    assert code == 0 and "kept agent1" in out
    with session_scope(engine) as session:
        agent1 = staff_by_username("agent1", session=session)
        assert agent1 is not None and verify_password("changed-pass", agent1.password_hash)
    code, out, _ = run(url, "demo", **kw)
    assert "reset agent1" in out
    with session_scope(engine) as session:
        users = {
            u: staff_by_username(u, session=session)
            for u in ("agent1", "agent2", "trainer", "owner")
        }
        assert all(users.values())
        assert verify_password("demo1234", users["agent1"].password_hash)  # type: ignore[union-attr]
        assert users["agent2"].roles == ["agent"] and users["agent2"].max_open == 3  # type: ignore[union-attr]
        assert users["trainer"].roles == ["trainer"] and users["owner"].roles == ["owner"]  # type: ignore[union-attr]


def test_the_module_runs_with_help_and_demo(db: tuple[str, Engine]) -> None:
    url, _ = db
    env = {**os.environ, "DATABASE_URL": url, "SHOP_DEMO": "1"}
    command = [sys.executable, "-m", "console.staff"]
    done = subprocess.run([*command, "--help"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0
    for word in ("add", "list", "passwd", "disable", "demo"):
        assert word in done.stdout
    for _ in range(2):
        done = subprocess.run(
            [*command, "demo", "--if-missing"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert "kept agent1" in done.stdout


def test_demo_seeds_the_shops_quick_replies_from_its_policy(
    db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, engine = db
    demo = json.loads((ROOT / "seed" / "demo_shop.json").read_text(encoding="utf-8"))
    with session_scope(engine) as session:
        load_shop(demo, session=session, now=datetime(2026, 12, 1, 10, 0))
    kw = {"monkeypatch": monkeypatch, "capsys": capsys}
    monkeypatch.setattr(staff, "settings", replace(settings, demo_mode=True))
    code, out, _ = run(url, "demo", "--if-missing", **kw)
    assert code == 0 and "9 demo quick replies" in out

    def replies() -> dict[str, str]:
        with session_scope(engine) as session:
            return {r.title: r.text for r in session.execute(select(QuickReply)).scalars()}

    found = replies()
    assert {"退货地址", "发货时间", "尺码建议", "运费险", "七天无理由"} <= set(found)
    assert demo["policy"]["return_address"] in found["退货地址"]
    assert "16:00" in found["发货时间"] and "运费险" in found["运费险"]
    assert not any("{" in text or "None" in text for text in found.values())
    with session_scope(engine) as session:  # the owner deleted one: --if-missing keeps that
        session.execute(delete(QuickReply).where(QuickReply.title == "退货地址"))
    assert "kept 8 quick replies" in run(url, "demo", "--if-missing", **kw)[1]
    assert "退货地址" not in replies()
    run(url, "demo", **kw)  # a reset brings the demo ones back, once each
    assert len(replies()) == 9 and "退货地址" in replies()

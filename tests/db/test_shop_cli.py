"""The shop's command line: listing, showing and moving return requests, and its errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shop.db import importer
from shop.db.models import ReturnRequest, StockItem
from shop.db.returns import exchange_stock_item
from shop.db.session import session_scope
from shop.db.shop_cli import main

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _state(return_id: str) -> tuple[str, int, int | None]:
    with session_scope() as session:
        request = session.get(ReturnRequest, return_id)
        return request.status, len(request.history), request.refund_fen


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "returns" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        main(["returns", "mark", "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0 and "--refund-yuan" in out and "--actor" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["returns"],
        ["returns", "mark", "RT0001"],
        ["returns", "mark", "RT0001", "in_transit"],  # use `returns tracking`
        ["returns", "list", "--status", "lost"],
    ],
)
def test_bad_arguments_exit_2(shop_db: None, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def test_list(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "returns", "list")
    lines = out.splitlines()
    assert code == 0 and not err
    assert lines[0].split() == ["id", "order", "kind", "reason", "status", "updated"]
    assert [line.split()[0] for line in lines[1:-1]] == [f"RT000{i}" for i in range(1, 10)]
    assert lines[1].split()[:5] == ["RT0001", "2026120213887976", "return", "size", "requested"]
    assert lines[-1] == "9 return request(s)"


def test_list_by_status(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "returns", "list", "--status", "in_transit")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["RT0003", "RT0007"]
    code, out, _ = _run(capsys, "returns", "list", "--status", "exchanged")
    assert code == 0 and "RT0009" in out and out.splitlines()[-1] == "1 return request(s)"


def test_show_with_history(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "returns", "show", "RT0007")
    assert code == 0
    assert "exchange -> 43" in out and "75969373272143" in out and "(no recorded changes)" in out
    assert _run(capsys, "returns", "mark", "RT0007", "received", "--actor", "小王")[0] == 0
    code, out, _ = _run(capsys, "returns", "show", "RT0007")
    assert code == 0 and "status:     received" in out
    assert "in_transit -> received  by 小王" in out


def test_show_unknown(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "returns", "show", "RT9999")
    assert (code, out) == (1, "") and err.strip() == "error: no return request 'RT9999'"


def test_mark_inspected_then_refunded(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "returns", "mark", "RT0004", "inspected", "--note", "开胶属实")
    assert (code, out.strip(), err) == (0, "RT0004: received -> inspected (by shop)", "")
    code, out, _ = _run(capsys, "returns", "mark", "RT0004", "refunded", "--refund-yuan", "299.5")
    assert code == 0
    assert out.strip() == "RT0004: inspected -> refunded (by shop), refund 299.50 yuan"
    assert _state("RT0004") == ("refunded", 2, 29950)


def test_mark_refunded_defaults_to_the_item_price(
    shop_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with session_scope() as session:
        item = session.get(ReturnRequest, "RT0008").item
        paid = item.price_fen * item.quantity
    code, out, _ = _run(capsys, "returns", "mark", "RT0008", "refunded")
    assert code == 0 and out.strip().endswith(f"refund {paid / 100:.2f} yuan")
    assert _state("RT0008") == ("refunded", 1, paid)


def test_mark_exchanged_consumes_stock(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with session_scope() as session:
        request = session.get(ReturnRequest, "RT0007")
        request.status = "inspected"
        stock = exchange_stock_item(request, session=session)
        stock.reserved, quantity, stock_id = 1, stock.quantity, stock.id
    code, out, _ = _run(capsys, "returns", "mark", "RT0007", "exchanged")
    assert code == 0 and out.strip() == "RT0007: inspected -> exchanged (by shop)"
    with session_scope() as session:
        stock = session.get(StockItem, stock_id)
        assert (stock.quantity, stock.reserved) == (quantity - 1, 0)


def test_approve_and_buyer_cancel(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "returns", "mark", "RT0001", "awaiting_shipment")[0] == 0
    code, out, _ = _run(
        capsys, "returns", "mark", "RT0001", "rejected", "--actor", "buyer", "--note", "买家取消"
    )
    assert code == 0 and out.strip() == "RT0001: awaiting_shipment -> rejected (by buyer)"
    assert _state("RT0001") == ("rejected", 2, None)


def test_tracking(shop_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "returns", "tracking", "RT0002", "sf1234567890")
    assert code == 0
    assert out.strip() == "RT0002: awaiting_shipment -> in_transit, tracking SF1234567890"
    assert _state("RT0002") == ("in_transit", 1, None)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mark", "RT9999", "received"], "no return request 'RT9999'"),
        (["mark", "RT0002", "refunded"], "RT0002 is awaiting_shipment: cannot go to refunded"),
        (["mark", "RT0001", "received"], "RT0001 is requested: cannot go to received"),
        (["mark", "RT0005", "received"], "RT0005 is refunded: cannot go to received"),
        (["mark", "RT0003", "refunded"], "RT0003 is in_transit: cannot go to refunded"),
        (["mark", "RT0004", "refunded"], "RT0004 is received: cannot go to refunded"),
        (["mark", "RT0008", "exchanged"], "RT0008 is a return request: cannot be marked"),
        (["mark", "RT0008", "refunded", "--refund-yuan", "0"], "bad refund amount '0'"),
        (["mark", "RT0008", "refunded", "--refund-yuan", "-5"], "bad refund amount '-5'"),
        (["mark", "RT0008", "refunded", "--refund-yuan", "1.999"], "bad refund amount"),
        (["mark", "RT0008", "refunded", "--refund-yuan", "abc"], "bad refund amount 'abc'"),
        (["mark", "RT0008", "refunded", "--refund-yuan", "99999"], "at most"),
        (["mark", "RT0004", "inspected", "--refund-yuan", "10"], "only recorded with refunded"),
        (["mark", "RT0004", "inspected", "--actor", ""], "actor"),
        (["tracking", "RT0002", "SF-123"], "is not a tracking number"),
        (["tracking", "RT0003", "SF1234567890"], "RT0003 is in_transit"),
        (["tracking", "RT9999", "SF1234567890"], "no return request 'RT9999'"),
    ],
)
def test_refusals_exit_1_and_write_nothing(
    shop_db: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    return_id = argv[1] if argv[1] != "RT9999" else "RT0001"
    before = _state(return_id)
    code, out, err = _run(capsys, "returns", *argv)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1
    assert _state(return_id) == before


def test_database_error_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no_tables.db'}"
    code, out, err = _run(capsys, "--database-url", url, "returns", "list")
    assert code == 1 and out == ""
    assert err.startswith("error: database error:") and len(err.splitlines()) == 1


def test_subprocess_with_database_url(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert importer.main([str(ROOT / "seed" / "demo_shop.json"), "--database-url", sqlite_url]) == 0
    capsys.readouterr()

    def run(*argv: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "shop.db.shop_cli", *argv]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)

    done = run("--database-url", sqlite_url, "returns", "mark", "RT0004", "inspected")
    assert (done.returncode, done.stdout.strip()) == (0, "RT0004: received -> inspected (by shop)")
    # --database-url also works after the sub-command
    refused = run("returns", "mark", "RT0004", "inspected", "--database-url", sqlite_url)
    assert refused.returncode == 1 and "RT0004 is inspected" in refused.stderr
    shown = run("returns", "show", "RT0004", "--database-url", sqlite_url)
    assert shown.returncode == 0 and "received -> inspected  by shop" in shown.stdout

"""Buyer tokens: only a valid, unexpired, correctly signed token names a buyer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest

from shop.config import settings
from shop.identity import buyer_id_from_token, issue_token, main


def test_issued_token_names_the_buyer() -> None:
    assert buyer_id_from_token(issue_token("B005")) == "B005"


def test_expired_token_is_no_token() -> None:
    assert buyer_id_from_token(issue_token("B005", hours=-0.01)) is None


def test_token_signed_with_another_secret_is_no_token() -> None:
    assert buyer_id_from_token(issue_token("B005", secret="someone-else")) is None


def test_unsigned_token_is_no_token() -> None:
    forged = jwt.encode(
        {"buyer_id": "B005", "exp": datetime.now(timezone.utc) + timedelta(hours=1)},
        key=None,
        algorithm="none",
    )
    assert buyer_id_from_token(forged) is None


def test_token_without_expiry_is_no_token() -> None:
    token = jwt.encode({"buyer_id": "B005"}, settings.shop_secret, algorithm="HS256")
    assert buyer_id_from_token(token) is None


def test_token_without_buyer_is_no_token() -> None:
    token = jwt.encode(
        {"sub": "B005", "exp": datetime.now(timezone.utc) + timedelta(hours=1)},
        settings.shop_secret,
        algorithm="HS256",
    )
    assert buyer_id_from_token(token) is None


@pytest.mark.parametrize("token", [None, "", 42, {"buyer_id": "B005"}, "not.a.jwt", "x" * 5000])
def test_garbage_is_no_token(token: object) -> None:
    assert buyer_id_from_token(token) is None


def test_command_prints_a_valid_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["B007", "--hours", "1"]) == 0
    assert buyer_id_from_token(capsys.readouterr().out.strip()) == "B007"

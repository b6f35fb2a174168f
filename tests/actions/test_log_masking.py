"""Phone numbers, addresses and tokens are masked in every log record."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from shop.identity import issue_token
from shop.masking import install, mask


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("手机13812345678", "13812345678"),
        ("phone +86 138-1234-5678 ok", "1234"),
        ("tel 021-62345678", "62345678"),
        ("寄到浙江省杭州市西湖区文三路90号3幢501室", "文三路90号"),
        ("上海市浦东新区张江路88号", "张江路88号"),
        ('{"address": "随便写的地方 7 栋"}', "随便写的地方"),
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("GET /conversations/x/tracker?token=s3cr3t&x=1", "s3cr3t"),
        ("metadata {'buyer_token': 'opaque-value'}", "opaque-value"),
    ],
)
def test_mask_removes_the_secret(text: str, secret: str) -> None:
    assert secret not in mask(text)


def test_a_real_buyer_token_is_masked() -> None:
    token = issue_token("B005")
    assert token not in mask(f"user said hi with {token}")


def test_ordinary_text_is_untouched() -> None:
    for text in ("脚长25.5厘米穿多大码", "订单2026010506679357已发货", "满300减30", "42码"):
        assert mask(text) == text


def _logged(name: str, *args: Any) -> str:
    """What logger ``name`` writes for ``info(*args)``, whatever earlier tests set on it."""
    logger, stream = logging.getLogger(name), io.StringIO()
    handler = logging.StreamHandler(stream)
    saved = logger.level, logger.disabled  # logging.config calls elsewhere may change them
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.disabled = False
    try:
        logger.info(*args)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.disabled = saved[1]
    return stream.getvalue()


def test_every_logger_is_masked_after_install() -> None:
    install()
    install()  # idempotent
    phone = _logged("rasa.core.processor", "buyer phone %s", "13912345678")
    assert "13912345678" not in phone and "139****5678" in phone
    address = _logged("sanic.access", "addr %s", "北京市朝阳区建国路1号")
    assert address.startswith("addr ") and "建国路1号" not in address


def test_a_traceback_is_masked_too() -> None:
    install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("actions.test_traceback")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("no buyer with phone 13912345678 at 上海市浦东新区张江路88号")
        except ValueError:
            logger.exception("lookup failed")
            logger.warning("where", stack_info=True)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "Traceback" in written and "ValueError" in written and "lookup failed" in written
    assert "13912345678" not in written and "139****5678" in written
    assert "张江路88号" not in written
    assert "Stack (most recent call last)" in written

"""Phone numbers, addresses and tokens never reach a log file in clear text.

:func:`install` wraps the logging record factory, so every record of every
logger (Rasa, Sanic, the action server, the console) is masked when it is
created, tracebacks included, whichever handler writes it later. Installed by
``actions/__init__.py`` (action server), ``rasa_ext.install`` (Rasa server),
``console.app.create_app`` (console) and ``python -m trainer``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_MARK = "_shop_masking"
_FORMATTER = logging.Formatter()

_RULES: list[tuple[re.Pattern[str], str]] = [
    # JWTs (buyer tokens, console cookies, Rasa API tokens) anywhere.
    (re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}"), "[token]"),
    # Bearer headers and token=... query parameters or fields.
    (re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+"), r"\1[token]"),
    (re.compile(r"(?i)((?:buyer_)?token[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"), r"\1[token]"),
    # Mainland mobile numbers (11 digits, 1[3-9]...), also with +86 and separators.
    (
        re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)"),
        r"\1****\2",
    ),
    # Landlines such as 021-12345678 / 0755 1234 5678.
    (re.compile(r"(?<!\d)(0\d{2,3})[- ]\d{3,4}[- ]?(\d{2})\d{2}(?!\d)"), r"\1-****\2**"),
    # Street addresses: a province/city/district followed by a street, number or room.
    (
        re.compile(
            r"[\u4e00-\u9fff]{1,8}(?:省|市|自治区|区|县)[\u4e00-\u9fff\w\-#]{0,40}?"
            r"(?:路|街|道|巷|弄|村|号|栋|幢|单元|室)[\u4e00-\u9fff\w\-#]*"
        ),
        "[地址]",
    ),
    # JSON/dict fields that hold an address or phone, whatever their content.
    (
        re.compile(r"(?i)([\"']?(?:address|new_address|phone)[\"']?\s*[:=]\s*[\"'])[^\"']*"),
        r"\1[masked]",
    ),
]


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678`` (a phone shown to staff)."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask(text: str) -> str:
    """``text`` with phone numbers, addresses and tokens replaced."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def install() -> None:
    """Masks every log record created from now on in this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _MARK, False):
        return

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record
        cleaned = mask(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # Tracebacks quote values (a phone in an exception message, an address in a
        # failed query): handlers print exc_text when it is set, so set it masked.
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(_FORMATTER.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return record

    setattr(masked_record, _MARK, True)
    logging.setLogRecordFactory(masked_record)

"""Case summaries for the queue, in Chinese, from what the assistant gathered.

``facts`` turns the slots into short clauses, ``case_summary`` records a case with
the buyer's words (no payloads), and ``readable_summary`` shows any stored summary
as staff read it, older English-keyed rows included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from shop.lexicon import (
    AFTER_SALE_GOAL_LABELS,
    COMPLAINT_CATEGORY_LABELS,
    DELIVERY_KIND_LABELS,
    FOOT_SHAPE_LABELS,
    ORDER_STATUS_LABELS,
    RETURN_REASON_LABELS,
    label,
)
from shop.transcript import is_command, spoken


def _number(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:g}"


def facts(slots: Mapping[str, Any]) -> list[str]:
    """What the assistant gathered, as short Chinese clauses for a summary.

    ``订单2026…``, ``商品：疾风跑鞋``, ``想换货，原因：尺码不合适，换43码 黑色``,
    ``脚长25.5厘米``; empty slots are left out.
    """
    value = {k: v for k, v in slots.items() if v not in (None, "", [])}
    found = []
    if "order_id" in value:
        found.append(f"订单{value['order_id']}")
    if "product_name" in value:
        found.append(f"商品：{value['product_name']}")
    elif "product_id" in value:
        found.append(f"商品{value['product_id']}")
    wish = []
    if "after_sale_goal" in value:
        wish.append(f"想{label(AFTER_SALE_GOAL_LABELS, value['after_sale_goal'])}")
    if "return_reason" in value:
        wish.append(f"原因：{label(RETURN_REASON_LABELS, value['return_reason'])}")
    change = " ".join(
        part
        for part in (
            f"{_number(value['exchange_size'])}码" if "exchange_size" in value else "",
            str(value.get("exchange_color") or ""),
        )
        if part
    )
    if change:
        wish.append(f"换成{change}")
    if wish:
        found.append("，".join(wish))
    foot = []
    if "foot_length_cm" in value:
        foot.append(f"脚长{_number(value['foot_length_cm'])}厘米")
    if "usual_size" in value:
        foot.append(f"平时穿{_number(value['usual_size'])}码")
    if "foot_shape" in value:
        foot.append(label(FOOT_SHAPE_LABELS, value["foot_shape"]))
    if foot:
        found.append("，".join(foot))
    return found


def quoted(words: Iterable[str]) -> str:
    """Buyer messages as ``「…」「…」``."""
    return "".join(f"「{w}」" for w in words)


def case_summary(name: str, words: str | None) -> str:
    """A recorded case for the queue: ``物流停滞：买家说「好几天没动了」`` (no payloads)."""
    said = spoken(words)[:300]
    return f"{name}：买家说「{said}」" if said else name


# Summaries stored before they were written in Chinese, read for staff.
_LEGACY_CODE = re.compile(r"([a-z_]+): (.*)", re.S)
_LEGACY_ADDRESS = re.compile(r"address change requested after status (\w+)")
_LEGACY_SENTENCES = {"three failed order verifications": "订单号和手机尾号三次没对上"}


def _legacy_part(part: str) -> list[str]:
    if part.startswith("买家: "):
        said = [s for s in part[4:].split(" / ") if s.strip("- ") and not is_command(s)]
        said = [s for s in said if not s.startswith("EXTERNAL")]
        return [f"最近说：{quoted(said)}"] if said else []
    if part.startswith("意图: "):
        return []
    if part.startswith("已收集: "):
        pairs = (item.split("=", 1) for item in part[5:].split(", ") if "=" in item)
        return facts(dict(pairs))
    if part in _LEGACY_SENTENCES:
        return [_LEGACY_SENTENCES[part]]
    address = _LEGACY_ADDRESS.fullmatch(part)
    if address:
        return [f"发货后要求改地址（订单{label(ORDER_STATUS_LABELS, address.group(1))}）"]
    code = _LEGACY_CODE.fullmatch(part)
    names = {**COMPLAINT_CATEGORY_LABELS, **DELIVERY_KIND_LABELS}
    if code and code.group(1) in names:
        return [case_summary(names[code.group(1)], code.group(2))]
    return [part]


def readable_summary(summary: str | None) -> str:
    """An escalation's summary as staff read it.

    Summaries are written in Chinese; older rows (``stuck: …``, ``买家: … | 意图:
    request_human | 已收集: order_id=…``) are turned into the same sentences, and
    payloads and ``EXTERNAL`` fragments dropped.
    """
    parts = [p.strip() for p in (summary or "").split(" | ") if p.strip()]
    return "；".join(clause for part in parts for clause in _legacy_part(part))

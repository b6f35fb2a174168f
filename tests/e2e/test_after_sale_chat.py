"""After-sale conversations over the REST channel with a seeded shop database."""

from __future__ import annotations

import re
import subprocess
import sys

from shop.identity import issue_token
from tests.e2e.conftest import ROOT, Servers

B005_DELIVERED = "2026010506679357"
B001_SHIPPED = "2026051793538979"


def _chat(servers: Servers, sender: str, text: str, buyer: str | None = None) -> str:
    metadata = {"buyer_token": issue_token(buyer)} if buyer else None
    return servers.texts(sender, text, metadata=metadata)


def test_verified_buyer_returns_sends_tracking_and_sees_the_shop_receive_it(
    servers: Servers, sender: str
) -> None:
    reason = _chat(servers, sender, "这双鞋我想退货", "B005")  # the only order still returnable
    assert "原因" in reason
    confirm = _chat(servers, sender, '/inform{"return_reason":"size"}', "B005")
    assert "确认提交" in confirm and "寄回运费由您承担" in confirm
    opened = _chat(servers, sender, "确认提交", "B005")
    match = re.search(r"RT\d{4,}", opened)
    assert match, opened
    return_id = match.group(0)
    assert "已退款" not in opened

    recorded = _chat(servers, sender, "单号YT1234567890123", "B005")
    assert "YT1234567890123" in recorded and return_id in recorded
    in_transit = _chat(servers, sender, "退货进度怎么样了", "B005")
    assert "正在路上" in in_transit and "已退款" not in in_transit

    subprocess.run(
        [sys.executable, "-m", "shop.db.shop_cli", "--database-url", servers.database_url,
         "returns", "mark", return_id, "received"],
        cwd=ROOT, env=servers.env, check=True, capture_output=True,
    )  # fmt: skip
    received = _chat(servers, sender, "退款到哪了", "B005")
    assert "已收到退回的鞋子" in received
    assert "已退款" not in received

    again = _chat(servers, sender, "我要退货", "B005")
    assert "哪一笔" in again or "进行中的退换申请" in again


def test_refund_progress_typed_while_asked_which_order(servers: Servers, sender: str) -> None:
    """B002 has two orders: asked which one, the buyer asks about the refund instead."""
    assert "哪一笔" in _chat(servers, sender, "我买的鞋到哪了", "B002")
    reply = _chat(servers, sender, "退款多久到账", "B002")
    assert "退换申请" in reply, reply  # B002 has none: said plainly
    assert "没太明白" not in reply and "没对上" not in reply, reply


def test_another_buyers_token_cannot_see_an_order(servers: Servers, sender: str) -> None:
    _chat(servers, sender, "查一下我的订单物流", "B006")
    reply = _chat(servers, sender, f'/inform{{"order_id":"{B005_DELIVERED}"}}', "B006")
    assert "没有找到" in reply
    assert "签收" not in reply and B005_DELIVERED not in reply


def test_phone_suffix_verification_and_lockout(servers: Servers, sender: str) -> None:
    assert "订单号" in _chat(servers, sender, "我的快递到哪了")
    assert "后四位" in _chat(servers, sender, B001_SHIPPED)
    status = _chat(servers, sender, "7703")
    assert "已发货" in status and "疾风男子跑鞋" in status

    other = f"{sender}-probe"
    for attempt in range(3):
        _chat(servers, other, "查物流")
        _chat(servers, other, B001_SHIPPED)
        reply = _chat(servers, other, "0000")
        expected = "核对失败次数较多" if attempt == 2 else "没有找到"
        assert expected in reply, reply
        assert "疾风男子跑鞋" not in reply


def test_guessed_order_number_gets_the_same_answer(servers: Servers, sender: str) -> None:
    _chat(servers, sender, "查物流")
    _chat(servers, sender, "2099010100000000")
    missing = _chat(servers, sender, "1234")
    _chat(servers, f"{sender}-b", "查物流")
    _chat(servers, f"{sender}-b", B001_SHIPPED)
    wrong = _chat(servers, f"{sender}-b", "1234")
    assert missing == wrong

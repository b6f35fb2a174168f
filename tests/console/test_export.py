"""Conversations as agents see them: messages, unread counts, masking, export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest

from console import conversation
from shop import transcript
from tests.console.conftest import FakeRasa
from tests.console.test_agent_api import API, Login, call


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我电话13812345678", "我电话138****5678"),
        ("电话+86 13812345678。", "电话+86 138****5678。"),
        ("订单2026010506679357", "订单2026010506679357"),
        ("单号YT1234567890123", "单号YT1234567890123"),
        ("客服0595-85681234", "客服0595-****1234"),
        ("新地址是杭州市西湖区文三路100号3幢201室", "新地址是[地址已隐藏]"),
        ("改到上海市浦东新区张江路88号可以吗", "改到[地址已隐藏]可以吗"),
        ("寄到浙江杭州余杭区五常街道", "寄到浙江[地址已隐藏]"),
        ("重庆市渝中区民族路166号解放碑企业天地2号楼1808", "[地址已隐藏]"),
        ("你们是哪个市发货的", "你们是哪个市发货的"),
        ("脚长25.5穿几码", "脚长25.5穿几码"),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert conversation.mask_text(text) == masked


def test_known_addresses_are_masked_anywhere() -> None:
    assert conversation.mask_text("送到幸福里7号", ["幸福里7号"]) == "送到[地址已隐藏]"


def test_photo_ids_only_from_the_upload_command() -> None:
    assert transcript.photo_id('/send_photo{"photo_id":"ab12"}') == "ab12"
    assert transcript.photo_id('/send_photo{"photo_id": "../x"}') is None
    assert transcript.photo_id('\u2215send_photo{"photo_id":"ab12"}') is None
    assert transcript.photo_id("/send_photo{bad json") is None


def test_activity_counts_buyer_messages_since_pause_or_agent_reply() -> None:
    events = [
        {"event": "user", "text": "转人工", "timestamp": 1.0},
        {"event": "pause", "timestamp": 2.0},
        {"event": "user", "text": "在吗", "timestamp": 3.0},
        {"event": "user", "text": "EXTERNAL: x", "metadata": {"is_external": True}},
        {"event": "user", "text": "/restart"},
    ]
    last, unread = conversation.activity(events)
    assert unread == 1 and last is not None and last.startswith("1970-01-01T08:00:03")
    events.append({"event": "bot", "text": "我在", "metadata": {"agent_name": "小美"}})
    assert conversation.activity(events)[1] == 0
    events.append({"event": "bot", "text": "机器人"})
    events.append({"event": "user", "text": "好", "timestamp": 9.0})
    assert conversation.activity(events)[1] == 1
    assert conversation.activity([]) == (None, 0)


async def test_export_masks_phones_and_addresses(
    console: str,
    login: Login,
    rasa: FakeRasa,
    escalation: Callable[..., int],
) -> None:
    esc = escalation("c-exp", buyer_id="B005", summary="买家要求人工；最近说：「电话13812345678」")
    rasa.add(
        "c-exp",
        {"event": "user", "text": "我电话13812345678，新地址是杭州市西湖区文三路100号3幢201室"},
        {"event": "slot", "name": "new_address", "value": "幸福里小区7号楼"},
        {"event": "user", "text": "就寄到幸福里小区7号楼"},
        {"event": "user", "text": "原来的广东省广州市天河区天河北路233号中信广场3501室不要了"},
        {"event": "bot", "text": "寄回：福建省泉州市晋江市陈埭镇鞋都路88号，电话0595-85681234"},
        {"event": "user", "text": "=HYPERLINK(1)"},
        {
            "event": "bot",
            "text": "确认吗",
            "data": {"buttons": [{"title": "确认提交", "payload": "/affirm"}]},
        },
        {"event": "user", "text": "/affirm", "parse_data": {"intent": {"name": "affirm"}}},
        {
            "event": "user",
            "text": "EXTERNAL: EXTERNAL_agent_handback",
            "metadata": {"is_external": True},
        },
    )
    agent = await login("agent1")
    status, body = await call(agent, console, "GET", f"/escalations/{esc}/export?format=json")
    assert status == 200
    dumped = json.dumps(body, ensure_ascii=False)
    for secret in (
        "13812345678",
        "文三路100号",
        "幸福里",
        "天河北路233号",
        "鞋都路88号",
        "85681234",
    ):
        assert secret not in dumped
    texts = [m["text"] for m in body["messages"]]
    assert texts[0].startswith("我电话138****5678，新地址是") and "[地址已隐藏]" in texts[0]
    assert texts[1] == "就寄到[地址已隐藏]"
    assert "0595-****1234" in texts[3]
    assert body["escalation"]["summary"] == "买家要求人工；最近说：「电话138****5678」"
    assert body["escalation"]["reason_label"] == "买家要求人工"
    assert [(m["who"], m["text"]) for m in body["messages"][-3:]] == [
        ("bot", "确认吗"),
        ("buyer", "点了「确认提交」"),
        ("system", "客服交还机器人"),
    ]
    assert body["messages"][-2]["intent_label"] == "确认"
    for hidden in ("/affirm", "EXTERNAL", "payload"):
        assert hidden not in dumped
    async with agent.get(f"{console}{API}/escalations/{esc}/export?format=csv") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in resp.headers["Content-Disposition"]
        raw = await resp.text()
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert [r["who"] for r in rows] == [
        "buyer", "buyer", "buyer", "bot", "buyer", "bot", "buyer", "system"
    ]  # fmt: skip
    assert rows[0]["text"] == texts[0] and rows[4]["text"] == "'=HYPERLINK(1)"
    assert (rows[5]["buttons"], rows[6]["text"], rows[6]["intent_label"]) == (
        "确认提交",
        "点了「确认提交」",
        "确认",
    )
    assert rows[7]["text"] == "客服交还机器人"
    for hidden in ("13812345678", "幸福里", "/affirm", "EXTERNAL"):
        assert hidden not in raw
    status, body = await call(agent, console, "GET", f"/escalations/{esc}/export?format=xml")
    assert (status, body["error"]) == (400, "invalid")

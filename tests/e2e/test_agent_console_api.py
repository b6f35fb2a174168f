"""The agents' API against the real servers (no browser): a REST buyer asks for a person,
an agent logs in, claims, reads, replies, exports and hands back; the tracker holds
every step and the assistant answers the buyer's next message."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from shop.identity import issue_token
from tests.e2e.conftest import Servers

BUYER = "B021"  # 梁宇: two orders, one with a return; no other end-to-end test uses him
AGENT, NAME, PASSWORD = "agent2", "阿杰", "demo1234"  # demo staff (python -m console.staff demo)
HEADERS = {"X-Console": "1"}


def _sql(servers: Servers, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(servers.database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture()
def agent(servers: Servers) -> Iterator[requests.Session]:
    """agent2 logged in and switched to 在线; open escalations of earlier tests closed first
    (so nothing else is assigned to agent2); agent2 离线 again afterwards."""
    _sql(
        servers,
        "UPDATE escalations SET status = 'resolved', outcome = 'closed',"
        " resolution_note = 'closed by the e2e agent API test' WHERE status != 'resolved'",
    )
    session = requests.Session()
    session.headers.update(HEADERS)
    resp = session.post(
        f"{servers.console_url}/console/api/login",
        json={"username": AGENT, "password": PASSWORD},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["display_name"] == NAME
    online = session.put(
        f"{servers.console_url}/console/api/presence", json={"status": "online"}, timeout=30
    )
    assert online.status_code == 200, online.text
    yield session
    _sql(
        servers,
        "UPDATE staff_users SET last_seen_at = NULL, presence = 'offline' WHERE username = :u",
        u=AGENT,
    )


def _events(servers: Servers, sender: str, after: int = 0) -> list[dict[str, Any]]:
    return servers.tracker(sender)["events"][after:]


def test_an_agent_takes_over_over_the_api_and_hands_back(
    servers: Servers, sender: str, agent: requests.Session
) -> None:
    api = f"{servers.console_url}/console/api"
    metadata = {"buyer_token": issue_token(BUYER)}
    assert "人工客服" in servers.texts(sender, "转人工", metadata=metadata)
    assert servers.tracker(sender)["paused"] is True
    rows = _sql(
        servers,
        "SELECT id, buyer_id, status FROM escalations WHERE conversation_id = :c",
        c=sender,
    )
    assert len(rows) == 1 and rows[0][1:] == (BUYER, "waiting"), rows
    escalation_id = rows[0][0]

    claimed = agent.post(f"{api}/escalations/{escalation_id}/claim", timeout=30)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["agent"] == {"username": AGENT, "display_name": NAME}
    joined = _events(servers, sender)[-1]
    assert joined["event"] == "bot" and NAME in joined["text"]
    assert joined["metadata"]["agent_name"] == NAME

    assert servers.chat(sender, "我电话13344281608，鞋码不对", metadata=metadata) == []
    queue = agent.get(f"{api}/queue", timeout=30).json()
    mine = [e for e in queue["mine"] if e["id"] == escalation_id]
    assert len(mine) == 1 and mine[0]["unread"] == 1 and mine[0]["buyer_name"] == "梁宇"
    assert any(a["username"] == AGENT and a["online"] for a in queue["agents"])

    detail = agent.get(f"{api}/escalations/{escalation_id}", timeout=30).json()
    said = [(m["who"], m["text"]) for m in detail["messages"]]
    assert ("buyer", "转人工") in said and ("agent", joined["text"]) in said
    assert said[-1] == ("buyer", "我电话13344281608，鞋码不对")
    assert detail["buyer"] == {"id": BUYER, "name": "梁宇", "phone": "133****1608"}
    assert {o["id"] for o in detail["orders"]} == {"2026091424951257", "2026061891117483"}
    assert [r["id"] for r in detail["returns"]] == ["RT0008"]

    reply = "您好，我是阿杰，帮您看一下尺码"
    resp = agent.post(f"{api}/escalations/{escalation_id}/reply", json={"text": reply}, timeout=30)
    assert resp.status_code == 200, resp.text
    last = _events(servers, sender)[-1]
    assert (last["event"], last["text"], last["metadata"]["agent_name"]) == ("bot", reply, NAME)

    exported = agent.get(f"{api}/escalations/{escalation_id}/export?format=csv", timeout=30)
    assert exported.status_code == 200
    rows_csv = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert "13344281608" not in exported.text
    assert any(r["text"] == "我电话133****1608，鞋码不对" for r in rows_csv)

    before = len(_events(servers, sender))
    resp = agent.post(f"{api}/escalations/{escalation_id}/handback", timeout=60)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["status"], resp.json()["outcome"]) == ("resolved", "handed_back")
    after = _events(servers, sender, before)
    assert after[0]["event"] == "resume"
    assert (after[1]["event"], after[1]["name"]) == ("action", "action_listen")
    external = [e for e in after if e["event"] == "user"]
    assert external and external[0]["parse_data"]["intent"]["name"] == "EXTERNAL_agent_handback"
    said_after = [(e["event"], e.get("text") or e.get("name")) for e in after]
    assert any(
        e["event"] == "bot" and "继续为您服务" in (e.get("text") or "") for e in after
    ), said_after
    assert servers.tracker(sender)["paused"] is False

    answer = servers.texts(sender, "七天无理由退货吗", metadata=metadata)
    assert "无理由" in answer, answer
    assert (
        agent.post(
            f"{api}/escalations/{escalation_id}/reply", json={"text": "在吗"}, timeout=30
        ).status_code
        == 409
    )

"""A stand-in for the console's JSON API (docs/console-api.md), in memory, for the
agent console page's browser tests; it serves the real page (console/pages.py).

Like the real API it wants the ``shop_console`` cookie on every route and the
``X-Console: 1`` header on every change. Tests drive it through ``/fake/*``:
add escalations, make a buyer write, assign to another agent, read the log of
what the page sent (``GET /fake/log``).

    python tests/browser/agent_console/fake_console.py --port 5002
"""

from __future__ import annotations

import argparse
import csv
import io
import secrets
import sys
from pathlib import Path
from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from console.pages import bp as pages
from shop.lexicon import ESCALATION_REASON_LABELS, label

PNG = bytes.fromhex(  # 1x1 red pixel
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
USERS = {
    "agent1": {"display_name": "小美", "roles": ["agent"], "max_open": 3},
    "agent2": {"display_name": "小王", "roles": ["agent"], "max_open": 3},
    "trainer": {"display_name": "训练师", "roles": ["trainer"], "max_open": 0},
}
PASSWORD = "demo1234"


class Fake:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sessions: dict[str, str] = {}
        self.online: set[str] = set()
        self.presence: dict[str, str] = {}  # the 在线/离开/离线 switch; unset: online
        self.escalations: dict[int, dict[str, Any]] = {}
        self.details: dict[int, dict[str, Any]] = {}
        self.quick: dict[int, dict[str, Any]] = {1: {"id": 1, "title": "问候", "text": "您好！"}}
        self.next_id = 1
        self.log: list[dict[str, Any]] = []
        self.auto_assign = False

    def agent(self, username: str) -> dict[str, Any]:
        return {"username": username, "display_name": USERS[username]["display_name"]}

    def open_count(self, username: str) -> int:
        return sum(
            1
            for e in self.escalations.values()
            if e["status"] == "assigned" and e["agent"]["username"] == username
        )

    def assign(self, e: dict[str, Any], username: str) -> None:
        e.update(status="assigned", agent=self.agent(username), assigned_at="2026-01-01T10:00:00")
        self.system(e["id"], f"客服 {USERS[username]['display_name']} 已接入")

    def system(self, eid: int, text: str, who: str = "system", **extra: Any) -> None:
        message = {"who": who, "text": text, "time": 1767261600 + len(self.messages(eid))}
        message.update(extra)
        self.messages(eid).append(message)

    def messages(self, eid: int) -> list[dict[str, Any]]:
        return self.details[eid]["messages"]


fake = Fake()
api = Blueprint("fake_console_api", url_prefix="/console/api")
control = Blueprint("fake_control", url_prefix="/fake")


def _err(status: int, code: str) -> HTTPResponse:
    return response.json({"error": code}, status=status)


def _user(request: Request) -> str | None:
    return fake.sessions.get(request.cookies.get("shop_console", ""))


def _guard(request: Request, change: bool = True) -> tuple[str | None, HTTPResponse | None]:
    body = request.body.decode("utf-8", "replace") if request.body else ""
    fake.log.append(
        {
            "method": request.method,
            "path": request.path,
            "x_console": request.headers.get("x-console"),
            "body": body,
        }
    )
    user = _user(request)
    if user is None:
        return None, _err(401, "unauthorized")
    if change and request.headers.get("x-console") != "1":
        return None, _err(403, "forbidden")
    if "agent" not in USERS[user]["roles"]:
        return None, _err(403, "forbidden")
    return user, None


@api.post("/login")
async def login(request: Request) -> HTTPResponse:
    body = request.json or {}
    name = body.get("username")
    if name not in USERS or body.get("password") != PASSWORD:
        return _err(401, "bad_credentials")
    token = secrets.token_hex(16)
    fake.sessions[token] = name
    resp = response.json({"username": name, **USERS[name]})
    resp.cookies["shop_console"] = token
    resp.cookies["shop_console"]["httponly"] = True
    resp.cookies["shop_console"]["samesite"] = "Strict"
    resp.cookies["shop_console"]["path"] = "/"
    return resp


@api.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    fake.sessions.pop(request.cookies.get("shop_console", ""), None)
    resp = response.json({"ok": True})
    del resp.cookies["shop_console"]
    return resp


@api.get("/me")
async def me(request: Request) -> HTTPResponse:
    user = _user(request)
    if user is None:
        return _err(401, "unauthorized")
    return response.json({"username": user, **USERS[user]})


@api.get("/queue")
async def queue(request: Request) -> HTTPResponse:
    user, error = _guard(request, change=False)
    if error or user is None:
        return error or _err(401, "unauthorized")
    fake.online.add(user)
    if fake.auto_assign and _status(user) == "online":
        for e in fake.escalations.values():
            if e["status"] == "waiting" and fake.open_count(user) < USERS[user]["max_open"]:
                fake.assign(e, user)
    open_ = [e for e in fake.escalations.values() if e["status"] != "resolved"]
    agents = [
        {**fake.agent(name), "online": name in fake.online and _status(name) == "online",
         "open": fake.open_count(name), "max_open": USERS[name]["max_open"],
         "status": _status(name), "left": 0}
        for name in USERS
        if "agent" in USERS[name]["roles"]
    ]  # fmt: skip
    return response.json(
        {
            "waiting": [e for e in open_ if e["status"] == "waiting"],
            "mine": [e for e in open_ if e["agent"] and e["agent"]["username"] == user],
            "others": [e for e in open_ if e["agent"] and e["agent"]["username"] != user],
            "agents": agents,
            "me": next(a for a in agents if a["username"] == user),
            "buyer_left_minutes": 15,
        }
    )


def _status(username: str) -> str:
    return fake.presence.get(username, "online")


@api.put("/presence")
async def presence(request: Request) -> HTTPResponse:
    user, error = _guard(request)
    if error or user is None:
        return error or _err(401, "unauthorized")
    status = (request.json or {}).get("status")
    if status not in ("online", "away", "offline"):
        return response.json({"error": "invalid", "field": "status"}, status=400)
    fake.presence[user] = status
    fake.online.add(user)
    return response.json({**fake.agent(user), "status": status, "online": status == "online"})


@api.post("/escalations/<eid:int>/<action:str>")
async def act(request: Request, eid: int, action: str) -> HTTPResponse:
    user, error = _guard(request)
    if error or user is None:
        return error or _err(401, "unauthorized")
    e = fake.escalations.get(eid)
    if e is None:
        return _err(404, "not_found")
    body = request.json or {}
    if action == "claim":
        if e["status"] != "waiting":
            return _err(409, "already_claimed")
        if fake.open_count(user) >= USERS[user]["max_open"]:
            return _err(409, "agent_full")
        fake.assign(e, user)
        return response.json(e)
    if e["status"] != "assigned" or e["agent"]["username"] != user:
        return _err(409, "not_assigned")
    if action == "reply":
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 1000:
            return _err(400, "bad_text")
        fake.system(eid, text, who="bot", agent_name=USERS[user]["display_name"])
        e["unread"] = 0
        return response.json({"ok": True})
    if action == "release":
        e.update(status="waiting", agent=None)
        return response.json(e)
    if action in ("handback", "close"):
        if action == "close" and not 1 <= len(str(body.get("note") or "")) <= 500:
            return _err(400, "bad_note")
        outcome = "handed_back" if action == "handback" else "closed"
        e.update(status="resolved", outcome=outcome, resolution_note=body.get("note"))
        fake.system(eid, "已交还机器人" if action == "handback" else "会话已结束")
        return response.json(e)
    return _err(404, "not_found")


@api.get("/escalations/<eid:int>")
async def detail(request: Request, eid: int) -> HTTPResponse:
    _, error = _guard(request, change=False)
    if error:
        return error
    e = fake.escalations.get(eid)
    if e is None:
        return _err(404, "not_found")
    return response.json({"escalation": e, **fake.details[eid]})


@api.get("/escalations/<eid:int>/export")
async def export(request: Request, eid: int) -> HTTPResponse:
    _, error = _guard(request, change=False)
    if error:
        return error
    messages = fake.messages(eid)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["who", "text", "time"])
        for m in messages:
            writer.writerow([m["who"], m["text"], m["time"]])
        return response.text(out.getvalue(), content_type="text/csv; charset=utf-8")
    return response.json({"escalation": fake.escalations[eid], "messages": messages})


@api.get("/photos/<photo_id:str>")
async def photo(request: Request, photo_id: str) -> HTTPResponse:
    _, error = _guard(request, change=False)
    if error:
        return error
    return response.raw(PNG, content_type="image/png")


@api.route("/quick-replies", methods=["GET", "POST"])
async def quick_replies(request: Request) -> HTTPResponse:
    _, error = _guard(request, change=request.method == "POST")
    if error:
        return error
    if request.method == "GET":
        return response.json(list(fake.quick.values()))
    body = request.json or {}
    qid = max(fake.quick, default=0) + 1
    fake.quick[qid] = {"id": qid, "title": body.get("title"), "text": body.get("text")}
    return response.json(fake.quick[qid], status=201)


@api.route("/quick-replies/<qid:int>", methods=["PUT", "DELETE"])
async def quick_reply(request: Request, qid: int) -> HTTPResponse:
    _, error = _guard(request)
    if error:
        return error
    if qid not in fake.quick:
        return _err(404, "not_found")
    if request.method == "DELETE":
        del fake.quick[qid]
        return response.empty()
    body = request.json or {}
    fake.quick[qid].update(title=body.get("title"), text=body.get("text"))
    return response.json(fake.quick[qid])


@control.post("/escalations")
async def add_escalation(request: Request) -> HTTPResponse:
    body = request.json or {}
    eid = fake.next_id
    fake.next_id += 1
    fake.escalations[eid] = {
        "id": eid,
        "conversation_id": f"conv-{eid}",
        "buyer_id": body.get("buyer_id"),
        "buyer_name": body.get("buyer_name"),
        "order_id": body.get("order_id"),
        "reason": body.get("reason", "request_human"),
        "reason_label": label(ESCALATION_REASON_LABELS, body.get("reason", "request_human")),
        "priority": body.get("priority", 2),
        "summary": body.get("summary", ""),
        "status": "waiting",
        "agent": None,
        "created_at": "2026-01-01T09:58:00",
        "assigned_at": None,
        "waiting_seconds": body.get("waiting_seconds", 95),
        "last_buyer_message_at": None,
        "unread": body.get("unread", 0),
        "buyer_left": body.get("buyer_left", False),
    }
    fake.details[eid] = {
        "messages": body.get("messages", []),
        "buyer": body.get("buyer"),
        "orders": body.get("orders", []),
        "returns": body.get("returns", []),
        "photos": body.get("photos", []),
        "suggestions": body.get("suggestions", []),
    }
    return response.json(fake.escalations[eid], status=201)


@control.post("/escalations/<eid:int>/buyer")
async def buyer_says(request: Request, eid: int) -> HTTPResponse:
    body = request.json or {}
    fake.system(eid, body.get("text", ""), who="buyer", photo_id=body.get("photo_id"))
    fake.escalations[eid]["unread"] += 1
    return response.json({"ok": True})


@control.post("/escalations/<eid:int>/assign")
async def assign_to(request: Request, eid: int) -> HTTPResponse:
    fake.assign(fake.escalations[eid], (request.json or {})["username"])
    return response.json({"ok": True})


@control.post("/auto-assign")
async def auto_assign(request: Request) -> HTTPResponse:
    fake.auto_assign = bool((request.json or {}).get("on"))
    return response.json({"ok": True})


@control.post("/reset")
async def reset(_: Request) -> HTTPResponse:
    fake.reset()
    return response.json({"ok": True})


@control.get("/log")
async def log(_: Request) -> HTTPResponse:
    return response.json(fake.log)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = Sanic("fake_console")
    app.blueprint(pages)
    app.blueprint(api)
    app.blueprint(control)
    app.run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()

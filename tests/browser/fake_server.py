"""A stand-in for the shop's socket.io channel, for the widget's browser tests.

Serves channels/static/ under /webchat/ and speaks the widget's protocol
(session_request / session_confirm, user_uttered / bot_uttered, error), answering
with scripted replies chosen by keyword. Everything it receives is appended as one
JSON line to the --log file, so tests can check it, even across a restart.

    python tests/browser/fake_server.py --port 5055 --log /tmp/received.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web

STATIC = Path(__file__).resolve().parents[2] / "channels" / "static"
INJECTION = '<img src=x onerror=alert(1)> <script>alert("xss")</script> & <b>粗体</b>'


def scripted_replies(message: str, base: str) -> list[dict[str, Any]]:
    """The bot_uttered payloads answering ``message``."""
    if message.startswith("/"):
        return [{"text": f"已收到按钮：{message}"}]
    if "推荐" in message:
        return [
            {
                "text": "您想看哪一类鞋？",
                "quick_replies": [
                    {
                        "content_type": "text",
                        "title": "跑步鞋",
                        "payload": '/ask_category{"category": "跑步鞋"}',
                    },
                    {
                        "content_type": "text",
                        "title": "商务皮鞋",
                        "payload": '/ask_category{"category": "商务皮鞋"}',
                    },
                ],
            }
        ]
    if "图片" in message:
        return [
            {"attachment": {"type": "image", "payload": {"src": f"{base}/webchat/demo-shoe.svg"}}}
        ]
    if "卡片" in message:
        return [
            {
                "type": "product_card",
                "name": "城市牛津皮鞋",
                "price": 599,
                "image": f"{base}/webchat/demo-shoe.svg",
                "url": f"{base}/webchat/demo.html",
                "fit_note": "偏小半码，建议拍大半码",
            },
            {
                "type": "order_card",
                "order_id": "D20240501001",
                "status": "已发货",
                "products": [{"name": "城市牛津皮鞋", "size": 42, "quantity": 1}, "运动袜"],
                "courier": "顺丰速运",
                "tracking_number": "SF1234567890",
                "events": [
                    {"time": "2024-05-03 09:12", "description": "快件已到达【上海浦东转运中心】"},
                    {"time": "2024-05-02 18:40", "description": "商家已发货"},
                ],
            },
            {
                "type": "return_card",
                "return_id": "R20240510007",
                "status": "待寄回",
                "next_step": "请在7天内把鞋寄回：浙江省温州市鹿城区步云路8号，收件人 售后部",
            },
            {
                "type": "size_table",
                "product": "城市牛津皮鞋",
                "rows": [
                    {"size": 41, "foot_length_mm": 255},
                    {"size": 42, "foot_length_mm": 260},
                    {"size": 43, "foot_length_mm": 265},
                ],
                "recommended": 42,
            },
            {"type": "mystery_card", "text": "未知卡片的文字说明"},
            {"type": "evil_card", "html": INJECTION},
        ]
    if "注入" in message:
        return [
            {"text": INJECTION},
            {
                "type": "product_card",
                "name": INJECTION,
                "price": "<b>1</b>",
                "image": "javascript:alert(2)",
                "url": "javascript:alert(3)",
                "fit_note": "<script>alert(4)</script>",
            },
            {"attachment": {"type": "image", "payload": {"src": "javascript:alert(5)"}}},
            {
                "text": "请选择",
                "quick_replies": [{"content_type": "text", "title": INJECTION, "payload": "/x"}],
            },
        ]
    return [{"text": f"您好，这里是步云鞋业客服。\n您说的是：{message}"}]


def build_app(port: int, log_path: Path) -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app, socketio_path="socket.io")
    base = f"http://127.0.0.1:{port}"
    confirmed: dict[str, str] = {}  # socket id -> session id
    owners: dict[str, str | None] = {}  # session id -> buyer token
    state = {"expired_once": False}

    def record(event: str, data: Any) -> None:
        with log_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"event": event, "data": data}, ensure_ascii=False) + "\n")

    @sio.event
    async def session_request(sid: str, data: Any) -> None:
        record("session_request", data)
        data = data if isinstance(data, dict) else {}
        session_id = data.get("session_id")
        token = data.get("buyer_token")
        if session_id and session_id in owners and owners[session_id] != token:
            await sio.emit("error", {"code": "buyer_changed"}, to=sid)
            return
        session_id = session_id or uuid.uuid4().hex
        owners[session_id] = token
        confirmed[sid] = session_id
        await sio.emit("session_confirm", {"session_id": session_id}, to=sid)

    @sio.event
    async def user_uttered(sid: str, data: Any) -> None:
        record("user_uttered", data)
        message = str(data.get("message", ""))
        if confirmed.get(sid) != data.get("session_id"):
            await sio.emit("error", {"code": "no_session"}, to=sid)
            return
        if "会话失效" in message and not state["expired_once"]:
            state["expired_once"] = True
            confirmed.pop(sid, None)
            await sio.emit("error", {"code": "no_session"}, to=sid)
            return
        if "慢" in message:
            await asyncio.sleep(1.5)
        for reply in scripted_replies(message, base):
            await sio.emit("bot_uttered", reply, to=sid)

    @sio.event
    async def disconnect(sid: str, *args: Any) -> None:
        confirmed.pop(sid, None)

    async def index(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/webchat/demo.html")

    app.router.add_get("/", index)
    app.router.add_static("/webchat/", STATIC)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    web.run_app(build_app(args.port, args.log), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()

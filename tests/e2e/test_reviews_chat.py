"""Product reviews end to end (real servers, REST channel): review questions answered
with the figures of the data, on the demo shop and on the second shop (its own file and
reviews); the post-delivery invitation sent by the console's dispatcher on the demo
shop; and on the second shop (production mode: the REST token lets the test speak as
the buyer's own conversation) a typed score and words stored, then a low rating that
opens a complaint.

Figures: seed/demo_shop.json (疾风男子跑鞋: 10 reviews, 41 stars, 4 偏小 of 10 while its
note says 正码; 萌趣儿童雨靴: none) and tests/e2e/second_shop.json (铁骑马丁靴: 5 reviews,
21 stars, 2 of 5 偏大 while its note says 偏小半码; 逐风篮球鞋: none).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from shop.clock import local_now
from shop.db.models import Complaint, Escalation, ProductReview, ShopEvent
from shop.db.shop_events import mark_order_delivered, record_event
from tests.e2e.conftest import ROOT, Servers, replies_json

Say = Callable[..., str]
DEMO_SHIPPED = "2026120600562573"  # B027's 城市牛津皮鞋, shipped; used by no other test
SECOND_DELIVERED = "2026110818273645"  # U01's 踏浪帆布鞋 37, delivered
SECOND_COMPLETED = "2026092011223344"  # U01's 云朵女子凉拖 37, completed


def test_review_figures_match_the_demo_data(say: Say) -> None:
    reply = say("疾风男子跑鞋评价怎么样")
    assert "疾风男子跑鞋目前有10条买家评价，平均4.1分" in reply, reply
    assert "40%觉得偏小" in reply and "40%的买家反馈偏小" in reply, reply
    assert "「" in reply  # quoted, never made up: the quotes are the file's words
    none = say("萌趣儿童雨靴买过的人怎么说")
    assert "暂时还没有买家评价" in none and "平均" not in none, none


def test_a_topic_and_the_shoe_typed_after_the_question(say: Say) -> None:
    asked = say("买过的都怎么说")
    assert "哪一款" in asked, asked
    reply = say("牛津鞋")
    assert "城市牛津皮鞋目前有5条买家评价" in reply and "没太明白" not in reply, reply
    topic = say("穿過的說磨腳嗎")
    assert "5条评价里有2条提到磨脚" in topic and "磨脚" in topic.split("买家原话")[-1], topic


def test_after_a_typed_shoe_the_answer_waits_for_the_buyer(say: Say) -> None:
    """A stock answer started by a typed name (as the review one above) is not followed by
    "没太明白" until the circuit breaker, nor by a hand-over."""
    assert "哪一款" in say("米色36码什么时候有货")
    reply = say("小白鞋")
    assert "经典小白板鞋" in reply and "没太明白" not in reply, reply
    after = say("小白鞋评价怎么样")
    assert "经典小白板鞋目前有4条买家评价" in after and "人工" not in after, after


def test_the_second_shop_answers_from_its_own_reviews(say_second: Say) -> None:
    reply = say_second("马丁靴评价怎么样")
    assert "铁骑马丁靴目前有5条买家评价，平均4.2分" in reply, reply
    assert "40%的买家反馈偏大" in reply, reply  # its note says 偏小半码
    none = say_second("逐风篮球鞋有差评吗")
    assert "逐风篮球鞋暂时还没有买家评价" in none, none


def _tracker(servers: Servers, sender: str) -> dict[str, Any]:
    return servers.tracker(sender)


def _invited(servers: Servers, sender: str, timeout: float = 90) -> dict[str, Any]:
    """The tracker once the invitation is in it (the dispatcher polls every few seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        tracker = _tracker(servers, sender)
        names = [e.get("name") for e in tracker.get("events", []) if e.get("event") == "action"]
        if "action_review_invite" in names and "review_form" in names:
            return tracker
        assert time.monotonic() < deadline, names
        time.sleep(2)


def test_the_console_invites_a_review_a_few_days_after_delivery(servers: Servers) -> None:
    engine = create_engine(servers.database_url, future=True)
    with Session(engine) as session, session.begin():
        mark_order_delivered(DEMO_SHIPPED, session=session, now=local_now() - timedelta(days=4))
    tracker = _invited(servers, "buyer-B027")  # the console's dispatcher, no command run
    texts = [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]
    invite = next(t for t in texts if "打个分" in t)
    assert "城市牛津皮鞋" in invite and DEMO_SHIPPED in invite, texts
    assert tracker["active_loop"].get("name") == "review_form"
    with Session(engine) as session:
        kinds = session.execute(
            select(ShopEvent.kind).where(ShopEvent.order_id == DEMO_SHIPPED)
        ).scalars()
        assert sorted(kinds) == ["order_delivered", "review_invite"]
    engine.dispose()


def _notify(servers: Servers) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shop.notify"], cwd=ROOT, env=servers.env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _delivered_days_ago(servers: Servers, order_id: str, days: int) -> None:
    engine = create_engine(servers.database_url, future=True)
    with Session(engine) as session, session.begin():
        record_event(
            "order_delivered", buyer_id="U01", session=session, order_id=order_id,
            payload={"order_id": order_id}, now=local_now() - timedelta(days=days),
        )  # fmt: skip
    engine.dispose()


def test_a_typed_review_is_stored_and_a_low_one_opens_a_complaint(
    second_servers: Servers,
) -> None:
    me = "buyer-U01"
    _delivered_days_ago(second_servers, SECOND_DELIVERED, 4)
    _notify(second_servers)
    _invited(second_servers, me, timeout=30)
    words = second_servers.chat(me, "4分")
    assert "穿着感受" in replies_json(words), replies_json(words)
    thanks = second_servers.texts(me, "帆布很透气，穿着舒服")
    assert "收到您的评价啦" in thanks, thanks

    engine = create_engine(second_servers.database_url, future=True)
    with Session(engine) as session:
        review = session.execute(
            select(ProductReview).where(ProductReview.order_id == SECOND_DELIVERED)
        ).scalar_one()
        assert (review.product_id, review.buyer_id, review.rating, review.source) == (
            "C101", "U01", 4, "chat")  # fmt: skip
        # as typed, in the widths NLU reads (NFKC: the full-width comma becomes ",")
        assert (review.text, review.size) == ("帆布很透气,穿着舒服", 37.0)
    # the buyer's other order, a day later (one invitation a buyer a day)
    with Session(engine) as session, session.begin():
        session.execute(
            update(ShopEvent)
            .where(ShopEvent.kind == "review_invite", ShopEvent.buyer_id == "U01")
            .values(created_at=local_now() - timedelta(days=2))
        )
    _delivered_days_ago(second_servers, SECOND_COMPLETED, 5)
    _notify(second_servers)
    deadline = time.monotonic() + 30
    while "云朵女子凉拖" not in str(second_servers.tracker(me).get("events")):
        assert time.monotonic() < deadline, "no second invitation"
        time.sleep(1)
    second_servers.chat(me, "1分")
    complaint = second_servers.texts(me, "洗了一次就开胶了")
    assert "作为投诉转给店铺" in complaint, complaint
    with Session(engine) as session:
        row = session.execute(
            select(Complaint).where(Complaint.order_id == SECOND_COMPLETED)
        ).scalar_one()
        assert row.buyer_words == "1分评价：洗了一次就开胶了" and row.category == "quality"
        escalation = session.execute(
            select(Escalation).where(Escalation.order_id == SECOND_COMPLETED)
        ).scalar_one()
        assert escalation.reason == "complaint" and "开胶" in escalation.summary
        stored = session.execute(
            select(ProductReview.rating).where(ProductReview.order_id == SECOND_COMPLETED)
        ).scalar_one()
        assert stored == 1
    engine.dispose()

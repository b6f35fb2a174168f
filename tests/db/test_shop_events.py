"""Shop events: the shop's order/return commands record them; the dispatcher
delivers each exactly once (two dispatchers, failures and retries, paused)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from shop import notify
from shop.clock import local_now
from shop.db.importer import load_shop
from shop.db.models import Base, Order, ShopEvent
from shop.db.session import get_engine, session_scope
from shop.db.shop_cli import main

ROOT = Path(__file__).resolve().parents[2]
B002_PAID = "2026101994084208"
B001_SHIPPED = "2026051793538979"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def _events() -> list[tuple[str, str, str | None, dict[str, Any], str | None]]:
    with session_scope() as session:
        rows = session.execute(select(ShopEvent).order_by(ShopEvent.id)).scalars()
        return [(e.kind, e.buyer_id, e.return_id, e.payload, e.order_id) for e in rows]


def _add_events(count: int, engine: Engine | None = None) -> None:
    with session_scope(engine) as session:
        now = local_now()
        for number in range(count):
            session.add(
                ShopEvent(
                    kind="order_delivered", buyer_id="B005", order_id="2026010506679357",
                    payload={"order_id": "2026010506679357", "n": number}, created_at=now,
                    next_attempt_at=now, attempts=0,
                )
            )  # fmt: skip


def test_ship_then_deliver_records_the_steps_and_two_events(
    shop_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "orders", "mark", B002_PAID, "shipped", "--courier", "中通快递",
        "--tracking", "zt 7312 3456 7890",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"{B002_PAID}: paid -> shipped (中通快递 ZT731234567890); buyer notice #1 queued"
    code, out, _ = _run(capsys, "orders", "mark", B002_PAID, "delivered")
    assert (code, out) == (0, f"{B002_PAID}: shipped -> delivered; buyer notice #2 queued")
    with session_scope() as session:
        order = session.get(Order, B002_PAID)
        assert order.status == "delivered" and order.delivered_at is not None
        assert [(s.courier, s.tracking_number) for s in order.shipments] == [
            ("中通快递", "ZT731234567890")
        ]
        assert order.shipments[0].events[-1].description == "已签收"
    assert _events() == [
        ("order_shipped", "B002", None,
         {"order_id": B002_PAID, "courier": "中通快递", "tracking_number": "ZT731234567890"},
         B002_PAID),
        ("order_delivered", "B002", None, {"order_id": B002_PAID}, B002_PAID),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        ([B001_SHIPPED, "shipped", "--courier", "中通快递", "--tracking", "ZT731234567890"],
         f"error: {B001_SHIPPED} is shipped: only a paid order can be shipped"),
        ([B002_PAID, "shipped", "--courier", "顺丰速运"],
         "error: shipped needs --courier and --tracking"),
        ([B002_PAID, "shipped", "--courier", "韵达", "--tracking", "YD12345678"],
         "error: unknown courier '韵达' (the shop uses: 中通快递, 顺丰速运)"),
        ([B002_PAID, "shipped", "--courier", "顺丰速运", "--tracking", "SF-1"],
         "error: 'SF-1' is not a tracking number (8-20 letters and digits, e.g. SF1234567890)"),
        ([B002_PAID, "delivered"],
         f"error: {B002_PAID} is paid: only a shipped order can be delivered"),
        (["9999999999999999", "delivered"], "error: no order '9999999999999999'"),
    ],
)  # fmt: skip
def test_refused_order_steps_change_nothing(
    shop_db: None, capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    assert _run(capsys, "orders", "mark", *argv) == (1, "", error)
    assert _events() == []
    with session_scope() as session:
        assert session.get(Order, B002_PAID).status == "paid"


def test_returns_received_and_refunded_notify_other_steps_do_not(
    shop_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "returns", "mark", "RT0003", "received")
    assert (code, out) == (0, "RT0003: in_transit -> received (by shop)")
    assert _run(capsys, "returns", "mark", "RT0003", "inspected")[1] == (
        "RT0003: received -> inspected (by shop)"
    )
    code, out, _ = _run(capsys, "returns", "mark", "RT0008", "refunded", "--refund-yuan", "100")
    assert out == "RT0008: inspected -> refunded (by shop), refund 100.00 yuan"
    events = _events()
    assert [(kind, buyer, rid) for kind, buyer, rid, _, _ in events] == [
        ("return_received", "B014", "RT0003"),
        ("return_refunded", "B021", "RT0008"),
    ]
    assert events[1][3] == {
        "return_id": "RT0008",
        "order_id": events[1][4],
        "refund_yuan": "100.00",
    }
    # A refused refund (not inspected yet) records no event either.
    assert _run(capsys, "returns", "mark", "RT0004", "refunded")[0] == 1
    assert len(_events()) == 2


class Rasa:
    """A stand-in for Rasa's trigger_intent: records, fails or reports a pause on demand."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_next = 0
        self.paused = False
        self.lock = threading.Lock()

    def __call__(self, message: dict[str, Any]) -> None:
        if self.paused:
            raise notify.ConversationPausedError("paused")
        if self.fail_next:
            self.fail_next -= 1
            raise notify.DeliveryError("connection refused")
        with self.lock:
            self.sent.append(message)


def _state(event_id: int = 1) -> tuple[int, bool, str | None, bool]:
    with session_scope() as session:
        event = session.get(ShopEvent, event_id)
        return (
            event.attempts,
            event.delivered_at is not None,
            event.last_error,
            (event.next_attempt_at > local_now()),
        )


def test_an_event_is_sent_once_with_its_intent_and_entities(shop_db: None) -> None:
    _add_events(1)
    rasa = Rasa()
    assert notify.dispatch_once(send=rasa) == notify.Outcome(delivered=1)
    assert notify.dispatch_once(send=rasa) == notify.Outcome()
    with session_scope() as session:
        created = session.get(ShopEvent, 1).created_at
    key = f"1-{created:%Y%m%d%H%M%S%f}"  # unique even when SQLite reuses the id
    assert rasa.sent == [
        {"buyer_id": "B005", "intent": "EXTERNAL_order_delivered",
         "entities": {"order_id": "2026010506679357", "n": "0", "shop_event_id": key}}
    ]  # fmt: skip
    assert _state() == (1, True, None, False)


def test_a_failure_is_retried_later_then_delivered_once(shop_db: None) -> None:
    _add_events(1)
    rasa = Rasa()
    rasa.fail_next = 1
    assert notify.dispatch_once(send=rasa) == notify.Outcome(failed=1)
    assert _state() == (1, False, "connection refused", True)  # retry in 10 s
    assert notify.dispatch_once(send=rasa) == notify.Outcome()  # not due yet
    with session_scope() as session:
        session.execute(update(ShopEvent).values(next_attempt_at=local_now() - timedelta(1)))
    assert notify.dispatch_once(send=rasa) == notify.Outcome(delivered=1)
    assert len(rasa.sent) == 1 and _state()[:3] == (2, True, None)


def test_a_paused_conversation_keeps_the_event_until_it_is_resumed(shop_db: None) -> None:
    _add_events(1)
    rasa = Rasa()
    rasa.paused = True
    assert notify.dispatch_once(send=rasa) == notify.Outcome(deferred=1)
    assert _state()[1:] == (False, "paused", True)
    rasa.paused = False
    with session_scope() as session:
        session.execute(update(ShopEvent).values(next_attempt_at=local_now()))
    assert notify.dispatch_once(send=rasa) == notify.Outcome(delivered=1)


def test_a_second_dispatcher_skips_what_the_first_is_sending(shop_db: None) -> None:
    _add_events(2)
    rasa = Rasa()
    inner: list[notify.Outcome] = []

    def first(message: dict[str, Any]) -> None:
        # While the first dispatcher sends event 1, a second one runs in full.
        if not inner:
            inner.append(notify.dispatch_once(send=rasa))
        rasa(message)

    assert notify.dispatch_once(send=first) == notify.Outcome(delivered=1)
    assert inner == [notify.Outcome(delivered=1)]  # only event 2: event 1 was claimed
    assert sorted(m["entities"]["shop_event_id"][:2] for m in rasa.sent) == ["1-", "2-"]


def test_a_crashed_dispatchers_claim_is_taken_over_after_the_timeout(shop_db: None) -> None:
    _add_events(1)
    from shop.db import shop_events

    with session_scope() as session:  # a dispatcher claims and dies
        assert shop_events.claim_event(1, session=session, now=local_now())
    rasa = Rasa()
    assert notify.dispatch_once(send=rasa) == notify.Outcome()
    with session_scope() as session:
        session.execute(update(ShopEvent).values(claimed_at=local_now() - timedelta(minutes=3)))
    assert notify.dispatch_once(send=rasa) == notify.Outcome(delivered=1)
    assert _state()[:2] == (2, True)


def test_two_dispatcher_threads_on_one_database_send_each_event_once(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    Base.metadata.create_all(engine)
    with session_scope(engine) as session:
        load_shop(
            json.loads((ROOT / "seed" / "demo_shop.json").read_text("utf-8")), session=session
        )
    _add_events(20, engine)
    rasa = Rasa()
    results: list[notify.Outcome] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(notify.dispatch_once(engine=engine, send=rasa))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = sorted(int(m["entities"]["shop_event_id"].split("-")[0]) for m in rasa.sent)
    assert ids == list(range(1, 21))
    assert sum(r.delivered for r in results) == 20
    engine.dispose()

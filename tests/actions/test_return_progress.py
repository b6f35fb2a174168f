"""Opening a confirmed return, its status, and the return parcel's tracking number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.return_progress import ActionOpenReturn
from actions.return_status import ActionCheckReturnStatus, ActionRecordReturnTracking
from shop.clock import shop_now
from shop.db import returns
from shop.db.models import Order, ReturnRequest, StockItem
from shop.db.session import session_scope
from shop.identity import issue_token
from tests.conftest import make_tracker, token

B001_SHIPPED = "2026051793538979"
B005_DELIVERED = "2026010506679357"  # 轻羽女子跑鞋 白色 38
B013_RT0002 = "2026021097134246"  # RT0002 awaiting_shipment
RESET = [
    SlotSet(slot, None)
    for slot in (
        "order_item_id",
        "return_reason",
        "exchange_size",
        "exchange_color",
        "return_confirmed",
        "return_blocked",
    )
]
RETURN_ADDRESS = {
    "return_address": "福建省泉州市晋江市陈埭镇鞋都路88号 步云鞋业电商仓 退货组",
    "return_recipient": "陈师傅（售后）",
    "return_phone": "0595-85681234",
}

pytestmark = pytest.mark.usefixtures("shop_db")


def item_id(order_id: str) -> str:
    with session_scope() as session:
        return str(session.get(Order, order_id).items[0].id)


def requests_of(order_id: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows = session.execute(
            select(ReturnRequest)
            .where(ReturnRequest.order_id == order_id)
            .order_by(ReturnRequest.id)
        ).scalars()
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "reason": r.reason,
                "status": r.status,
                "exchange": (r.exchange_size, r.exchange_color),
                "tracking": r.return_tracking_number,
                "history": [(h.from_status, h.to_status, h.actor) for h in r.history],
            }
            for r in rows
        ]


def reserved(color: str, size: float) -> int:
    with session_scope() as session:
        return session.execute(
            select(StockItem.reserved).where(
                StockItem.product_id == "P002", StockItem.color == color, StockItem.size == size
            )
        ).scalar_one()


def names(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


# --- opening the request ------------------------------------------------------------


async def _open(
    domain: dict, *, buyer: str = "B005", order_id: str = B005_DELIVERED, **slots: Any
) -> tuple[list, CollectingDispatcher]:
    values = {
        "order_id": order_id,
        "order_item_id": item_id(order_id),
        "after_sale_goal": "return",
        "return_reason": "size",
        "return_confirmed": True,
        **slots,
    }
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("确认提交", intent="affirm", slots=values, metadata=token(buyer))
    events = await ActionOpenReturn().run(dispatcher, tracker, domain)
    return events, dispatcher


async def test_the_buyers_words_are_what_they_typed_not_the_confirmation(domain: dict) -> None:
    values = {
        "order_id": B005_DELIVERED,
        "order_item_id": item_id(B005_DELIVERED),
        "after_sale_goal": "return",
        "return_reason": "quality",
        "return_confirmed": True,
    }
    tracker = make_tracker("/affirm", intent="affirm", slots=values, metadata=token("B005"))
    tracker.events.extend(
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
        for text, intent in [
            ("我要退貨，鞋跟鬆了", "request_return"),
            ('/inform{"return_reason":"quality"}', "inform"),
            ("好的", "affirm"),
            ("/affirm", "affirm"),
        ]
    )
    await ActionOpenReturn().run(CollectingDispatcher(), tracker, domain)
    with session_scope() as session:
        words = session.execute(
            select(ReturnRequest.buyer_words).where(ReturnRequest.order_id == B005_DELIVERED)
        ).scalar_one()
    assert words == "我要退货,鞋跟松了"  # simplified, NFKC: as the owner's report reads it


async def test_a_confirmed_return_is_opened(domain: dict, rendered: Any) -> None:
    events, dispatcher = await _open(domain)
    assert events == RESET
    assert rendered(dispatcher) == ["utter_return_opened", "utter_return_refund_rule"]
    opened, rule = dispatcher.messages
    assert opened["return_id"] == "RT0010"
    assert opened["kind_name"] == "退货"
    assert {key: opened[key] for key in RETURN_ADDRESS} == RETURN_ADDRESS
    assert rule["refund_days"] == "收到退货并验收后1-3个工作日"
    assert requests_of(B005_DELIVERED) == [
        {
            "id": "RT0010",
            "kind": "return",
            "reason": "size",
            "status": "awaiting_shipment",
            "exchange": (None, None),
            "tracking": None,
            "history": [
                (None, "requested", "assistant"),
                ("requested", "awaiting_shipment", "assistant"),
            ],
        }
    ]


async def test_a_confirmed_exchange_reserves_the_new_size(domain: dict, rendered: Any) -> None:
    before = reserved("白色", 37.5)
    events, dispatcher = await _open(domain, after_sale_goal="exchange", exchange_size=37.5)
    assert events == RESET
    assert rendered(dispatcher) == ["utter_return_opened", "utter_exchange_rule"]
    assert dispatcher.messages[0]["kind_name"] == "换货"
    assert (dispatcher.messages[1]["color"], dispatcher.messages[1]["size"]) == ("白色", "37.5")
    assert reserved("白色", 37.5) == before + 1
    [request] = requests_of(B005_DELIVERED)
    assert (request["kind"], request["status"], request["exchange"]) == (
        "exchange",
        "awaiting_shipment",
        (37.5, "白色"),
    )


async def test_an_exchange_to_another_colour_reserves_that_colour(domain: dict) -> None:
    before = reserved("灰色", 38.0)
    await _open(domain, after_sale_goal="exchange", exchange_size=38.0, exchange_color="灰色")
    assert reserved("灰色", 38.0) == before + 1
    assert requests_of(B005_DELIVERED)[0]["exchange"] == (38.0, "灰色")


async def test_an_exchange_whose_stock_went_meanwhile_is_not_opened(
    domain: dict, rendered: Any
) -> None:
    with session_scope() as session:
        row = session.execute(
            select(StockItem).where(
                StockItem.product_id == "P002", StockItem.color == "白色", StockItem.size == 37.5
            )
        ).scalar_one()
        row.reserved = row.quantity
        taken = row.reserved
    events, dispatcher = await _open(domain, after_sale_goal="exchange", exchange_size=37.5)
    assert events == RESET
    assert rendered(dispatcher) == ["utter_exchange_no_stock"]
    assert reserved("白色", 37.5) == taken
    assert requests_of(B005_DELIVERED) == []


@pytest.mark.parametrize("confirmed", [False, None])
async def test_without_a_yes_nothing_is_opened(
    confirmed: bool | None, domain: dict, rendered: Any
) -> None:
    before = reserved("白色", 37.5)
    events, dispatcher = await _open(
        domain, return_confirmed=confirmed, after_sale_goal="exchange", exchange_size=37.5
    )
    assert events == RESET
    assert rendered(dispatcher) == ["utter_return_cancelled"]
    assert requests_of(B005_DELIVERED) == []
    assert reserved("白色", 37.5) == before


async def test_a_blocked_request_just_resets_the_form(domain: dict) -> None:
    events, dispatcher = await _open(domain, return_blocked=True)
    assert (events, dispatcher.messages) == (RESET, [])
    assert requests_of(B005_DELIVERED) == []


async def test_the_same_request_twice_opens_one(domain: dict, rendered: Any) -> None:
    await _open(domain)
    events, dispatcher = await _open(domain, return_reason="quality")
    assert events == RESET
    # its state follows (a no-reason return is approved at once: send the parcel)
    assert rendered(dispatcher) == ["utter_return_exists", "utter_return_status_awaiting_shipment"]
    assert dispatcher.messages[0]["return_id"] == "RT0010"
    assert [r["id"] for r in requests_of(B005_DELIVERED)] == ["RT0010"]


async def test_a_token_for_another_buyer_cannot_open_a_return(domain: dict, rendered: Any) -> None:
    events, dispatcher = await _open(domain, buyer="B001")
    assert events == RESET
    assert rendered(dispatcher) == ["utter_order_not_found"]
    assert requests_of(B005_DELIVERED) == []


async def test_an_item_of_another_order_cannot_be_slipped_in(domain: dict, rendered: Any) -> None:
    _, dispatcher = await _open(domain, order_item_id=item_id(B013_RT0002))
    assert rendered(dispatcher) == ["utter_order_not_found"]
    assert [r["id"] for r in requests_of(B013_RT0002)] == ["RT0002"]


async def test_the_window_is_checked_again_when_opening(domain: dict, rendered: Any) -> None:
    with session_scope() as session:
        session.get(Order, B005_DELIVERED).delivered_at = shop_now() - timedelta(days=8)
    _, dispatcher = await _open(domain)
    assert rendered(dispatcher) == ["utter_return_refused_no_reason_window"]
    assert requests_of(B005_DELIVERED) == []
    _, dispatcher = await _open(domain, return_reason="quality")
    assert rendered(dispatcher) == ["utter_return_opened", "utter_return_refund_rule"]
    assert requests_of(B005_DELIVERED)[0]["reason"] == "quality"


async def test_an_order_not_signed_for_is_refused_when_opening(domain: dict, rendered: Any) -> None:
    _, dispatcher = await _open(domain, buyer="B001", order_id=B001_SHIPPED)
    assert rendered(dispatcher) == ["utter_return_refused_not_signed"]
    assert requests_of(B001_SHIPPED) == []


def test_no_opening_text_says_money_was_refunded(domain: dict) -> None:
    responses = domain["responses"]
    flow = (
        "utter_return_opened",
        "utter_return_refund_rule",
        "utter_exchange_rule",
        "utter_ask_return_confirmed",
        "utter_return_cancelled",
        "utter_return_exists",
    )
    for name in flow:
        for variant in responses[name]:
            assert "已退款" not in variant["text"], name


async def test_no_response_of_the_flow_reports_a_refund(domain: dict) -> None:
    texts = []
    for slots in ({}, {"after_sale_goal": "exchange", "exchange_size": 37.5}):
        _reset_requests()
        _, dispatcher = await _open(domain, **slots)
        texts += [domain["responses"][n][0]["text"] for n in names(dispatcher)]
    assert texts and not any("已退款" in text for text in texts)


def _reset_requests() -> None:
    with session_scope() as session:
        for request in session.execute(
            select(ReturnRequest).where(ReturnRequest.order_id == B005_DELIVERED)
        ).scalars():
            session.delete(request)


# --- status ---------------------------------------------------------------------------


async def _status(**kwargs: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("退货到哪一步了", intent="check_return_status", **kwargs)
    assert await ActionCheckReturnStatus().run(dispatcher, tracker, {}) == []
    return dispatcher


@pytest.mark.parametrize(
    ("buyer", "return_id", "status"),
    [
        ("B012", "RT0001", "requested"),
        ("B013", "RT0002", "awaiting_shipment"),
        ("B014", "RT0003", "in_transit"),
        ("B015", "RT0004", "received"),
        ("B021", "RT0008", "inspected"),
        ("B017", "RT0006", "rejected"),
        ("B018", "RT0007", "in_transit"),  # an exchange
        ("B022", "RT0009", "exchanged"),
    ],
)
async def test_each_demo_request_gets_its_status(
    buyer: str, return_id: str, status: str, rendered: Any
) -> None:
    dispatcher = await _status(metadata=token(buyer))
    assert rendered(dispatcher) == [f"utter_return_status_{status}"]
    assert dispatcher.messages[0]["return_id"] == return_id


async def test_awaiting_shipment_gives_the_return_address(rendered: Any) -> None:
    dispatcher = await _status(metadata=token("B013"))
    message = dispatcher.messages[0]
    assert {key: message[key] for key in RETURN_ADDRESS} == RETURN_ADDRESS
    assert message["product"] == "疾风男子跑鞋"


async def test_in_transit_gives_the_return_tracking_number() -> None:
    dispatcher = await _status(metadata=token("B014"))
    assert dispatcher.messages[0]["tracking_number"] == "75537254614961"


@pytest.mark.parametrize("status", returns.STATUSES)
async def test_only_a_refunded_request_is_told_it_was_refunded(status: str, rendered: Any) -> None:
    with session_scope() as session:
        request = session.get(ReturnRequest, "RT0002")
        request.status = status
        request.refund_fen = 39900 if status == "refunded" else None
        request.return_tracking_number = "SF1234567890"
        request.shop_note = "鞋底有穿着痕迹" if status == "rejected" else None
    dispatcher = await _status(metadata=token("B013"))
    assert rendered(dispatcher) == [f"utter_return_status_{status}"]
    assert ("utter_return_status_refunded" in names(dispatcher)) is (status == "refunded")
    assert ("refund_yuan" in dispatcher.messages[0]) is (status == "refunded")


async def test_a_refund_recorded_by_the_shop_is_told_with_its_amount(rendered: Any) -> None:
    with session_scope() as session:
        for step in ("in_transit", "received", "inspected", "refunded"):
            returns.transition(
                "RT0002",
                step,
                actor="shop",
                session=session,
                tracking_number="SF1234567890" if step == "in_transit" else None,
                refund_fen=12345 if step == "refunded" else None,
            )
    dispatcher = await _status(metadata=token("B013"))
    assert rendered(dispatcher) == ["utter_return_status_refunded"]
    assert dispatcher.messages[0]["refund_yuan"] == "123.45"


async def test_the_demo_refund_is_not_told_as_zero_yuan(rendered: Any) -> None:
    dispatcher = await _status(metadata=token("B016"))
    assert rendered(dispatcher) == ["utter_return_status_refunded"]
    assert dispatcher.messages[0]["refund_yuan"] == "199.00"


async def test_the_newest_three_requests_are_told(rendered: Any) -> None:
    with session_scope() as session:
        order = session.get(Order, B005_DELIVERED)
        for number in range(4):
            session.add(
                ReturnRequest(
                    id=f"RT09{number:02d}",
                    order_id=order.id,
                    order_item_id=order.items[0].id,
                    kind="return",
                    reason="size",
                    status="rejected",
                    created_at=shop_now() - timedelta(hours=10 - number),
                    updated_at=shop_now(),
                )
            )
    dispatcher = await _status(metadata=token("B005"))
    assert rendered(dispatcher) == ["utter_return_status_rejected_no_note"] * 3
    assert [m["return_id"] for m in dispatcher.messages] == ["RT0903", "RT0902", "RT0901"]


async def test_a_rejection_tells_the_shops_note_or_that_none_was_recorded(
    rendered: Any,
) -> None:
    dispatcher = await _status(metadata=token("B017"))
    assert rendered(dispatcher) == ["utter_return_status_rejected"]
    assert dispatcher.messages[0]["note"] == "鞋底有明显穿着磨损，不符合七天无理由退货条件"
    with session_scope() as session:
        session.get(ReturnRequest, "RT0006").shop_note = None
    dispatcher = await _status(metadata=token("B017"))
    assert rendered(dispatcher) == ["utter_return_status_rejected_no_note"]


async def test_a_buyer_without_requests_is_told_so(rendered: Any) -> None:
    assert rendered(await _status(metadata=token("B005"))) == ["utter_no_returns"]


async def test_a_verified_order_shows_its_requests(rendered: Any) -> None:
    dispatcher = await _status(slots={"verified_order_ids": [B013_RT0002]})
    assert rendered(dispatcher) == ["utter_return_status_awaiting_shipment"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"metadata": {"buyer_token": issue_token("B013", hours=-0.01)}},
        {"slots": {"order_id": B013_RT0002}},
    ],
    ids=["nothing", "expired-token", "unverified-order-id"],
)
async def test_without_access_no_request_is_shown(kwargs: dict, rendered: Any) -> None:
    assert rendered(await _status(**kwargs)) == ["utter_order_not_found"]


# --- the return parcel's tracking number ------------------------------------------------


async def _tracking(text: str, entities: list | None = None, **kwargs: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="inform", entities=entities, **kwargs)
    assert await ActionRecordReturnTracking().run(dispatcher, tracker, {}) == []
    return dispatcher


@pytest.mark.parametrize(
    ("text", "entities", "number"),
    [
        (
            "单号SF1234567890",
            [{"entity": "tracking_number", "value": "SF1234567890"}],
            "SF1234567890",
        ),
        ("sf 1234 5678 90", [], "SF1234567890"),
        ("７５３１２３４５６７８９０", [], "7531234567890"),
    ],
)
async def test_a_valid_number_is_recorded(
    text: str, entities: list, number: str, rendered: Any
) -> None:
    dispatcher = await _tracking(text, entities, metadata=token("B013"))
    assert rendered(dispatcher) == ["utter_tracking_recorded"]
    assert (dispatcher.messages[0]["return_id"], dispatcher.messages[0]["tracking_number"]) == (
        "RT0002",
        number,
    )
    [request] = requests_of(B013_RT0002)
    assert (request["status"], request["tracking"]) == ("in_transit", number)
    assert request["history"][-1] == ("awaiting_shipment", "in_transit", "buyer")


@pytest.mark.parametrize("text", ["123456", "我已经寄了", "SFABCDEFGHIJ", "SF12345678901234567890"])
async def test_an_invalid_number_changes_nothing(text: str, rendered: Any) -> None:
    before = requests_of(B013_RT0002)
    dispatcher = await _tracking(text, metadata=token("B013"))
    assert rendered(dispatcher) == ["utter_tracking_number_invalid"]
    assert requests_of(B013_RT0002) == before
    assert before[0]["status"] == "awaiting_shipment"


async def test_no_request_awaiting_the_parcel(rendered: Any) -> None:
    dispatcher = await _tracking("SF1234567890", metadata=token("B014"))  # RT0003 in transit
    assert rendered(dispatcher) == ["utter_no_return_awaiting_tracking"]
    assert requests_of("2026050168107560")[0]["tracking"] == "75537254614961"


@pytest.mark.parametrize(
    "kwargs",
    [{"metadata": token("B005")}, {}, {"slots": {"order_id": B013_RT0002}}],
    ids=["other-buyer", "anonymous", "unverified-order-id"],
)
async def test_another_buyers_return_is_never_touched(kwargs: dict, rendered: Any) -> None:
    before = requests_of(B013_RT0002)
    dispatcher = await _tracking("SF1234567890", **kwargs)
    assert rendered(dispatcher) == ["utter_no_return_awaiting_tracking"]
    assert requests_of(B013_RT0002) == before


async def test_a_verified_order_can_record_its_number(rendered: Any) -> None:
    dispatcher = await _tracking("SF1234567890", slots={"verified_order_ids": [B013_RT0002]})
    assert rendered(dispatcher) == ["utter_tracking_recorded"]
    assert requests_of(B013_RT0002)[0]["status"] == "in_transit"


async def test_the_newly_opened_return_then_takes_the_number(domain: dict) -> None:
    await _open(domain)
    await _tracking("YT1234567890123", metadata=token("B005"))
    [request] = requests_of(B005_DELIVERED)
    assert (request["status"], request["tracking"]) == ("in_transit", "YT1234567890123")


async def test_a_paid_cancelled_order_is_not_told_there_are_no_returns(rendered: Any) -> None:
    """B011's paid order was cancelled: its refund is not a return and not in the records."""
    dispatcher = await _status(metadata=token("B011"))
    assert rendered(dispatcher) == ["utter_refund_cancelled_paid"]
    assert dispatcher.messages[0]["order_id"] == "2026111563963973"


async def test_an_unpaid_cancelled_order_had_nothing_to_refund(rendered: Any) -> None:
    """Named when the buyer asks about a cancelled order, not for every refund question."""
    assert rendered(await _status(metadata=token("B025"))) == ["utter_no_returns"]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "取消的订单退款了吗", intent="check_return_status", metadata=token("B025")
    )
    await ActionCheckReturnStatus().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_refund_cancelled_unpaid"]


async def test_a_cancelled_order_beside_requests_only_when_asked_about(rendered: Any) -> None:
    with session_scope() as session:
        order = session.get(Order, "2026091968114632")  # B011's completed order
        session.add(
            ReturnRequest(
                id="RT0990", order_id=order.id, order_item_id=order.items[0].id, kind="return",
                reason="size", status="requested", created_at=shop_now(), updated_at=shop_now(),
            )
        )  # fmt: skip
    assert rendered(await _status(metadata=token("B011"))) == ["utter_return_status_requested"]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("取消的那单退款呢", intent="check_return_status", metadata=token("B011"))
    await ActionCheckReturnStatus().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_return_status_requested", "utter_refund_cancelled_paid"]


@pytest.mark.parametrize(
    ("buyer", "next_step"),
    [
        ("B014", "办理退款（收到退货并验收后1-3个工作日内）"),  # a return in transit
        ("B018", "寄出换的新鞋"),  # an exchange in transit: no refund is promised
    ],
)
async def test_what_comes_after_the_goods_are_back_follows_the_kind(
    buyer: str, next_step: str
) -> None:
    dispatcher = await _status(metadata=token(buyer))
    assert dispatcher.messages[0]["next_step"] == next_step


async def test_opening_rechecks_an_item_already_refunded(domain: dict, rendered: Any) -> None:
    """Confirmed all the same (RT0005 refunded it): nothing is opened."""
    before = requests_of("2026122514738150")
    _, dispatcher = await _open(
        domain, buyer="B016", order_id="2026122514738150", return_reason="quality"
    )
    assert rendered(dispatcher)[0] == "utter_return_already_settled"
    assert requests_of("2026122514738150") == before


@pytest.mark.parametrize(
    ("text", "responses"),
    [
        # another buyer's request: said not found, then this buyer's own
        (
            "RT0001退款到哪了",
            ["utter_return_id_not_found", "utter_return_status_awaiting_shipment"],
        ),
        ("rt0002怎么样了", ["utter_return_status_awaiting_shipment"]),  # one's own, any case
    ],
)
async def test_a_request_number_named_is_that_request_or_none(
    text: str, responses: list[str], rendered: Any
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="check_return_status", metadata=token("B013"))
    await ActionCheckReturnStatus().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == responses
    if responses[0] == "utter_return_id_not_found":
        assert dispatcher.messages[0]["return_id"] == "RT0001"


async def test_a_request_number_named_without_any_request(rendered: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("RT0001到哪了", intent="check_return_status", metadata=token("B005"))
    await ActionCheckReturnStatus().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == ["utter_return_id_not_found", "utter_no_returns"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("凉鞋退款到哪了", ["RT0991"]),  # one of three returns named by its shoe
        ("乐福鞋那单退款呢", ["RT0992"]),  # two returns of one order, told by their items
        ("跑鞋的钱退了吗", ["RT0993"]),
        ("退款到哪了", ["RT0991", "RT0993", "RT0992"]),  # none named: every return
        ("高跟鞋的退款呢", ["RT0991", "RT0993", "RT0992"]),  # no return of that order
    ],
)
async def test_a_return_named_by_its_order_is_that_one(text: str, shown: list[str]) -> None:
    with session_scope() as session:
        for return_id, order_id, line, status, age in (
            ("RT0991", "2026081925627637", 0, "requested", 1),  # 清凉沙滩凉鞋, delivered
            ("RT0992", "2026040781376126", 1, "refunded", 20),  # 舒适羊皮乐福鞋 of two
            ("RT0993", "2026040781376126", 0, "received", 19),  # 轻羽女子跑鞋 of the same
        ):
            order = session.get(Order, order_id)
            at = shop_now() - timedelta(days=age)
            session.add(
                ReturnRequest(
                    id=return_id, order_id=order_id, order_item_id=order.items[line].id,
                    kind="return", reason="size", status=status, created_at=at, updated_at=at,
                )
            )  # fmt: skip
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent="check_return_status", metadata=token("B010"))
    await ActionCheckReturnStatus().run(dispatcher, tracker, {})
    assert [m["return_id"] for m in dispatcher.messages] == shown


@pytest.mark.parametrize(
    ("text", "told", "response", "recorded"),
    [
        # the request just told about is still reviewed: no parcel yet, nothing recorded
        ("我已经寄回去了 单号SF9988776655443", "RT0992（舒适羊皮乐福鞋）：申请已提交",
         "utter_tracking_not_awaited", None),
        # the request named is the one waiting for the parcel
        ("RT0991 单号SF9988776655443", "RT0992（舒适羊皮乐福鞋）：申请已提交",
         "utter_tracking_recorded", "RT0991"),
        # nothing named or told: the one waiting for a parcel
        ("单号SF9988776655443", "", "utter_tracking_recorded", "RT0991"),
    ],
)  # fmt: skip
async def test_a_number_goes_on_the_request_meant(
    text: str, told: str, response: str, recorded: str | None, rendered: Any
) -> None:
    with session_scope() as session:
        for return_id, order_id, line, status in (
            ("RT0991", "2026081925627637", 0, "awaiting_shipment"),  # 清凉沙滩凉鞋
            ("RT0992", "2026040781376126", 1, "requested"),  # 舒适羊皮乐福鞋, still reviewed
        ):
            order = session.get(Order, order_id)
            session.add(
                ReturnRequest(
                    id=return_id, order_id=order_id, order_item_id=order.items[line].id,
                    kind="return", reason="size", status=status, created_at=shop_now(),
                    updated_at=shop_now(),
                )
            )  # fmt: skip
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text,
        intent="inform",
        entities=[{"entity": "tracking_number", "value": "SF9988776655443"}],
        metadata=token("B010"),
    )
    tracker.events = [
        {"event": "user", "text": "乐福鞋退款呢"},
        {"event": "bot", "text": told},
        {"event": "user", "text": text},
    ]
    await ActionRecordReturnTracking().run(dispatcher, tracker, {})
    assert rendered(dispatcher) == [response]
    with session_scope() as session:
        numbers = {
            r.id: r.return_tracking_number
            for r in session.query(ReturnRequest).filter(ReturnRequest.id.in_(["RT0991", "RT0992"]))
        }
    expected = {"RT0991": None, "RT0992": None}
    if recorded:
        expected[recorded] = "SF9988776655443"
    assert numbers == expected

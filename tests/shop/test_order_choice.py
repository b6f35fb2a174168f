"""Edges of choosing an order: eligibility per goal and reading a typed answer."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shop.db.models import Order, OrderItem, Product
from shop.lexicon import color_in, colors_in
from shop.order_choice import (
    GOALS,
    ItemView,
    OrderView,
    eligible_orders,
    ineligible_reason,
    view_of,
)
from shop.order_match import Match, match_orders, ordinal_place

TODAY = date(2026, 5, 20)  # a Wednesday: this week is 05-18..05-24, last week 05-11..05-17
QUALITY_DAYS = 15

JIFENG = ("疾风男子跑鞋", ("疾风", "疾风跑鞋"), "跑步鞋")
QINGYU = ("轻羽女子跑鞋", ("轻羽", "轻羽跑鞋"), "跑步鞋")
SNOW = ("暖冬雪地靴", ("雪地靴", "暖冬靴"), "雪地靴")
CHELSEA = ("复古切尔西靴", ("切尔西靴", "切尔西"), "短靴")
WHITE = ("经典小白板鞋", ("小白鞋", "板鞋"), "板鞋")


def item(product: tuple[str, tuple[str, ...], str], color: str, size: float) -> ItemView:
    name, aliases, category = product
    return ItemView(name, aliases, category, color, size)


def order(
    id_: str,
    status: str,
    created: str,
    *items: ItemView,
    delivered: str | None = None,
    has_return: bool = False,
) -> OrderView:
    return OrderView(
        id=id_,
        status=status,
        created_at=datetime.fromisoformat(created),
        delivered_at=datetime.fromisoformat(delivered) if delivered else None,
        items=items,
        has_return=has_return,
    )


# Tails: RUN and LIGHT share 8979; SNOW_BOOTS ends in 1234.
RUN = order("2026051793538979", "shipped", "2026-05-17 10:00", item(JIFENG, "黑色", 42))
LIGHT = order("2026051211118979", "paid", "2026-05-12 09:00", item(QINGYU, "白色", 38))
SNOW_BOOTS = order(
    "2025120400001234",
    "delivered",
    "2025-12-04 20:00",
    item(SNOW, "黑色", 41.5),
    delivered="2025-12-10 12:00",
)
BOOTS = order(
    "2026040100005678",
    "completed",
    "2026-04-01 08:00",
    item(CHELSEA, "棕色", 42),
    delivered="2026-05-10 15:00",
    has_return=True,
)
TODAYS = order("2026052000002222", "paid", "2026-05-20 08:00", item(WHITE, "米色", 39))
YESTERDAYS = order("2026051900003333", "shipped", "2026-05-19 08:00", item(WHITE, "白色", 40))
CANCELLED = order("2026051800004444", "cancelled", "2026-05-18 08:00", item(WHITE, "白色", 40))
UNPAID = order("2026051600005555", "pending_payment", "2026-05-16 08:00", item(JIFENG, "蓝色", 43))

# Shown on the buttons in this order (deliberately not newest first).
SHOWN = [RUN, LIGHT, SNOW_BOOTS, BOOTS]


def ids(match: Match) -> list[str]:
    return [o.id for o in match.orders]


def choose(text: str, candidates: list[OrderView] | None = None) -> Match:
    return match_orders(text, SHOWN if candidates is None else candidates, today=TODAY)


# --- eligibility ------------------------------------------------------------


def reason(o: OrderView, goal: str | None) -> str | None:
    return ineligible_reason(o, goal, today=TODAY, quality_days=QUALITY_DAYS)


@pytest.mark.parametrize("goal", [None, "status", "delivery_problem"])
def test_status_goals_exclude_cancelled_and_unpaid_with_reasons(goal: str | None) -> None:
    everything = [*SHOWN, CANCELLED, UNPAID]
    eligible, reasons = eligible_orders(everything, goal, today=TODAY, quality_days=QUALITY_DAYS)
    assert reasons == {CANCELLED.id: "cancelled", UNPAID.id: "unpaid"}
    # shipped, then paid, then delivered/completed; newest first within each.
    assert [o.id for o in eligible] == [RUN.id, LIGHT.id, BOOTS.id, SNOW_BOOTS.id]


def test_status_order_breaks_ties_newest_first() -> None:
    eligible, _ = eligible_orders(
        [RUN, TODAYS, YESTERDAYS, LIGHT], "status", today=TODAY, quality_days=QUALITY_DAYS
    )
    assert [o.id for o in eligible] == [YESTERDAYS.id, RUN.id, TODAYS.id, LIGHT.id]


@pytest.mark.parametrize("goal", ["return", "exchange"])
def test_returns_need_a_recent_delivery(goal: str) -> None:
    everything = [*SHOWN, CANCELLED, UNPAID]
    eligible, reasons = eligible_orders(everything, goal, today=TODAY, quality_days=QUALITY_DAYS)
    assert [o.id for o in eligible] == [BOOTS.id]
    assert reasons == {
        RUN.id: "not_signed",
        LIGHT.id: "not_signed",
        SNOW_BOOTS.id: "outside_windows",
        CANCELLED.id: "cancelled",
        UNPAID.id: "unpaid",
    }


@pytest.mark.parametrize(
    ("delivered", "expected"), [("2026-05-05", None), ("2026-05-04", "outside_windows")]
)
def test_quality_window_edge_is_inclusive(delivered: str, expected: str | None) -> None:
    o = order("1", "delivered", "2026-05-01 08:00", delivered=f"{delivered} 23:59")
    assert reason(o, "return") == expected  # 15 days ago is still inside


def test_delivered_without_a_delivery_time_is_not_signed() -> None:
    assert reason(order("1", "delivered", "2026-05-01 08:00"), "exchange") == "not_signed"


def test_address_changes_only_before_shipping() -> None:
    assert reason(LIGHT, "address") is None
    assert reason(UNPAID, "address") is None
    assert reason(RUN, "address") == "shipped"
    assert reason(BOOTS, "address") == "shipped"
    assert reason(CANCELLED, "address") == "cancelled"


def test_return_status_needs_a_return_whatever_the_status() -> None:
    assert reason(BOOTS, "return_status") is None
    assert reason(RUN, "return_status") == "no_return"
    cancelled_with_return = order("1", "cancelled", "2026-05-01 08:00", has_return=True)
    assert reason(cancelled_with_return, "return_status") is None


def test_other_goals_list_newest_first() -> None:
    eligible, reasons = eligible_orders(
        [LIGHT, TODAYS, UNPAID, RUN], "address", today=TODAY, quality_days=QUALITY_DAYS
    )
    assert [o.id for o in eligible] == [TODAYS.id, UNPAID.id, LIGHT.id]
    assert reasons == {RUN.id: "shipped"}


def test_unknown_goal_is_an_error() -> None:
    assert "refund" not in GOALS
    with pytest.raises(ValueError):
        reason(RUN, "refund")


def test_view_of_reads_the_orm_order() -> None:
    product = Product(name="疾风男子跑鞋", aliases=None, category="跑步鞋")
    orm = Order(
        id="2026051793538979",
        status="shipped",
        created_at=datetime(2026, 5, 17, 10),
        delivered_at=None,
        items=[OrderItem(product=product, color="黑色", size=41.5)],
    )
    view = view_of(orm, has_return=True)
    assert view == OrderView(
        "2026051793538979",
        "shipped",
        datetime(2026, 5, 17, 10),
        None,
        (ItemView("疾风男子跑鞋", (), "跑步鞋", "黑色", 41.5),),
        has_return=True,
    )


# --- numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026051793538979", [RUN.id]),
        ("２０２６０５１７９３５３８９７９", [RUN.id]),  # full-width digits
        ("2026 0517 9353 8979", [RUN.id]),
        ("是538979那个", [RUN.id]),
        ("尾号8979", [RUN.id, LIGHT.id]),  # a tail two orders share
        ("尾号1234", [SNOW_BOOTS.id]),
        ("尾号8979，疾风那个", [RUN.id]),
    ],
)
def test_numbers_and_tails(text: str, expected: list[str]) -> None:
    assert ids(choose(text)) == expected


def test_five_digits_ending_no_id_match_nothing() -> None:
    assert choose("尾号12345") == Match([], True)


def test_four_digits_ending_no_id_alone_match_nothing() -> None:
    assert choose("4321") == Match([], True)


def test_four_digits_ending_no_id_are_ignored_beside_another_clue() -> None:
    assert ids(choose("第二个，4321")) == [LIGHT.id]


# --- positions and times ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一个", [RUN.id]),
        ("第1个", [RUN.id]),
        ("第一笔", [RUN.id]),
        ("第二单", [LIGHT.id]),
        ("第2笔", [LIGHT.id]),
        ("第三双", [SNOW_BOOTS.id]),
        ("头一个", [RUN.id]),
        ("上面那个", [RUN.id]),
        ("最后一个", [BOOTS.id]),
        ("最后那个", [BOOTS.id]),
        ("最后一笔", [BOOTS.id]),
        ("第一个和第三个", [RUN.id, SNOW_BOOTS.id]),
    ],
)
def test_ordinals_count_the_buttons(text: str, expected: list[str]) -> None:
    assert ids(choose(text)) == expected


@pytest.mark.parametrize("text", ["第五个", "第5笔", "第十单"])
def test_ordinal_past_the_end_matches_nothing(text: str) -> None:
    assert choose(text) == Match([], True)


def test_ordinal_on_no_candidates_matches_nothing() -> None:
    assert choose("最后一个", []) == Match([], True)


@pytest.mark.parametrize("text", ["我第一次在你们家买", "第12次问了"])
def test_first_time_is_not_an_ordinal(text: str) -> None:
    assert choose(text) == Match([], False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("最近那单", RUN.id),
        ("最新的", RUN.id),
        ("最近买的", RUN.id),
        ("刚买的", RUN.id),
        ("最早那单", SNOW_BOOTS.id),
        ("之前那单", SNOW_BOOTS.id),
    ],
)
def test_newest_and_oldest_go_by_purchase_time(text: str, expected: str) -> None:
    shown = [BOOTS, SNOW_BOOTS, LIGHT, RUN]  # newest last on the buttons
    assert ids(choose(text, shown)) == [expected]


def test_newest_picks_among_what_other_clues_leave() -> None:
    assert ids(choose("最近买的靴子")) == [BOOTS.id]
    assert ids(choose("最早的跑鞋")) == [LIGHT.id]


# --- products, kinds, colours, sizes ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("疾风那个", [RUN.id]),
        ("疾风", [RUN.id]),
        ("轻羽那双", [LIGHT.id]),
        ("疾风跑鞋", [RUN.id]),  # the alias, not every 跑鞋
        ("疾风和轻羽跑鞋", [RUN.id, LIGHT.id]),
        ("切尔西", [BOOTS.id]),
        ("跑鞋", [RUN.id, LIGHT.id]),  # a kind word fitting two orders
        ("跑步鞋那单", [RUN.id, LIGHT.id]),  # the category
        ("靴子", [SNOW_BOOTS.id, BOOTS.id]),
        ("那双靴", [SNOW_BOOTS.id, BOOTS.id]),
        ("雪地靴", [SNOW_BOOTS.id]),
        ("短靴", [BOOTS.id]),
    ],
)
def test_products_and_kinds(text: str, expected: list[str]) -> None:
    assert ids(choose(text)) == expected


@pytest.mark.parametrize("text", ["凉鞋那单", "高跟鞋", "皮鞋的那个"])
def test_a_kind_no_order_has_matches_nothing(text: str) -> None:
    assert choose(text) == Match([], True)


@pytest.mark.parametrize("text", ["你好", "我想查一下订单", "那双鞋", "鞋子", "38块钱", ""])
def test_no_clue_says_nothing(text: str) -> None:
    assert choose(text) == Match([], False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黑色的", [RUN.id, SNOW_BOOTS.id]),
        ("黑的", [RUN.id, SNOW_BOOTS.id]),
        ("黑", [RUN.id, SNOW_BOOTS.id]),
        ("黑色跑鞋", [RUN.id]),  # colour and kind narrow to one
        ("黑色的靴子", [SNOW_BOOTS.id]),
        ("白色那双", [LIGHT.id]),
        ("棕色", [BOOTS.id]),
    ],
)
def test_colours(text: str, expected: list[str]) -> None:
    assert ids(choose(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("要黑色的", ["黑"]),
        ("卡其色", ["卡其"]),
        ("白！", ["白"]),
        ("黑的还是白的", ["黑", "白"]),
        ("小白鞋", []),
        ("我明白的", []),
        ("", []),
    ],
)
def test_colour_stems_need_a_marker_or_stand_alone(text: str, expected: list[str]) -> None:
    assert colors_in(text) == expected
    assert color_in(text) == (expected[0] if expected else None)


def test_colour_no_order_has_matches_nothing() -> None:
    assert choose("红色的") == Match([], True)


def test_colour_and_kind_must_fit_the_same_item() -> None:
    black_boot, white_runner = item(CHELSEA, "黑色", 40), item(QINGYU, "白色", 38)
    mixed = order("2026050100009999", "shipped", "2026-05-01 08:00", black_boot, white_runner)
    assert choose("黑色跑鞋", [mixed]) == Match([], True)


def test_white_inside_a_product_name_is_no_colour() -> None:
    # 小白鞋 in 米色: reading 白 as a colour would wrongly rule it out.
    assert ids(choose("小白鞋", [LIGHT, TODAYS])) == [TODAYS.id]
    assert ids(choose("明白的，第一个")) == [RUN.id]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42码", [RUN.id, BOOTS.id]),
        ("42的", [RUN.id, BOOTS.id]),
        ("穿42那双", [RUN.id, BOOTS.id]),
        ("41.5码", [SNOW_BOOTS.id]),
        ("41码半", [SNOW_BOOTS.id]),
        ("41半", [SNOW_BOOTS.id]),
        ("黑色42码", [RUN.id]),
        ("42码的靴子", [BOOTS.id]),
        ("41.5", [SNOW_BOOTS.id]),  # a size and nothing else
        ("42", [RUN.id, BOOTS.id]),
    ],
)
def test_sizes(text: str, expected: list[str]) -> None:
    assert ids(choose(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("跑鞋还没发货 能直接改成43码吗", [RUN.id, LIGHT.id]),  # 43: the size wished for
        ("疾风能换成43码吗", [RUN.id]),
        ("42换43", [RUN.id, BOOTS.id]),  # the bought 42, not the wished 43
        ("黑色那双想换成白色的", [RUN.id, SNOW_BOOTS.id]),  # 白色 is wished: not LIGHT
        ("换42码的那双", [RUN.id, BOOTS.id]),  # 42 names the pair, before 的那双
        ("改成38.5码", []),  # only a wish: names no order
    ],
)
def test_a_wished_size_or_colour_names_no_order(text: str, expected: list[str]) -> None:
    match = choose(text)
    assert ids(match) == expected
    assert match.said_something is bool(expected)


def test_size_no_order_has_matches_nothing() -> None:
    assert choose("44码") == Match([], True)


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5月17号那单", [RUN.id]),
        ("5月17日", [RUN.id]),
        ("5.17", [RUN.id]),
        ("05-17", [RUN.id]),
        ("2026年5月17日", [RUN.id]),
        ("17号买的", [RUN.id]),
        ("12月4号那单", [SNOW_BOOTS.id]),  # no year: the last 12月4号, in 2025
        ("12.4", [SNOW_BOOTS.id]),
        ("12月4号那双靴子", [SNOW_BOOTS.id]),
        ("3天前", [RUN.id]),
        ("三天前买的", [RUN.id]),
        ("上周", [RUN.id, LIGHT.id]),  # Mon 05-11 .. Sun 05-17
        ("上个月", [BOOTS.id]),
    ],
)
def test_dates(text: str, expected: list[str]) -> None:
    assert ids(choose(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", [TODAYS.id]),
        ("昨天的", [YESTERDAYS.id]),
        ("前天", []),
        ("大前天", [RUN.id]),
        ("这周", [TODAYS.id, YESTERDAYS.id]),
        ("上周", [RUN.id]),
    ],
)
def test_relative_dates(text: str, expected: list[str]) -> None:
    assert choose(text, [TODAYS, YESTERDAYS, RUN]) == Match(
        [o for o in (TODAYS, YESTERDAYS, RUN) if o.id in expected], True
    )


def test_a_date_that_does_not_exist_matches_nothing() -> None:
    assert choose("2月30号那单") == Match([], True)


# --- all and combinations ---------------------------------------------------


@pytest.mark.parametrize("text", ["都查一下", "都看看", "全部", "所有订单", "两个都要"])
def test_all_words_pick_every_candidate(text: str) -> None:
    assert ids(choose(text)) == [o.id for o in SHOWN]


def test_all_words_narrowed_by_another_clue() -> None:
    match = choose("跑鞋都查一下")
    assert ids(match) == [RUN.id, LIGHT.id]
    assert match.all_requested


def test_a_clue_fitting_several_is_not_a_request_for_all() -> None:
    match = choose("跑鞋")
    assert len(match.orders) == 2
    assert not match.all_requested


def test_clues_that_disagree_match_nothing() -> None:
    assert choose("疾风，第二个") == Match([], True)
    assert choose("轻羽，尾号538979") == Match([], True)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("第二个", 2),
        ("第1双", 1),
        ("第 3 个", 3),
        ("要第十个", 10),
        ("第二次买的", None),  # a time, not a place
        ("第20230101号", None),  # a long number, not a place
        ("男款", None),
        ("", None),
    ],
)
def test_ordinal_place_at_its_edges(text: str, place: int | None) -> None:
    assert ordinal_place(text) == place


# --- an order's state and 另外 ------------------------------------------------
EVERY_STATE = [RUN, LIGHT, SNOW_BOOTS, BOOTS, CANCELLED, UNPAID]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没付款那个", [UNPAID]),
        ("还没付钱的那单", [UNPAID]),
        ("未支付的訂單", [UNPAID]),
        ("还没发货的那个", [LIGHT]),
        ("待发货那单", [LIGHT]),
        ("已发货的", [RUN]),
        ("在路上那个", [RUN]),
        ("没签收的那个", [RUN]),
        ("已签收的", [SNOW_BOOTS, BOOTS]),
        ("取消的那个", [CANCELLED]),
        ("已签收的切尔西靴", [BOOTS]),
    ],
)
def test_a_state_picks_the_orders_in_it(text: str, expected: list[OrderView]) -> None:
    assert ids(choose(text, EVERY_STATE)) == [o.id for o in expected]


def test_a_state_no_order_is_in_matches_nothing() -> None:
    match = choose("取消的那个")
    assert match.said_something and match.orders == []


def test_no_state_word_is_read_into_a_delivery_problem() -> None:
    """没收到 reports a parcel; it names no state and so no order."""
    assert not choose("还没收到", EVERY_STATE).said_something


def test_other_orders_set_aside_the_one_talked_about() -> None:
    match = match_orders("另外两个订单呢", [RUN, LIGHT, SNOW_BOOTS], today=TODAY, besides=RUN.id)
    assert ids(match) == [LIGHT.id, SNOW_BOOTS.id]
    assert match.all_requested


def test_one_other_order_is_not_all_of_them() -> None:
    match = match_orders("另外一个呢", [RUN, LIGHT, SNOW_BOOTS], today=TODAY, besides=RUN.id)
    assert ids(match) == [LIGHT.id, SNOW_BOOTS.id]
    assert not match.all_requested
    single = match_orders("另外那单呢", [RUN, LIGHT], today=TODAY, besides=RUN.id)
    assert ids(single) == [LIGHT.id]


def test_other_orders_without_one_talked_about_name_nothing() -> None:
    assert not match_orders("另外的呢", SHOWN, today=TODAY).said_something


def test_other_orders_narrowed_by_a_kind() -> None:
    match = match_orders("跑鞋另外那个呢", SHOWN, today=TODAY, besides=RUN.id)
    assert ids(match) == [LIGHT.id]


def test_a_colour_the_shop_names_as_it_likes_picks_its_order() -> None:
    """奶茶色 holds no colour stem: the offered item's own colour name is a clue."""
    milk_tea = order("2026051500006666", "shipped", "2026-05-15 08:00", item(WHITE, "奶茶色", 39))
    assert ids(choose("奶茶色那双", [RUN, milk_tea])) == [milk_tea.id]
    assert ids(choose("奶茶的", [RUN, milk_tea])) == [milk_tea.id]


@pytest.mark.parametrize(
    "text", ["另外帮我改下地址", "另外帮我查个快递", "其他都挺好", "另外问一下运费"]
)
def test_another_word_without_an_order_word_names_no_order(text: str) -> None:
    assert not match_orders(text, SHOWN, today=TODAY, besides=RUN.id).said_something


@pytest.mark.parametrize("text", ["别的呢", "剩下的两单", "其他订单", "另一笔呢", "另外三个"])
def test_another_word_before_an_order_word_sets_the_order_aside(text: str) -> None:
    assert RUN.id not in ids(match_orders(text, SHOWN, today=TODAY, besides=RUN.id))


@pytest.mark.parametrize(
    "text", ["我的订单怎么还没发货", "怎么还没发货呢", "已经取消了吗", "为什么在路上这么久"]
)
def test_a_state_told_as_what_happened_names_no_order(text: str) -> None:
    """怎么还没发货 asks about the orders; it does not pick the paid ones."""
    assert not choose(text, EVERY_STATE).said_something


@pytest.mark.parametrize(("text", "expected"), [("待付款", [UNPAID]), ("取消的", [CANCELLED])])
def test_a_state_typed_alone_picks_its_orders(text: str, expected: list[OrderView]) -> None:
    assert ids(choose(text, EVERY_STATE)) == [o.id for o in expected]


def test_a_buttons_title_typed_back_picks_its_order() -> None:
    """晨曦帆布鞋 12-04 000013: the date and the tail stay apart."""
    title = f"疾风男子跑鞋 {RUN.created_at:%m-%d} {RUN.id[-6:]}"
    assert ids(choose(title)) == [RUN.id]


def test_an_order_number_typed_in_groups_is_one_number() -> None:
    assert ids(choose("2026 0517 9353 8979")) == [RUN.id]

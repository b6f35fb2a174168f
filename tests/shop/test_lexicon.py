"""The lexicon's label tables are the only place a display name is spelled.

domain.yml, the Python modules and the console's and widget's scripts take
names from ``shop/lexicon/labels.py``; slot values, payloads and NLU synonyms
are its codes. These tests fail when a label is written a second time, when a
button's title or a stored code drifts from the table, or when a slot would
hold a display string again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from shop import lexicon
from shop.db import values
from shop.lexicon import colors_in, colors_named, names_color, only_a_color

ROOT = Path(__file__).resolve().parents[2]
# Tables of codes whose names must not be spelled anywhere else.
TABLES = {
    "ORDER_STATUS_LABELS": lexicon.ORDER_STATUS_LABELS,
    "RETURN_STATUS_LABELS": lexicon.RETURN_STATUS_LABELS,
    "RETURN_REASON_LABELS": lexicon.RETURN_REASON_LABELS,
    "RETURN_KIND_LABELS": lexicon.RETURN_KIND_LABELS,
    "FOOT_SHAPE_LABELS": lexicon.FOOT_SHAPE_LABELS,
    "ESCALATION_REASON_LABELS": lexicon.ESCALATION_REASON_LABELS,
    "DELIVERY_KIND_LABELS": lexicon.DELIVERY_KIND_LABELS,
    "INBOX_REASON_LABELS": lexicon.INBOX_REASON_LABELS,
    "FUNCTION_LABELS": lexicon.FUNCTION_LABELS,
    "GENDER_LABELS": lexicon.GENDER_LABELS,
    "INTENT_LABELS": lexicon.INTENT_LABELS,
    "AFTER_SALE_GOAL_LABELS": lexicon.AFTER_SALE_GOAL_LABELS,
    "COMPLAINT_CATEGORY_LABELS": lexicon.COMPLAINT_CATEGORY_LABELS,
    "CHART_TITLES": lexicon.CHART_TITLES,
    "RETENTION_ROW_LABELS": lexicon.RETENTION_ROW_LABELS,
    **{f"console {name}": table for name, table in lexicon.CONSOLE_SCRIPT_LABELS.items()},
}
SOURCES = [
    *(ROOT / "actions").glob("*.py"),
    *(ROOT / "channels").glob("*.py"),
    *(ROOT / "console").glob("*.py"),
    *(ROOT / "rasa_ext").glob("*.py"),
    *(ROOT / "trainer").glob("*.py"),
    *(p for p in (ROOT / "shop").rglob("*.py") if "lexicon" not in p.parts),
    *(ROOT / "console" / "static").rglob("*.js"),
    *(ROOT / "web" / "src").glob("*.js"),
]
CODED_SLOTS = {
    "return_reason": lexicon.RETURN_REASON_LABELS,
    "foot_shape": lexicon.FOOT_SHAPE_LABELS,
}


def _domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_spells_a_table_of_labels_again(source: Path) -> None:
    """``"paid": "待发货"`` (Python) or ``paid: "待发货"`` (JS) belongs in the lexicon only."""
    text = source.read_text(encoding="utf-8")
    found = [
        f"{table}: {code} → {name}"
        for table, labels in TABLES.items()
        for code, name in labels.items()
        if re.search(rf"""["']?\b{re.escape(code)}\b["']?\s*:\s*["']{re.escape(name)}["']""", text)
    ]
    assert not found, f"{source.relative_to(ROOT)} repeats lexicon labels: {found}"


def test_no_response_is_only_a_label() -> None:
    """A response that is just a status or kind name (utter_order_label_paid: 待发货) is gone."""
    names = {name for labels in TABLES.values() for name in labels.values()}
    for response, variants in _domain()["responses"].items():
        for variant in variants:
            assert variant.get("text", "").strip() not in names, response


def test_buttons_carry_codes_and_titles_name_them() -> None:
    """A button that fills a coded slot sends the code; its title starts with the code's name."""
    seen = set()
    for response, variants in _domain()["responses"].items():
        for button in (b for v in variants for b in v.get("buttons") or []):
            for slot, labels in CODED_SLOTS.items():
                match = re.search(rf'"{slot}":"([^"]*)"', button["payload"])
                if match is None:
                    continue
                code = match.group(1)
                assert code in labels, (response, button)
                assert button["title"].startswith(labels[code]), (response, button)
                seen.add(slot)
    assert seen == set(CODED_SLOTS)


def test_nlu_values_of_coded_entities_are_codes() -> None:
    """data/nlu maps 脚宽 and 开胶 to codes (wide, quality), never to a display string."""
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        for slot, labels in CODED_SLOTS.items():
            for value in re.findall(rf'"entity": "{slot}", "value": "([^"]*)"', text):
                assert value in labels, (path.name, slot, value)
            assert not re.search(rf"\]\({slot}\)", text), (path.name, slot)
    synonyms = yaml.safe_load((ROOT / "data" / "nlu" / "synonyms.yml").read_text("utf-8"))
    canonical = {entry["synonym"] for entry in synonyms["nlu"] if "synonym" in entry}
    annotated = "".join(p.read_text("utf-8") for p in (ROOT / "data" / "nlu").glob("*.yml"))
    for slot, labels in CODED_SLOTS.items():
        assert not canonical & set(labels.values())
        for code, name in labels.items():
            if code in canonical:  # the display name itself maps to the code
                entry = next(e for e in synonyms["nlu"] if e.get("synonym") == code)
                # as a synonym line, or learnt from an annotated example (质量问题 is
                # an evaluation text, so it may not stand on a line of its own)
                marked = f'[{name}]{{"entity": "{slot}", "value": "{code}"}}'
                assert f"- {name}\n" in entry["examples"] or marked in annotated, code


def test_words_and_stored_codes_match_the_tables() -> None:
    """The words read typed answers into the table's codes; the database stores the same."""
    assert set(lexicon.REASON_WORDS) <= set(lexicon.RETURN_REASON_LABELS)
    assert set(lexicon.FOOT_SHAPE_WORDS) == set(lexicon.FOOT_SHAPE_LABELS)
    assert set(values.RETURN_REASONS) == set(lexicon.RETURN_REASON_LABELS)
    assert set(values.ORDER_STATUSES) == set(lexicon.ORDER_STATUS_LABELS)
    assert set(values.RETURN_STATUSES) == set(lexicon.RETURN_STATUS_LABELS)
    assert set(values.RETURN_KINDS) == set(lexicon.RETURN_KIND_LABELS)


def test_each_table_names_each_code_once() -> None:
    """Two codes of one table never share a name (a name reads back to one code)."""
    for name, labels in TABLES.items():
        if name == "ESCALATION_REASON_LABELS":  # old codes kept as aliases of new ones
            continue
        assert len(set(labels.values())) == len(labels), name


@pytest.mark.parametrize(
    ("text", "color", "named"),
    [
        ("奶茶色那双", "奶茶色", True),
        ("要奶茶的", "奶茶色", True),
        ("雾霾蓝还有吗", "雾霾蓝", True),
        ("换成蓝色", "雾霾蓝", False),  # a stem alone is colors_in's business
        ("红色", "红色", True),
        ("红的", "红色", False),  # 红 alone is one character: not a name
        ("随便", "", False),
    ],
)
def test_names_color_by_the_shops_own_name(text: str, color: str, named: bool) -> None:
    assert names_color(text, color) is named


def test_new_stems_name_colours_shops_use() -> None:
    assert colors_in("荧光橙那双") == ["橙"]
    assert colors_in("驼色的") == ["驼"]


@pytest.mark.parametrize(
    ("text", "colors"),
    [
        ("象牙白有吗", ["象牙白"]),
        ("荧光橙的", ["荧光橙"]),
        ("米白色37码", ["米白色"]),
        ("奶茶色呢", ["奶茶色"]),
        ("白色和雾霾蓝的", ["雾霾蓝", "白"]),
        ("今天蓝色的能发吗", ["蓝"]),  # a day word before 天蓝
        ("明天白天能到吗", []),
        ("小白鞋有货吗", []),
        ("天蓝色有吗", ["天蓝色"]),
        ("粉红色有吗", ["红", "粉"]),  # two stems are no shade: the shop's 粉色 or 红色
        ("这双漂亮白色的有吗", ["白"]),
    ],
)
def test_colour_words_most_precise_first(text: str, colors: list[str]) -> None:
    assert colors_named(text) == colors


@pytest.mark.parametrize(
    ("value", "alone"),
    [("奶白", True), ("要白的", True), ("象牙白有吗", True), ("的呢", False), ("小白鞋", False)],
)
def test_only_a_colour_once_the_markers_are_left_out(value: str, alone: bool) -> None:
    assert only_a_color(value) is alone


@pytest.mark.parametrize(
    ("text", "leaves"),
    [
        ("取消转人工", True),
        ("不等了 运费怎么算", True),
        ("不用了。", True),  # a never-mind said alone
        ("不用了 我要投诉", False),  # not alone: a message for the person
        ("在吗", False),
        ("算了不用了 取消吧", True),  # never-minds in a row, nothing else
        ("算了算了，不用了谢谢", True),
        ("取消吧", True),
        ("算了 取消订单吧", False),  # 订单: something else is said
        ("了吧", False),  # fillers alone
    ],
)
def test_leaving_the_queue_at_its_edges(text: str, leaves: bool) -> None:
    assert lexicon.leaves_the_queue(text) is leaves


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("会员日是几号", "会员日"),
        ("双11有活动吗", "双十一"),
        ("雙十一有優惠嗎", None),  # read after the normaliser, which makes it simplified
        ("双十一有优惠吗", "双十一"),
        ("618会便宜吗", "618"),
        ("订单2026061812345678有优惠吗", None),  # 618 inside an order number
        ("6180元", None),
        ("有什么优惠", None),
        ("38节打折吗", "女王节"),
    ],
)
def test_a_named_shopping_day_at_its_edges(text: str, event: str | None) -> None:
    assert lexicon.promotion_event_named(text) == event

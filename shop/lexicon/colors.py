"""Colour words: how a buyer names a colour, and whether a catalogue colour is meant.

A shop names its colours as it likes (奶茶色, 雾霾蓝, 米白色), and buyers name
colours the shoe may not come in (象牙白, 荧光橙). Read here from the text alone,
never from the entity tagger's guess, whose spans can hold 的呢 or 要白的.
"""

from __future__ import annotations

import re

# Colour stems, matched inside an item's colour (黑 → 黑色). A stem counts only
# when followed by a marker (黑色, 黑的, 黑那双), or by another stem and a marker
# (粉红色), or when it is the whole message,
# so 小白鞋 stays a product name; phrases below never name a colour.
COLOR_STEMS: tuple[str, ...] = (
    "卡其", "藏青", "咖啡", "黑", "白", "红", "粉", "蓝", "灰",
    "绿", "黄", "紫", "棕", "米", "银", "金", "杏", "橙", "橘", "驼", "褐",
)  # fmt: skip
COLOR_MARKERS = "色的那"
NOT_COLOR_WORDS: tuple[str, ...] = ("明白", "空白", "坦白", "告白", "表白")
# What may follow a stem that names a colour: a marker, or another stem and a marker
# (粉红色 names both 粉 and 红, so the shop's 粉色 answers it).
_AFTER_A_STEM = (*COLOR_MARKERS, *(s + m for s in COLOR_STEMS for m in COLOR_MARKERS))


def colors_in(text: str) -> list[str]:
    """The colour stems ``text`` names, by the rule above (黑色 / 黑的 / 黑那双, or just 黑)."""
    bare = "".join(char for char in text if char.isalnum())
    if bare in COLOR_STEMS:
        return [bare]
    for word in NOT_COLOR_WORDS:
        text = text.replace(word, " ")
    return [s for s in COLOR_STEMS if any(s + end in text for end in _AFTER_A_STEM)]


# A colour word with no stem (奶茶色, 焦糖色) is one ending in 色 that is none of these.
NOT_COLOR_NAMES: tuple[str, ...] = (
    "颜色", "什么色", "啥色", "哪个色", "哪种色", "其他色", "别的色", "特色", "出色", "本色",
    "同色", "纯色", "花色", "色差", "成色", "货色", "几个色", "几色", "个色",
)  # fmt: skip
_COLOR_WORD = re.compile(r"[\u4e00-\u9fff]{2}色")  # 奶茶色, 焦糖色: two characters and 色


def color_words_in(text: str) -> list[str]:
    """Colour names ending in 色 that hold no stem (奶茶色, 焦糖色): a shop's own colour
    the buyer names, which the stock answer may then say the shoe does not come in."""
    for word in NOT_COLOR_NAMES:
        text = text.replace(word, " ")
    words = [match.group(0) for match in _COLOR_WORD.finditer(text)]
    return [word for word in words if not any(stem in word for stem in COLOR_STEMS)]


def names_color(text: str, color: str) -> bool:
    """Whether ``text`` names a catalogue colour a shop calls as it likes (燕麦色,
    雾霾蓝): the whole name, or the name without 色 when two characters remain."""
    bare = color.removesuffix("色")
    return bool(color) and (color in text or (len(bare) >= 2 and bare in text))


def color_in(text: str) -> str | None:
    """The first colour stem ``text`` names, if any: 黑 for 要黑色的."""
    return next(iter(colors_in(text)), None)


# Shade words before a stem (象牙白, 荧光橙, 雾霾蓝, 浅蓝): one more precise colour than
# the stem, which the shoe may not come in. Counted only when the colour word is
# followed by a marker, a question word, a size or the end (今天白天 names none). Two
# stems together (粉红, 蓝灰) are no shade: 粉红色 asks for the shop's 粉色.
COLOR_SHADES: tuple[str, ...] = (
    "象牙", "奶油", "奶", "乳", "珍珠", "月光", "雪", "香槟", "雾霾", "烟", "浅", "深", "淡",
    "亮", "暗", "荧光", "军", "墨", "宝", "天", "湖", "孔雀", "酒", "玫瑰", "玫", "桃",
    "橄榄", "薄荷", "草", "冰", "焦糖", "姜", "土", "炭", "石板", "樱花", "珊瑚", "柠檬",
    "芥末", "香芋", "燕麦", "藏", "米",
)  # fmt: skip
_STEMS = "|".join(sorted(COLOR_STEMS, key=len, reverse=True))
_SHADES = "|".join(sorted(COLOR_SHADES, key=len, reverse=True))
_SHADE_COLOR = re.compile(  # 今天蓝色的 names 蓝, not 天蓝; 漂亮白色 names 白
    rf"(?<![今明昨后前每当几两三四五漂收])(?:{_SHADES})(?:{_STEMS})色?(?=[色的呢吗嘛么那款有还没不要\d\s,，.。!！?？~～]|$)"
)
# Markers a tagger or a buyer puts around a colour (要白的, 白色的呢).
_AROUND_A_COLOR = re.compile(r"^[要买拿换选那就]+|[的呢吗嘛那款有还]+$")


def shade_colors_in(text: str) -> list[str]:
    """Colour words made of a shade and a stem (象牙白, 荧光橙的, 米白色): the whole word."""
    words = [m.group(0) for m in _SHADE_COLOR.finditer(text)]
    return [w for w in words if w.removesuffix("色") not in COLOR_STEMS]


def colors_named(text: str) -> list[str]:
    """Every colour word ``text`` names, most precise first and none inside another:
    shade colours (象牙白), names in 色 without a stem (奶茶色), then stems (白)."""
    found: list[str] = []
    for word in shade_colors_in(text) + color_words_in(text) + colors_in(text):
        if not any(word in earlier for earlier in found):
            found.append(word)
    return found


def only_a_color(value: str) -> bool:
    """Whether ``value`` (an entity the tagger took for a product: 奶白) is a colour word
    and nothing else, once the markers around it (要…的呢) are left out."""
    bare = _AROUND_A_COLOR.sub("", value.strip())
    return bool(bare) and any(
        word.removesuffix("色") == bare.removesuffix("色") for word in colors_named(bare + "的")
    )

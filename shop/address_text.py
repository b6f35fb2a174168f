"""Recipient, phone and address read from one free-text message (王小明 13800001234
浙江省杭州市西湖区文三路100号), and whether an address is whole enough to ship to.

Pure text functions: the address form reads its answers with them, and the
fallback recognises an address typed outside it.
"""

from __future__ import annotations

import re

from shop.lexicon import PROVINCE_NAMES

PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
ADDRESS_MARKERS = re.compile(
    r"省|市|区|县|镇|乡|街|路|道|号|村|巷|弄|栋|室|小区|大厦|花园|单元|楼|层|幢|公寓|苑"
)
# A whole address names a region (a province, city, district or county) and where
# in it (a road, number, village, building ...): 春熙路10号 or 成都市锦江区 alone is not.
REGION = re.compile(r"省|市|区|县|旗|自治州|盟")
DETAIL = re.compile(r"路|街|道|号|村|巷|弄|栋|室|小区|大厦|花园|单元|楼|幢|公寓|苑|镇|乡|组")
# The request around the details (篮球鞋改地址 改成…): never part of the address.
REQUEST_WORDS = re.compile(
    r"(?:请|麻烦)?(?:帮我)?把?(?:收货)?(?:修改|更改|改一下|改下|改|换一下|换)(?:收货)?(?:地址|信息)"
    r"|改成|改为|换成|修改为|改到"
)
SEPARATORS = re.compile(r"[\s,，;；。]+")
RECIPIENT = re.compile(
    r"(?:收件人|收货人|名字|姓名)(?:改成|改为|换成|是|为)?[:：\s]*"
    r"([\u4e00-\u9fff]{2,4}?)(?=电话|手机|联系|[\s,，:：;；]|\d|$)"
)
LABELS = re.compile(
    r"(?:收件人|收货人|姓名|名字|电话|手机号?|联系方式|新地址|收货地址|地址)"
    r"(?:改成|改为|换成|是|为)?[:：]?|^(?:请|麻烦)?(?:帮我)?(?:改成|改为|换成)"
)
NAME_PART = re.compile(r"[\u4e00-\u9fff]{2,4}")
LEADING_NAME = re.compile(r"^\s*([\u4e00-\u9fff]{2,4})[\s,，]+(?=1[3-9]\d{9})")


def parse_contact(text: str) -> dict[str, str]:
    """Recipient, phone and address found in one free-text message."""
    found: dict[str, str] = {}
    phone = PHONE.search(text)
    if phone:
        found["new_phone"] = phone.group(1)
    name = RECIPIENT.search(text) or LEADING_NAME.search(text)
    if name:
        found["new_recipient"] = name.group(1)
    elif phone:  # a name written apart, beside a phone: 浙江省…100号 王小明 13800001234
        parts = [p for p in re.split(r"[\s,，;；]+", text) if NAME_PART.fullmatch(p)]
        names = [p for p in parts if not ADDRESS_MARKERS.search(p) and not LABELS.search(p)]
        if len(names) == 1:
            found["new_recipient"] = names[0]
    rest = text
    for part in (found.get("new_phone"), found.get("new_recipient")):
        if part:
            rest = rest.replace(part, " ")
    rest = LABELS.sub(" ", REQUEST_WORDS.sub(" ", rest.strip()))
    # the address runs from the first piece with a place word to the last one, so
    # a shoe named before it (篮球鞋) or a word after it stays out
    pieces = [piece for piece in SEPARATORS.split(rest) if piece]
    marked = [i for i, piece in enumerate(pieces) if ADDRESS_MARKERS.search(piece)]
    if marked:
        found["new_address"] = "".join(pieces[marked[0] : marked[-1] + 1])
    return found


def is_whole(address: str) -> bool:
    """Whether ``address`` names its region (成都市, 锦江区, or a province's name) and
    where in it (a road, a number ...): a parcel cannot go to 春熙路10号 alone."""
    region = REGION.search(address) or any(name in address for name in PROVINCE_NAMES)
    return bool(region) and DETAIL.search(address) is not None


def order_words(text: str) -> str:
    """The words of an address change that may name the order (篮球鞋), without the
    new details: a phone number is no order number, an address's 10号 no date."""
    recipient = parse_contact(text).get("new_recipient")
    rest = text.replace(recipient, " ") if recipient else text
    rest = LABELS.sub(" ", REQUEST_WORDS.sub(" ", PHONE.sub(" ", rest)))
    return " ".join(p for p in SEPARATORS.split(rest) if p and not ADDRESS_MARKERS.search(p))

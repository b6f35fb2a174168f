"""Product questions: which shoe the buyer means, its materials and functions.

Every answer comes from the catalogue. When the catalogue does not say, the
assistant says so and offers a human; it never guesses a product fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shop.answers.asked import Asked
from shop.clauses import is_question, parts_of
from shop.db import queries
from shop.lexicon import (
    COMPARISON_WORDS,
    DETAIL_CATALOGUE_WORDS,
    DETAIL_QUESTION_WORDS,
    FUNCTION_KIND_WORDS,
    FUNCTION_WORDS,
    GENDER_LABELS,
    GENDER_WORDS,
    PART_WORDS,
    PRODUCT_REFERENCES,
    first_key,
    only_a_color,
)

Messages = list[tuple[str, dict[str, Any]]]
QUESTION_INTENTS = {"ask_material": "material", "ask_function": "function"}


@dataclass(frozen=True)
class ProductRef:
    """The product the buyer means, as plain values safe to use after the session."""

    id: str
    name: str


@dataclass(frozen=True)
class ProductResolution:
    """Outcome of :func:`resolve_product`.

    ``unknown_name`` is set when the buyer named a product the catalogue does
    not have: the assistant must say so rather than answer for another shoe.
    ``slots`` holds ``page_product_id`` when the buyer moved to a new page.
    """

    product: ProductRef | None
    slots: dict
    unknown_name: str | None = None


def _names_a_kind(word: str, session: Session) -> bool:
    """Whether ``word`` is a kind of shoe the shop sells (帆布鞋, 跑鞋), not an unknown
    shoe (耐克跑鞋): a product's name, alias or category contains the whole word."""
    return any(
        word in label
        for product in queries.products_of_kind_in_text(word, session=session)
        for label in [product.name, product.category, *(product.aliases or [])]
    )


def _asks_for_whom(asked: Asked) -> bool:
    """A stock question about shoes for someone (有女鞋吗, 有童鞋吗), not about this one."""
    text = asked.text
    return (
        asked.intent == "ask_stock"
        and first_key(text, GENDER_WORDS) is not None
        and not any(word in text for word in PRODUCT_REFERENCES)
    )


def resolve_product(
    asked: Asked, *, session: Session, kind_switches: bool = False
) -> ProductResolution:
    """Which product the buyer means now.

    In order: a product named in the latest message (entity or any catalogue
    name/alias in the text); with ``kind_switches`` (a question about one shoe, not
    the size form, where 平时穿运动鞋 is about other shoes), a shoe kind named in it
    (帆布鞋) that the shoe under discussion is not: its one product, else none (the
    caller asks which); the page's ``product_id`` from message metadata
    when the buyer has moved to a new page; the product already under
    discussion; the page's product. With ``kind_switches`` and no shoe under
    discussion, a kind the shop sells only one of is that shoe (篮球鞋 in a shop
    with one basketball shoe); a kind of several is left for the caller to ask.
    Recording ``page_product_id`` keeps a page the buyer stays on from overriding
    a product they named later.
    """
    slots: dict[str, Any] = {}
    page_id = asked.metadata.get("product_id")
    page_id = str(page_id) if page_id not in (None, "") else None
    moved = bool(page_id) and page_id != asked.slot("page_product_id")
    if moved:
        slots["page_product_id"] = page_id

    text = asked.text
    product = queries.find_product_in_text(text, session=session)
    named = asked.entity("product")
    if product is None and named:
        product = queries.find_product_in_text(named, session=session)
        # 男鞋 / 童鞋 say for whom, not which shoe: "which shoe?" lists theirs
        for_whom = first_key(named, GENDER_WORDS) is not None
        # 奶白 tagged as a product is a colour of the shoe under discussion
        if (
            product is None
            and not for_whom
            and not only_a_color(named)
            and not _names_a_kind(named, session)
        ):
            return ProductResolution(None, slots, unknown_name=named)
    if product is None and kind_switches and _asks_for_whom(asked):
        return ProductResolution(None, slots)  # 有女鞋吗 on a page: the shop's shoes for them
    candidates = [page_id if moved else None, asked.slot("product_id"), page_id]
    if product is None and kind_switches:
        current = next((str(c) for c in candidates if c), None)
        kinds = queries.products_of_kind_in_text(text, session=session)
        if kinds and current not in {kind.id for kind in kinds}:
            # A kind word that does not fit the shoe under discussion (帆布鞋 while
            # talking about slippers) means another shoe: the one of that kind, or ask.
            # With no shoe under discussion, a kind the shop sells once (篮球鞋) is it.
            if len(kinds) > 1:
                return ProductResolution(None, slots)
            product = kinds[0]
    for candidate in candidates:
        if product is None and candidate:
            product = queries.get_product(str(candidate), session=session)
    if product is None:
        return ProductResolution(None, slots)
    return ProductResolution(ProductRef(id=product.id, name=product.name), slots)


def product_question(
    asked: Asked, names: tuple[str, ...] = ()
) -> tuple[str, str | None, str | None]:
    """The question (``material`` or ``function``), the shoe part and the function asked.

    The shoe's ``names`` are left out of the words read: 山野防水徒步鞋耐磨吗 asks
    about wear, not about the 防水 of the name.
    """
    question = QUESTION_INTENTS.get(
        asked.intent or "", asked.slot("product_question") or "material"
    )
    text = without_names(asked.text, names)
    spans = _name_spans(asked.text, names)
    part = _canonical(_known_first(asked, "shoe_part", PART_WORDS, spans), text, PART_WORDS)
    function = _canonical(
        _known_first(asked, "shoe_function", FUNCTION_WORDS, spans), text, FUNCTION_WORDS
    )
    if function not in FUNCTION_WORDS:  # 跟高多少: a detail no function claim covers
        function = first_key(text, DETAIL_QUESTION_WORDS) or function
    return question, part, function


def shoe_names(product: Any) -> tuple[str, ...]:
    """What buyers call the shoe: its name, aliases and kind (岩羊防水登山靴, 岩羊, 登山靴)."""
    return (product.name, *(product.aliases or []), product.category or "")


def without_names(text: str, names: tuple[str, ...]) -> str:
    """``text`` with the shoe's names (longest first) blanked out."""
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def _name_spans(text: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the shoe's names occur in ``text`` (登山靴 in 登山靴适合跑步吗)."""
    return [
        (match.start(), match.end())
        for name in filter(None, names)
        for match in re.finditer(re.escape(name), text)
    ]


def _known_first(
    asked: Asked, name: str, table: dict[str, tuple[str, ...]], spans: list[tuple[int, int]]
) -> str | None:
    """The first value of entity ``name`` the word lists know (冷不冷 → warm), else the
    first value: a stray tag before it (穿 of 冬天穿冷不冷) does not hide it. A tag
    inside the shoe's name (登山 of 登山靴, one of ``spans``) asks nothing."""
    values = [
        str(entity["value"])
        for entity in asked.entities
        if entity.get("entity") == name
        and entity.get("value") not in (None, "")
        and not any(
            start <= int(entity.get("start", -1)) and int(entity.get("end", -1)) <= end
            for start, end in spans
        )
    ]
    known = [v for v in values if v in table or first_key(v, table)]
    return next(iter(known or values), None)


def _canonical(value: str | None, text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The key of ``table`` an entity value or, failing that, the text names.

    DIET sometimes tags a word the synonyms do not map (冬天 in 冬天穿会冷吗):
    the word lists still know it means ``warm``. A value nothing maps stays, so
    the answer says the catalogue is silent on it.
    """
    if value in table:
        return value
    return first_key(value or "", table) or first_key(text, table) or value


def answer_product_question(asked: Asked, session: Session) -> tuple[Messages, dict[str, Any]]:
    """The responses to a material or function question, and the slots to set.

    Without a settled shoe: "which shoe?", or nothing while the form asks for it
    next (the question waits in ``pending_question``).
    """
    found = resolve_product(asked, session=session, kind_switches=True)
    product = queries.get_product(found.product.id, session=session) if found.product else None
    question, part, function = product_question(asked, shoe_names(product) if product else ())
    slots = dict(found.slots)
    if found.unknown_name:
        return [("utter_unknown_product", {})], slots
    if product is None:
        if asked.active_loop is not None and asked.slot("requested_slot") == "product_id":
            pending = {"question": question, "part": part, "function": function}
            return [], {**slots, "pending_question": pending}
        return [("utter_ask_product_id", {})], slots
    current = _compared_with(asked, product.id, session)
    if current is not None:  # 和洞洞鞋比哪个轻: both answered, the shoe under discussion kept
        return [
            *product_answer(current, question, part, function),
            *product_answer(product, question, part, function),
        ], slots
    slots.update(product_id=product.id, product_name=product.name)
    answers = product_answer(product, question, part, function)
    names = shoe_names(product)
    others = other_functions_asked(asked.text, function, names) if question == "function" else []
    for other in others:
        answers += product_answer(product, question, part, other)  # 防水吗？耐磨吗
    return answers, slots


MAX_FUNCTIONS_ASKED = 3


def other_functions_asked(text: str, first: str | None, names: tuple[str, ...] = ()) -> list[str]:
    """Functions asked in further parts of the message besides ``first``
    (這雙防水嗎？打外場耐磨嗎 → wear_resistant): each part a question naming one.

    The shoe's ``names`` (山野防水徒步鞋) and a kind of shoe (跑鞋) name no function
    here. NLU gives one intent per message, so the second function question would
    otherwise go unanswered.
    """
    if first not in FUNCTION_WORDS:
        return []
    found: list[str] = []
    for part in parts_of(text):
        key = first_key(without_names(part, (*names, *FUNCTION_KIND_WORDS)), FUNCTION_WORDS)
        if key and key != first and key not in found and is_question(part):
            found.append(key)
    return found[: MAX_FUNCTIONS_ASKED - 1]


def _compared_with(asked: Asked, named_id: str, session: Session) -> Any:
    """The shoe under discussion when the question weighs another against it
    (:data:`COMPARISON_WORDS`), else ``None``."""
    current_id = asked.slot("product_id") or asked.metadata.get("product_id")
    if not current_id or current_id == named_id:
        return None
    if not any(word in asked.text for word in COMPARISON_WORDS):
        return None
    return queries.get_product(str(current_id), session=session)


def product_answer(product: Any, question: str, part: str | None, function: str | None) -> Messages:
    """The responses answering a ``material`` or ``function`` question about ``product``."""
    if function in DETAIL_QUESTION_WORDS:
        return _detail_answer(product, function)
    if question == "function":
        return _function_answer(product, function)
    return _material_answer(product, part)


def catalogue_clauses(product: Any, words: tuple[str, ...], limit: int = 3) -> list[str]:
    """The clauses of the product's catalogue text (description, fit note, function
    claims) that contain one of ``words``, in order, none said twice (a clause inside
    an earlier one is left out)."""
    texts = [product.description or "", product.fit_note or ""]
    texts += [function.claim for function in product.functions]
    found: list[str] = []
    for text in texts:
        for clause in re.split(r"[。；;，,！!？?\n]+", text):
            clause = clause.strip()
            said = any(clause in earlier for earlier in found)  # 8厘米细跟 in 8厘米细跟尖头单鞋
            if clause and not said and any(word in clause for word in words):
                found.append(clause)
    return found[:limit]


def _detail_answer(product: Any, topic: str) -> Messages:
    """A detail (跟高, 充电) quoted from the catalogue's own words, or the catalogue said
    to be silent and a person offered: never a figure the catalogue does not give."""
    if topic == "gender" and product.gender in GENDER_LABELS:  # 男生能穿吗: 男女同款
        return [("utter_product_detail", {"product_name": product.name,
                                          "detail": GENDER_LABELS[product.gender]})]  # fmt: skip
    quoted = quoted_detail(product, DETAIL_CATALOGUE_WORDS[topic])
    if quoted is None:
        return [
            ("utter_function_unknown", {"product_name": product.name}),
            ("utter_offer_human", {}),
        ]
    return [quoted]


def quoted_detail(product: Any, words: tuple[str, ...]) -> tuple[str, dict[str, Any]] | None:
    """The catalogue's own clauses holding ``words``, quoted (utter_product_detail),
    or ``None`` when no clause does."""
    clauses = catalogue_clauses(product, words)
    if not clauses:
        return None
    return "utter_product_detail", {"product_name": product.name, "detail": "，".join(clauses)}


def _material_answer(product: Any, part: str | None) -> Messages:
    """Responses for a material question; an unknown part offers a human."""
    name = product.name
    materials = {
        "upper": product.material_upper,
        "lining": product.material_lining,
        "sole": product.material_sole,
    }
    if part in materials:
        if not materials[part]:
            return [("utter_material_unknown", {"product_name": name}), ("utter_offer_human", {})]
        return [(f"utter_material_{part}", {"product_name": name, "material": materials[part]})]
    if not all(materials.values()):
        known = {k: v for k, v in materials.items() if v}
        messages: Messages = [
            (f"utter_material_{k}", {"product_name": name, "material": v}) for k, v in known.items()
        ]
        return [
            *messages,
            ("utter_material_unknown", {"product_name": name}),
            ("utter_offer_human", {}),
        ]
    return [("utter_material_all", {"product_name": name, **materials})]


def _function_answer(product: Any, key: str | None) -> Messages:
    """Responses for a function question, graded by the catalogue's claim."""
    name = product.name
    claims = {function.key: function for function in product.functions}
    if key is None:
        if not claims:
            return [("utter_function_unknown", {"product_name": name}), ("utter_offer_human", {})]
        joined = "；".join(function.claim for function in claims.values())
        return [("utter_function_overview", {"product_name": name, "claims": joined})]
    function = claims.get(key)
    if function is None:
        return [("utter_function_unknown", {"product_name": name}), ("utter_offer_human", {})]
    level = function.level if function.level in ("yes", "partial", "no") else "partial"
    return [(f"utter_function_{level}", {"product_name": name, "claim": function.claim})]

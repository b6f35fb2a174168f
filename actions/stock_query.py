"""The buyer's stock question as plain values: colour words, a size, and whether restock.

Read from the message text and entities (:func:`read_query`), then sharpened with
the product's own colour names (:func:`with_catalogue_colors`) once the shoe is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from actions import sizing
from shop.lexicon import RESTOCK_WORDS, colors_named, names_color


@dataclass(frozen=True)
class StockQuery:
    """What the buyer asks about: colour words (白色, 白), a size, and whether restock."""

    colors: tuple[str, ...] = ()
    size: float | None = None
    restock: bool = False

    def merged(self, earlier: StockQuery) -> StockQuery:
        """This query, with the colour and size of an earlier one where it names none."""
        return replace(
            self,
            colors=self.colors or earlier.colors,
            size=self.size if self.size is not None else earlier.size,
            restock=self.restock or earlier.restock,
        )


def without_missing_colors(query: StockQuery, colors: Sequence[str]) -> StockQuery:
    """``query`` without the colour words no colour of the shoe holds: 有没有46码的 right
    after 乐福鞋有白色吗 (no 白色, already said) asks about 46 alone, not white again."""
    kept = tuple(
        word for word in query.colors
        if any(word.removesuffix("色") in color or names_color(word, color) for color in colors)
    )  # fmt: skip
    return replace(query, colors=kept)


def read_query(
    text: str, *, color_entity: str | None = None, size_entity: str | None = None
) -> StockQuery:
    """The stock question in ``text`` (simplified script) and the message's entities."""
    # The tagger's span is read as text (its 要白的 or 的呢 is no colour name); 奶茶色 and
    # 象牙白 are kept as said, so a shoe without them is said to lack them.
    colors: list[str] = []
    for word in colors_named(f"{color_entity}的" if color_entity else "") + colors_named(text):
        if not any(word in c for c in colors):
            colors.append(word)
    size = sizing.parse_size_answer(f"{size_entity}码") if size_entity else None
    in_text = sizing.parse_size_answer(text)
    if in_text is not None and (size is None or abs(in_text - size) <= 0.5):
        size = in_text  # 37半: the entity holds only 37
    restock = any(word in text for word in RESTOCK_WORDS)
    return StockQuery(colors=tuple(colors), size=size, restock=restock)


def with_catalogue_colors(
    query: StockQuery, texts: Sequence[str], colors: Sequence[str]
) -> StockQuery:
    """``query`` with the product's own colour names found in ``texts`` (燕麦色, 薄荷绿).

    A shop names its colours as it likes, so a name need not hold one of the
    lexicon's stems; and a full name (墨绿色) is more precise than its stem (绿),
    which the name replaces.
    """
    named = [color for color in colors if any(names_color(text, color) for text in texts)]
    if not named:
        return query
    kept = [word for word in query.colors if not any(word in color for color in named)]
    return replace(query, colors=tuple(kept + [c for c in named if c not in kept]))

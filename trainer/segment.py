"""How jieba cuts a message (as Rasa's JiebaTokenizer does) and the custom dictionary.

The tokenizer runs after the normaliser, so the text is simplified first; the
conversion keeps character offsets, which therefore match the original text.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from trainer.nlu_files import data_lock
from trainer.textnorm import simplify
from trainer.workspace import Workspace, log_change

DEFAULT_FREQ = 3000
DEFAULT_TAG = "n"
_WORD = re.compile(r"^[^\s]{1,20}$")


@lru_cache(maxsize=4)
def _cached_tokenizer(files: tuple[tuple[str, int, int], ...]) -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()  # the main dictionary: about a second, so done once
    for path, _, _ in files:
        tokenizer.load_userdict(path)
    return tokenizer


def _tokenizer(ws: Workspace) -> Any:
    """A jieba tokenizer with the custom dictionaries, rebuilt when one of them changes."""
    files = tuple(
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(ws.userdict.parent.glob("*"))
        if path.is_file()
    )
    return _cached_tokenizer(files)


def segment(ws: Workspace, text: str) -> list[dict[str, Any]]:
    """Tokens ``{"word", "start", "end"}`` of the text, with the current dictionary."""
    simple = simplify(text)
    if len(simple) != len(text):
        simple = text  # the normaliser leaves such texts alone too
    return [
        {"word": text[start:end], "start": start, "end": end}
        for _, start, end in _tokenizer(ws).tokenize(simple)
    ]


def boundary_warnings(
    tokens: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Entities whose start or end falls inside a token (DIET cannot learn those).

    Each warning names the entity, the span and the word to add to the dictionary.
    """
    starts = {t["start"] for t in tokens}
    ends = {t["end"] for t in tokens}
    warnings = []
    for ent in entities:
        start, end = int(ent["start"]), int(ent["end"])
        if start in starts and end in ends:
            continue
        cut = [t["word"] for t in tokens if t["start"] < end and t["end"] > start]
        warnings.append(
            {
                "entity": ent.get("entity"),
                "start": start,
                "end": end,
                "tokens": cut,
                "message": f"实体边界切断了分词 {' | '.join(cut)}，建议把这个词加入词典",
            }
        )
    return warnings


def dictionary_words(ws: Workspace) -> set[str]:
    """The words of the custom dictionary."""
    if not ws.userdict.exists():
        return set()
    return {ln.split()[0] for ln in ws.userdict.read_text("utf-8").splitlines() if ln.strip()}


def add_word(
    ws: Workspace, *, word: str, user: str, freq: int = DEFAULT_FREQ, tag: str = DEFAULT_TAG
) -> dict[str, Any]:
    """Appends ``word freq tag`` to ``data/jieba/userdict.txt`` unless it is there.

    Raises:
        ValueError: not one word (spaces, empty, over 20 characters) or already there.
    """
    word = simplify(word.strip())
    if not _WORD.match(word):
        raise ValueError("词语不能为空、不能有空格、最多20个字")
    if not re.fullmatch(r"[a-z]{1,4}", tag) or not 1 <= freq <= 100_000:
        raise ValueError("词性或词频不对")
    with data_lock(ws):
        if word in dictionary_words(ws):
            raise ValueError(f"词典里已经有「{word}」了")
        ws.userdict.parent.mkdir(parents=True, exist_ok=True)
        text = ws.userdict.read_text("utf-8") if ws.userdict.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        ws.userdict.write_text(text + f"{word} {freq} {tag}\n", encoding="utf-8")
    return log_change(
        ws,
        user=user,
        action="dict_add",
        word=word,
        file=str(ws.userdict.relative_to(ws.project_dir)),
    )

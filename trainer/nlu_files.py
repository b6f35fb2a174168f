"""Writes annotated examples into ``data/nlu/*.yml``, keeping the files as they are.

ruamel.yaml round-trip keeps comments, order, quoting and layout; only the
example list of one intent gains one line. An example is never written twice
(not even under another intent, compared by :func:`group_key`) and no text of
the evaluation set (``../shared/eval``) is ever written.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from trainer.textnorm import group_key, to_simplified
from trainer.workspace import Workspace, log_change

MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
NEW_FILE = "trainer.yml"
MAX_CHARS = 300
NOT_ANNOTATABLE = {"nlu_fallback"}


class AnnotationError(ValueError):
    """The example cannot be saved; the message says why (shown to the trainer)."""


@dataclass(frozen=True)
class Example:
    """One training example as written in a file."""

    file: str
    intent: str
    line: str  # with entity markup

    @property
    def text(self) -> str:
        """The plain text, markup removed."""
        return plain_text(self.line)


def yaml_rt() -> YAML:
    """The round-trip YAML settings that reproduce the project's files byte for byte."""
    yaml = YAML()
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def plain_text(line: str) -> str:
    """``订单[123](order_id)`` -> ``订单123``."""
    return MARKUP.sub(r"\1", line)


def _lines(block: Any) -> list[str]:
    return [
        ln.strip()[2:].strip()
        for ln in str(block or "").splitlines()
        if ln.strip().startswith("- ")
    ]


@lru_cache(maxsize=64)
def _file_examples(path: str, _mtime_ns: int, _size: int) -> tuple[Example, ...]:
    doc = yaml_rt().load(Path(path).read_text(encoding="utf-8")) or {}
    name, out = Path(path).name, []
    for item in doc.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            out += [Example(name, item["intent"], ln) for ln in _lines(item.get("examples"))]
    return tuple(out)


def read_examples(ws: Workspace) -> list[Example]:
    """Every intent example of ``data/nlu`` (parsed again only when a file changed)."""
    out: list[Example] = []
    for path in sorted(ws.nlu_dir.glob("*.yml")):
        stat = path.stat()
        out += _file_examples(str(path), stat.st_mtime_ns, stat.st_size)
    return out


def domain_names(ws: Workspace, kind: str) -> list[str]:
    """The domain's ``intents`` or ``entities`` (names only)."""
    doc = yaml_rt().load((ws.project_dir / "domain.yml").read_text(encoding="utf-8")) or {}
    names = []
    for item in doc.get(kind) or []:
        names.append(next(iter(item)) if isinstance(item, dict) else str(item))
    return names


def trainable_intents(ws: Workspace) -> list[str]:
    """Intents a buyer message may be labelled with (not the console's EXTERNAL_ ones)."""
    return [i for i in domain_names(ws, "intents") if not i.startswith("EXTERNAL_")]


@lru_cache(maxsize=4)
def _eval_texts(path: str, mtime: float) -> tuple[frozenset[str], frozenset[str]]:
    with open(path, encoding="utf-8") as handle:
        texts = {row["text"].strip() for row in csv.DictReader(handle, delimiter="\t")}
    texts.discard("")
    return frozenset(texts), frozenset(group_key(t) for t in texts)


def eval_texts(ws: Workspace) -> tuple[frozenset[str], frozenset[str]]:
    """The evaluation texts and their grouping keys (empty when the set is absent)."""
    path = ws.eval_dir / "jddc_buyer_turns.tsv"
    if not path.exists():
        return frozenset(), frozenset()
    return _eval_texts(str(path), path.stat().st_mtime)


def check_not_eval(ws: Workspace, text: str, line: str) -> None:
    """Refuses any text of ``../shared/eval`` (the same rule as the leak test, and more)."""
    texts, keys = eval_texts(ws)
    leak = (
        text in texts
        or group_key(text) in keys
        or any(len(t) >= 6 and (t in text or t in line) for t in texts)
    )
    if leak:
        raise AnnotationError("这句话属于评测集 (../shared/eval)，不能用作训练数据")


def markup(text: str, entities: list[dict[str, Any]], *, allowed: list[str]) -> str:
    """The example line with ``[span](entity)`` markup for character-offset spans."""
    spans = sorted(entities, key=lambda e: int(e["start"]))
    out, pos = [], 0
    for ent in spans:
        start, end, name = int(ent["start"]), int(ent["end"]), str(ent["entity"])
        if name not in allowed:
            raise AnnotationError(f"未知实体类型: {name}")
        if not 0 <= start < end <= len(text) or start < pos:
            raise AnnotationError(f"实体位置不对或重叠: {start}-{end}")
        span = text[start:end]
        if span != span.strip():
            raise AnnotationError("实体首尾不能是空格")
        value = ent.get("value")
        tag = (
            json.dumps({"entity": name, "value": value}, ensure_ascii=False)
            if value and value != span
            else f"({name})"
        )
        out += [text[pos:start], f"[{span}]{tag}"]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _duplicate(ws: Workspace, key: str) -> Example | None:
    return next((ex for ex in read_examples(ws) if group_key(ex.text) == key), None)


def known_keys(ws: Workspace) -> set[str]:
    """Grouping keys of every training example (the inbox skips them)."""
    return {group_key(ex.text) for ex in read_examples(ws)}


@contextmanager
def data_lock(ws: Workspace) -> Iterator[None]:
    """One writer of the training data at a time (CLI and console)."""
    ws.trainer_dir.mkdir(parents=True, exist_ok=True)
    with open(ws.trainer_dir / "data.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def target_file(ws: Workspace, intent: str) -> Path:
    """The file that already holds the intent, else ``data/nlu/trainer.yml``."""
    for path in sorted(ws.nlu_dir.glob("*.yml")):
        if re.search(rf"^- intent: {re.escape(intent)}\s*$", path.read_text("utf-8"), re.M):
            return path
    return ws.nlu_dir / NEW_FILE


def add_example(
    ws: Workspace,
    *,
    intent: str,
    text: str,
    entities: list[dict[str, Any]] | None = None,
    user: str,
    source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validates and writes one example; returns the logged change.

    Raises:
        AnnotationError: unknown intent or entity, bad span, duplicate, evaluation text.
    """
    text = " ".join(text.split())
    simplified = to_simplified(text)
    if len(simplified) == len(text):  # training data is simplified; offsets must stay valid
        text = simplified
    if not text or len(text) > MAX_CHARS:
        raise AnnotationError(f"句子为空或超过{MAX_CHARS}字")
    if any(ch in text for ch in "[]{}"):
        raise AnnotationError("句子里不能有方括号或花括号 ([ ] { })")
    if intent not in trainable_intents(ws) or intent in NOT_ANNOTATABLE:
        raise AnnotationError(f"未知意图: {intent}")
    line = markup(text, entities or [], allowed=domain_names(ws, "entities"))
    check_not_eval(ws, text, line)
    key = group_key(text)
    with data_lock(ws):
        dup = _duplicate(ws, key)
        if dup is not None:
            where = f"{dup.file} 的意图 {dup.intent}"
            if dup.intent == intent:
                raise AnnotationError(f"已经有这个例句了 ({where}): {dup.line}")
            raise AnnotationError(f"这句话已经是 {where} 的例句，不能再标成 {intent}: {dup.line}")
        path = target_file(ws, intent)
        yaml = yaml_rt()
        if path.exists():
            doc = yaml.load(path.read_text(encoding="utf-8"))
        else:
            doc = yaml.load('version: "3.1"\nnlu: []\n')
        items = doc["nlu"]
        item = next((i for i in items if isinstance(i, dict) and i.get("intent") == intent), None)
        if item is None:
            item = yaml.load(f"intent: {intent}\nexamples: |\n  - x\n")
            item["examples"] = LiteralScalarString("")
            items.append(item)
        block = str(item["examples"] or "")
        if block and not block.endswith("\n"):
            block += "\n"
        item["examples"] = LiteralScalarString(block + f"- {line}\n")
        buffer = io.StringIO()
        yaml.dump(doc, buffer)
        _write_atomic(path, buffer.getvalue())
    return log_change(
        ws,
        user=user,
        action="annotate",
        intent=intent,
        example=line,
        file=str(path.relative_to(ws.project_dir)),
        key=key,
        source=source or {},
    )


def discard(ws: Workspace, *, text: str, user: str, reason: str = "") -> dict[str, Any]:
    """Marks a message (and its group) as not worth training on."""
    return log_change(
        ws, user=user, action="discard", key=group_key(text), text=text, reason=reason[:300]
    )

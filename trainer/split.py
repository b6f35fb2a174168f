"""The fixed held-out split: about 20% of ``data/nlu`` that candidates never train on.

An example is held out when the SHA-1 of its grouping key falls in the lowest
20 of 100 buckets, so the split never changes when other examples are added or
files are reordered. Examples a trainer added with this tool are always
trained on (the fix must reach the model); they are never held out.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from ruamel.yaml.scalarstring import LiteralScalarString

from trainer.nlu_files import Example, plain_text, read_examples, yaml_rt
from trainer.textnorm import group_key
from trainer.workspace import Workspace, read_log

HELD_OUT_PERCENT = 20


def is_held_out(text: str) -> bool:
    """Whether the example belongs to the held-out split (deterministic)."""
    digest = hashlib.sha1(group_key(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


def trainer_added(ws: Workspace) -> set[str]:
    """Grouping keys of the examples added through the trainer tool."""
    return {r["key"] for r in read_log(ws) if r.get("action") == "annotate" and r.get("key")}


def held_out_examples(ws: Workspace) -> list[Example]:
    """The held-out examples of the current data."""
    added = trainer_added(ws)
    return [
        ex for ex in read_examples(ws) if is_held_out(ex.text) and group_key(ex.text) not in added
    ]


def write_training_nlu(ws: Workspace, out_dir: Path) -> int:
    """Copies ``data/nlu`` to ``out_dir`` without the held-out examples.

    Returns:
        The number of examples left out.
    """
    added = trainer_added(ws)
    out_dir.mkdir(parents=True, exist_ok=True)
    left_out = 0
    yaml = yaml_rt()
    for path in sorted(ws.nlu_dir.glob("*.yml")):
        doc = yaml.load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if not (isinstance(item, dict) and "intent" in item):
                continue
            kept = []
            for line in str(item.get("examples") or "").splitlines():
                body = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
                text = plain_text(body)
                if body and is_held_out(text) and group_key(text) not in added:
                    left_out += 1
                    continue
                kept.append(line)
            item["examples"] = LiteralScalarString("\n".join(kept) + "\n")
        buffer = io.StringIO()
        yaml.dump(doc, buffer)
        (out_dir / path.name).write_text(buffer.getvalue(), encoding="utf-8")
    return left_out

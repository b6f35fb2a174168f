"""Where the trainer reads and writes, and its append-only change log and agent flags.

Every path comes from :class:`Workspace`, built from ``shop.config.settings``
by default; tests build one on a temporary copy of the project.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shop.config import settings


@dataclass(frozen=True)
class Workspace:
    """The project the trainer edits and the directories it keeps its state in."""

    project_dir: Path
    trainer_dir: Path
    candidates_dir: Path
    eval_dir: Path
    tracker_db_url: str

    @classmethod
    def from_settings(cls) -> Workspace:
        """The workspace of the running installation."""
        return cls(
            project_dir=settings.project_dir,
            trainer_dir=settings.trainer_dir,
            candidates_dir=settings.candidates_dir,
            eval_dir=settings.eval_dir,
            tracker_db_url=settings.tracker_db_url,
        )

    @property
    def nlu_dir(self) -> Path:
        """``data/nlu``: the training examples, one file per topic."""
        return self.project_dir / "data" / "nlu"

    @property
    def userdict(self) -> Path:
        """The custom jieba dictionary."""
        return self.project_dir / "data" / "jieba" / "userdict.txt"

    @property
    def log_path(self) -> Path:
        """The append-only change log (JSON lines)."""
        return self.trainer_dir / "changes.jsonl"

    @property
    def flags_path(self) -> Path:
        """Messages flagged by agents (JSON lines)."""
        return self.trainer_dir / "flags.jsonl"

    @property
    def live_model(self) -> Path:
        """The model ``make run`` starts with."""
        return self.project_dir / "models" / "shoe-shop.tar.gz"


def _append(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    # O_APPEND: concurrent writers (CLI and console) never interleave within a line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return record


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a torn last line never hides the others
    return out


def log_change(ws: Workspace, *, user: str, action: str, **details: Any) -> dict[str, Any]:
    """Appends one change (who, what, when) to the log and returns it."""
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "user": user, "action": action}
    record.update(details)
    return _append(ws.log_path, record)


def read_log(ws: Workspace, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The logged changes, oldest first (the last ``limit`` when given)."""
    records = _read(ws.log_path)
    return records[-limit:] if limit else records


def add_flag(
    ws: Workspace,
    *,
    conversation_id: str,
    user: str,
    message_id: str = "",
    text: str = "",
    note: str = "",
) -> dict[str, Any]:
    """Flags one buyer message for the trainers (the agent console calls this).

    The message is named by its event's ``message_id`` or, when the caller only
    has the text (the agents' message view), by its text within the conversation.

    Raises:
        ValueError: neither ``message_id`` nor ``text`` given.
    """
    if not (message_id or text.strip()):
        raise ValueError("message_id or text is needed")
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "conversation_id": conversation_id,
        "message_id": message_id,
        "text": text.strip()[:300],
        "user": user,
        "note": note[:500],
    }
    _append(ws.flags_path, record)
    log_change(
        ws,
        user=user,
        action="flag",
        conversation_id=conversation_id,
        message_id=message_id,
        text=record["text"],
    )
    return record


def read_flags(ws: Workspace) -> list[dict[str, Any]]:
    """Every agent flag."""
    return _read(ws.flags_path)

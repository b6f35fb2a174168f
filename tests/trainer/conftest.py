"""A temporary copy of the project's data and a tracker-store database with known events."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from trainer.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
EVAL_TEXT = "你们家的鞋码偏大还是偏小呀"  # in the fake evaluation set only


def copy_project(dest: Path) -> None:
    """data/, domain.yml and config.yml of the repository, copied to ``dest``."""
    shutil.copytree(ROOT / "data", dest / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, dest / name)


@pytest.fixture()
def workspace(tmp_path: Path) -> Workspace:
    """The project data in a temp dir, a fake evaluation set and empty trainer state."""
    project = tmp_path / "project"
    copy_project(project)
    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    (eval_dir / "jddc_buyer_turns.tsv").write_text(
        f"text\tintent\tsession_id\n{EVAL_TEXT}\task_size_advice\ts1\n好的\taffirm\ts2\n",
        encoding="utf-8",
    )
    return Workspace(
        project_dir=project,
        trainer_dir=tmp_path / "trainer",
        candidates_dir=tmp_path / "candidates",
        eval_dir=eval_dir,
        tracker_db_url=f"sqlite:///{tmp_path / 'rasa_tracker.db'}",
    )


def user(text: str, intent: str, confidence: float, mid: str, others: list | None = None) -> Any:
    """A UserUttered event as the Rasa server stores it (``others``: the rest of the ranking)."""
    from rasa.shared.core.events import UserUttered

    ranking = [{"name": intent, "confidence": confidence}, *(others or [])]
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        entities=[],
        parse_data={
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
            "entities": [],
            "text": text,
        },
        message_id=mid,
    )


CONVERSATIONS: dict[str, list[tuple[str, Any]]] = {
    # (kind, args): user -> user(...), bot -> BotUttered(text), action -> ActionExecuted(name),
    # event -> args() makes the Rasa event (when stored, so that timestamps keep the order)
    "conv-a": [
        ("user", ("在吗", "greet", 0.97, "a1")),
        ("bot", "在的亲"),
        ("user", ("这鞋子咋回事啊", "nlu_fallback", 0.3, "a2")),
        ("bot", "没太明白"),
        ("user", ("你们这什么破鞋", "complain", 0.91, "a3")),
    ],
    "conv-b": [
        ("user", ("這鞋子咋回事啊！！😡", "ask_material", 0.41, "b1")),
        ("action", "action_handoff"),
        ("bot", "正在为您转接人工"),
        ("event", "pause"),
    ],
    "conv-c": [
        ("user", ("能再便宜个五块不", "ask_promotion", 0.93, "c1")),
        ("user", ("/restart", "restart", 1.0, "c2")),
        ("user", ("谢谢", "thank", 0.99, "c3")),
        ("user", ("你好", "greet", 0.5, "c4")),
    ],
}


async def _save(url: str, conversations: dict[str, list[tuple[str, Any]]]) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused
    from rasa.shared.core.trackers import DialogueStateTracker

    path = url.removeprefix("sqlite:///")
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=path)
    for cid, turns in conversations.items():
        tracker = DialogueStateTracker(cid, slots=[])
        for kind, args in turns:
            if kind == "user":
                tracker.update(user(*args))
            elif kind == "bot":
                tracker.update(BotUttered(args))
            elif kind == "event":
                tracker.update(args() if callable(args) else ConversationPaused())
            else:
                tracker.update(ActionExecuted(args))
        await store.save(tracker)


def save_conversations(
    url: str, conversations: dict[str, list[tuple[str, Any]]] = CONVERSATIONS
) -> None:
    """Stores conversations through Rasa's own SQLTrackerStore (as the server does).

    In a thread of its own: Playwright's sync API keeps a loop running in this one.
    """
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _save(url, conversations)).result()


@pytest.fixture()
def tracker_db(workspace: Workspace) -> str:
    """The conversations above in the workspace's tracker store."""
    save_conversations(workspace.tracker_db_url)
    return workspace.tracker_db_url

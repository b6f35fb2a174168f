"""``python -m trainer``: help, and the quick commands on a temporary project."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.trainer.conftest import ROOT
from trainer import jobs
from trainer.workspace import Workspace, read_log


def _run(ws: Workspace, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TRAINER_PROJECT_DIR": str(ws.project_dir),
        "TRAINER_DIR": str(ws.trainer_dir),
        "TRAINER_CANDIDATES_DIR": str(ws.candidates_dir),
        "SHOP_EVAL_DIR": str(ws.eval_dir),
        "TRACKER_DB_URL": ws.tracker_db_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "trainer", "--user", "cli-user", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_help_lists_every_command(workspace: Workspace) -> None:
    out = _run(workspace, "--help").stdout
    for command in ("inbox", "annotate", "discard", "segment", "dict-add", "validate", "train",
                    "evaluate", "compare", "activate", "rollback", "log"):  # fmt: skip
        assert command in out


def test_inbox_annotate_refuse_and_log(workspace: Workspace, tracker_db: str) -> None:
    groups = json.loads(_run(workspace, "inbox", "--json").stdout)
    assert groups[0]["key"] == "这鞋子咋回事啊"
    done = _run(workspace, "annotate", "--text", "这鞋子咋回事啊", "--intent", "complain")
    assert done.returncode == 0, done.stderr
    again = _run(workspace, "annotate", "--text", "这鞋子咋回事啊", "--intent", "greet")
    assert again.returncode == 1 and "不能再标成 greet" in again.stderr
    seg = _run(workspace, "segment", "奶茶色高帮鞋", "--entity", "0:3:color")
    assert "奶茶 | 色高" in seg.stdout
    assert [r["user"] for r in read_log(workspace)] == ["cli-user"]
    rollback = _run(workspace, "rollback")
    assert rollback.returncode == 1 and "没有可以回滚" in rollback.stderr


def test_stale_running_jobs_do_not_block() -> None:
    now = 10_000.0
    assert jobs.is_running({"state": "running", "started": now, "updated": now - 60}, now=now)
    assert not jobs.is_running({"state": "running", "started": 0, "updated": 0}, now=now)
    assert not jobs.is_running({"state": "done", "started": now, "updated": now}, now=now)

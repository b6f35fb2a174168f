"""Long work (training, evaluation) as jobs: a JSON status file the console can poll."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from trainer.workspace import Workspace


def jobs_dir(ws: Workspace) -> Path:
    """Where the job status files live."""
    return ws.trainer_dir / "jobs"


def new_job_id(kind: str) -> str:
    """A fresh job id, e.g. ``train-20261201-191500-a1b2``."""
    return f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


class Job:
    """Writes one job's status (state, progress 0..1, stage, result) atomically."""

    def __init__(
        self, ws: Workspace, job_id: str | None, kind: str, user: str, *, echo: bool = False
    ) -> None:
        self.path = jobs_dir(ws) / f"{job_id}.json" if job_id else None
        self.echo = echo  # also print the progress (the command line)
        self.status: dict[str, Any] = {
            "id": job_id,
            "kind": kind,
            "user": user,
            "state": "running",
            "progress": 0.0,
            "stage": "starting",
            "started": time.time(),
            "result": None,
            "error": None,
        }
        self._write()

    def _write(self) -> None:
        self.status["updated"] = time.time()
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.status, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def update(self, progress: float, stage: str) -> None:
        """Reports progress (kept monotonic)."""
        self.status["progress"] = round(max(self.status["progress"], min(progress, 1.0)), 3)
        if self.echo and stage != self.status["stage"]:
            print(f"{self.status['progress']:4.0%} {stage}", file=sys.stderr, flush=True)
        self.status["stage"] = stage
        self._write()

    def finish(self, result: Any) -> None:
        """Marks the job done with its result."""
        self.status.update(state="done", progress=1.0, stage="done", result=result)
        self.status["ended"] = time.time()
        self._write()

    def fail(self, error: str) -> None:
        """Marks the job failed with a message for the trainer."""
        self.status.update(state="failed", stage="failed", error=error[-4000:])
        self.status["ended"] = time.time()
        self._write()


def read_job(ws: Workspace, job_id: str) -> dict[str, Any] | None:
    """A job's status, or None."""
    if not job_id.replace("-", "").isalnum():
        return None
    path = jobs_dir(ws) / f"{job_id}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


STALE_SECONDS = 1800  # a "running" job silent this long died with its process


def is_running(status: dict[str, Any], *, now: float | None = None) -> bool:
    """Running and not stale (training reports every epoch; validation within minutes)."""
    if status.get("state") != "running":
        return False
    return (now or time.time()) - float(status.get("updated") or status["started"]) < STALE_SECONDS


def list_jobs(ws: Workspace, *, limit: int = 20) -> list[dict[str, Any]]:
    """The newest jobs first."""
    paths = sorted(jobs_dir(ws).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    out = []
    for path in paths[:limit]:
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return out

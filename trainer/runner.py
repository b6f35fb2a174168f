"""Starting the trainer's long jobs as ``python -m trainer`` subprocesses, for the console.

Validation, training and comparison take minutes, so the console starts them here and
the trainer page polls their progress (:mod:`trainer.jobs`, docs/trainer.md).
"""

from __future__ import annotations

import subprocess
import sys
import threading

from trainer import jobs, training
from trainer.workspace import Workspace


def spawn(ws: Workspace, user: str, kind: str, candidate: str | None) -> str:
    """Starts ``python -m trainer`` for a long job (validate, train, compare); returns its id.

    The job is recorded as running at once, so a second request sees it; a thread
    reaps the process and records a crash before it reported as a failed job.
    """
    job_id = jobs.new_job_id(kind)
    argv = [sys.executable, "-m", "trainer", "--user", user, kind]
    if kind == "compare":
        argv.append(str(candidate))
    argv += ["--job", job_id]
    jobs.Job(ws, job_id, kind, user)  # "running" at once: a second request sees it
    log = jobs.jobs_dir(ws) / f"{job_id}.log"
    env = {
        **training.rasa_env(),
        "TRAINER_PROJECT_DIR": str(ws.project_dir),
        "TRAINER_DIR": str(ws.trainer_dir),
        "TRAINER_CANDIDATES_DIR": str(ws.candidates_dir),
        "SHOP_EVAL_DIR": str(ws.eval_dir),
        "TRACKER_DB_URL": ws.tracker_db_url,
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            argv,
            cwd=training.CODE_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    threading.Thread(target=_reap, args=(ws, job_id, kind, user, process), daemon=True).start()
    return job_id


def _reap(ws: Workspace, job_id: str, kind: str, user: str, process: subprocess.Popen) -> None:
    """Waits for the job's process; a crash before it reported becomes a failed job."""
    code = process.wait()
    status = jobs.read_job(ws, job_id)
    if status is None or status["state"] == "running":
        tail = (jobs.jobs_dir(ws) / f"{job_id}.log").read_text(errors="replace")[-3000:]
        job = jobs.Job(ws, job_id, kind, user)
        job.fail(f"exit {code}\n{tail}")


def running(ws: Workspace, kind: str) -> bool:
    """Whether a job of this kind is running (one at a time per kind)."""
    return any(j["kind"] == kind and jobs.is_running(j) for j in jobs.list_jobs(ws))

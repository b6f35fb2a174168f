"""``rasa data validate`` and candidate training, with progress.

A candidate is trained from ``config.yml``, ``domain.yml`` and ``data/`` minus
the held-out split (:mod:`trainer.split`), into the candidates directory as
``cand-<time>.tar.gz`` with a manifest ``cand-<time>.json``. The live model
``models/shoe-shop.tar.gz`` is never written. One training at a time, shared
with ``scripts/train_if_stale.sh`` (``models/.train.lock``).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from trainer.jobs import Job
from trainer.split import write_training_nlu
from trainer.workspace import Workspace, log_change

CODE_ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
_PERCENT = re.compile(r"Epochs:\s+(\d+)%")
_NOISE = re.compile(r"\d+%\||^\s*$")  # progress bars and blank lines, left out of errors
# Where each trainable component's epochs fall in the overall progress bar (config.yml
# has no TEDPolicy now; it stays here for a config that adds it back).
_STAGES = {"DIETClassifier": (0.15, 0.75), "TEDPolicy": (0.9, 0.08)}


def rasa_env() -> dict[str, str]:
    """The environment of Rasa subprocesses: no telemetry, custom components importable."""
    path = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": f"{CODE_ROOT}{os.pathsep}{path}" if path else str(CODE_ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def validate(ws: Workspace, *, user: str) -> dict[str, Any]:
    """Runs ``rasa data validate`` on the project; ``{"ok", "output"}``."""
    result = subprocess.run(
        [
            RASA,
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
        ],
        cwd=ws.project_dir,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = (result.stdout + result.stderr).splitlines()
    keep = [ln for ln in lines if re.search(r"WARNING|ERROR|UserWarning|invalid|conflict", ln)]
    outcome = {"ok": result.returncode == 0, "output": "\n".join(keep[-80:] or lines[-20:])}
    log_change(ws, user=user, action="validate", ok=outcome["ok"])
    return outcome


def _data_paths(ws: Workspace, nlu_copy: Path) -> list[str]:
    data = ws.project_dir / "data"
    others = [p for p in sorted(data.iterdir()) if p.is_dir() and p.name not in {"nlu", "jieba"}]
    return [str(nlu_copy)] + [str(p) for p in others]


def _follow(process: subprocess.Popen, job: Job, log: Path) -> None:
    stage = "preparing"
    assert process.stdout is not None
    with log.open("w", encoding="utf-8") as out:
        buffer = ""
        while chunk := process.stdout.read(256):
            out.write(chunk)
            buffer += chunk
            *lines, buffer = re.split(r"[\r\n]", buffer)
            for line in lines:
                for name in _STAGES:
                    if name in line and ("train" in line.lower() or "Epochs" in line):
                        stage = name
                match = _PERCENT.search(line)
                if match and stage in _STAGES:
                    base, width = _STAGES[stage]
                    job.update(
                        base + width * int(match.group(1)) / 100, f"{stage} {match.group(1)}%"
                    )
                elif "Starting to train component" in line or "Training" in line:
                    job.update(job.status["progress"] + 0.01, line.strip()[-80:])


def train_candidate(
    ws: Workspace,
    *,
    user: str,
    job: Job,
    config: Path | None = None,
    full_data: bool = False,
) -> dict[str, Any]:
    """Trains a candidate; returns its manifest. Raises RuntimeError when training fails."""
    ws.candidates_dir.mkdir(parents=True, exist_ok=True)
    (ws.project_dir / "models").mkdir(exist_ok=True)
    name = f"cand-{time.strftime('%Y%m%d-%H%M%S')}"
    build = ws.candidates_dir / f".build-{name}"
    config = config or ws.project_dir / "config.yml"
    with open(ws.project_dir / "models" / ".train.lock", "w") as lock:
        job.update(0.01, "waiting for another training to finish")
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if full_data:
                shutil.copytree(ws.nlu_dir, build / "nlu")
                left_out = 0
            else:
                left_out = write_training_nlu(ws, build / "nlu")
            job.update(0.05, "training")
            argv = [
                RASA,
                "train",
                "--config",
                str(config),
                "--domain",
                "domain.yml",
                "--data",
                *_data_paths(ws, build / "nlu"),
                "--out",
                str(ws.candidates_dir),
                "--fixed-model-name",
                name,
            ]
            process = subprocess.Popen(
                argv,
                cwd=ws.project_dir,
                env=rasa_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
            log = ws.candidates_dir / f"{name}.log"
            _follow(process, job, log)
            if process.wait() != 0:
                lines = re.split(r"[\r\n]+", log.read_text(encoding="utf-8"))
                tail = "\n".join(ln for ln in lines if not _NOISE.search(ln))[-3000:]
                raise RuntimeError(f"训练失败 (rasa train exit {process.returncode}):\n{tail}")
        finally:
            shutil.rmtree(build, ignore_errors=True)
    manifest = {
        "name": name,
        "model": str(ws.candidates_dir / f"{name}.tar.gz"),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "user": user,
        "held_out_excluded": not full_data,
        "held_out_left_out": left_out,
        "config": str(config),
    }
    (ws.candidates_dir / f"{name}.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    log_change(ws, user=user, action="train", candidate=name, held_out_excluded=not full_data)
    return manifest


def list_candidates(ws: Workspace) -> list[dict[str, Any]]:
    """Every candidate's manifest (with ``report`` when it was compared), newest first."""
    out = []
    for path in sorted(ws.candidates_dir.glob("cand-*.json"), reverse=True):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        report = ws.candidates_dir / f"{manifest['name']}.report" / "report.json"
        manifest["compared"] = report.exists()
        out.append(manifest)
    return out


def candidate(ws: Workspace, name: str) -> dict[str, Any]:
    """One candidate's manifest. Raises KeyError for an unknown name."""
    if not re.fullmatch(r"cand-[0-9-]+", name):
        raise KeyError(name)
    path = ws.candidates_dir / f"{name}.json"
    if not path.exists():
        raise KeyError(name)
    return json.loads(path.read_text(encoding="utf-8"))

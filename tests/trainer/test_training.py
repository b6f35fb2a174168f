"""Training progress from Rasa's output, and long jobs started by the console."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from trainer import training
from trainer.jobs import Job, read_job
from trainer.workspace import Workspace

RASA_OUTPUT = (
    "INFO rasa.engine.training.hooks  - Starting to train component 'JiebaTokenizer'.\n"
    "INFO rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\n"
    "Epochs:   0%|          | 0/4 [00:00<?, ?it/s]\r"
    "Epochs:  50%|█████     | 2/4 [00:01<00:01]\r"
    "Epochs: 100%|██████████| 4/4 [00:02<00:00]\n"
    "INFO rasa.engine.training.hooks  - Starting to train component 'TEDPolicy'.\n"
    "Epochs:  50%|█████     | 1/2 [00:01<00:01]\n"
)


class _Process:
    def __init__(self, text: str) -> None:
        self.stdout = io.StringIO(text)


def test_progress_follows_the_epochs(workspace: Workspace, tmp_path: Path) -> None:
    job = Job(workspace, "train-test", "train", "t")
    seen: list[tuple[float, str]] = []
    original = job.update

    def spy(progress: float, stage: str) -> None:
        original(progress, stage)
        seen.append((job.status["progress"], stage))

    job.update = spy  # type: ignore[method-assign]
    training._follow(_Process(RASA_OUTPUT), job, tmp_path / "train.log")  # type: ignore[arg-type]
    stages = [stage for _, stage in seen]
    assert "DIETClassifier 50%" in stages and "DIETClassifier 100%" in stages
    assert "TEDPolicy 50%" in stages
    progress = [p for p, _ in seen]
    assert progress == sorted(progress) and 0.9 < progress[-1] < 0.95
    assert (tmp_path / "train.log").read_bytes() == RASA_OUTPUT.encode("utf-8")
    status: Any = read_job(workspace, "train-test")
    assert status["stage"] == "TEDPolicy 50%" and status["state"] == "running"

"""The trainer's loop on a real Rasa server: a tiny model serves, a buyer's message is
stored in its SQL tracker store, shows up in the inbox, a trainer saves it as an
example, a tiny candidate is trained without the held-out split, compared with the
serving model, activated through ``PUT /model`` and rolled back.

Runs on a small temporary copy of the project (8 examples per intent, 2 epochs):
about 5 minutes of CPU (two small trainings, five model loads). The repository's
data and models are not touched.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import BIN, _free_port, _wait
from tests.trainer.conftest import copy_project
from trainer import activation, evaluation, inbox, nlu_files, training
from trainer.jobs import Job, read_job
from trainer.workspace import Workspace, read_log

PER_INTENT = 8


def _shrink(project: Path) -> None:
    """Keeps the first examples of every intent and the rules, and makes the config tiny."""
    shutil.rmtree(project / "data" / "stories")  # NLU is what is tested; rules suffice
    from ruamel.yaml.scalarstring import LiteralScalarString

    yaml = nlu_files.yaml_rt()
    for path in (project / "data" / "nlu").glob("*.yml"):
        doc = yaml.load(path.read_text(encoding="utf-8"))
        for item in doc.get("nlu") or []:
            if isinstance(item, dict) and "intent" in item:
                lines = str(item["examples"]).splitlines()[:PER_INTENT]
                item["examples"] = LiteralScalarString("\n".join(lines) + "\n")
        out = io.StringIO()
        yaml.dump(doc, out)
        path.write_text(out.getvalue(), encoding="utf-8")
    config = yaml.load((project / "config.yml").read_text(encoding="utf-8"))
    for part in (*config["pipeline"], *config["policies"]):
        if "epochs" in part:
            part["epochs"] = 2
    out = io.StringIO()
    yaml.dump(config, out)
    (project / "config.yml").write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def loop_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    base = tmp_path_factory.mktemp("trainer_loop")
    project = base / "project"
    copy_project(project)
    _shrink(project)
    eval_dir = base / "eval"
    eval_dir.mkdir()
    (eval_dir / "jddc_buyer_turns.tsv").write_text(
        "text\tintent\tsession_id\n谢谢啦\tthank\ts1\n拜拜了\tgoodbye\ts2\n", encoding="utf-8"
    )
    tracker = f"sqlite:///{base / 'tracker.db'}"
    return Workspace(project, base / "trainer", base / "candidates", eval_dir, tracker)


def test_candidate_is_compared_activated_and_rolled_back(loop_ws: Workspace) -> None:
    ws = loop_ws
    live = ws.live_model  # the temp project's "make run" model: NLU only, quicker to train
    subprocess.run(
        [str(BIN / "rasa"), "train", "nlu", "--config", "config.yml", "--nlu", "data/nlu",
         "--out", "models", "--fixed-model-name", "shoe-shop"],
        cwd=ws.project_dir, env=training.rasa_env(), check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    log = ws.project_dir / "rasa.log"
    endpoints = ws.project_dir / "endpoints.yml"  # conversations kept as in production
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
        f"  db: {ws.tracker_db_url.removeprefix('sqlite:///')}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [
            str(BIN / "rasa"),
            "run",
            "--enable-api",
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
            "--model",
            str(live),
            "--endpoints",
            str(endpoints),
        ],
        cwd=ws.project_dir,
        env=training.rasa_env(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/status", server, log)
        assert requests.get(f"{url}/status", timeout=10).json()["model_file"] == live.name

        # a buyer writes; the server parses and stores the message in its tracker store
        said = requests.post(
            f"{url}/conversations/buyer-e2e/messages",
            json={"text": "多謝掌櫃的幫忙啦！", "sender": "user"},
            timeout=60,
        )
        assert said.status_code == 200, said.text
        groups = inbox.build_inbox(ws, threshold=1.01)  # the tiny model is unsure of all
        group = next(g for g in groups if g.key == "多谢掌柜的帮忙啦")
        assert group.example.conversation_id == "buyer-e2e" and group.example.ranking
        nlu_files.add_example(
            ws, intent="thank", text=group.example.text, user="trainer1",
            source={"conversation_id": "buyer-e2e", "message_id": group.example.message_id},
        )  # fmt: skip
        assert "多谢掌柜的帮忙啦！" in (ws.nlu_dir / "chitchat.yml").read_text("utf-8")
        job = Job(ws, "train-e2e", "train", "trainer1")
        cand = training.train_candidate(ws, user="trainer1", job=job)
        job.finish(cand)
        assert read_job(ws, "train-e2e")["progress"] == 1.0
        assert cand["held_out_excluded"] and cand["held_out_left_out"] > 0
        model = Path(cand["model"])

        with pytest.raises(activation.ActivationError, match="先比较"):
            activation.activate(ws, model=model, user="trainer1", rasa_url=url)
        report = evaluation.compare(
            ws, candidate=model, current=live, user="trainer1", job=Job(ws, None, "compare", "t")
        )
        held = report["sets"]["heldout"]
        assert held["candidate"]["n"] == held["current"]["n"] > 0
        assert set(held) >= {"regressions", "fixes", "confusion_png"}
        assert report["sets"]["shared_eval"]["candidate"]["n"] == 2
        assert (model.parent / f"{cand['name']}.report" / "confusion_heldout.png").exists()

        state = activation.activate(ws, model=model, user="trainer1", rasa_url=url)
        assert state["previous"] == str(live)
        assert requests.get(f"{url}/status", timeout=10).json()["model_file"] == model.name
        reply = requests.post(f"{url}/model/parse", json={"text": "多谢掌柜的帮忙啦"}, timeout=30)
        assert reply.status_code == 200

        state = activation.rollback(ws, user="trainer1", rasa_url=url)
        assert state["active"] == str(live)
        assert requests.get(f"{url}/status", timeout=10).json()["model_file"] == live.name
        actions = [(r["user"], r["action"]) for r in read_log(ws)]
        assert actions[-3:] == [
            ("trainer1", "compare"),
            ("trainer1", "activate"),
            ("trainer1", "rollback"),
        ]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert not os.environ.get("TRAINER_PROJECT_DIR")  # the repository itself was never used

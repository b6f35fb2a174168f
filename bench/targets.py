"""The three set-ups under test, each started fresh and stopped after its runs.

* ``embedded``: ``make run``'s set-up (one Rasa process, SQLite tracker store,
  in-memory lock store, one action server) on a fresh SQLite shop.
* ``production``: ``scripts/run_prod.sh start`` (two Rasa replicas behind nginx,
  PostgreSQL, Redis) on its own ports and databases.
* ``reference``: Rasa's stock ``rasa init`` assistant, created and trained in
  a temporary directory (never committed), in-memory tracker store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from bench.load import Target
from bench.scenarios import LENGTH, REFERENCE, REFERENCE_LENGTH, SHOP

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# SHOP_MODEL: another trained model of this assistant (default: models/shoe-shop.tar.gz).
MODEL = Path(os.environ.get("SHOP_MODEL") or ROOT / "models" / "shoe-shop.tar.gz")
BENCH_SECRET = "bench-only-shop-secret-0123456789abcdef"
BENCH_JWT_SECRET = "bench-only-rasa-jwt-secret-0123456789abcdef"
# As scripts/run.sh and run_prod.sh set them; the reference keeps TensorFlow's defaults
# (stock, and its bigger models may gain from more threads).
ONE_TF_THREAD = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}
UNLIMITED = {"SHOP_RATE_PER_ADDRESS": "100000000", "SHOP_RATE_PER_CONVERSATION": "100000000"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SHOP_SECRET": BENCH_SECRET,
        "SHOP_DEMO": "1",
        **UNLIMITED,
        **extra,
    }


def _wait(url: str, processes: list[subprocess.Popen], log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"a server exited early; see {log}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(1)
    raise RuntimeError(f"{url} not up after {timeout}s; see {log}")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _token_for(secret: str):
    from shop.identity import issue_token

    cache: dict[str, str] = {}

    def token(buyer: str) -> str:
        if buyer not in cache:
            cache[buyer] = issue_token(buyer, secret=secret, hours=6)
        return cache[buyer]

    return token


@contextlib.contextmanager
def embedded(work: Path) -> Iterator[Target]:
    """``make run``'s set-up on free ports and a fresh SQLite shop."""
    env = _env(
        DATABASE_URL=f"sqlite:///{work / 'shop.db'}",
        SHOP_UPLOAD_DIR=str(work / "up"),
        **ONE_TF_THREAD,
    )
    subprocess.run(
        [sys.executable, "-m", "shop.db.importer", "seed/demo_shop.json", "--replace"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    action_port, rasa_port = _free_port(), _free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "tracker_store:\n  type: rasa_ext.tracker_store.ShopSQLTrackerStore\n"
        f'  dialect: "sqlite"\n  db: "{work / "tracker.db"}"\n',
        encoding="utf-8",
    )
    log = work / "embedded.log"
    out = log.open("w")
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--port", str(action_port), "--actions", "actions"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            *(str(BIN / "rasa"), "run", "--enable-api", "--interface", "127.0.0.1"),
            *("--port", str(rasa_port), "--model", str(MODEL), "--endpoints", str(endpoints)),
            *("--credentials", str(ROOT / "credentials.yml")),
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", [actions, rasa], log)
        _wait(f"http://127.0.0.1:{rasa_port}/", [actions, rasa], log)
        url = f"http://127.0.0.1:{rasa_port}"
        token = _token_for(BENCH_SECRET)
        servers = [rasa.pid, actions.pid]
        yield Target("embedded", url, url, {}, SHOP, token, [rasa.pid], LENGTH, MODEL, servers)
    finally:
        _stop([rasa, actions])


@contextlib.contextmanager
def production(work: Path) -> Iterator[Target]:
    """``scripts/run_prod.sh start`` on bench ports, databases and Redis numbers."""
    ports = {k: str(_free_port()) for k in ("PUBLIC", "API", "RA", "RB", "AA", "AB", "CON")}
    env = _env(
        PROD_DIR=str(work / "prod"),
        PUBLIC_PORT=ports["PUBLIC"],
        API_PORT=ports["API"],
        RASA_A_PORT=ports["RA"],
        RASA_B_PORT=ports["RB"],
        ACTIONS_A_PORT=ports["AA"],
        ACTIONS_B_PORT=ports["AB"],
        CONSOLE_PORT=ports["CON"],
        SHOP_DB="shoe_bench_shop",
        TRACKER_DB="shoe_bench_tracker",
        REDIS_LOCK_DB="3",
        REDIS_SHARED_DB="4",
        RASA_JWT_SECRET=BENCH_JWT_SECRET,
        MODEL=str(MODEL),
    )
    script = ROOT / "scripts" / "run_prod.sh"
    log = work / "production-start.log"
    started = subprocess.run(
        [str(script), "start"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    try:
        if started.returncode:
            raise RuntimeError(f"run_prod.sh start failed; see {log}:\n{log.read_text()[-2000:]}")
        from shop.api_token import admin_token

        started_pids = [
            (int(line.split()[0]), line.split()[1])
            for line in (work / "prod" / "pids").read_text().splitlines()
        ]
        pids = [pid for pid, name in started_pids if name.startswith("rasa-")]
        servers = [pid for pid, name in started_pids if name.startswith(("rasa-", "actions-"))]
        yield Target(
            "production",
            f"http://127.0.0.1:{ports['PUBLIC']}",
            f"http://127.0.0.1:{ports['API']}",
            {"Authorization": f"Bearer {admin_token(BENCH_JWT_SECRET, 1)}"},
            SHOP,
            _token_for(BENCH_SECRET),
            pids,
            LENGTH,
            MODEL,
            servers,
        )
    finally:
        subprocess.run([str(script), "stop"], cwd=ROOT, env=env, capture_output=True)


@contextlib.contextmanager
def reference(work: Path) -> Iterator[Target]:
    """The stock ``rasa init`` assistant, trained in a temporary directory."""
    project = Path(tempfile.mkdtemp(prefix="rasa-init-", dir=work))
    env = _env()
    log = work / "reference.log"
    with log.open("w") as out:
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    port = _free_port()
    rasa = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/", [rasa], log)
        url = f"http://127.0.0.1:{port}"
        model = next(iter(sorted((project / "models").glob("*.tar.gz"))), None)
        yield Target(
            "reference",
            url,
            url,
            {},
            REFERENCE,
            None,
            [rasa.pid],
            REFERENCE_LENGTH,
            model,
            [rasa.pid],
        )
    finally:
        _stop([rasa])
        shutil.rmtree(project, ignore_errors=True)


CONFIGS = {"embedded": embedded, "production": production, "reference": reference}

"""A production-shaped cluster for fault and fuzz tests, started once per session.

Two Rasa replicas (trained model, PostgreSQL tracker store, Redis lock store,
JWT-protected API), one action server, nginx in front when installed. The
PostgreSQL traffic goes through a :class:`CuttableProxy` (the database can go
away and come back without touching the machine's server); Redis is a
throwaway ``redis-server`` on a free port that the tests may restart. Fails,
with the reason, when PostgreSQL or ``redis-server`` is not available
(scripts/test_deps.sh provides both before ``make test`` runs pytest).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.production.proxy import CuttableProxy

ROOT = Path(__file__).resolve().parents[2]
# SHOP_MODEL: another trained model of this assistant (default: the one make test trains).
MODEL = Path(os.environ.get("SHOP_MODEL") or ROOT / "models" / "shoe-shop.tar.gz")
BIN = Path(sys.executable).parent
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
NGINX = Path("/usr/sbin/nginx")
JWT_SECRET = "test-only-rasa-jwt-secret-0123456789abcdef"
# The servers' REST token (X-Shop-Token): the cluster runs as production does, not as a demo.
REST_TOKEN = "test-only-rest-token-0123456789abcdef"
SERVER = {"X-Shop-Token": REST_TOKEN}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_connect(dbname: str = "postgres") -> Any:
    import psycopg2

    conn = psycopg2.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, connect_timeout=3
    )
    conn.autocommit = True
    return conn


def _pg_execute(*statements: str) -> None:
    conn = _pg_connect()
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def postgres_missing() -> str | None:
    """Why PostgreSQL cannot be used here, or ``None``."""
    try:
        _pg_connect().close()
    except Exception as error:
        return f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {error}"
    return None


class Service:
    """One server process the tests can kill and start again."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], work: Path, health: str):
        self.name, self.argv, self.env, self.health = name, argv, env, health
        self.log = work / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> None:
        """Starts the process (appending to its log) and waits for its health URL."""
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT
        )
        if wait:
            self.wait()

    def wait(self, timeout: float = 900) -> None:
        """Waits until the health URL answers 200."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.health, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not up after {timeout}s:\n{self.log.read_text()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kills the process (SIGKILL by default: no clean shutdown)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Terminates the process politely, then for good."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Cluster:
    """Handles to the running services, with helpers to chat and read trackers."""

    def __init__(self, services: dict[str, Service], urls: dict[str, str], proxy: CuttableProxy):
        self.services, self.urls, self.db = services, urls, proxy
        from shop.api_token import admin_token

        self.api_headers = {"Authorization": f"Bearer {admin_token(JWT_SECRET, 1)}"}

    def post(
        self,
        base: str,
        body: Any,
        timeout: float = 90,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """POSTs ``body`` (JSON) to the REST channel of ``base`` (a key of ``urls`` or a URL).

        As a trusted server (with the REST token) unless ``headers`` say otherwise.
        """
        url = self.urls.get(base, base)
        sent = {**SERVER, **(headers or {})}
        return requests.post(
            f"{url}/webhooks/rest/webhook", json=body, timeout=timeout, headers=sent, **kwargs
        )

    def metric(self, service: str, name: str, **labels: str) -> float:
        """The sum of a ``/metrics`` sample over label sets matching ``labels`` (0 if none)."""
        from prometheus_client.parser import text_string_to_metric_families

        response = requests.get(f"{self.urls[service]}/metrics", timeout=30)
        assert response.status_code == 200, f"{service} serves no /metrics"
        text = response.text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == name and labels.items() <= sample.labels.items()
        )

    def chat(self, base: str, sender: str, text: str, **extra: Any) -> list[dict[str, Any]]:
        """One message; asserts a 200 and returns the replies."""
        response = self.post(base, {"sender": sender, "message": text, **extra})
        assert response.status_code == 200, response.text
        return response.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker from whichever replica is up."""
        for key in ("rasa_a", "rasa_b"):
            try:
                response = requests.get(
                    f"{self.urls[key]}/conversations/{sender}/tracker",
                    headers=self.api_headers,
                    timeout=30,
                )
            except requests.RequestException:
                continue
            if response.status_code == 200:
                return response.json()
        raise AssertionError("no replica answered the tracker request")

    def user_texts(self, sender: str) -> list[str]:
        """The buyer's messages as the tracker stored them, in order."""
        return [e["text"] for e in self.tracker(sender)["events"] if e["event"] == "user"]


def _environment(work: Path, proxy_port: int, redis_port: int, dbs: dict[str, str]) -> dict:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "DATABASE_URL": f"postgresql://{PG_USER}@{PG_HOST}:{proxy_port}/{dbs['shop']}",
        "TRACKER_DB_URL": f"postgresql://{PG_USER}@{PG_HOST}:{proxy_port}/{dbs['tracker']}",
        "PG_HOST": PG_HOST,
        "PG_PORT": str(proxy_port),
        "PG_USER": PG_USER,
        "PG_PASSWORD": "",
        "PG_LOGIN_DB": "postgres",
        "TRACKER_DB": dbs["tracker"],
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "REDIS_PASSWORD": "",
        "REDIS_LOCK_DB": "0",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/1",
        "SHOP_SECRET": "test-only-shop-secret-0123456789abcdef",
        "RASA_JWT_SECRET": JWT_SECRET,
        "SHOP_ACTION_TIMEOUT": "5",
        "TICKET_LOCK_LIFETIME": "60",
        "SHOP_DEMO": "0",
        "SHOP_REST_TOKEN": REST_TOKEN,
        "SHOP_UPLOAD_DIR": str(work / "uploads"),
        "SHOP_RATE_PER_ADDRESS": "100000",
        "SHOP_RATE_PER_CONVERSATION": "30",
    }


def _nginx(work: Path, ports: dict[str, int], env: dict[str, str]) -> Service | None:
    if not NGINX.exists():
        return None
    prefix = work / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    (prefix / "tmp").chmod(0o777)  # nginx workers run as nobody
    conf = (ROOT / "deploy" / "nginx" / "shop.conf.template").read_text()
    for key, value in {
        "PREFIX": str(prefix),
        "LISTEN": "127.0.0.1",
        "PUBLIC_PORT": ports["nginx"],
        "API_PORT": ports["nginx_api"],
        "RASA_A_PORT": ports["rasa_a"],
        "RASA_B_PORT": ports["rasa_b"],
        "CONSOLE_PORT": ports["console"],
    }.items():
        conf = conf.replace(f"@{key}@", str(value))
    (prefix / "nginx.conf").write_text(conf)
    argv = [str(NGINX), "-c", str(prefix / "nginx.conf"), "-p", str(prefix), "-g", "daemon off;"]
    return Service("nginx", argv, env, work, f"http://127.0.0.1:{ports['nginx']}/health")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The whole production-shaped set-up on free ports."""
    reason = postgres_missing()
    if reason:
        pytest.fail(f"{reason} (scripts/install_postgres.sh starts it)", pytrace=False)
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed: scripts/install_redis.sh", pytrace=False)
    if not MODEL.exists():
        pytest.fail("no trained model: run scripts/train_if_stale.sh (make test does)")
    work = tmp_path_factory.mktemp("production")
    tag = uuid.uuid4().hex[:8]
    dbs = {"shop": f"shoe_test_shop_{tag}", "tracker": f"shoe_test_tracker_{tag}"}
    _pg_execute(*(f"CREATE DATABASE {name}" for name in dbs.values()))
    proxy = CuttableProxy(PG_HOST, PG_PORT)
    ports = {k: free_port() for k in ("redis", "actions", "rasa_a", "rasa_b", "console", "nginx")}
    ports["nginx_api"] = free_port()
    env = _environment(work, proxy.port, ports["redis"], dbs)
    redis_argv = ["redis-server", "--port", str(ports["redis"]), "--bind", "127.0.0.1"]
    services = {
        "redis": Service("redis", [*redis_argv, "--save", "", "--appendonly", "no"], env, work, ""),
        "actions": Service(
            "actions",
            [
                str(BIN / "rasa"),
                "run",
                "actions",
                "--port",
                str(ports["actions"]),
                "--actions",
                "actions",
            ],
            env,
            work,
            f"http://127.0.0.1:{ports['actions']}/health",
        ),
    }
    for replica in ("rasa_a", "rasa_b"):
        replica_env = {**env, "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['actions']}/webhook"}
        argv = [str(BIN / "rasa"), "run", "--enable-api", "--jwt-secret", JWT_SECRET]
        argv += ["--jwt-method", "HS256", "--interface", "127.0.0.1", "--port", str(ports[replica])]
        argv += [
            "--model",
            str(MODEL),
            "--credentials",
            str(ROOT / "deploy" / "credentials.prod.yml"),
        ]
        argv += ["--endpoints", str(ROOT / "deploy" / "endpoints.prod.yml")]
        health = f"http://127.0.0.1:{ports[replica]}/"
        services[replica] = Service(replica, argv, replica_env, work, health)
    nginx = _nginx(work, ports, env)
    urls = {k: f"http://127.0.0.1:{ports[k]}" for k in ("rasa_a", "rasa_b", "actions")}
    try:
        subprocess.run(
            [sys.executable, "-m", "shop.db.importer", str(ROOT / "seed" / "demo_shop.json")],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        services["redis"].start(wait=False)
        services["actions"].start()
        services["rasa_a"].start(wait=False)
        services["rasa_b"].start(wait=False)
        services["rasa_a"].wait()
        services["rasa_b"].wait()
        if nginx:
            services["nginx"] = nginx
            nginx.start()
            urls["nginx"] = f"http://127.0.0.1:{ports['nginx']}"
        yield Cluster(services, urls, proxy)
    finally:
        for service in reversed(list(services.values())):
            service.stop()
        proxy.close()
        _pg_execute(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in dbs.values()))
        print(f"\n--- production cluster logs in {work}")


@pytest.fixture()
def sender() -> str:
    """A fresh conversation id."""
    return f"prod-{uuid.uuid4().hex[:12]}"

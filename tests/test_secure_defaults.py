"""No insecure defaults: servers refuse the published secret outside demo mode, ``make
run`` locks the HTTP API and the REST channel before leaving loopback, ``make prod`` is
not a demo."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from shop.config import DEFAULT_SHOP_SECRET, Settings, insecure_settings, settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVERS = {
    "console": [sys.executable, "-m", "console", "--port", "{port}", "--no-notify"],
    "Rasa server": [
        str(BIN / "rasa"), "run", "--port", "{port}", "--interface", "127.0.0.1",
        "--credentials", "credentials.yml", "--model", "models/none.tar.gz",
    ],
    "action server": [str(BIN / "rasa"), "run", "actions", "--port", "{port}",
                      "--actions", "actions"],
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**overrides: str | None) -> dict[str, str]:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SHOP_DEMO": ""}
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.mark.parametrize(
    ("server", "secret"),
    [(server, secret) for server in SERVERS for secret in (None, DEFAULT_SHOP_SECRET)]
    + [("console", "short")],  # the length rule is the same code for all
)
def test_servers_refuse_to_start_with_an_insecure_secret(server: str, secret: str | None) -> None:
    argv = [part.replace("{port}", str(_free_port())) for part in SERVERS[server]]
    done = subprocess.run(
        argv, cwd=ROOT, env=_env(SHOP_SECRET=secret), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"error: the {server} refuses to start" in done.stderr
    assert "SHOP_SECRET" in done.stderr


def test_demo_mode_may_run_on_the_development_secret() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--port", str(port), "--no-notify"],
        cwd=ROOT,
        env=_env(SHOP_SECRET=None, SHOP_DEMO="1", DATABASE_URL="sqlite://"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the console did not start in demo mode"
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_insecure_settings() -> None:
    def with_(**changes: object) -> Settings:
        return Settings(**{**settings.__dict__, **changes})

    assert insecure_settings(with_(demo_mode=False, shop_secret="x" * 64)) == []
    assert insecure_settings(with_(demo_mode=True, shop_secret=DEFAULT_SHOP_SECRET)) == []
    assert insecure_settings(with_(demo_mode=False, shop_secret=DEFAULT_SHOP_SECRET))
    assert insecure_settings(with_(demo_mode=False, shop_secret="x" * 31))


def _lan_auth(tmp_path: Path, interface: str) -> dict[str, str]:
    """Sources scripts/lan_auth.sh as scripts/run.sh does; the variables it leaves."""
    script = (
        ". scripts/lan_auth.sh >/dev/null 2>&1; "
        'printf "%s\\n" "args=${RASA_API_AUTH[*]}" "jwt=${RASA_JWT_SECRET:-}" '
        '"rest=${SHOP_REST_TOKEN:-}" "token=${RASA_TOKEN:-}"'
    )
    env = _env(RASA_INTERFACE=interface, SHOP_VAR_DIR=str(tmp_path), RASA_JWT_SECRET=None,
               SHOP_REST_TOKEN=None, RASA_TOKEN=None)  # fmt: skip
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def test_make_run_keeps_the_api_on_loopback_without_credentials(tmp_path: Path) -> None:
    assert _lan_auth(tmp_path, "127.0.0.1") == {"args": "", "jwt": "", "rest": "", "token": ""}
    assert not (tmp_path / "lan-secrets.env").exists()


def test_make_run_off_loopback_locks_the_api_and_the_rest_channel(tmp_path: Path) -> None:
    found = _lan_auth(tmp_path, "0.0.0.0")
    assert len(found["jwt"]) == 64 and len(found["rest"]) == 64
    assert found["args"] == f"--jwt-secret {found['jwt']} --jwt-method HS256"
    assert found["token"].startswith("eyJ")  # the console's admin JWT for the API
    secrets = tmp_path / "lan-secrets.env"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert _lan_auth(tmp_path, "0.0.0.0")["rest"] == found["rest"]  # stable across runs


def test_make_prod_is_not_a_demo_and_trusts_its_nginx() -> None:
    script = (ROOT / "scripts" / "run_prod.sh").read_text(encoding="utf-8")
    assert ': "${SHOP_DEMO:=0}"' in script
    assert ': "${SHOP_PROXIES_COUNT:=1}"' in script
    assert "SHOP_REST_TOKEN" in script

"""Settings read once from the environment, with working local defaults.

Every other module imports its settings from here; nothing else reads
``os.environ``. The defaults give the embedded set-up: a SQLite file under
``var/`` and a development secret. That secret is published (it is in this
file), so every server calls :func:`refuse_insecure_start` when it starts: outside
demo mode (``SHOP_DEMO=1``) it refuses to run with it. The test suite sets a
test-only ``SHOP_SECRET`` (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOP_VAR_DIR", PROJECT_ROOT / "var"))
# Published, so it signs nothing outside demo mode (refuse_insecure_start).
DEFAULT_SHOP_SECRET = "dev-only-shop-secret-change-me-in-production"


@dataclass(frozen=True)
class Settings:
    """The assistant's runtime settings."""

    database_url: str
    shop_secret: str
    timezone: str
    upload_dir: Path  # buyers' photos; outside every web root
    rasa_url: str  # the Rasa server's HTTP API, for the console
    rasa_public_url: str  # the same server as the buyer's browser reaches it (widget, socket)
    rasa_token: str  # its auth token (``rasa run --auth-token``); empty when embedded
    demo_mode: bool  # the demo shop may hand out demo buyer tokens
    redis_url: str  # production: socket.io across replicas, offered buttons, rate limits
    rasa_jwt_secret: str  # production: ``rasa run --jwt-secret``; trusted REST callers
    action_timeout: float  # seconds one custom action call may take (docs/deployment.md)
    rate_per_conversation: int  # messages per minute, REST channel
    rate_per_address: int  # messages per minute from one client address, REST channel
    max_request_bytes: int  # larger REST requests are rejected with 413
    trusted_proxies: tuple[str, ...]  # addresses/CIDRs whose X-Forwarded-For is believed
    tracker_db_url: str  # Rasa's SQL tracker store (endpoints.yml), read by the trainer inbox
    project_dir: Path  # holds data/, domain.yml, config.yml: what the trainer edits and trains
    eval_dir: Path  # ../shared/eval: evaluated on, never trained on
    trainer_dir: Path  # the trainer's change log, flags, jobs and model history
    candidates_dir: Path  # candidate models; the live models/shoe-shop.tar.gz is never touched
    buyer_left_minutes: int  # a queued buyer silent this long is 已离开: not assigned, not counted
    # Server-to-server callers of the REST channel send it as X-Shop-Token (channels/rest.py);
    # empty: the REST channel is open only in demo mode, else admin JWTs only.
    rest_token: str
    # Reverse proxies in front of the console (nginx: 1): Sanic's PROXIES_COUNT, so the
    # scheme (X-Forwarded-Proto) and client address come from them; 0 trusts no header.
    proxies_count: int
    # Retention (python -m console.retention): conversations older than this many days
    # lose their tracker events, and old service rows their personal data (docs/records.md).
    retention_days: int
    # Reviews (docs/proactive.md): a delivered order is invited to review this many days
    # after the shop marked it delivered, and not later than review_invite_days + this.
    review_invite_days: int = 3
    review_invite_late_days: int = 14


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'shop.db'}"


settings = Settings(
    database_url=os.environ.get("DATABASE_URL") or _default_database_url(),
    shop_secret=os.environ.get("SHOP_SECRET") or DEFAULT_SHOP_SECRET,
    timezone=os.environ.get("SHOP_TIMEZONE", "Asia/Shanghai"),
    upload_dir=Path(os.environ.get("SHOP_UPLOAD_DIR", VAR_DIR / "uploads")),
    rasa_url=os.environ.get("RASA_URL", "http://localhost:5005").rstrip("/"),
    rasa_public_url=(
        os.environ.get("RASA_PUBLIC_URL") or os.environ.get("RASA_URL") or "http://localhost:5005"
    ).rstrip("/"),
    rasa_token=os.environ.get("RASA_TOKEN", ""),
    demo_mode=os.environ.get("SHOP_DEMO", "") == "1",
    redis_url=os.environ.get("REDIS_URL", ""),
    rasa_jwt_secret=os.environ.get("RASA_JWT_SECRET", ""),
    action_timeout=float(os.environ.get("SHOP_ACTION_TIMEOUT", "10")),
    rate_per_conversation=int(os.environ.get("SHOP_RATE_PER_CONVERSATION", "30")),
    rate_per_address=int(os.environ.get("SHOP_RATE_PER_ADDRESS", "1200")),
    max_request_bytes=int(os.environ.get("SHOP_MAX_REQUEST_BYTES", "65536")),
    trusted_proxies=tuple(
        p.strip()
        for p in os.environ.get("SHOP_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
        if p.strip()
    ),
    tracker_db_url=os.environ.get("TRACKER_DB_URL") or f"sqlite:///{VAR_DIR / 'rasa_tracker.db'}",
    project_dir=Path(os.environ.get("TRAINER_PROJECT_DIR", PROJECT_ROOT)),
    eval_dir=Path(os.environ.get("SHOP_EVAL_DIR", PROJECT_ROOT.parent / "shared" / "eval")),
    trainer_dir=Path(os.environ.get("TRAINER_DIR", VAR_DIR / "trainer")),
    candidates_dir=Path(
        os.environ.get("TRAINER_CANDIDATES_DIR", PROJECT_ROOT / "models" / "candidates")
    ),
    buyer_left_minutes=max(1, int(os.environ.get("SHOP_BUYER_LEFT_MINUTES", "15"))),
    rest_token=os.environ.get("SHOP_REST_TOKEN", ""),
    proxies_count=max(0, int(os.environ.get("SHOP_PROXIES_COUNT", "0"))),
    retention_days=max(1, int(os.environ.get("SHOP_RETENTION_DAYS", "180"))),
    review_invite_days=max(0, int(os.environ.get("SHOP_REVIEW_INVITE_DAYS", "3"))),
    review_invite_late_days=max(0, int(os.environ.get("SHOP_REVIEW_INVITE_LATE_DAYS", "14"))),
)


def insecure_settings(current: Settings | None = None) -> list[str]:
    """Why ``current`` (default: the settings) must not serve real buyers; empty when fine.

    Demo mode may run on the published development secret: its buyers and staff are
    demo data, and its pages hand out demo buyer tokens anyway.
    """
    current = current or settings
    if current.demo_mode:
        return []
    problems = []
    if current.shop_secret == DEFAULT_SHOP_SECRET:
        problems.append(
            "SHOP_SECRET is unset or the published development value: anyone could sign "
            "buyer tokens and console sessions. Set it to a long random value "
            "(openssl rand -hex 32), or SHOP_DEMO=1 for the demo shop."
        )
    elif len(current.shop_secret) < 32:
        problems.append("SHOP_SECRET is shorter than 32 characters (openssl rand -hex 32).")
    return problems


def refuse_insecure_start(component: str, current: Settings | None = None) -> None:
    """Exits the process (status 2, the reasons on stderr) when the settings are insecure.

    Called once by each server as it starts: the Rasa server (its channels), the
    action server (``actions/server.py``) and the console (``python -m console``).
    """
    problems = insecure_settings(current)
    if problems:
        lines = [f"error: the {component} refuses to start:", *(f"  {p}" for p in problems)]
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2)

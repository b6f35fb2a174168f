"""Settings read once from the environment, with working local defaults.

Every other module imports its settings from here; nothing else reads
``os.environ``. The defaults give the embedded set-up: a SQLite file under
``var/`` and a development secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOP_VAR_DIR", PROJECT_ROOT / "var"))


@dataclass(frozen=True)
class Settings:
    """The assistant's runtime settings."""

    database_url: str
    shop_secret: str
    timezone: str


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'shop.db'}"


settings = Settings(
    database_url=os.environ.get("DATABASE_URL") or _default_database_url(),
    shop_secret=os.environ.get("SHOP_SECRET", "dev-only-shop-secret-change-me-in-production"),
    timezone=os.environ.get("SHOP_TIMEZONE", "Asia/Shanghai"),
)

"""Where a benchmark's figures come from: the commit, the model and the machine.

Read from files only (``.git/HEAD`` and its ref, the model archive's
``metadata.json``, ``/proc``), so the benchmark runs no git or Rasa command for it.
The commit is the checked-out one; uncommitted changes are not detected.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tarfile
from pathlib import Path
from typing import Any


def commit(root: Path) -> dict[str, str | None]:
    """The checked-out commit: ``{"commit": sha, "ref": "refs/heads/…"}`` (``None`` if unknown)."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return {"commit": None, "ref": None}
    if not head.startswith("ref:"):
        return {"commit": head, "ref": None}  # a detached HEAD
    ref = head.split(":", 1)[1].strip()
    loose = git / ref
    if loose.is_file():
        return {"commit": loose.read_text(encoding="utf-8").strip(), "ref": ref}
    try:
        for line in (git / "packed-refs").read_text(encoding="utf-8").splitlines():
            sha, _, name = line.partition(" ")
            if name.strip() == ref:
                return {"commit": sha, "ref": ref}
    except OSError:
        pass
    return {"commit": None, "ref": ref}


def model_fingerprint(path: Path | None) -> dict[str, Any] | None:
    """The model archive's SHA-256 and the id, training time and Rasa version it records."""
    if path is None or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    out: dict[str, Any] = {"path": str(path), "sha256": digest.hexdigest()}
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = next(
                m for m in archive if m.isfile() and m.name.lstrip("./") == "metadata.json"
            )
            extracted = archive.extractfile(member)
            metadata = json.load(extracted) if extracted else {}
    except (OSError, StopIteration, tarfile.TarError, ValueError):
        return out
    for key in ("model_id", "trained_at", "rasa_open_source_version", "assistant_id"):
        out[key] = metadata.get(key)
    return out


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = "unknown"
    mem_kb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        pass
    return {
        "hostname": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": os.getloadavg(),
    }

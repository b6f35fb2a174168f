"""The tests that may be skipped, each with the reason; every other test must run.

``make test`` first makes every dependency of the tests present and running
(scripts/test_deps.sh: Chromium, nginx, PostgreSQL, Redis), so a test skipped
anyway means something is missing. The hooks in tests/conftest.py then fail the
run and list the skips that are not allowed here; ``pytest -rs`` (scripts/test.sh)
prints every skip's reason. Parametrised tests are listed by their base name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ALLOWED: dict[str, str] = {
    "tests/data/test_training_data.py::test_no_evaluation_text_is_in_the_training_data": (
        "the evaluation set ../shared/eval lives beside the repository, not in it; "
        "a lone clone does not have it"
    ),
}


def _reason(report: Any) -> str:
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def not_allowed(reports: Iterable[Any]) -> list[tuple[str, str]]:
    """``(test id, reason)`` of each skipped test that :data:`ALLOWED` does not name."""
    out = []
    for report in reports:
        nodeid = str(getattr(report, "nodeid", ""))
        if nodeid.split("[", 1)[0] not in ALLOWED:
            out.append((nodeid, _reason(report)))
    return out

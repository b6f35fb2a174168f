"""The skip guard: a skipped test fails the run unless tests/skips.py allows it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.skips import ALLOWED

ROOT = Path(__file__).resolve().parent.parent
SKIPPING = re.compile(r"pytest\.(skip\(|importorskip\()|mark\.skipif|mark\.skip\b")


def _run(tmp: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Runs one throwaway test module under the project's tests/conftest.py hooks."""
    module = ROOT / "tests" / f"test_zz_guard_{tmp.name}.py"
    module.write_text(code, encoding="utf-8")
    try:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", str(module)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        module.unlink()


def test_a_skip_not_on_the_list_fails_the_run(tmp_path: Path) -> None:
    code = "import pytest\n\ndef test_needs_something():\n    pytest.skip('no widget server')\n"
    run = _run(tmp_path, code)
    assert run.returncode == 1, run.stdout
    assert "skipped, but not allowed in tests/skips.py" in run.stdout
    assert "no widget server" in run.stdout  # the reason, from -rs and the guard


def test_passing_tests_alone_pass(tmp_path: Path) -> None:
    run = _run(tmp_path, "def test_fine():\n    assert True\n")
    assert run.returncode == 0, run.stdout


def test_every_skip_in_the_tests_is_on_the_list() -> None:
    """The source: a new skip must be made to run, or be allowed here with a reason."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name in ("skips.py", "test_skips.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SKIPPING.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    allowed_files = {nodeid.split("::")[0] for nodeid in ALLOWED}
    assert {f.rsplit(":", 1)[0] for f in found} <= allowed_files, found
    assert all(reason.strip() for reason in ALLOWED.values())


def test_make_test_provides_the_dependencies_instead_of_skipping() -> None:
    """scripts/test.sh fails when a dependency is missing, checks the widget, prints skips."""
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "scripts/test_deps.sh" in script and "scripts/check_widget.sh" in script
    assert "|| echo" not in script  # no more "warning: ... will be skipped"
    assert re.search(r"pytest -q -rs\b", script)
    deps = (ROOT / "scripts" / "test_deps.sh").read_text(encoding="utf-8")
    for step in ("install_browser", "install_nginx", "install_postgres", "install_redis"):
        assert step in deps
        assert (ROOT / "scripts" / f"{step}.sh").stat().st_mode & 0o111
    widget = (ROOT / "scripts" / "check_widget.sh").read_text(encoding="utf-8")
    assert "npm ci" in widget and "npm run --silent check" in widget

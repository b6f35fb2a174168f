"""Reading a stored photo never leaves the upload directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from shop.photos import photo_file


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    (tmp_path / "uploads" / "2026" / "12").mkdir(parents=True)
    (tmp_path / "uploads" / "2026" / "12" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("no")
    (tmp_path / "uploads" / "link.png").symlink_to(tmp_path / "secret.txt")
    return tmp_path / "uploads"


def test_a_stored_path_inside_the_directory_is_read(root: Path) -> None:
    assert photo_file("2026/12/a.png", root) == (root / "2026" / "12" / "a.png").resolve()


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "2026/12/missing.png",  # no file
        "2026/12",  # a directory
        "../secret.txt",  # climbing out
        "2026/../../secret.txt",
        "/etc/passwd",  # absolute
        "link.png",  # a link that points outside
    ],
)
def test_anything_else_is_no_file(root: Path, stored: str | None) -> None:
    assert photo_file(stored, root) is None

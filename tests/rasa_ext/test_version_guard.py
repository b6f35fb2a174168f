"""The Rasa extensions refuse to start on a Rasa they were not written for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rasa_ext import UnsupportedRasaError, check_rasa_version


def test_the_installed_rasa_is_the_supported_series() -> None:
    check_rasa_version()


@pytest.mark.parametrize("version", ["3.7.0", "3.5.17", "4.0.0", "3.60.1"])
def test_another_rasa_is_refused_with_a_clear_error(version: str) -> None:
    with pytest.raises(UnsupportedRasaError, match=f"Rasa {version} is installed"):
        check_rasa_version(version)


@pytest.mark.parametrize("version", ["3.6.0", "3.6.21"])
def test_every_3_6_release_is_accepted(version: str) -> None:
    check_rasa_version(version)


def test_a_server_does_not_start_on_another_rasa() -> None:
    """Importing the channels package (what Rasa does first) fails on Rasa 3.7."""
    code = "import rasa.version; rasa.version.__version__ = '3.7.0'\n" "import channels\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "UnsupportedRasaError" in run.stderr and "3.7.0" in run.stderr

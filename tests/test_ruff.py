"""ruff, the linter and formatter the project uses (pyproject.toml), finds nothing: `make
test` is all CI runs, so a lint error or an unformatted file fails the suite there, not
only when someone remembers `make lint`. `ruff format .` fixes the layout."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_finds_nothing(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

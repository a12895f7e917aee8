"""bandit, the security linter, finds nothing in the project's code: a finding that is a
false alarm is marked `# nosec <test>` where it stands, with a comment saying why."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bandit_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "commitments", "tracker", "reminders",
         "-x", "*/migrations/*"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout

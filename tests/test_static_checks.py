"""The linters the project relies on pass: ruff (lint and format) over the repository, bandit
over the application code, and mypy over survey/, forms/ and exports/ (the settings of each, and
the reasons for bandit's skips and mypy's untyped libraries, are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtual environment's tools


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["bandit", "-c", "pyproject.toml", "-r", "survey", "forms", "exports", "-q"],
        ["mypy"],  # the files it checks are set in [tool.mypy]
    ],
    ids=["ruff-check", "ruff-format", "bandit", "mypy"],
)
def test_static_check_passes(command):
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"

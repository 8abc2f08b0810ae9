"""The code passes `make lint`: ruff's lint and format checks, and mypy --strict
on the paths the Makefile's MYPY_PATHS names. `make test` (and so CI) runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def mypy_paths() -> list[str]:
    """MYPY_PATHS as the Makefile sets it: one list for `make lint` and this test."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    setting = re.search(r"^MYPY_PATHS\s*=(.*)$", makefile, re.MULTILINE)
    assert setting, "the Makefile sets no MYPY_PATHS"
    return setting[1].split()


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    """A tool of the virtualenv, run as a module from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_lint_mypy_paths_name_the_plugin_and_the_service() -> None:
    assert {"plugins/kurier", "comments_service"} <= set(mypy_paths())


def test_lint_mypy_strict_finds_no_error() -> None:
    result = run_tool("mypy", "--strict", *mypy_paths())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("check", "."), id="check"),
        pytest.param(("format", "--check", "."), id="format"),
    ],
)
def test_lint_ruff_finds_no_problem(command: tuple[str, ...]) -> None:
    result = run_tool("ruff", *command)
    assert result.returncode == 0, result.stdout + result.stderr

"""Browser tests never silently vanish: without a browser they fail under CI, else say so loudly.

These run pytest itself on a browser test with KURIER_CHROMIUM pointing
nowhere; they need no browser of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
A_BROWSER_TEST = "tests/e2e/test_errors.py::test_closed_discussion_shows_comments_without_a_form"


def run_without_browser(ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["KURIER_CHROMIUM"] = "/nonexistent/chromium"
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", A_BROWSER_TEST],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_under_ci_a_missing_browser_fails_the_run():
    result = run_without_browser("true")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "no Chromium at /nonexistent/chromium" in result.stdout
    assert "CI=true: a missing browser is a failure" in result.stdout
    assert "1 error" in result.stdout or "1 failed" in result.stdout


def test_elsewhere_a_missing_browser_is_one_loud_line_saying_how_to_get_it():
    result = run_without_browser(None)
    assert result.returncode in (0, 5), result.stdout[-2000:]  # 5: nothing left to run
    lines = [line for line in result.stdout.splitlines() if "BROWSER TESTS NOT RUN" in line]
    assert len(lines) == 1, result.stdout[-2000:]
    assert "1 left out" in lines[0] and "apt-get install chromium" in lines[0]
    assert "1 deselected" in result.stdout

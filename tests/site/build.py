"""Real Pelican builds of a content folder, for the site tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
PELICANCONF = REPO / "pelicanconf.py"
PUBLISHCONF = REPO / "publishconf.py"


def run_pelican(
    content: Path,
    output: Path,
    settings: Path = PELICANCONF,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """Build `content` into `output` as `make html` does (with Pelican's `options`, such
    as `-t THEME`); errors are fatal."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-o",
            str(output),
            "-s",
            str(settings),
            "--fatal",
            "errors",
            *options,
        ],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def build(content: Path, output: Path, **kwargs) -> Path:
    """Build and fail loudly with Pelican's own output if the build fails."""
    result = run_pelican(content, output, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return output

"""The benchmark runner: a quick site-build run writes its section of the report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_site_build_quick_writes_section(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("<!-- bench:other -->\n## Kept\n<!-- /bench:other -->\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "site_build",
            "--quick",
            "--output",
            str(report),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Exit status 1 means a budget was missed, which a quick run does not judge.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Kurier benchmarks")
    assert "<!-- bench:site-build -->" in text, result.stdout + result.stderr
    assert "<!-- /bench:site-build -->" in text
    assert "| plain Pelican |" in text
    assert "| Kurier |" in text
    assert re.search(r"build time, Kurier / plain Pelican: (✅|❌) .* \d+\.\d\d× [≤>] 1\.5×", text)
    assert "## Kept" in text

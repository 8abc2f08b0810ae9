"""The benchmark runner: quick runs of the suites write their sections of the report."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import postgres

REPO = Path(__file__).resolve().parents[1]


def run_quick(suite: str, report: Path, timeout: float) -> tuple[str, str]:
    """`python -m bench SUITE --quick` into `report`: what it printed, and the report."""
    result = subprocess.run(
        [sys.executable, "-m", "bench", suite, "--quick", "--output", str(report)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    printed = result.stdout + result.stderr
    # Exit status 1 means a budget was missed, which a quick run does not judge.
    assert result.returncode in (0, 1), printed
    return printed, report.read_text(encoding="utf-8")


def test_bench_site_build_quick_writes_section(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("<!-- bench:other -->\n## Kept\n<!-- /bench:other -->\n", encoding="utf-8")
    printed, text = run_quick("site_build", report, timeout=600)
    assert text.startswith("# Kurier benchmarks")
    assert "<!-- bench:site-build -->" in text, printed
    assert "<!-- /bench:site-build -->" in text
    assert "| plain Pelican |" in text
    assert "| Kurier |" in text
    assert re.search(r"build time, Kurier / plain Pelican: (✅|❌) .* \d+\.\d\d× [≤>] 1\.5×", text)
    assert "## Kept" in text


@pytest.mark.skipif(shutil.which("wrk") is None, reason="the comments benchmarks need wrk")
def test_bench_comments_api_quick_writes_section(tmp_path: Path) -> None:
    _, text = run_quick("comments_api", tmp_path / "BENCHMARKS.md", timeout=300)
    section = text.split("<!-- bench:comments-api -->")[1].split("<!-- /bench:comments-api -->")[0]
    for variant in ("ceiling: bare Starlette JSON", "signed-in reader with likes",
                    "anonymous reader", "counts", "new comment"):  # fmt: skip
        assert f"| {variant} |" in section, variant
    # Every request under load was answered with a success: the errors column is 0.
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    measured = [row for row in rows if row.count("|") == 10 and "variant" not in row]
    assert measured and all(row.rstrip(" |").endswith("| 0") for row in measured), measured
    for budget in ("share of the ceiling", "POST a comment, p99", "stored", "peak RSS"):
        assert re.search(re.escape(budget) + r".*: (✅|❌)", section), budget


# The engine parameter puts the test under conftest's PostgreSQL rule: left out
# without a server, a failure without one under CI=true.
@pytest.mark.parametrize("engine", ["postgresql"])
@pytest.mark.skipif(shutil.which("wrk") is None, reason="the comments benchmarks need wrk")
def test_bench_postgres_streams_quick_writes_section(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KURIER_BENCH_POSTGRES", postgres.SERVER)
    _, text = run_quick("postgres_streams", tmp_path / "BENCHMARKS.md", timeout=300)
    section = text.split("<!-- bench:postgres-streams -->")[1]
    section = section.split("<!-- /bench:postgres-streams -->")[0]
    for scenario in ("GET thread, signed-in reader with likes", "GET counts", "POST a comment"):
        for name in ("SQLite", "PostgreSQL"):
            assert f"| {scenario} | {name} | 16 |" in section, (scenario, name)
    # The quick run opens 50 streams per engine and posts 3 comments: all 150 arrive.
    for name in ("SQLite", "PostgreSQL"):
        assert f"| 50 | {name} | 50 | 150 / 150 |" in section, name
    budgets = [
        "share of SQLite's",
        "POST p99 on PostgreSQL",
        "every stream receives",
        "delivery p95",
        "RSS growth per open stream",
        "with them open / with none",
    ]
    for budget in budgets:
        assert re.search(re.escape(budget) + r".*: (✅|❌)", section), budget


@pytest.mark.skipif(
    shutil.which("wrk") is None or shutil.which("nginx", path="/usr/sbin:/usr/bin") is None,
    reason="the proxy benchmark needs wrk and nginx",
)
def test_bench_proxy_cost_quick_writes_section(tmp_path: Path) -> None:
    _, text = run_quick("proxy_cost", tmp_path / "BENCHMARKS.md", timeout=300)
    section = text.split("<!-- bench:proxy-cost -->")[1].split("<!-- /bench:proxy-cost -->")[0]
    for scenario in ("GET thread, signed-in reader with likes", "POST a comment"):
        for path in ("straight to the service's TCP port", "nginx + unix socket"):
            row = next(line for line in section.splitlines() if f"| {scenario} | {path} |" in line)
            assert row.rstrip(" |").endswith("| 0"), row  # no request failed
    assert len(re.findall(r"through nginx \+ socket.*: (✅|❌)", section)) == 2

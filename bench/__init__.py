"""Kurier's benchmark suites and the BENCHMARKS.md report they write.

A suite is a module of this package with `NAME` (its marker in the report),
`TITLE` and `run(quick: bool) -> Section`; list it in `SUITES` to run it.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "BENCHMARKS.md"
# Module names, in the order their sections appear in the report.
SUITES = ["site_build", "comments_api", "postgres_streams", "proxy_cost", "widget"]

_SECTION = re.compile(r"<!-- bench:(?P<name>[\w-]+) -->\n.*?<!-- /bench:(?P=name) -->\n", re.S)


@dataclass(frozen=True)
class Budget:
    """One measured value against the limit it must not exceed."""

    what: str
    value: float
    limit: float
    unit: str = "×"

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    def verdict(self) -> str:
        value, limit = f"{self.value:.2f}{self.unit}", f"{self.limit:g}{self.unit}"
        if self.met:
            return f"✅ within budget: {value} ≤ {limit}"
        return f"❌ over budget: {value} > {limit}"


@dataclass
class Section:
    """A suite's part of the report: Markdown and the budgets it checked."""

    body: str
    budgets: list[Budget] = field(default_factory=list)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def git_commit() -> str:
    """The checked-out commit, marked when the working tree has changes."""

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "unknown"
    return f"{total / 2**30:.1f} GiB"


def machine_header() -> str:
    """What the numbers were measured on, for the top of the report."""
    return "\n".join(
        [
            "# Kurier benchmarks",
            "",
            "Written by `make bench` (`python -m bench`); do not edit by hand. Each "
            "section compares variants measured in one run on one machine: compare "
            "ratios, not absolute times across machines.",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {_cpu_model()}, {os.cpu_count()} cores, {_memory()} RAM, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}, Pelican {metadata.version('pelican')}",
            f"- commit: {git_commit()}",
            "",
        ]
    )


def render_section(name: str, title: str, section: Section, quick: bool) -> str:
    """A suite's section between its markers, ending with one line per budget."""
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    measured = f"_Measured {when} at commit {git_commit()}"
    measured += " (--quick smoke run: not a measurement)._" if quick else "._"
    verdicts = [f"- {budget.what}: {budget.verdict()}" for budget in section.budgets]
    parts = [f"## {title}", measured, section.body.strip(), "\n".join(verdicts)]
    body = "\n\n".join(part for part in parts if part)
    return f"<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->\n"


def merge_report(old: str, sections: dict[str, str], order: Sequence[str]) -> str:
    """A fresh header with the new sections, keeping the old report's others."""
    kept = {match["name"]: match[0] for match in _SECTION.finditer(old)}
    kept.update(sections)
    names = [name for name in order if name in kept]
    names += [name for name in kept if name not in names]
    return machine_header() + "".join("\n" + kept[name] for name in names)

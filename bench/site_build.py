"""Site build: Kurier's theme and plugins versus plain Pelican on one generated corpus.

Both variants build the same corpus in fresh output folders, in interleaved
runs of `python -m pelican` in a child process; the budget is the ratio of
their median wall-clock times. `python -m bench.site_build [--stories N]`
profiles one in-process Kurier build of the corpus instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import REPO, Budget, Section, markdown_table, median
from bench.corpus import Corpus, write_corpus

NAME = "site-build"
TITLE = "Site build: Kurier versus plain Pelican"
BUDGET = 1.5
STORIES, RUNS = 1000, 3
QUICK_STORIES, QUICK_RUNS = 100, 1

# The parts of the repository a Kurier build reads besides the content.
KURIER_FILES = ["pelicanconf.py", "theme", "plugins"]
KURIER_SETTINGS = """\
# Kurier's pelicanconf.py as it is, on the generated corpus.
import os
import sys

sys.path.insert(0, {kurier!r})
from pelicanconf import *  # noqa: E402, F403

# Relative paths in pelicanconf.py are relative to its folder.
THEME = os.path.join({kurier!r}, THEME)  # noqa: F405
PLUGIN_PATHS = [os.path.join({kurier!r}, path) for path in PLUGIN_PATHS]  # noqa: F405
PATH = {corpus!r}
OUTPUT_PATH = {output!r}
"""

PLAIN_SETTINGS = """\
# Pelican's defaults: default theme and feeds, no plugins.
PATH = {corpus!r}
OUTPUT_PATH = {output!r}
SITENAME = "Kurier"
TIMEZONE = "Europe/Warsaw"
DEFAULT_LANG = "pl"
"""

VARIANTS = {"plain Pelican": PLAIN_SETTINGS, "Kurier": KURIER_SETTINGS}


@dataclass(frozen=True)
class Build:
    """One measured build."""

    seconds: float
    cpu_seconds: float  # user + system: what the build itself used of the CPU
    peak_rss: int  # bytes
    files: int


def channels() -> list[tuple[str, ...]]:
    """The channel names per language, from Kurier's settings."""
    conf = runpy.run_path(str(REPO / "pelicanconf.py"))
    return list(conf["CHANNELS"].values())


def write_settings(folder: Path, corpus: Path) -> dict[str, Path]:
    """One settings file per variant, named after it.

    Kurier's settings, theme and plugins are copied first, so that every run
    measures the same code while others edit the repository.
    """
    kurier = folder / "kurier"
    kurier.mkdir()
    for name in KURIER_FILES:
        source, target = REPO / name, kurier / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    values = {
        "kurier": str(kurier),
        "corpus": str(corpus),
        "output": str(folder / "out"),
    }
    paths = {}
    for variant, template in VARIANTS.items():
        path = folder / f"{variant.split()[-1].lower()}_settings.py"
        path.write_text(template.format(**values), encoding="utf-8")
        paths[variant] = path
    return paths


def build(settings: Path, corpus: Path, output: Path) -> Build:
    """Build in a child process; time it and read its own peak RSS from wait4."""
    command = [
        sys.executable, "-m", "pelican", str(corpus),
        "-o", str(output), "-s", str(settings), "--fatal", "errors",
    ]  # fmt: skip
    log = output.with_suffix(".log")
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(command)} failed:\n{tail}")
    files = sum(1 for path in output.rglob("*") if path.is_file())
    shutil.rmtree(output)
    cpu = usage.ru_utime + usage.ru_stime
    return Build(seconds, cpu, usage.ru_maxrss * 1024, files)  # ru_maxrss: KiB


def measure(folder: Path, stories: int, runs: int) -> tuple[Corpus, dict[str, list[Build]]]:
    """Interleaved builds of both variants: plain, Kurier, plain, Kurier, ..."""
    corpus = write_corpus(folder / "corpus", stories, channels())
    settings = write_settings(folder, corpus.path)
    builds: dict[str, list[Build]] = {variant: [] for variant in VARIANTS}
    for run in range(runs):
        for variant, path in settings.items():
            output = folder / f"out-{path.stem}-{run}"
            builds[variant].append(build(path, corpus.path, output))
            print(
                f"  {variant}, run {run + 1}: {builds[variant][-1].seconds:.2f} s",
                flush=True,
            )
    return corpus, builds


def _median_of(builds: list[Build], metric: str) -> float:
    return median([getattr(build, metric) for build in builds])


def report(corpus: Corpus, builds: dict[str, list[Build]]) -> Section:
    """The table of runs and the time budget."""
    rows = [
        [
            variant,
            ", ".join(f"{run.seconds:.2f}" for run in runs),
            f"**{_median_of(runs, 'seconds'):.2f}**",
            f"{_median_of(runs, 'cpu_seconds'):.2f}",
            "/".join(sorted({str(run.files) for run in runs})),
            f"{_median_of(runs, 'peak_rss') / 2**20:.0f} MiB",
        ]
        for variant, runs in builds.items()
    ]
    plain, kurier = builds["plain Pelican"], builds["Kurier"]

    def ratio(metric: str) -> float:
        return _median_of(kurier, metric) / _median_of(plain, metric)

    header = [
        "variant",
        "runs (s)",
        "median (s)",
        "median CPU (s)",
        "files",
        "peak RSS",
    ]
    body = "\n\n".join(
        [
            f"Corpus: {corpus.stories:,} stories, {corpus.translations:,} of them also "
            f"in English, {corpus.pages} pages ({corpus.files:,} Markdown files, "
            f"{corpus.words:,} words), generated with a fixed seed. Each variant built "
            f"it {len(kurier)}× into a fresh output folder, runs interleaved: "
            "`python -m pelican` in a child process, timed on the wall clock, with "
            "the child's own CPU time (user + system) and peak RSS. Plain Pelican: "
            "default settings and theme, no plugins (it ignores Kurier's own front "
            "matter).",
            markdown_table(header, rows),
            f"Ratio Kurier / plain Pelican: time {ratio('seconds'):.2f}×, CPU time "
            f"{ratio('cpu_seconds'):.2f}×, peak RSS {ratio('peak_rss'):.2f}×.",
        ]
    )
    budget = Budget("build time, Kurier / plain Pelican", ratio("seconds"), BUDGET)
    return Section(body, [budget])


def run(quick: bool) -> Section:
    """Measure both variants on the full corpus, or a small one with `quick`."""
    stories, runs = (QUICK_STORIES, QUICK_RUNS) if quick else (STORIES, RUNS)
    with tempfile.TemporaryDirectory(prefix="kurier-bench-") as folder:
        return report(*measure(Path(folder), stories, runs))


def profile(stories: int, top: int) -> None:
    """Profile one in-process Kurier build of the corpus and print the top costs."""
    from pelican import Pelican
    from pelican.settings import read_settings

    with tempfile.TemporaryDirectory(prefix="kurier-bench-") as folder:
        corpus = write_corpus(Path(folder) / "corpus", stories, channels())
        settings = write_settings(Path(folder), corpus.path)["Kurier"]
        pelican = Pelican(read_settings(str(settings)))
        profiler = cProfile.Profile()
        profiler.runcall(pelican.run)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=STORIES)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    profile(args.stories, args.top)

"""`python -m bench [SUITE ...] [--quick] [--output PATH]`: run, write the report."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

from bench import REPORT, SUITES, merge_report, render_section


def load_suites(names: list[str]) -> list[ModuleType]:
    """The suite modules named by module name or NAME, or all of them."""
    modules = [importlib.import_module(f"bench.{module}") for module in SUITES]
    if not names:
        return modules
    by_name = {key: m for m in modules for key in (m.__name__.split(".")[-1], m.NAME)}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(m.NAME for m in modules)
        raise SystemExit(f"unknown suite {', '.join(unknown)} (suites: {known})")
    return [by_name[name] for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help="default: all")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run")
    parser.add_argument("--output", type=Path, default=REPORT, help="the report file")
    args = parser.parse_args(argv)

    sections, missed = {}, []
    for suite in load_suites(args.suites):
        print(f"bench: running {suite.NAME}{' (quick)' if args.quick else ''}", flush=True)
        section = suite.run(args.quick)
        sections[suite.NAME] = render_section(suite.NAME, suite.TITLE, section, args.quick)
        for budget in section.budgets:
            print(f"bench: {suite.NAME}: {budget.what}: {budget.verdict()}")
            if not budget.met:
                missed.append(f"{suite.NAME}: {budget.what}")

    old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    order = [suite.NAME for suite in load_suites([])]
    args.output.write_text(merge_report(old, sections, order), encoding="utf-8")
    print(f"bench: wrote {args.output}")
    if missed:
        print("bench: over budget: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The comment widget's weight as browsers download it: each shipped file raw and gzip -9.

    python -m bench.widget_size

prints a table; `widget_sizes()` returns the numbers (no pytest needed), so
the benchmarks can report them. What is measured is what the site ships: the
widget's modules bundled and minified, its CSS minified, as the site build
makes them (plugins/kurier/widget.py), read from a built site's static folder
when one is given. The budget: comments.js plus its CSS at most 12 KB
gzipped (the goal: 10 KB). The moderators' controls (moderate.js and its CSS)
load only for moderators, so they are reported on their own lines, outside
the budget.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from pathlib import Path

from kurier.widget import build_widget, read_sources

THEME = Path(__file__).resolve().parents[1] / "theme"
FILES = ("js/comments.js", "css/comments.css")
MODERATOR_FILES = ("js/moderate.js", "css/moderate.css")
BUDGET_GZIP = 12 * 1024
GOAL_GZIP = 10 * 1024


def shipped_files(static: Path | None = None) -> Mapping[str, bytes]:
    """The widget's files as browsers get them: from a built site's THEME_STATIC_DIR
    folder, else built from the theme now, as the site build does."""
    if static is None:
        return build_widget(read_sources(THEME))
    return {name: (static / name).read_bytes() for name in (*FILES, *MODERATOR_FILES)}


def widget_sizes(
    static: Path | None = None, files: tuple[str, ...] = FILES
) -> dict[str, dict[str, int]]:
    """{"js/comments.js": {"raw": bytes, "gzip": bytes}, ..., "total": {...}}."""
    shipped = shipped_files(static)
    sizes = {}
    for name in files:
        data = shipped[name]
        sizes[name] = {"raw": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}
    sizes["total"] = {key: sum(size[key] for size in sizes.values()) for key in ("raw", "gzip")}
    return sizes


def moderator_sizes(static: Path | None = None) -> dict[str, dict[str, int]]:
    """The same for moderate.js and moderate.css ("total": both), outside the budget."""
    return widget_sizes(static, MODERATOR_FILES)


def main() -> None:
    for name, size in widget_sizes().items():
        print(f"{name:18} {size['raw']:7,} B raw {size['gzip']:7,} B gzip -9")
    print(f"{'budget':18} {'':15} {BUDGET_GZIP:7,} B gzip -9 (goal {GOAL_GZIP:,} B)")
    print("moderators only (not in the budget):")
    for name, size in moderator_sizes().items():
        print(f"{name:18} {size['raw']:7,} B raw {size['gzip']:7,} B gzip -9")


if __name__ == "__main__":
    main()

"""The comment widget's weight as browsers download it: each file raw and gzip -9.

    python -m bench.widget_size

prints a table; `widget_sizes()` returns the numbers (no pytest needed), so
the benchmarks can report them. The budget: comments.js plus its CSS at most
12 KB gzipped. The moderators' controls (moderate.js and its CSS) load only
for moderators, so they are reported on their own lines, outside the budget.
"""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "theme" / "static"
FILES = ("js/comments.js", "css/comments.css")
MODERATOR_FILES = ("js/moderate.js", "css/moderate.css")
BUDGET_GZIP = 12 * 1024


def widget_sizes(
    static: Path = STATIC, files: tuple[str, ...] = FILES
) -> dict[str, dict[str, int]]:
    """{"js/comments.js": {"raw": bytes, "gzip": bytes}, ..., "total": {...}}."""
    sizes = {}
    for name in files:
        data = (static / name).read_bytes()
        sizes[name] = {"raw": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}
    sizes["total"] = {key: sum(size[key] for size in sizes.values()) for key in ("raw", "gzip")}
    return sizes


def moderator_sizes(static: Path = STATIC) -> dict[str, dict[str, int]]:
    """The same for moderate.js and moderate.css ("total": both), outside the budget."""
    return widget_sizes(static, MODERATOR_FILES)


def main() -> None:
    for name, size in widget_sizes().items():
        print(f"{name:18} {size['raw']:7,} B raw {size['gzip']:7,} B gzip -9")
    print(f"{'budget':18} {'':15} {BUDGET_GZIP:7,} B gzip -9")
    print("moderators only (not in the budget):")
    for name, size in moderator_sizes().items():
        print(f"{name:18} {size['raw']:7,} B raw {size['gzip']:7,} B gzip -9")


if __name__ == "__main__":
    main()

"""The README names the repository's files as they are: every path it mentions exists.

A newcomer follows the README to the code; a moved file must not leave the
README pointing at nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
# What a path in the README starts with when it is one of the repository's.
TOP = ("content/", "theme/", "comments_service/", "plugins/", "tests/", "bench/", "deploy/",
       "docs/", ".ci/")  # fmt: skip
FILES = ("Makefile", "pyproject.toml", "pelicanconf.py", "publishconf.py", "README.md",
         "BENCHMARKS.md", ".ci/run")  # fmt: skip
# Made by a build or by `make run`, not kept in the repository.
GENERATED = ("output/", "var/", ".venv", ".publish", ".output.previous")
PLACEHOLDER = re.compile(r"[<{*$\[]")


def named_paths(text: str) -> list[str]:
    """Repository paths the README names: in `code` and as link targets."""
    found = re.findall(r"`([^`\s]+)`", text) + re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", text)
    return sorted(
        {p for p in found if (p.startswith(TOP) or p in FILES) and not p.startswith(GENERATED)}
    )


def resolves(path: str) -> bool:
    """The path exists; with a placeholder (`<year>`, `{slug}`, `*`), the part before it does."""
    cut = PLACEHOLDER.search(path)
    if cut is None:
        return (REPO / path).exists()
    if "*" in path and not re.search(r"[<{$\[]", path):
        return any(REPO.glob(path))
    return (REPO / path[: cut.start()]).exists()


def test_readme_names_paths_at_all():
    """The check below sees the paths it should (it cannot pass by finding none)."""
    paths = named_paths(README.read_text(encoding="utf-8"))
    assert "docs/API.md" in paths and "plugins/kurier/" in paths and len(paths) >= 10


@pytest.mark.parametrize("path", named_paths(README.read_text(encoding="utf-8")))
def test_readme_path_exists(path: str):
    assert resolves(path), f"README.md names {path}, which is not in the repository"


class _Recording(dict):
    """An environment that notes every variable asked for."""

    def __init__(self, **values: str) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


def test_readme_settings_table_lists_every_setting_the_service_reads(tmp_path):
    from comments_service.config import Settings

    env = _Recording(COMMENTS_DB=str(tmp_path / "comments.sqlite3"))
    Settings.from_env(env)
    read = {name for name in env.asked if name.startswith("COMMENTS_")}
    assert {"COMMENTS_DB", "COMMENTS_PROXY_SECRET", "COMMENTS_LOG_FORMAT"} <= read
    rows = set(re.findall(r"^\| `(COMMENTS_[A-Z_]+)` \|", README.read_text("utf-8"), re.M))
    assert sorted(read - rows) == [], "settings the README's table does not list"

"""Every test folder: the two storage engines, and what happens when PostgreSQL is missing.

A test that asks for the `engine` fixture (through `db_location`, the
service tests' `settings`, the load tests' servers) runs once on SQLite and
once on PostgreSQL. Without a reachable PostgreSQL the second half is left
out with one line saying how to get it; under CI=true that fails the run.
Tests marked `sqlite_only` look inside SQLite files and run on SQLite alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import postgres

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The storage engine this run of the test uses."""
    return str(request.param)


@pytest.fixture
def db_location(engine: str, tmp_path: Path) -> Iterator[str | Path]:
    """Where the test's database lives: a file in tmp_path, or a fresh PostgreSQL schema."""
    if engine == "sqlite":
        yield tmp_path / "comments.sqlite3"
        return
    with postgres.fresh_schema() as address:
        yield address


def _engine_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("engine") if callspec is not None else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = [item for item in items if _engine_of(item) == "postgresql"]
    # A test that also asks for the SQLite file's `path` looks inside it.
    sqlite_only = [
        item
        for item in on_postgres
        if item.get_closest_marker("sqlite_only") or "path" in getattr(item, "fixturenames", ())
    ]
    left_out = set(map(id, sqlite_only))
    if on_postgres and (problem := postgres.unavailable()):
        message = postgres.HOW_TO_GET_IT.format(server=postgres.SERVER, problem=problem)
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(message)
        config.stash[MISSING] = message
        left_out |= set(map(id, on_postgres))
    if left_out:
        config.hook.pytest_deselected(items=[i for i in items if id(i) in left_out])
        items[:] = [item for item in items if id(item) not in left_out]


MISSING = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if MISSING in config.stash:
        terminalreporter.write_line(config.stash[MISSING], red=True, bold=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: looks inside SQLite files; SQLite alone")

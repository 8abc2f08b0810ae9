"""A fresh database file per test, and table "comments" with and without indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from comments_service.storage import Database, SQLiteTable


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "comments.sqlite3"


@pytest.fixture
def db(path: Path) -> Iterator[Database]:
    with Database(path) as database:
        yield database


@pytest.fixture(params=["indexed", "plain"])
def table(request: pytest.FixtureRequest, db: Database) -> SQLiteTable:
    """Table "comments", with or without indexes: results must not differ."""
    indexes = ("thread", "n", "author.id") if request.param == "indexed" else ()
    return db.table("comments", indexes=indexes)

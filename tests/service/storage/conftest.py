"""A fresh database per test (`db`: on both engines; `path`: an SQLite file), and
table "comments" with and without indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from comments_service.storage import Database, SQLiteTable


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "comments.sqlite3"


@pytest.fixture
def db(db_location: Path | str) -> Iterator[Database]:
    with Database(db_location) as database:
        yield database


@pytest.fixture(params=["indexed", "plain"])
def table(request: pytest.FixtureRequest, db: Database) -> SQLiteTable:
    """Table "comments", with or without indexes: results must not differ."""
    indexes = ("thread", "n", "author.id") if request.param == "indexed" else ()
    return db.table("comments", indexes=indexes)

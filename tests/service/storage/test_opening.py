"""Opening a file: pragmas, options, refusing foreign, newer and damaged files, migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from comments_service.storage import (
    APPLICATION_ID,
    DamagedDatabaseError,
    Database,
    ForeignDatabaseError,
    MigrationError,
    NewerSchemaError,
    StorageError,
)
from comments_service.storage.sqlite import migrations
from tests.service.storage.kit import create_sqlite, pragma


def test_storage_fresh_file_gets_schema_and_application_id(path: Path) -> None:
    Database(path).close()
    assert pragma(path, "user_version") == len(migrations.MIGRATIONS) == 1
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "journal_mode") == "wal"


@pytest.mark.parametrize(
    "synchronous, level", [("OFF", 0), ("normal", 1), ("FULL", 2), ("EXTRA", 3)]
)
def test_storage_pragmas(path: Path, synchronous: str, level: int) -> None:
    with Database(path, synchronous=synchronous, busy_timeout=2.5) as db:
        conn = db.storage._conn
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == level
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.integrity_check() == "ok"


@pytest.mark.sqlite_only
def test_storage_default_synchronous_is_full(db: Database) -> None:
    assert db.storage._conn.execute("PRAGMA synchronous").fetchone()[0] == 2


@pytest.mark.parametrize(
    "options, message",
    [
        pytest.param({"synchronous": "SOMETIMES"}, "synchronous must be", id="sync"),
        pytest.param({"busy_timeout": -1}, "busy_timeout", id="timeout"),
    ],
)
def test_storage_refuses_bad_options(path: Path, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Database(path, **options)


def test_storage_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "var" / "comments.sqlite3"
    with pytest.raises(StorageError, match="folder .* does not exist"):
        Database(path)
    Database(path, create_dirs=True).close()
    assert path.exists()


def test_storage_refuses_random_bytes(path: Path) -> None:
    path.write_bytes(b"not sqlite" + os.urandom(4086))
    with pytest.raises(ForeignDatabaseError) as error:
        Database(path)
    assert str(error.value).startswith(f"{path} is not a Kurier comments database")


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(("PRAGMA application_id = 1234", "CREATE TABLE t (x)"), id="other-app"),
        pytest.param(("CREATE TABLE t (x)",), id="no-app-id"),
        pytest.param(("PRAGMA user_version = 3",), id="empty-with-version"),
    ],
)
def test_storage_refuses_foreign_sqlite_file_unchanged(
    path: Path, statements: tuple[str, ...]
) -> None:
    create_sqlite(path, *statements)
    before = path.read_bytes()
    with pytest.raises(ForeignDatabaseError) as error:
        Database(path)
    assert str(error.value).startswith(f"{path} is not a Kurier comments database")
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_storage_refuses_newer_schema(path: Path) -> None:
    Database(path).close()
    create_sqlite(path, "PRAGMA user_version = 7")
    with pytest.raises(NewerSchemaError) as error:
        Database(path)
    assert str(error.value) == (
        f"{path} was written by a newer Kurier (schema 7; this one knows up to 1)"
    )


def filled_file(path: Path) -> None:
    with Database(path) as db:
        db.table("comments", indexes=("thread",)).insert_multiple(
            {"thread": f"t{i % 7}", "body": "x" * 200} for i in range(3000)
        )
    assert not Path(f"{path}-wal").exists()  # checkpointed on close


def test_storage_refuses_damaged_file(path: Path) -> None:
    filled_file(path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xde\xad\xbe\xef" * 2048)
    with pytest.raises(DamagedDatabaseError) as error:
        Database(path)
    assert str(error.value).startswith(f"{path} is damaged: ")
    assert len(str(error.value)) > len(f"{path} is damaged: ") + 5


def test_storage_refuses_truncated_file(path: Path) -> None:
    filled_file(path)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)
    with pytest.raises(DamagedDatabaseError, match="is damaged: "):
        Database(path)


def test_storage_migration_runs_once(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Database(path).close()
    calls = []

    def add_flags(conn: sqlite3.Connection) -> None:
        calls.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("CREATE TABLE kurier_flags (name TEXT PRIMARY KEY)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_flags])
    Database(path).close()
    Database(path).close()
    assert calls == [1]  # ran once, on top of schema 1
    assert pragma(path, "user_version") == 2
    fresh = path.with_name("fresh.sqlite3")
    Database(fresh).close()
    assert calls == [1, 1] and pragma(fresh, "user_version") == 2


def test_storage_failing_migration_changes_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Database(path) as db:
        db.table("comments").insert({"n": 1})
    broken = ("CREATE TABLE half_done (x)", "THIS IS NOT SQL")
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    with pytest.raises(MigrationError) as error:
        Database(path)
    assert str(error.value).startswith(
        f"{path} could not be upgraded to schema 2 (it stays at schema 1): "
    )
    monkeypatch.undo()
    assert pragma(path, "user_version") == 1
    with Database(path) as db:
        assert db.table("comments").all() == [{"n": 1}]
        assert "half_done" not in {
            row[0] for row in db.storage._conn.execute("SELECT name FROM sqlite_master")
        }

"""Recognising a Kurier SQLite file, refusing a damaged one, and bringing its schema up to date.

A file is ours when ``PRAGMA application_id`` says so; ``PRAGMA user_version``
is the number of migrations applied to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import (
    DamagedDatabaseError,
    ForeignDatabaseError,
    MigrationError,
    NewerSchemaError,
    StorageError,
)

#: ``PRAGMA application_id`` of a Kurier comments database ("KURI").
APPLICATION_ID = 0x4B555249

#: A migration is a sequence of SQL statements or a function of the connection.
#: It runs inside the opening transaction and must not commit.
Migration = tuple[str, ...] | Callable[[sqlite3.Connection], None]

#: Schema version N is reached by applying ``MIGRATIONS[N - 1]``; append only.
MIGRATIONS: list[Migration] = [
    # 1: the initial layout; document tables are created on first use.
    ("CREATE TABLE kurier_tables ( name TEXT PRIMARY KEY, indexes TEXT NOT NULL DEFAULT '[]')",),
]


_SQLITE_HEADER = b"SQLite format 3\x00"


def schema_latest() -> int:
    """The schema version this Kurier writes."""
    return len(MIGRATIONS)


def check_file(path: str, create_dirs: bool) -> None:
    """Refuse a file that is not SQLite's, before SQLite touches it; make its folder if asked."""
    folder = Path(path).parent
    if not folder.is_dir():
        if not create_dirs:
            raise StorageError(f"{path} cannot be opened: folder {folder} does not exist")
        folder.mkdir(parents=True, exist_ok=True)
    try:
        with Path(path).open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"{path} cannot be opened: {exc}") from exc
    if header and header != _SQLITE_HEADER:
        raise ForeignDatabaseError(
            f"{path} is not a Kurier comments database (it is not an SQLite file)"
        )


def check_damage(conn: sqlite3.Connection, path: str) -> None:
    """Refuse a file that SQLite's quick check finds damaged."""
    rows = conn.execute("PRAGMA quick_check(10)").fetchall()
    # One line for logs: SQLite's report may hold several lines per row.
    result = "; ".join(line for row in rows for line in str(row[0]).splitlines())
    if result != "ok":
        raise DamagedDatabaseError(f"{path} is damaged: {result}")


def recognise(conn: sqlite3.Connection, path: str) -> int:
    """The file's schema version; raises unless it is ours or brand new."""
    app_id: int = conn.execute("PRAGMA application_id").fetchone()[0]
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id == APPLICATION_ID:
        if version > schema_latest():
            raise NewerSchemaError(
                f"{path} was written by a newer Kurier (schema {version};"
                f" this one knows up to {schema_latest()})"
            )
        return version
    empty = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
    if app_id == 0 and version == 0 and empty:
        return 0
    raise ForeignDatabaseError(
        f"{path} is not a Kurier comments database (an SQLite file with"
        f" application_id {app_id:#x}, user_version {version})"
    )


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the schema up to date in one transaction, or not at all."""
    migrations = list(MIGRATIONS)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        version = recognise(conn, path)
        if version == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for number, step in enumerate(migrations[version:], start=version + 1):
            try:
                if callable(step):
                    step(conn)
                else:
                    for statement in step:
                        conn.execute(statement)
            except Exception as exc:
                raise MigrationError(
                    f"{path} could not be upgraded to schema {number}"
                    f" (it stays at schema {version}): {exc}"
                ) from exc
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise

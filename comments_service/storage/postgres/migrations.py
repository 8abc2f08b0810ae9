"""Recognising a Kurier schema in PostgreSQL and bringing it up to date.

A Kurier comments database on PostgreSQL is one schema (``public`` unless
the address names another). It is ours when its ``kurier_meta`` table says
so; ``kurier_meta.version`` is the number of migrations applied. Migrations
run in one transaction under an advisory lock, so workers and hosts that
start together take turns and the later ones find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from ..errors import ForeignDatabaseError, MigrationError, NewerSchemaError

#: Identifies a Kurier schema in ``kurier_meta`` ("KURI", as SQLite's application_id).
APPLICATION = "kurier-comments"

#: A migration is a sequence of SQL statements or a function of the connection.
Migration = tuple[str, ...] | Callable[[psycopg.Connection], None]

#: Schema version N is reached by applying ``MIGRATIONS[N - 1]``; append only.
#: Version numbers match the SQLite engine's: an export says one number for both.
MIGRATIONS: list[Migration] = [
    # 1: the initial layout; document tables are created on first use.
    ("CREATE TABLE kurier_tables (name TEXT PRIMARY KEY, indexes TEXT NOT NULL DEFAULT '[]')",),
]

#: pg_advisory_xact_lock key of migrations ("KURIMIGR").
MIGRATION_LOCK = 0x4B5552494D494752


def schema_latest() -> int:
    """The schema version this Kurier writes."""
    return len(MIGRATIONS)


def recognise(conn: psycopg.Connection, where: str) -> int:
    """The schema's version; raises unless it is ours or holds no table at all."""
    meta = conn.execute("SELECT to_regclass('kurier_meta') IS NOT NULL").fetchone()
    if meta and meta[0]:
        rows: dict[str, str] = dict(conn.execute("SELECT key, value FROM kurier_meta").fetchall())
        if rows.get("application") != APPLICATION:
            raise ForeignDatabaseError(f"{where} is not a Kurier comments database")
        version = int(rows.get("version", "0"))
        if version > schema_latest():
            raise NewerSchemaError(
                f"{where} was written by a newer Kurier (schema {version};"
                f" this one knows up to {schema_latest()})"
            )
        return version
    tables = conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchone()
    if tables and tables[0]:
        raise ForeignDatabaseError(
            f"{where} is not a Kurier comments database (its schema holds other tables)"
        )
    return 0


def migrate(conn: psycopg.Connection, where: str) -> None:
    """Bring the schema up to date in one transaction, or not at all.

    The schema is recognised under the lock, so that a process never reads it
    half-way through another's migration; a foreign or newer one is refused
    before anything is written.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        # Another process may have migrated while we waited for the lock.
        version = recognise(conn, where)
        if version == 0:
            conn.execute("CREATE TABLE kurier_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute(
                "INSERT INTO kurier_meta VALUES ('application', %s), ('version', '0')",
                (APPLICATION,),
            )
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                with conn.transaction():  # a savepoint: the error is reported, not masked
                    if callable(step):
                        step(conn)
                    else:
                        for statement in step:
                            conn.execute(statement.encode())
            except psycopg.Error as exc:
                raise MigrationError(
                    f"{where} could not be upgraded to schema {number}"
                    f" (it stays at schema {version}): {exc}"
                ) from exc
            conn.execute("UPDATE kurier_meta SET value = %s WHERE key = 'version'", (str(number),))

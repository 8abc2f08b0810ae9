"""The document tables of a Kurier SQLite file: the registry, and reading or writing them whole.

``kurier_tables`` lists every document table with its indexed fields. A
document table ``<name>`` is the SQL table ``"docs:<name>"``: ``id INTEGER
PRIMARY KEY AUTOINCREMENT`` (a removed document's id is never handed out
again) and the document as compact JSON in ``doc``; its indexes
``"idx:<name>:<field>"`` are built on ``json_extract(doc, '$.<field>')``.
"""

from __future__ import annotations

import json

from ..whole_tables import DocumentTables
from .migrations import schema_latest
from .transactions import Snapshot, Transaction


def quote(identifier: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + identifier.replace('"', '""') + '"'


def extract(field: str) -> str:
    """The indexed expression; queries must repeat it exactly to use the index."""
    return f"json_extract(doc, '$.{field}')"


class SQLiteTables(DocumentTables):
    """The document tables of one connection: which exist, with which indexes.

    ``ensure`` and the methods whose names start with an underscore run
    inside a transaction (or snapshot) the caller already holds.
    """

    def __init__(self, txn: Transaction, path: str) -> None:
        super().__init__(txn, path, schema_latest())
        self._transaction = txn
        self._lock = txn.lock
        self._conn = txn.conn

    # the registry ----------------------------------------------------------

    def names(self) -> set[str]:
        """Names of the document tables in the file."""
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT name FROM kurier_tables")}

    def registered_indexes(self, name: str) -> frozenset[str]:
        """Indexed fields of table ``name`` as recorded in the file."""
        with self._lock:
            row = self._conn.execute(
                "SELECT indexes FROM kurier_tables WHERE name = ?", (name,)
            ).fetchone()
        return frozenset(json.loads(row[0])) if row else frozenset()

    def ensure(self, name: str, indexes: frozenset[str]) -> frozenset[str]:
        """Create table ``name`` and its indexes if missing; all its indexes.

        Call inside a write transaction.
        """
        known = self.known.get(name)
        if known is not None and indexes <= known:
            return known
        conn = self._conn
        table = quote("docs:" + name)
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table}"
            " (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL)"
        )
        row = conn.execute("SELECT indexes FROM kurier_tables WHERE name = ?", (name,)).fetchone()
        registered = frozenset(json.loads(row[0])) if row else frozenset()
        every = registered | indexes
        for field in sorted(every):
            index = quote(f"idx:{name}:{field}")
            conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({extract(field)})")
        if row is None or every != registered:
            conn.execute(
                "INSERT INTO kurier_tables (name, indexes) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET indexes = excluded.indexes",
                (name, json.dumps(sorted(every))),
            )
        self.known[name] = every
        return every

    def _drop(self, name: str) -> None:
        # DROP TABLE also drops its indexes and its row in sqlite_sequence.
        self._conn.execute(f"DROP TABLE IF EXISTS {quote('docs:' + name)}")
        self._conn.execute("DELETE FROM kurier_tables WHERE name = ?", (name,))
        self.known.pop(name, None)

    # whole tables ----------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._transaction)

    def _rows(self, name: str) -> list[tuple[int, str]]:
        return self._conn.execute(
            f"SELECT id, doc FROM {quote('docs:' + name)} ORDER BY id"
        ).fetchall()

    def _clear(self, name: str) -> None:
        self._conn.execute(f"DELETE FROM {quote('docs:' + name)}")

    def put_rows(self, name: str, rows: list[tuple[int, str]]) -> None:
        table = quote("docs:" + name)
        self._conn.executemany(f"INSERT INTO {table} (id, doc) VALUES (?, ?)", rows)

    def _holds_documents(self, name: str) -> bool:
        table = quote("docs:" + name)
        return self._conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None

    def _last_id(self, name: str) -> int:
        row = self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", ("docs:" + name,)
        ).fetchone()
        return int(row[0]) if row else 0

    def raise_sequence(self, name: str, last_id: int) -> None:
        """Make sure AUTOINCREMENT continues after ``last_id``."""
        sql_table = "docs:" + name
        updated = self._conn.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
            (last_id, sql_table),
        ).rowcount
        if not updated and last_id > 0:
            self._conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                (sql_table, last_id),
            )

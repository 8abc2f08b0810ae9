"""The document tables of a Kurier SQLite file: the registry, and reading or writing them whole.

``kurier_tables`` lists every document table with its indexed fields. A
document table ``<name>`` is the SQL table ``"docs:<name>"``: ``id INTEGER
PRIMARY KEY AUTOINCREMENT`` (a removed document's id is never handed out
again) and the document as compact JSON in ``doc``; its indexes
``"idx:<name>:<field>"`` are built on ``json_extract(doc, '$.<field>')``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..documents import check_fields, check_name, decode, encode_document, id_or_error
from ..errors import NotEmptyError
from ..export import export_document, parse_export
from .migrations import schema_latest
from .transactions import Snapshot, Transaction


def quote(identifier: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + identifier.replace('"', '""') + '"'


def extract(field: str) -> str:
    """The indexed expression; queries must repeat it exactly to use the index."""
    return f"json_extract(doc, '$.{field}')"


class SQLiteTables:
    """The document tables of one connection: which exist, with which indexes.

    ``ensure`` and the methods whose names start with an underscore run
    inside a transaction (or snapshot) the caller already holds.
    """

    def __init__(self, txn: Transaction, path: str) -> None:
        self._txn = txn
        self._conn = txn.conn
        self._path = path
        #: Tables (and their indexes) this connection has created or seen; a
        #: schema fact, not data, and dropped as soon as SQLite says otherwise.
        self.known: dict[str, frozenset[str]] = {}

    # the registry ----------------------------------------------------------

    def _names(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT name FROM kurier_tables")}

    def names(self) -> set[str]:
        """Names of the document tables in the file."""
        with self._txn.lock:
            return self._names()

    def registered_indexes(self, name: str) -> frozenset[str]:
        """Indexed fields of table ``name`` as recorded in the file."""
        with self._txn.lock:
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

    def ensure_table(self, name: str, indexes: Iterable[str] = ()) -> frozenset[str]:
        """Create table ``name`` with indexes on ``indexes``; all its indexes."""
        wanted = check_fields(indexes)
        with self._txn:
            return self.ensure(check_name(name), wanted)

    def _drop(self, name: str) -> None:
        # DROP TABLE also drops its indexes and its row in sqlite_sequence.
        self._conn.execute(f"DROP TABLE IF EXISTS {quote('docs:' + name)}")
        self._conn.execute("DELETE FROM kurier_tables WHERE name = ?", (name,))
        self.known.pop(name, None)

    def drop_table(self, name: str) -> None:
        """Drop table ``name`` with its documents and id sequence."""
        with self._txn:
            self._drop(name)

    def drop_tables(self) -> None:
        """Drop every document table."""
        with self._txn:
            for name in self._names():
                self._drop(name)

    # whole tables ----------------------------------------------------------

    def _rows(self, name: str) -> list[tuple[int, str]]:
        return self._conn.execute(
            f"SELECT id, doc FROM {quote('docs:' + name)} ORDER BY id"
        ).fetchall()

    def read(self) -> dict[str, dict[str, Any]]:
        """The whole database as TinyDB sees it: ``{table: {"id": document}}``."""
        with Snapshot(self._txn):
            return {
                name: {str(doc_id): decode(text) for doc_id, text in self._rows(name)}
                for name in self._names()
            }

    def write(self, data: Mapping[str, Mapping[Any, Mapping[str, Any]]]) -> None:
        """Replace the whole database with ``data`` in one transaction.

        Tables missing from ``data`` are dropped; ids keep their values and
        the id sequences never go back, so no removed id is handed out again.
        """
        prepared = {
            check_name(name): [
                (id_or_error(doc_id), encode_document(doc)) for doc_id, doc in docs.items()
            ]
            for name, docs in data.items()
        }
        with self._txn:
            for name in self._names() - prepared.keys():
                self._drop(name)
            for name, rows in prepared.items():
                self.ensure(name, frozenset())
                table = quote("docs:" + name)
                self._conn.execute(f"DELETE FROM {table}")
                self._conn.executemany(f"INSERT INTO {table} (id, doc) VALUES (?, ?)", rows)

    def export_data(self) -> dict[str, Any]:
        """Every table, its indexes, documents and id sequence as JSON-able data."""
        with Snapshot(self._txn):
            registry = self._conn.execute(
                "SELECT name, indexes FROM kurier_tables ORDER BY name"
            ).fetchall()
            tables: dict[str, Any] = {}
            for name, indexes in registry:
                row = self._conn.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = ?", ("docs:" + name,)
                ).fetchone()
                tables[name] = {
                    "indexes": json.loads(indexes),
                    "last_id": row[0] if row else 0,
                    "documents": {str(doc_id): decode(text) for doc_id, text in self._rows(name)},
                }
        return export_document(tables, schema_latest())

    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> None:
        """Load an ``export_data()`` dictionary in one transaction.

        Refuses a database that holds any document unless ``replace`` is true,
        in which case every existing table is dropped first.
        """
        tables = parse_export(data, schema_latest())
        with self._txn:
            names = self._names()
            if not replace:
                for name in sorted(names):
                    table = quote("docs:" + name)
                    if self._conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                        raise NotEmptyError(
                            f"{self._path} already holds documents (table {name!r});"
                            " import into an empty database or pass replace=True"
                        )
            else:
                for name in names:
                    self._drop(name)
            for name, indexes, last_id, rows in tables:
                self.ensure(name, indexes)
                table = quote("docs:" + name)
                self._conn.executemany(f"INSERT INTO {table} (id, doc) VALUES (?, ?)", rows)
                self._raise_sequence("docs:" + name, last_id)

    def _raise_sequence(self, sql_table: str, last_id: int) -> None:
        """Make sure AUTOINCREMENT continues after ``last_id``."""
        updated = self._conn.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
            (last_id, sql_table),
        ).rowcount
        if not updated and last_id > 0:
            self._conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                (sql_table, last_id),
            )

"""The document tables of a Kurier schema on PostgreSQL: the registry, and whole tables.

As in the SQLite engine, ``kurier_tables`` lists every document table with
its indexed fields. A document table ``<name>`` is ``"docs:<name>"``: ``id
bigint`` from the sequence ``"seq:<name>"`` (a removed document's id is
never handed out again) and the document as the same compact JSON text in
``doc``; its indexes ``"idx:<name>:<field>"`` are built on the field's text,
``(doc::json #>> '{field}')``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from psycopg import sql

from ..documents import check_fields, check_name, decode, encode_document, id_or_error
from ..errors import NotEmptyError
from ..export import export_document, parse_export
from .migrations import schema_latest
from .session import Session
from .transactions import Snapshot, Transaction

#: Rows copied in at once after which the table's statistics are gathered again.
ANALYZE_AFTER = 1000


def table_id(name: str) -> sql.Identifier:
    return sql.Identifier("docs:" + name)


def sequence_id(name: str) -> sql.Identifier:
    return sql.Identifier("seq:" + name)


def extract(field: str) -> str:
    """The indexed expression; queries must repeat it exactly to use the index."""
    return "(doc::json #>> '{" + ",".join(field.split(".")) + "}')"


def last_id_sql(name: str) -> sql.Composed:
    """The last id handed out (0 if none), read from the table's sequence."""
    return sql.SQL("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {}").format(
        sequence_id(name)
    )


class PostgresTables:
    """The document tables of one storage: which exist, with which indexes."""

    def __init__(self, session: Session, txn: Transaction) -> None:
        self._storage = session
        self._txn = txn
        #: Tables (and their indexes) this connection has created or seen.
        self.known: dict[str, frozenset[str]] = {}

    def _execute(self, statement: Any, params: Any = None) -> list[Any]:
        cursor = self._storage.execute(statement, params)
        return cursor.fetchall() if cursor.description else []

    # the registry ----------------------------------------------------------

    def names(self) -> set[str]:
        """Names of the document tables in the schema."""
        return {row[0] for row in self._execute("SELECT name FROM kurier_tables")}

    def registered_indexes(self, name: str) -> frozenset[str]:
        """Indexed fields of table ``name`` as recorded in the schema."""
        rows = self._execute("SELECT indexes FROM kurier_tables WHERE name = %s", (name,))
        return frozenset(json.loads(rows[0][0])) if rows else frozenset()

    def ensure(self, name: str, indexes: frozenset[str]) -> frozenset[str]:
        """Create table ``name`` and its indexes if missing; all its indexes.

        Call inside a write transaction (which holds the writers' lock, so
        two workers never create one table at once).
        """
        known = self.known.get(name)
        if known is not None and indexes <= known:
            return known
        table, sequence = table_id(name), sequence_id(name)
        self._execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(sequence))
        self._execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY"
                " DEFAULT nextval({}), doc text NOT NULL)"
            ).format(table, sql.Literal(sequence.as_string()))
        )
        registered = self.registered_indexes(name)
        every = registered | indexes
        for field in sorted(every - registered):
            index = sql.Identifier(f"idx:{name}:{field}")
            self._execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                    index, table, sql.SQL(extract(field))
                )
            )
        if not self._execute("SELECT 1 FROM kurier_tables WHERE name = %s", (name,)) or (
            every != registered
        ):
            self._execute(
                "INSERT INTO kurier_tables (name, indexes) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET indexes = excluded.indexes",
                (name, json.dumps(sorted(every))),
            )
        self.known[name] = every
        return every

    def ensure_table(self, name: str, indexes: Iterable[str] = ()) -> frozenset[str]:
        """Create table ``name`` with indexes on ``indexes``; all its indexes."""
        wanted = check_fields(indexes)
        known = self.known.get(name)
        if known is not None and wanted <= known:
            return known
        with self._txn:
            return self.ensure(check_name(name), wanted)

    def _drop(self, name: str) -> None:
        self._execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table_id(name)))
        self._execute(sql.SQL("DROP SEQUENCE IF EXISTS {}").format(sequence_id(name)))
        self._execute("DELETE FROM kurier_tables WHERE name = %s", (name,))
        self.known.pop(name, None)

    def drop_table(self, name: str) -> None:
        """Drop table ``name`` with its documents and id sequence."""
        with self._txn:
            self._drop(name)

    def drop_tables(self) -> None:
        """Drop every document table."""
        with self._txn:
            for name in self.names():
                self._drop(name)

    # whole tables ----------------------------------------------------------

    def _rows(self, name: str) -> list[tuple[int, str]]:
        return self._execute(sql.SQL("SELECT id, doc FROM {} ORDER BY id").format(table_id(name)))

    def read(self) -> dict[str, dict[str, Any]]:
        """The whole database as TinyDB sees it: ``{table: {"id": document}}``."""
        with Snapshot(self._txn):
            return {
                name: {str(doc_id): decode(text) for doc_id, text in self._rows(name)}
                for name in self.names()
            }

    def write(self, data: Mapping[str, Mapping[Any, Mapping[str, Any]]]) -> None:
        """Replace the whole database with ``data`` in one transaction."""
        prepared = {
            check_name(name): [
                (id_or_error(doc_id), encode_document(doc)) for doc_id, doc in docs.items()
            ]
            for name, docs in data.items()
        }
        with self._txn:
            for name in self.names() - prepared.keys():
                self._drop(name)
            for name, rows in prepared.items():
                self.ensure(name, frozenset())
                self._execute(sql.SQL("DELETE FROM {}").format(table_id(name)))
                self.insert_rows(name, rows)

    def insert_rows(self, name: str, rows: list[tuple[int, str]]) -> None:
        """Insert ``(id, text)`` rows as they are; the sequence continues after them."""
        if not rows:
            return
        with (
            self._storage.cursor() as cursor,
            cursor.copy(sql.SQL("COPY {} (id, doc) FROM STDIN").format(table_id(name))) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.raise_sequence(name, max(doc_id for doc_id, _ in rows))
        if len(rows) >= ANALYZE_AFTER:
            # The planner's statistics, at once: reads by index right after a big load.
            self._execute(sql.SQL("ANALYZE {}").format(table_id(name)))

    def raise_sequence(self, name: str, last_id: int) -> None:
        """Make sure the ids handed out continue after ``last_id``."""
        if last_id > 0:
            self._execute(
                sql.SQL("SELECT setval({0}, GREATEST(%s, ({1})), true)").format(
                    sql.Literal(sequence_id(name).as_string()), last_id_sql(name)
                ),
                (last_id,),
            )

    def export_data(self) -> dict[str, Any]:
        """Every table, its indexes, documents and id sequence as JSON-able data."""
        with Snapshot(self._txn):
            registry = self._execute("SELECT name, indexes FROM kurier_tables ORDER BY name")
            tables: dict[str, Any] = {}
            for name, indexes in registry:
                tables[name] = {
                    "indexes": json.loads(indexes),
                    "last_id": self._execute(last_id_sql(name))[0][0],
                    "documents": {str(doc_id): decode(text) for doc_id, text in self._rows(name)},
                }
        return export_document(tables, schema_latest())

    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> None:
        """Load an ``export_data()`` dictionary in one transaction."""
        tables = parse_export(data, schema_latest())
        with self._txn:
            names = self.names()
            if not replace:
                for name in sorted(names):
                    if self._execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(table_id(name))):
                        raise NotEmptyError(
                            f"{self._storage.path} already holds documents (table {name!r});"
                            " import into an empty database or pass replace=True"
                        )
            else:
                for name in names:
                    self._drop(name)
            for name, indexes, last_id, rows in tables:
                self.ensure(name, indexes)
                self.insert_rows(name, rows)
                self.raise_sequence(name, last_id)

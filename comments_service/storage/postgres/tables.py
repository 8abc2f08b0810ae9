"""The document tables of a Kurier schema on PostgreSQL: the registry, and whole tables.

As in the SQLite engine, ``kurier_tables`` lists every document table with
its indexed fields. A document table ``<name>`` is ``"docs:<name>"``: ``id
bigint`` from the sequence ``"seq:<name>"`` (a removed document's id is
never handed out again) and the document as the same compact JSON text in
``doc``; its indexes ``"idx:<name>:<field>"`` are built on the field's text,
``(doc::json #>> '{field}')``, which queries compare as text (``narrowed``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from ..queries import translate
from ..whole_tables import DocumentTables
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


def texts(values: Iterable[Any]) -> list[str]:
    """Every text an indexed field may hold where Python's == finds one of ``values``.

    The indexes are on the field's text, so 1 must also find 1.0 and true,
    as TinyDB's 1 == 1.0 == True does.
    """
    found: dict[str, None] = {}
    for value in values:
        if type(value) is int:
            found[str(value)] = None
            if float(value) == value:
                found[repr(float(value))] = None
            if value in (0, 1):
                found["true" if value else "false"] = None
        else:
            found[value] = None
    return list(found)


def text_equal(expression: str, values: list[Any]) -> tuple[str, list[Any]]:
    """``translate``'s comparison on PostgreSQL: the field's text among the candidates."""
    return f"{expression} = ANY(%s)", [texts(values)]


def narrowed(description: Any, expressions: dict[str, str]) -> tuple[str, list[Any]] | None:
    """``translate`` with PostgreSQL's placeholders and text comparisons."""
    return translate(description, expressions, text_equal)


def last_id_sql(name: str) -> sql.Composed:
    """The last id handed out (0 if none), read from the table's sequence."""
    return sql.SQL("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {}").format(
        sequence_id(name)
    )


@dataclass(frozen=True)
class Statements:
    """The fixed statements one document table runs (``PostgresRows``)."""

    table: str  # the quoted table name, for statements built per query
    insert: bytes
    insert_id: bytes
    all: bytes
    page: bytes
    get: bytes
    has: bytes
    update: bytes
    delete: bytes
    count: bytes
    first: bytes
    by_ids: bytes
    last: bytes
    remove_through: bytes

    @classmethod
    def of(cls, name: str) -> Statements:
        table = table_id(name)

        def statement(text: str) -> bytes:
            return sql.SQL(text).format(table=table).as_bytes()

        return cls(
            table=table.as_string(),
            insert=statement("INSERT INTO {table} (doc) VALUES (%s) RETURNING id"),
            insert_id=statement("INSERT INTO {table} (id, doc) VALUES (%s, %s)"),
            all=statement("SELECT id, doc FROM {table} ORDER BY id"),
            page=statement("SELECT id, doc FROM {table} WHERE id > %s ORDER BY id LIMIT %s"),
            get=statement("SELECT doc FROM {table} WHERE id = %s"),
            has=statement("SELECT 1 FROM {table} WHERE id = %s"),
            update=statement("UPDATE {table} SET doc = %s WHERE id = %s"),
            delete=statement("DELETE FROM {table} WHERE id = ANY(%s)"),
            count=statement("SELECT count(*) FROM {table}"),
            first=statement("SELECT min(id) FROM {table}"),
            by_ids=statement("SELECT id, doc FROM {table} WHERE id = ANY(%s)"),
            last=last_id_sql(name).as_bytes(),
            remove_through=statement("DELETE FROM {table} WHERE id <= %s"),
        )


class PostgresTables(DocumentTables):
    """The document tables of one storage: which exist, with which indexes."""

    def __init__(self, session: Session, txn: Transaction) -> None:
        super().__init__(txn, session.path, schema_latest())
        self._transaction = txn
        self._storage = session

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
        return frozenset(json.loads(rows[0][0])) if rows else frozenset[str]()

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

    def _drop(self, name: str) -> None:
        self._transaction.forget()  # nothing read of a dropped table holds
        self._execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table_id(name)))
        self._execute(sql.SQL("DROP SEQUENCE IF EXISTS {}").format(sequence_id(name)))
        self._execute("DELETE FROM kurier_tables WHERE name = %s", (name,))
        self.known.pop(name, None)

    # whole tables ----------------------------------------------------------

    def _rows(self, name: str) -> list[tuple[int, str]]:
        return self._execute(sql.SQL("SELECT id, doc FROM {} ORDER BY id").format(table_id(name)))

    def put_rows(self, name: str, rows: list[tuple[int, str]]) -> None:
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

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._transaction)

    def _clear(self, name: str) -> None:
        self._transaction.forget()  # nor of a cleared one
        self._execute(sql.SQL("DELETE FROM {}").format(table_id(name)))

    def _holds_documents(self, name: str) -> bool:
        return bool(self._execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(table_id(name))))

    def _last_id(self, name: str) -> int:
        return int(self._execute(last_id_sql(name))[0][0])

"""The rows of one document table in SQLite: every statement a table runs on them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, TypeVarTuple

from tinydb.queries import QueryLike
from tinydb.table import Document

from ..documents import check_field, decode, decode_values, id_or_error
from ..indexes import IndexedRows
from ..queries import chunks, translate
from .tables import SQLiteTables, extract, quote
from .transactions import Transaction

T = TypeVar("T")
D = TypeVar("D", bound=Document)
Ts = TypeVarTuple("Ts")

#: ``page(last, size)``: up to ``size`` rows ``(id, text)`` past id ``last``.
IdPages = Callable[[int, int], list[tuple[int, str]]]
#: ``page(past, size)``: up to ``size`` rows ``(id, text, value)`` past ``(value, id)``.
IndexPages = Callable[[tuple[Any, int] | None, int], list[tuple[int, str, Any]]]


def no_such_table(exc: sqlite3.OperationalError) -> bool:
    """Whether a statement failed because its table does not exist (yet)."""
    return str(exc).startswith("no such table")


class SQLiteRows(IndexedRows):
    """One document table's rows on one connection, and the fields known to be indexed.

    Reads take the connection's lock; ``write`` runs an operation in its write
    transaction, creating the table first if needed. The methods marked
    "inside ``write``" change rows and must run in such an operation.
    """

    def __init__(
        self, name: str, declared: frozenset[str], txn: Transaction, tables: SQLiteTables
    ) -> None:
        super().__init__(name, declared, txn, tables.known, tables.ensure, extract)
        self._txn = txn
        self._conn = txn.conn
        self._lock = txn.lock
        table = quote("docs:" + name)
        self._sql_table = table
        self._sql_insert = f"INSERT INTO {table} (doc) VALUES (?)"
        self._sql_insert_id = f"INSERT INTO {table} (id, doc) VALUES (?, ?)"
        self._sql_all = f"SELECT id, doc FROM {table} ORDER BY id"
        self._sql_page = f"SELECT id, doc FROM {table} WHERE id > ? ORDER BY id LIMIT ?"
        self._sql_get = f"SELECT doc FROM {table} WHERE id = ?"
        self._sql_has = f"SELECT 1 FROM {table} WHERE id = ?"
        self._sql_update = f"UPDATE {table} SET doc = ? WHERE id = ?"
        self._sql_delete = f"DELETE FROM {table} WHERE id = ?"
        self._sql_count = f"SELECT count(*) FROM {table}"
        self._sql_first = f"SELECT min(id) FROM {table}"
        self._sql_last = "SELECT seq FROM sqlite_sequence WHERE name = ?"
        self._sql_remove_through = f"DELETE FROM {table} WHERE id <= ?"

    # plumbing --------------------------------------------------------------

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row ``sql`` selects; none while the table does not exist."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                return self._missing(exc)

    def _missing(self, exc: sqlite3.OperationalError) -> list[Any]:
        """The rows of a table that does not exist; ``exc`` again if that is not why it failed."""
        if not no_such_table(exc):
            raise exc
        self._known.pop(self.name, None)
        return []  # a table nobody wrote to yet is empty

    def write(self, operation: Callable[[*Ts], T], *args: *Ts) -> T:
        """Run ``operation(*args)`` in a write transaction, creating the table if needed."""
        with self._txn:
            if self.name not in self._known:
                self.set_indexed(self._ensure_table(self.name, self.declared))
            try:
                return operation(*args)
            except sqlite3.OperationalError as exc:
                if not no_such_table(exc):
                    raise
                # Another handle dropped the table after we created it. The
                # failing statement was the operation's first, so retrying
                # from the start repeats nothing.
                self._known.pop(self.name, None)
                self.set_indexed(self._ensure_table(self.name, self.declared))
                return operation(*args)

    # reads -----------------------------------------------------------------

    def get(self, doc_id: int) -> str | None:
        """The text of document ``doc_id``, or None."""
        # fetch() written out: reading one document by its id is the hottest read.
        with self._lock:
            try:
                rows = self._conn.execute(self._sql_get, (doc_id,)).fetchall()
            except sqlite3.OperationalError as exc:
                rows = self._missing(exc)
        return rows[0][0] if rows else None

    def has(self, doc_id: int) -> bool:
        """Whether document ``doc_id`` exists."""
        return bool(self.fetch(self._sql_has, (doc_id,)))

    def all(self) -> list[tuple[int, str]]:
        """``(id, text)`` of every document, in id order."""
        return self.fetch(self._sql_all)

    def page(self, after: int, size: int) -> list[tuple[int, str]]:
        """Up to ``size`` rows with ids above ``after``, in id order."""
        return self.fetch(self._sql_page, (after, size))

    def by_ids(self, ids: list[int]) -> dict[int, str]:
        """The text of each document in ``ids`` that exists."""
        found: dict[int, str] = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, doc FROM {self._sql_table} WHERE id IN ({marks})"
            found.update(self.fetch(sql, chunk))
        return found

    def _sql_for(self, description: Any) -> tuple[str, list[Any]]:
        """The SELECT for a query description: narrowed by an index if possible."""
        self.refresh()
        pushed = translate(description, self._expressions) if self.indexed else None
        if pushed is None:
            return self._sql_all, []
        where, params = pushed
        sql = f"SELECT id, doc FROM {self._sql_table} WHERE {where} ORDER BY id"
        return sql, params

    def select(self, description: Any) -> list[tuple[int, str]]:
        """Rows that may match the query ``description``, in id order."""
        return self.fetch(*self._sql_for(description))

    async def select_soon(
        self, field: str, values: list[Any], description: Any
    ) -> list[tuple[int, str]]:
        """``select`` for awaiting callers: an SQLite read is quicker than a turn of the loop."""
        del field, values
        return self.select(description)

    def plan(self, description: Any) -> list[str]:
        """SQLite's ``EXPLAIN QUERY PLAN`` lines for the rows ``select`` reads."""
        sql, params = self._sql_for(description)
        rows = self.fetch(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in rows]

    def first(self, cond: QueryLike, new: type[D]) -> D | None:
        """The first document, in id order, that matches ``cond``."""
        # Reads row by row and stops at the first match, instead of select().
        sql, params = self._sql_for(getattr(cond, "_hash", None))
        with self._lock:
            try:
                cursor = self._conn.execute(sql, params)
            except sqlite3.OperationalError as exc:
                if not no_such_table(exc):
                    raise
                return None
            try:
                for doc_id, text in cursor:
                    doc = new(decode(text), doc_id)
                    if cond(doc):
                        return doc
            finally:
                cursor.close()  # ends the read; an open statement pins the WAL
        return None

    def count(self) -> int:
        """How many documents there are."""
        rows = self.fetch(self._sql_count)
        return rows[0][0] if rows else 0

    def first_id(self) -> int | None:
        """The smallest id in the table, or None when it is empty."""
        rows = self.fetch(self._sql_first)
        return rows[0][0] if rows else None

    def last_id(self) -> int:
        """The largest id handed out so far, even if that document is gone; 0 if none."""
        rows = self.fetch(self._sql_last, ("docs:" + self.name,))
        return rows[0][0] if rows else 0

    # reads along an index, a page at a time ----------------------------------

    def along_id(self, description: Any, newest_first: bool) -> IdPages:
        """``page(last, size)``: up to ``size`` rows past id ``last`` that may match.

        Rows come in id order, or newest first; narrowed through an index
        together with the primary key when the query allows it.
        """
        sql = f"SELECT id, doc FROM {self._sql_table} WHERE id {'<' if newest_first else '>'} ?"
        params: list[Any] = []
        pushed = None
        if description is not None:
            self.refresh()
            pushed = translate(description, self._expressions) if self.indexed else None
        if pushed is not None:
            sql += f" AND ({pushed[0]})"
            params = pushed[1]
        sql += f" ORDER BY id {'DESC' if newest_first else ''} LIMIT ?"
        return lambda last, size: self.fetch(sql, [last, *params, size])

    def along(self, field: str, description: Any) -> IndexPages:
        """``page(past, size)``: up to ``size`` rows ``(id, text, value)``, largest ``field`` first.

        Read backwards through the index on ``field`` (ties by id, newest
        first) from past ``past = (value, id)``, or from the top when it is
        None; rows without the field are never read.
        """
        self.refresh()
        if field not in self.indexed:
            raise ValueError(f"newest() needs an index on {field!r}")
        expression = self._expressions[field]
        where, params = f"{expression} IS NOT NULL", []
        pushed = translate(description, self._expressions)
        if pushed is not None:
            where += f" AND ({pushed[0]})"
            params = pushed[1]
        first = f"SELECT id, doc, {expression} FROM {self._sql_table} WHERE {where}"
        order = f" ORDER BY {expression} DESC, id DESC LIMIT ?"
        later = first + f" AND ({expression} < ? OR ({expression} = ? AND id < ?))"

        def page(past: tuple[Any, int] | None, size: int) -> list[tuple[int, str, Any]]:
            if past is None:
                return self.fetch(first + order, [*params, size])
            value, last_id = past
            return self.fetch(later + order, [*params, value, value, last_id, size])

        return page

    def project(
        self, fields: Iterable[str], where: tuple[str, Iterable[Any]] | None
    ) -> list[tuple[int, list[Any]]]:
        """``(id, [value of each field])`` for every document, in id order; None if missing."""
        names = [check_field(name) for name in fields]
        # One path gives a bare value, several a JSON array: always ask for an array.
        paths = ", ".join(f"'$.{name}'" for name in [*names, names[0]])
        select = f"SELECT id, json_extract(doc, {paths}) FROM {self._sql_table}"
        if where is None:
            rows = self.fetch(f"{select} ORDER BY id")
        else:
            field, values = extract(check_field(where[0])), list(dict.fromkeys(where[1]))
            rows = []
            for chunk in chunks(values):
                marks = ",".join("?" * len(chunk))
                rows += self.fetch(f"{select} WHERE {field} IN ({marks})", chunk)
            rows.sort()
        return [(doc_id, decode_values(text)[:-1]) for doc_id, text in rows]

    # writes: inside ``write`` ----------------------------------------------------

    def insert(self, text: str) -> int:
        """Insert a document; SQLite picks its id."""
        doc_id = self._conn.execute(self._sql_insert, (text,)).lastrowid
        if doc_id is None:  # never after an INSERT; None is the value before any
            raise sqlite3.InterfaceError("INSERT gave no row id")
        return doc_id

    def insert_with_id(self, doc_id: object, text: str) -> int:
        """Insert a document under ``doc_id``; ValueError if that id is taken."""
        checked = id_or_error(doc_id)
        try:
            self._conn.execute(self._sql_insert_id, (checked, text))
        except sqlite3.IntegrityError:
            raise ValueError(f"Document with ID {checked} already exists") from None
        return checked

    def insert_many(self, prepared: Iterable[tuple[object | None, str]]) -> list[int]:
        """Insert ``(id or None, text)`` pairs in order; their ids."""
        ids = []
        for doc_id, text in prepared:
            if doc_id is None:
                ids.append(self.insert(text))
            else:
                ids.append(self.insert_with_id(doc_id, text))
        return ids

    def update(self, changes: list[tuple[str, int]]) -> None:
        """Store each ``(text, id)`` pair."""
        self._conn.executemany(self._sql_update, changes)

    def delete(self, ids: list[int]) -> None:
        """Delete the documents ``ids``."""
        self._conn.executemany(self._sql_delete, ((i,) for i in ids))

    def delete_through(self, doc_id: int) -> int:
        """Delete every document whose id is at most ``doc_id``; how many."""
        return self._conn.execute(self._sql_remove_through, (doc_id,)).rowcount

    def delete_all(self) -> None:
        """Delete every document; the id sequence stays where it is."""
        self._conn.execute(f"DELETE FROM {self._sql_table}")

    def insert_rows(self, rows: Iterable[tuple[int, str]]) -> None:
        """Insert ``(id, text)`` rows as they are."""
        self._conn.executemany(self._sql_insert_id, rows)

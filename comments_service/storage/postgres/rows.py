"""The rows of one document table on PostgreSQL: every statement a table runs on them.

The same methods as the SQLite engine's rows; queries narrowed through an
index compare the field's text (``queries.translate`` picks which values
may be compared), and the table applies the Python condition to every row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, TypeVarTuple

import psycopg
from tinydb.queries import QueryLike
from tinydb.table import Document

from ..documents import check_field, decode, decode_values, id_or_error
from ..indexes import IndexedRows
from .memory import Memory
from .reader import Reader
from .tables import PostgresTables, Statements, extract, narrowed, texts
from .transactions import Transaction

T = TypeVar("T")
D = TypeVar("D", bound=Document)
Ts = TypeVarTuple("Ts")

IdPages = Callable[[int, int], list[tuple[int, str]]]
IndexPages = Callable[[tuple[Any, int] | None, int], list[tuple[int, str, Any]]]
FIRST_PAGE = 200  # rows read at a time while looking for the first match
DEFER_AT_MOST = 100  # updates sent with the next statement; more go at once, as one batch


class PostgresRows(IndexedRows):
    """One document table's rows on one storage, and the fields known to be indexed."""

    def __init__(
        self,
        name: str,
        declared: frozenset[str],
        txn: Transaction,
        tables: PostgresTables,
        reader: Reader | None = None,
    ) -> None:
        super().__init__(name, declared, txn, tables.known, tables.ensure, extract)
        self._reader = reader
        self._transaction = txn
        self._storage = txn.session
        self._tables = tables
        self._sql = Statements.of(name)
        self._table_sql = self._sql.table

    # what this transaction read and wrote (memory.py) ---------------------------

    def _memory(self) -> Memory | None:
        return self._transaction.memory(self.name)

    def _wrote(self, rows: Iterable[tuple[int, str]] = ()) -> None:
        memory.wrote(rows) if (memory := self._memory()) is not None else None

    # plumbing --------------------------------------------------------------

    def fetch(self, statement: bytes | str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row ``statement`` selects."""
        return self._storage.execute(statement, params).fetchall()

    def write(self, operation: Callable[[*Ts], T], *args: *Ts) -> T:
        """Run ``operation(*args)`` in a write transaction, creating the table if needed."""
        with self._transaction:
            if self.name not in self._known:
                self.set_indexed(self._ensure_table(self.name, self.declared))
            return operation(*args)

    # reads -----------------------------------------------------------------

    def get(self, doc_id: int) -> str | None:
        """The text of document ``doc_id``, or None."""

        def read() -> str | None:
            rows = self.fetch(self._sql.get, (doc_id,))
            return rows[0][0] if rows else None

        memory = self._memory()
        return read() if memory is None else memory.row(doc_id, read)

    def has(self, doc_id: int) -> bool:
        """Whether document ``doc_id`` exists."""
        return bool(self.fetch(self._sql.has, (doc_id,)))

    def all(self) -> list[tuple[int, str]]:
        """``(id, text)`` of every document, in id order."""
        return self.fetch(self._sql.all)

    def page(self, after: int, size: int) -> list[tuple[int, str]]:
        """Up to ``size`` rows with ids above ``after``, in id order."""
        return self.fetch(self._sql.page, (after, size))

    def by_ids(self, ids: list[int]) -> dict[int, str]:
        """The text of each document in ``ids`` that exists."""

        def read(wanted: list[int]) -> dict[int, str]:
            return dict(self.fetch(self._sql.by_ids, (wanted,))) if wanted else {}

        memory = self._memory()
        return read(ids) if memory is None else memory.some(ids, read)

    def _sql_for(self, description: Any) -> tuple[str | bytes, list[Any]]:
        self.refresh()
        pushed = narrowed(description, self._expressions) if self.indexed else None
        if pushed is None:
            return self._sql.all, []
        where, params = pushed
        return f"SELECT id, doc FROM {self._table_sql} WHERE {where} ORDER BY id", params

    def select(self, description: Any) -> list[tuple[int, str]]:
        """Rows that may match the query ``description``, in id order."""
        statement, params = self._sql_for(description)
        memory = self._memory()
        if memory is None:
            return self.fetch(statement, params)
        return memory.answer(statement, params, lambda: self.fetch(statement, params))

    def wanted(self, description: Any) -> tuple[tuple[bytes | str, list[Any]], Memory] | None:
        """What ``select(description)`` would send in this write transaction, and the
        memory its answer goes to; None if known already or outside one."""
        memory = self._memory()
        if memory is None:
            return None
        statement, params = self._sql_for(description)
        if statement == self._sql.all or memory.knows(statement, params):
            return None  # not narrowed by an index (no whole table ahead of time), or known
        return (statement, params), memory

    async def select_soon(
        self, field: str, values: list[Any], description: Any
    ) -> list[tuple[int, str]]:
        """``select`` of ``field`` one of ``values`` (as ``description``) over the
        reader's connection; inside a transaction, or if the reader fails, inline."""
        self.refresh()
        if self._reader is None or self._transaction.depth or field not in self.indexed:
            return self.select(description)
        try:
            return await self._reader.rows_where(
                self._table_sql, self._expressions[field], texts(values)
            )
        except psycopg.Error:
            return self.select(description)  # the main connection's errors are the ones to give

    def plan(self, description: Any) -> list[str]:
        """PostgreSQL's ``EXPLAIN`` lines for the rows ``select`` reads."""
        statement, params = self._sql_for(description)
        text = statement.decode() if isinstance(statement, bytes) else statement
        return [str(row[0]) for row in self.fetch("EXPLAIN " + text, params)]

    def first(self, cond: QueryLike, new: type[D]) -> D | None:
        """The first document, in id order, that matches ``cond``.

        Narrowed by an index, the candidates are read at once (a LIMIT along
        the ids would lead PostgreSQL to walk the primary key instead of the
        index); otherwise a page at a time, stopping at the first match.
        """
        description = getattr(cond, "_hash", None)
        self.refresh()
        if self.indexed and narrowed(description, self._expressions) is not None:
            pages: Iterable[list[tuple[int, str]]] = [self.select(description)]
        else:
            pages = self._pages(self.along_id(description, False))
        for rows in pages:  # narrowed ones are remembered by select
            for doc_id, text in rows:
                doc = new(decode(text), doc_id)
                if cond(doc):
                    return doc
        return None

    @staticmethod
    def _pages(page: IdPages) -> Iterator[list[tuple[int, str]]]:
        last = 0
        while rows := page(last, FIRST_PAGE):
            yield rows
            last = rows[-1][0]

    def count(self) -> int:
        """How many documents there are."""
        return int(self.fetch(self._sql.count)[0][0])

    def first_id(self) -> int | None:
        """The smallest id in the table, or None when it is empty."""
        rows = self.fetch(self._sql.first)
        return rows[0][0] if rows else None

    def last_id(self) -> int:
        """The largest id handed out so far, even if that document is gone; 0 if none."""
        return int(self.fetch(self._sql.last)[0][0])

    # reads along an index, a page at a time ----------------------------------

    def along_id(self, description: Any, newest_first: bool) -> IdPages:
        """``page(last, size)``: up to ``size`` rows past id ``last`` that may match."""
        statement = (
            f"SELECT id, doc FROM {self._table_sql} WHERE id {'<' if newest_first else '>'} %s"
        )
        params: list[Any] = []
        pushed = None
        if description is not None:
            self.refresh()
            pushed = narrowed(description, self._expressions) if self.indexed else None
        if pushed is not None:
            statement += f" AND ({pushed[0]})"
            params = pushed[1]
        statement += f" ORDER BY id {'DESC' if newest_first else ''} LIMIT %s"
        return lambda last, size: self.fetch(statement, [last, *params, size])

    def along(self, field: str, description: Any) -> IndexPages:
        """``page(past, size)``: up to ``size`` rows ``(id, text, value)``, largest ``field`` first.

        The field's text orders the rows (Kurier reads times this way, which
        sort as text).
        """
        self.refresh()
        if field not in self.indexed:
            raise ValueError(f"newest() needs an index on {field!r}")
        expression = self._expressions[field]
        where, params = f"{expression} IS NOT NULL", []
        pushed = narrowed(description, self._expressions)
        if pushed is not None:
            where += f" AND ({pushed[0]})"
            params = pushed[1]
        first = f"SELECT id, doc, {expression} FROM {self._table_sql} WHERE {where}"
        later = first + f" AND ({expression} < %s OR ({expression} = %s AND id < %s))"
        order = f" ORDER BY {expression} DESC, id DESC LIMIT %s"

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
        paths = ", ".join("j #> '{" + ",".join(name.split(".")) + "}'" for name in names)
        select = (
            f"SELECT id, json_build_array({paths})::text"
            f" FROM (SELECT id, doc::json AS j FROM {self._table_sql}"
        )
        if where is None:
            rows = self.fetch(f"{select}) AS t ORDER BY id")
        else:
            field = extract(check_field(where[0]))
            values = texts(where[1])
            rows = self.fetch(f"{select} WHERE {field} = ANY(%s)) AS t ORDER BY id", [values])
        return [(doc_id, decode_values(text)) for doc_id, text in rows]

    # writes: inside ``write`` ----------------------------------------------------

    def insert(self, text: str) -> int:
        """Insert a document; the table's sequence picks its id."""
        doc_id = int(self.fetch(self._sql.insert, (text,))[0][0])
        self._wrote([(doc_id, text)])
        return doc_id

    def insert_with_id(self, doc_id: object, text: str) -> int:
        """Insert a document under ``doc_id``; ValueError if that id is taken."""
        checked = id_or_error(doc_id)
        # Asked first: a failed INSERT would end PostgreSQL's whole transaction.
        if self.has(checked):
            raise ValueError(f"Document with ID {checked} already exists")
        self._storage.execute(self._sql.insert_id, (checked, text))
        self._tables.raise_sequence(self.name, checked)
        self._wrote([(checked, text)])
        return checked

    def insert_many(self, prepared: Iterable[tuple[object | None, str]]) -> list[int]:
        """Insert ``(id or None, text)`` pairs in order; their ids.

        Documents that all bring free ids of their own are copied in at once
        (COPY); otherwise one at a time.
        """
        rows = list(prepared)
        if rows and all(doc_id is not None for doc_id, _ in rows):
            ids = [id_or_error(doc_id) for doc_id, _ in rows]
            if len(set(ids)) == len(ids) and not self.fetch(self._sql.by_ids, (ids,)):
                texts = [text for _, text in rows]
                copied = list(zip(ids, texts, strict=True))
                self._tables.put_rows(self.name, copied)
                self._wrote(copied)
                return ids
        return [
            self.insert(text) if doc_id is None else self.insert_with_id(doc_id, text)
            for doc_id, text in rows
        ]

    def update(self, changes: list[tuple[str, int]]) -> None:
        """Store each ``(text, id)`` pair: sent with the next statement (nothing to
        wait for), a great many at once in one batch."""
        if len(changes) > DEFER_AT_MOST:
            with self._storage.cursor() as cursor:
                cursor.executemany(self._sql.update, changes)
        else:
            for change in changes:
                self._storage.defer(self._sql.update, change)
        self._wrote((doc_id, text) for text, doc_id in changes)

    def delete(self, ids: list[int]) -> None:
        """Delete the documents ``ids``, sent with the next statement."""
        if ids:
            self._storage.defer(self._sql.delete, (ids,))
            if (memory := self._memory()) is not None:
                memory.deleted(ids)

    def delete_through(self, doc_id: int) -> int:
        """Delete every document whose id is at most ``doc_id``; how many."""
        self._forget()
        return self._storage.execute(self._sql.remove_through, (doc_id,)).rowcount

    def delete_all(self) -> None:
        """Delete every document; the id sequence stays where it is."""
        self._forget()
        self._storage.execute(f"DELETE FROM {self._table_sql}")

    def _forget(self) -> None:
        memory.deleted() if (memory := self._memory()) is not None else None

    def insert_rows(self, rows: Iterable[tuple[int, str]]) -> None:
        """Insert ``(id, text)`` rows as they are."""
        rows = list(rows)
        self._tables.put_rows(self.name, rows)
        self._wrote(rows)

"""The rows of one document table on PostgreSQL: every statement a table runs on them.

The same methods as the SQLite engine's rows; queries narrowed through an
index compare the field's text (``queries.translate`` picks which values
may be compared), and the table applies the Python condition to every row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, TypeVarTuple

from psycopg import sql
from tinydb.queries import QueryLike
from tinydb.table import Document

from ..documents import check_field, decode, decode_values, id_or_error
from ..indexes import IndexedRows
from ..queries import translate
from .tables import PostgresTables, extract, last_id_sql, table_id
from .transactions import Transaction

T = TypeVar("T")
D = TypeVar("D", bound=Document)
Ts = TypeVarTuple("Ts")

IdPages = Callable[[int, int], list[tuple[int, str]]]
IndexPages = Callable[[tuple[Any, int] | None, int], list[tuple[int, str, Any]]]
FIRST_PAGE = 200  # rows read at a time while looking for the first match


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


class PostgresRows(IndexedRows):
    """One document table's rows on one storage, and the fields known to be indexed."""

    def __init__(
        self, name: str, declared: frozenset[str], txn: Transaction, tables: PostgresTables
    ) -> None:
        super().__init__(name, declared, txn, tables.known, tables.ensure, extract)
        self._txn = txn
        self._storage = txn.session
        self._tables = tables
        table = table_id(name)
        self._table = table

        def statement(text: str) -> bytes:
            return sql.SQL(text).format(table=table).as_bytes()

        self._sql_insert = statement("INSERT INTO {table} (doc) VALUES (%s) RETURNING id")
        self._sql_insert_id = statement("INSERT INTO {table} (id, doc) VALUES (%s, %s)")
        self._sql_all = statement("SELECT id, doc FROM {table} ORDER BY id")
        self._sql_page = statement("SELECT id, doc FROM {table} WHERE id > %s ORDER BY id LIMIT %s")
        self._sql_get = statement("SELECT doc FROM {table} WHERE id = %s")
        self._sql_has = statement("SELECT 1 FROM {table} WHERE id = %s")
        self._sql_update = statement("UPDATE {table} SET doc = %s WHERE id = %s")
        self._sql_delete = statement("DELETE FROM {table} WHERE id = ANY(%s)")
        self._sql_count = statement("SELECT count(*) FROM {table}")
        self._sql_first = statement("SELECT min(id) FROM {table}")
        self._sql_by_ids = statement("SELECT id, doc FROM {table} WHERE id = ANY(%s)")
        self._sql_last = last_id_sql(name).as_bytes()
        self._sql_remove_through = statement("DELETE FROM {table} WHERE id <= %s")
        self._table_sql = sql.SQL("{table}").format(table=table).as_string()

    # plumbing --------------------------------------------------------------

    def fetch(self, statement: bytes | str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row ``statement`` selects."""
        return self._storage.execute(statement, params).fetchall()

    def write(self, operation: Callable[[*Ts], T], *args: *Ts) -> T:
        """Run ``operation(*args)`` in a write transaction, creating the table if needed."""
        with self._txn:
            if self.name not in self._known:
                self.set_indexed(self._ensure_table(self.name, self.declared))
            return operation(*args)

    # reads -----------------------------------------------------------------

    def get(self, doc_id: int) -> str | None:
        """The text of document ``doc_id``, or None."""
        rows = self.fetch(self._sql_get, (doc_id,))
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
        return dict(self.fetch(self._sql_by_ids, (ids,))) if ids else {}

    def _sql_for(self, description: Any) -> tuple[str | bytes, list[Any]]:
        self.refresh()
        pushed = narrowed(description, self._expressions) if self.indexed else None
        if pushed is None:
            return self._sql_all, []
        where, params = pushed
        return f"SELECT id, doc FROM {self._table_sql} WHERE {where} ORDER BY id", params

    def select(self, description: Any) -> list[tuple[int, str]]:
        """Rows that may match the query ``description``, in id order."""
        return self.fetch(*self._sql_for(description))

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
        for rows in pages:
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
        return int(self.fetch(self._sql_count)[0][0])

    def first_id(self) -> int | None:
        """The smallest id in the table, or None when it is empty."""
        rows = self.fetch(self._sql_first)
        return rows[0][0] if rows else None

    def last_id(self) -> int:
        """The largest id handed out so far, even if that document is gone; 0 if none."""
        return int(self.fetch(self._sql_last)[0][0])

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
        return int(self.fetch(self._sql_insert, (text,))[0][0])

    def insert_with_id(self, doc_id: object, text: str) -> int:
        """Insert a document under ``doc_id``; ValueError if that id is taken."""
        checked = id_or_error(doc_id)
        # Asked first: a failed INSERT would end PostgreSQL's whole transaction.
        if self.has(checked):
            raise ValueError(f"Document with ID {checked} already exists")
        self._storage.execute(self._sql_insert_id, (checked, text))
        self._tables.raise_sequence(self.name, checked)
        return checked

    def insert_many(self, prepared: Iterable[tuple[object | None, str]]) -> list[int]:
        """Insert ``(id or None, text)`` pairs in order; their ids.

        Documents that all bring free ids of their own are copied in at once
        (COPY); otherwise one at a time.
        """
        rows = list(prepared)
        if rows and all(doc_id is not None for doc_id, _ in rows):
            ids = [id_or_error(doc_id) for doc_id, _ in rows]
            if len(set(ids)) == len(ids) and not self.fetch(self._sql_by_ids, (ids,)):
                texts = [text for _, text in rows]
                self._tables.put_rows(self.name, list(zip(ids, texts, strict=True)))
                return ids
        return [
            self.insert(text) if doc_id is None else self.insert_with_id(doc_id, text)
            for doc_id, text in rows
        ]

    def update(self, changes: list[tuple[str, int]]) -> None:
        """Store each ``(text, id)`` pair."""
        if changes:
            with self._storage.cursor() as cursor:
                cursor.executemany(self._sql_update, changes)

    def delete(self, ids: list[int]) -> None:
        """Delete the documents ``ids``."""
        if ids:
            self._storage.execute(self._sql_delete, (ids,))

    def delete_through(self, doc_id: int) -> int:
        """Delete every document whose id is at most ``doc_id``; how many."""
        return self._storage.execute(self._sql_remove_through, (doc_id,)).rowcount

    def delete_all(self) -> None:
        """Delete every document; the id sequence stays where it is."""
        self._storage.execute(sql.SQL("DELETE FROM {}").format(self._table))

    def insert_rows(self, rows: Iterable[tuple[int, str]]) -> None:
        """Insert ``(id, text)`` rows as they are."""
        self._tables.put_rows(self.name, list(rows))

"""RowsTable: a TinyDB table on the rows an engine keeps, and its reads a page at a time.

What every document table has besides TinyDB's public API (table.py): its
storage and the engine's rows, its indexes and ids, reads along the ids or an
index a page at a time, and TinyDB's internals kept safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tinydb.queries import QueryLike
from tinydb.table import Document, Table

from . import pages
from .documents import INT64_MAX, check_fields, decode, encode_document, id_or_error

if TYPE_CHECKING:
    from .engines import EngineRows, EngineStorage


class RowsTable(Table):
    """A TinyDB table on one engine's rows of one table, without TinyDB's cache or id counter."""

    _storage: EngineStorage

    def __init__(
        self,
        storage: EngineStorage,
        name: str,
        indexes: Iterable[str] = (),
        cache_size: int = 0,
        persist_empty: bool = False,
    ) -> None:
        # Table.__init__ is deliberately not called: it sets up the query
        # cache and the next-id counter, both of which lose writes when
        # several processes share the file.
        if not callable(getattr(storage, "rows", None)):
            raise TypeError(f"{type(self).__name__} needs a Kurier storage, not {storage!r}")
        self._storage = storage
        self._rows: EngineRows = storage.rows(name, indexes, persist_empty)
        self._name = self._rows.name

    def add_indexes(self, indexes: Iterable[str]) -> None:
        """Declare more indexed fields; creates the indexes that are missing."""
        self._rows.add_indexes(check_fields(indexes))

    @property
    def engine_rows(self) -> EngineRows:
        """The engine's rows under this table (what the storage's ``prefetch`` asks)."""
        return self._rows

    @property
    def indexes(self) -> frozenset[str]:
        """Fields whose equality queries this table narrows in SQL."""
        self._rows.refresh()
        return self._rows.indexed

    @property
    def storage(self) -> EngineStorage:
        """The table's storage."""
        return self._storage

    def query_plan(self, cond: QueryLike) -> list[str]:
        """The database's plan, one line per step, for the rows ``search(cond)`` reads."""
        return self._rows.plan(getattr(cond, "_hash", None))

    # ids and size ---------------------------------------------------------

    def first_id(self) -> int | None:
        """The smallest id in the table, or None when it is empty."""
        return self._rows.first_id()

    def last_id(self) -> int:
        """The largest id handed out so far, even if that document is gone; 0 if none."""
        return self._rows.last_id()

    def clear_cache(self) -> None:
        """Nothing to clear: there is no query cache."""

    def __len__(self) -> int:
        return self._rows.count()

    def __iter__(self) -> Iterator[Document]:
        # Page by id so that no statement stays open while the caller works.
        return pages.every(self._rows, self.document_class)

    # reads along an index, a page at a time ----------------------------------

    def after(self, doc_id: int, limit: int, cond: QueryLike | None = None) -> list[Document]:
        """Up to ``limit`` documents with ids above ``doc_id`` (matching ``cond``), in id order.

        Reads by the primary key, or through an index together with it when
        ``cond`` narrows on an indexed field, so the cost depends on what is
        returned, not on how long the table is.
        """
        return pages.by_id(self._rows, self.document_class, doc_id, limit, cond, False)

    def before(
        self, doc_id: int | None, limit: int, cond: QueryLike | None = None
    ) -> list[Document]:
        """Up to ``limit`` documents with ids below ``doc_id`` (None: any), newest first.

        The mirror of ``after``, for lists read newest first a page at a time.
        """
        start = INT64_MAX if doc_id is None else doc_id
        return pages.by_id(self._rows, self.document_class, start, limit, cond, True)

    def newest(self, field: str, limit: int, cond: QueryLike | None = None) -> list[Document]:
        """Up to ``limit`` documents matching ``cond`` with the largest ``field``, largest first.

        ``field`` must be indexed: the rows are read backwards through its
        index (ties by id, newest first), a page at a time, so the cost
        depends on what is returned, not on how long the table is. Documents
        without the field are never returned.
        """
        return pages.by_largest(self._rows, self.document_class, field, limit, cond)

    def project(
        self, fields: Iterable[str], where: tuple[str, Iterable[Any]] | None = None
    ) -> list[tuple[int, list[Any]]]:
        """``(id, [value of each field])`` for every document, in id order; None if missing.

        The database extracts the fields, so only they are decoded: reports
        over whole tables read 100,000 comments in a fraction of the time
        ``all()`` takes. ``where=(field, values)`` keeps the documents whose
        indexed ``field`` is one of ``values``.
        """
        return self._rows.project(fields, where)

    # TinyDB internals, kept safe for code written against the base class ---

    def _get_next_id(self) -> int:
        raise NotImplementedError("the storage chooses ids inside the write transaction")

    def _read_table(self) -> dict[str, Mapping[str, Any]]:
        return {str(doc_id): decode(text) for doc_id, text in self._rows.all()}

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        rows = self._rows

        def operation() -> None:
            table = {i: decode(text) for i, text in rows.all()}
            updater(table)
            rows.delete_all()
            rows.insert_rows((id_or_error(i), encode_document(d)) for i, d in table.items())

        rows.write(operation)

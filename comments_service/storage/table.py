"""DocumentTable: TinyDB's Table API on the rows an engine keeps, the same for every engine.

The table decides what TinyDB's calls mean (which documents match, what an
update changes, which ids come back); the engine's rows object runs the
statements. Conditions are always checked here in Python, on every row the
engine returns, so an engine may narrow by an index but never decides a match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, NoReturn, overload

from tinydb.queries import Query, QueryLike
from tinydb.table import Document

from .documents import as_id, decode, encode, encode_document, unique_ids
from .rows_table import RowsTable

if TYPE_CHECKING:
    from .engines import EngineRows

#: What ``update`` writes: fields to set, or a function that changes a document in place.
Fields = Mapping[str, Any] | Callable[[MutableMapping[str, Any]], None]


class DocumentTable(RowsTable):
    """A TinyDB table whose documents are rows of one SQL table.

    The public ``Table`` API behaves as in TinyDB, with these differences:
    results come in id order; ids are chosen by the database inside the write
    transaction and never reused, not even after ``truncate()``; there is no
    query cache. Equality on an indexed field (``==``, ``one_of``, ``fragment``
    and ``&``/``|`` combinations) narrows the rows in SQL through the index;
    the Python condition is still applied to every fetched row. Its storage,
    indexes, ids and reads a page at a time are RowsTable's.
    """

    # writes ----------------------------------------------------------------

    def insert(self, document: Mapping[str, Any]) -> int:
        """Insert a document; a ``Document`` keeps its ``doc_id``. Returns the id."""
        text = encode_document(document)
        rows = self._rows
        if isinstance(document, self.document_class):
            return rows.write(rows.insert_with_id, document.doc_id, text)
        return rows.write(rows.insert, text)

    def insert_multiple(self, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        """Insert documents in one transaction; returns their ids in order."""
        new = self.document_class
        prepared = [
            (doc.doc_id if isinstance(doc, new) else None, encode_document(doc))
            for doc in documents
        ]
        return self._rows.write(self._rows.insert_many, prepared)

    def update(
        self,
        fields: Fields,
        cond: QueryLike | None = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        """Update matching documents (all without ``cond``/``doc_ids``); their ids.

        Ids in ``doc_ids`` that do not exist are skipped, repeats count once.
        """
        if callable(fields):
            apply = fields
        else:

            def apply(doc: MutableMapping[str, Any]) -> None:
                doc.update(fields)

        wanted = None if doc_ids is None else unique_ids(doc_ids)
        rows = self._rows

        def operation() -> list[int]:
            if wanted is not None:
                found = rows.by_ids(wanted)
                targets = [(i, decode(found[i])) for i in wanted if i in found]
            elif cond is not None:
                targets = _matching(rows, cond)
            else:
                targets = [(i, decode(text)) for i, text in rows.all()]
            changes = []
            for doc_id, doc in targets:
                apply(doc)
                changes.append((encode(doc), doc_id))
            rows.update(changes)
            return [doc_id for _, doc_id in changes]

        return rows.write(operation)

    def update_multiple(
        self,
        updates: Iterable[tuple[Fields, QueryLike]],
    ) -> list[int]:
        """Apply each ``(fields, cond)`` pair to the documents it matches.

        As in TinyDB, an id is listed once per pair that matched it.
        """
        pairs = list(updates)
        rows = self._rows

        def operation() -> list[int]:
            # Narrow by an index only if every condition can be narrowed.
            hashes = [getattr(cond, "_hash", None) for _, cond in pairs]
            if pairs and all(h is not None for h in hashes):
                found = rows.select(("or", frozenset(hashes)))
            else:
                found = rows.all()
            updated, changes = _apply_each(found, pairs)
            rows.update(changes)
            return updated

        return rows.write(operation)

    def upsert(self, document: Mapping[str, Any], cond: QueryLike | None = None) -> list[int]:
        """Update documents matching ``cond`` (or the Document's id), else insert."""
        if isinstance(document, self.document_class) and hasattr(document, "doc_id"):
            doc_ids: list[int] | None = [document.doc_id]
        else:
            doc_ids = None
        if doc_ids is None and cond is None:
            raise ValueError(
                "If you don't specify a search query, you must specify a doc_id."
                " Hint: use a table.Document object."
            )
        with self._storage.transaction():  # find-then-insert must not race another process
            updated = self.update(document, cond, doc_ids)
            if updated:
                return updated
            return [self.insert(document)]

    def remove(
        self,
        cond: QueryLike | None = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        """Remove matching documents; their ids. Missing ids are skipped."""
        if doc_ids is None and cond is None:
            raise RuntimeError("Use truncate() to remove all documents")
        wanted = None if doc_ids is None else unique_ids(doc_ids)
        rows = self._rows

        def operation() -> list[int]:
            if wanted is not None:
                found = rows.by_ids(wanted)
                removed = [doc_id for doc_id in wanted if doc_id in found]
            elif cond is not None:
                removed = [doc_id for doc_id, _ in _matching(rows, cond)]
            else:  # refused above
                removed = []
            rows.delete(removed)
            return removed

        return rows.write(operation)

    def truncate(self) -> None:
        """Remove every document. Unlike TinyDB, ids are not reused afterwards."""
        self._rows.write(self._rows.delete_all)

    def remove_through(self, doc_id: int) -> int:
        """Remove every document whose id is at most ``doc_id``; how many were removed."""
        return self._rows.write(self._rows.delete_through, doc_id)

    # reads -----------------------------------------------------------------

    def all(self) -> list[Document]:
        """Every document, in id order."""
        new = self.document_class
        return [new(decode(text), doc_id) for doc_id, text in self._rows.all()]

    def search(self, cond: QueryLike) -> list[Document]:
        """Documents matching ``cond``, in id order."""
        new = self.document_class
        return [new(doc, doc_id) for doc_id, doc in _matching(self._rows, cond)]

    # TinyDB's overloads: one document (or None) by ``cond`` or ``doc_id``, a list by ``doc_ids``.
    @overload
    def get(self) -> NoReturn: ...
    @overload
    def get(self, cond: QueryLike, doc_id: None = ..., doc_ids: None = ...) -> Document | None: ...
    @overload
    def get(
        self, *, cond: QueryLike, doc_id: None = ..., doc_ids: None = ...
    ) -> Document | None: ...
    @overload
    def get(
        self, cond: QueryLike | None, doc_id: int, doc_ids: list[Any] | None = ...
    ) -> Document | None: ...
    @overload
    def get(
        self, *, cond: QueryLike | None = ..., doc_id: int, doc_ids: list[Any] | None = ...
    ) -> Document | None: ...
    @overload
    def get(self, cond: QueryLike | None, doc_id: None, doc_ids: list[Any]) -> list[Document]: ...
    @overload
    def get(
        self, cond: QueryLike | None, *, doc_id: None = ..., doc_ids: list[Any]
    ) -> list[Document]: ...
    @overload
    def get(
        self, *, cond: QueryLike | None = ..., doc_id: None = ..., doc_ids: list[Any]
    ) -> list[Document]: ...

    def get(
        self,
        cond: QueryLike | None = None,
        doc_id: int | None = None,
        doc_ids: list[Any] | None = None,
    ) -> Document | list[Document] | None:
        """One document by id or the first matching ``cond``; a list for ``doc_ids``."""
        new = self.document_class
        if doc_id is not None:
            wanted = as_id(doc_id)
            if wanted is None:
                return None
            text = self._rows.get(wanted)
            return None if text is None else new(decode(text), wanted)
        if doc_ids is not None:
            found = self._rows.by_ids(unique_ids(doc_ids))
            return [new(decode(found[i]), i) for i in sorted(found)]
        if cond is not None:
            return self._rows.first(cond, new)
        raise RuntimeError("You have to pass either cond or doc_id or doc_ids")

    async def search_soon(self, field: str, values: Iterable[Any]) -> list[Document]:
        """``search(Query()[field].one_of(values))`` for an async caller: on an engine
        that waits for a server the worker serves other requests meanwhile, and
        callers asking at the same moment share one round trip."""
        wanted = list(values)
        cond = Query()[field].one_of(wanted)
        new = self.document_class
        found = await self._rows.select_soon(field, wanted, cond._hash)
        return [new(doc, doc_id) for doc_id, text in found if cond(doc := decode(text))]

    def contains(self, cond: QueryLike | None = None, doc_id: int | None = None) -> bool:
        """Whether a document with ``doc_id`` or matching ``cond`` exists."""
        if doc_id is not None:
            wanted = as_id(doc_id)
            return wanted is not None and self._rows.has(wanted)
        if cond is not None:
            return self._rows.first(cond, self.document_class) is not None
        raise RuntimeError("You have to pass either cond or doc_id")

    def count(self, cond: QueryLike) -> int:
        """How many documents match ``cond``."""
        return len(_matching(self._rows, cond))


def _matching(rows: EngineRows, cond: QueryLike) -> list[tuple[int, dict[str, Any]]]:
    """``(id, document)`` of every document matching ``cond``, in id order."""
    matches = []
    for doc_id, text in rows.select(getattr(cond, "_hash", None)):
        doc = decode(text)
        if cond(doc):
            matches.append((doc_id, doc))
    return matches


def _apply_each(
    found: list[tuple[int, str]],
    pairs: list[tuple[Fields, QueryLike]],
) -> tuple[list[int], list[tuple[str, int]]]:
    """``update_multiple`` on the rows found: the ids per matching pair, and the changed rows."""
    updated: list[int] = []
    changes: list[tuple[str, int]] = []
    for doc_id, text in found:
        doc = decode(text)
        changed = False
        for fields, cond in pairs:
            if cond(doc):
                updated.append(doc_id)
                changed = True
                if callable(fields):
                    fields(doc)
                else:
                    doc.update(fields)
        if changed:
            changes.append((encode(doc), doc_id))
    return updated, changes

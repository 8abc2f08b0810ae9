"""Memory: what one write transaction read and wrote of one table.

Writers hold the writers' lock from their first statement to COMMIT, so
what a write transaction read stays as read until the transaction itself
writes: a row read by a search and then updated by id, or a search asked
again (or asked ahead, ``PostgresStorage.prefetch``), needs no second round
trip. The transaction forgets it all when it ends or a block in it is undone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Rows = list[tuple[int, str]]


class Memory:
    """The rows of one table a write transaction has seen, and its searches' answers."""

    __slots__ = ("rows", "answers")

    def __init__(self) -> None:
        #: id -> text of each row read or written.
        self.rows: dict[int, str] = {}
        #: statement and parameters -> the rows it selected, until the table is written.
        self.answers: dict[tuple[bytes | str, str], Rows] = {}

    def row(self, doc_id: int, read: Callable[[], str | None]) -> str | None:
        """Row ``doc_id``'s text, ``read()`` from the server if not seen yet."""
        if doc_id not in self.rows:
            text = read()
            if text is None:
                return None
            self.rows[doc_id] = text
        return self.rows[doc_id]

    def some(self, ids: list[int], read: Callable[[list[int]], dict[int, str]]) -> dict[int, str]:
        """The texts of the rows ``ids`` that exist; those not seen yet are ``read``."""
        found = {doc_id: self.rows[doc_id] for doc_id in ids if doc_id in self.rows}
        missing = [doc_id for doc_id in ids if doc_id not in found]
        if missing:
            fetched = read(missing)
            self.rows.update(fetched)
            found.update(fetched)
        return found

    def knows(self, statement: bytes | str, params: Any) -> bool:
        return (statement, repr(params)) in self.answers

    def answer(self, statement: bytes | str, params: Any, read: Callable[[], Rows]) -> Rows:
        """What ``statement`` selects, asked of the server only the first time."""
        key = (statement, repr(params))
        rows = self.answers.get(key)
        if rows is None:
            rows = self.answers[key] = read()
            self.rows.update(rows)
        return rows

    def wrote(self, rows: Iterable[tuple[int, str]] = ()) -> None:
        """The table was written (``rows`` are now as given): searches must be asked again."""
        self.rows.update(rows)
        self.answers.clear()

    def deleted(self, ids: Iterable[int] | None = None) -> None:
        """Rows ``ids`` (None: every row) were deleted."""
        self.answers.clear()
        if ids is None:
            self.rows.clear()
        for doc_id in ids or ():
            self.rows.pop(doc_id, None)

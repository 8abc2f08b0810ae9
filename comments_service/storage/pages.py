"""Reading a table a page at a time, along its ids or an index, newest first if asked.

Each page is one short statement, so no statement stays open while the
caller works, and the cost depends on what is returned, not on how long the
table is. The engine's rows object reads the pages; conditions are checked
here, on every row, exactly as a search would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tinydb.queries import QueryLike
from tinydb.table import Document

from .documents import INT64_MIN, decode

if TYPE_CHECKING:
    from .engines import EngineRows

# Rows per page when iterating a table, so no statement stays open between yields.
_PAGE = 1000


def every(rows: EngineRows, new: type[Document]) -> Iterator[Document]:
    """Every document, in id order, read a page at a time."""
    last = INT64_MIN
    while True:
        page = rows.page(last, _PAGE)
        for doc_id, text in page:
            yield new(decode(text), doc_id)
        if len(page) < _PAGE:
            return
        last = page[-1][0]


def by_id(
    rows: EngineRows,
    new: type[Document],
    start: int,
    limit: int,
    cond: QueryLike | None,
    newest_first: bool,
) -> list[Document]:
    """Up to ``limit`` documents matching ``cond`` past id ``start`` (excluded)."""
    page = rows.along_id(getattr(cond, "_hash", None), newest_first)
    found: list[Document] = []
    last = start
    while len(found) < limit:
        wanted = limit - len(found)
        read = page(last, wanted)
        for row_id, text in read:
            doc = new(decode(text), row_id)
            if cond is None or cond(doc):
                found.append(doc)
        if len(read) < wanted:
            break
        last = read[-1][0]
    return found


def by_largest(
    rows: EngineRows, new: type[Document], field: str, limit: int, cond: QueryLike | None
) -> list[Document]:
    """Up to ``limit`` documents matching ``cond`` with the largest ``field``, largest first."""
    page = rows.along(field, getattr(cond, "_hash", None))
    found: list[Document] = []
    read = page(None, limit)
    while True:
        for row_id, text, _ in read:
            doc = new(decode(text), row_id)
            if cond is None or cond(doc):
                found.append(doc)
        if len(read) < limit or len(found) >= limit:
            return found[:limit]
        last_id, _, last_value = read[-1]
        read = page((last_value, last_id), limit)

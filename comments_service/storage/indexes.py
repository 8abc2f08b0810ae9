"""IndexedRows: what the rows of one table know of its indexes, in either engine.

A table's indexes are the fields it declared and those the database records
for it (another handle or an import may add some); queries are narrowed in
SQL through the engine's expression for each indexed field.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager


class IndexedRows:
    """The indexed fields of one table's rows, and their SQL expressions."""

    def __init__(
        self,
        name: str,
        declared: frozenset[str],
        txn: AbstractContextManager[None],
        known: dict[str, frozenset[str]],
        ensure: Callable[[str, frozenset[str]], frozenset[str]],
        extract: Callable[[str], str],
    ) -> None:
        self.name = name
        #: The fields this handle asked to index.
        self.declared = declared
        self._txn = txn
        #: Tables (and their indexes) this connection has created or seen.
        self._known = known
        self._ensure_table = ensure
        self._extract = extract
        self._indexed_from: frozenset[str] = frozenset()
        #: Fields whose equality queries are narrowed in SQL.
        self.indexed: frozenset[str] = frozenset()
        self._expressions: dict[str, str] = {}

    def set_indexed(self, fields: frozenset[str]) -> None:
        """The table's indexes are ``fields`` (and the declared ones)."""
        self._indexed_from = fields
        self.indexed = fields | self.declared
        self._expressions = {field: self._extract(field) for field in self.indexed}

    def refresh(self) -> None:
        """Pick up indexes this connection created for the table elsewhere."""
        # Another handle or an import may have added some; an identity check
        # keeps it cheap.
        known = self._known.get(self.name)
        if known is not None and known is not self._indexed_from:
            self.set_indexed(known)

    def add_indexes(self, more: frozenset[str]) -> None:
        """Declare more indexed fields; creates the indexes that are missing."""
        self.declared |= more
        with self._txn:
            fields = self._ensure_table(self.name, self.declared)
        self.set_indexed(fields)

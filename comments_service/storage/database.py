"""Database: TinyDB on one Kurier comments database, its tables, transactions and copies.

The location picks the engine: a path (or ``sqlite:///path``) an SQLite file,
a ``postgresql://`` address a schema on a PostgreSQL server.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Unpack

from tinydb import TinyDB
from tinydb.queries import QueryLike

from .engines import EngineStorage, open_storage
from .sqlite import StorageOptions
from .table import DocumentTable


class Database(TinyDB):
    """TinyDB on one SQLite file or PostgreSQL schema that several processes may share.

    ``Database(location)`` opens (or creates) the database, refusing foreign,
    newer or damaged ones with a ``StorageError``; use it as a context
    manager or call ``close()``.
    """

    # TinyDB types these after its defaults (its own Table's constructor, JSONStorage),
    # though any Table and Storage class is meant: ours take a Kurier storage.
    table_class = DocumentTable  # type: ignore[assignment]
    default_storage_class = open_storage  # type: ignore[assignment]
    _storage: EngineStorage

    def __init__(self, location: str | os.PathLike[str], **options: Unpack[StorageOptions]) -> None:
        super().__init__(location, storage=open_storage, **options)

    @property
    def storage(self) -> EngineStorage:
        """The database's storage (SQLite or PostgreSQL)."""
        return self._storage

    @property
    def location(self) -> str:
        """The database as messages name it: a path, or an address without its password."""
        return self._storage.path

    def table(self, name: str, indexes: Iterable[str] = (), **kwargs: Any) -> DocumentTable:
        """Table ``name``; ``indexes`` declares indexed fields (idempotent)."""
        table = self._tables.get(name)
        if not isinstance(table, DocumentTable):  # none yet: only this method adds tables
            table = DocumentTable(self.storage, name, indexes, **kwargs)
            self._tables[name] = table
        elif indexes:
            table.add_indexes(indexes)
        return table

    def tables(self) -> set[str]:
        """Names of the tables in the file."""
        return self.storage.table_names()

    def drop_table(self, name: str) -> None:
        """Drop table ``name`` with its documents. Cannot be undone."""
        self._tables.pop(name, None)
        self.storage.drop_table(name)

    def drop_tables(self) -> None:
        """Drop every table. Cannot be undone."""
        self._tables.clear()
        self.storage.drop_tables()

    def transaction(self) -> AbstractContextManager[None]:
        """``with db.transaction():`` makes several table calls one transaction."""
        return self.storage.transaction()

    def snapshot(self) -> AbstractContextManager[None]:
        """``with db.snapshot():`` makes several reads see one moment."""
        return self.storage.snapshot()

    def prefetch(self, *searches: tuple[DocumentTable, QueryLike]) -> None:
        """Inside a write transaction: the ``(table, cond)`` searches it is about to
        make, asked of the server at once (one round trip on PostgreSQL, where a
        search afterwards finds its answer; nothing on SQLite)."""
        wanted = [(table.engine_rows, getattr(cond, "_hash", None)) for table, cond in searches]
        self.storage.prefetch(wanted)  # type: ignore[arg-type]  # each engine's own rows

    def backup(self, path: str | os.PathLike[str]) -> None:
        """Write a consistent copy of the database to ``path``."""
        self.storage.backup(path)

    def export(self) -> dict[str, Any]:
        """All tables, documents and ids as JSON-able data (see ``import_``)."""
        return self.storage.export_data()

    def import_(self, data: Mapping[str, Any], replace: bool = False) -> None:
        """Load ``export()`` data; refuses a non-empty database unless ``replace``."""
        self.storage.import_data(data, replace=replace)

    def data_version(self) -> int:
        """Changes whenever another connection commits to the file."""
        return self.storage.data_version()

    def integrity_check(self) -> str:
        """The engine's integrity report; "ok" when the database is sound."""
        return self.storage.integrity_check()

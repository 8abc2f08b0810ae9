"""Database: TinyDB on one Kurier comments file, its tables, transactions and copies."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Unpack

from tinydb import TinyDB

from .sqlite import Snapshot, SQLiteStorage, StorageOptions, Transaction
from .table import DocumentTable


class Database(TinyDB):
    """TinyDB on one SQLite file that several processes may share.

    ``Database(path)`` opens (or creates) the file, refusing foreign, newer
    or damaged ones with a ``StorageError``; use it as a context manager or
    call ``close()``.
    """

    # TinyDB types these after its defaults (its own Table's constructor, JSONStorage),
    # though any Table and Storage class is meant: ours take a Kurier storage.
    table_class = DocumentTable  # type: ignore[assignment]
    default_storage_class = SQLiteStorage  # type: ignore[assignment]
    _storage: SQLiteStorage

    def __init__(self, path: str | os.PathLike[str], **options: Unpack[StorageOptions]) -> None:
        super().__init__(path, storage=SQLiteStorage, **options)

    @property
    def storage(self) -> SQLiteStorage:
        """The database's SQLite storage."""
        return self._storage

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

    def transaction(self) -> Transaction:
        """``with db.transaction():`` makes several table calls one transaction."""
        return self.storage.transaction()

    def snapshot(self) -> Snapshot:
        """``with db.snapshot():`` makes several reads see one moment."""
        return self.storage.snapshot()

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
        """SQLite's integrity report; "ok" when the file is sound."""
        return self.storage.integrity_check()

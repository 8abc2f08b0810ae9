"""The two engines, and which one a location names.

A path (or ``sqlite:///path``) is an SQLite file; a ``postgresql://``
address is a schema on a PostgreSQL server.
"""

from __future__ import annotations

import os
from typing import Unpack

from .postgres import PostgresRows, PostgresStorage, is_postgres
from .sqlite import SQLiteRows, SQLiteStorage, StorageOptions

#: A storage of either engine, and the rows of one of its tables.
EngineStorage = SQLiteStorage | PostgresStorage
EngineRows = SQLiteRows | PostgresRows


def sqlite_path(location: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """An SQLite location as a path: ``sqlite:///var/x.sqlite3`` is ``var/x.sqlite3``."""
    if isinstance(location, str) and location.startswith("sqlite://"):
        rest = location.removeprefix("sqlite://")
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy writes them
        return rest[1:] if rest.startswith("/") else rest
    return location


def open_storage(
    location: str | os.PathLike[str], **options: Unpack[StorageOptions]
) -> EngineStorage:
    """The storage of the engine ``location`` names."""
    if is_postgres(location):
        return PostgresStorage(str(location), **options)
    return SQLiteStorage(sqlite_path(location), **options)

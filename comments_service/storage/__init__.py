"""TinyDB on a Kurier comments database: documents as rows, every write one transaction.

Several worker processes share one database, so nothing here caches
documents, query results or ids beyond a transaction, and new ids are
picked inside the write transaction.

The modules every engine shares:

- ``database.py``: ``Database``, TinyDB on one database;
- ``table.py``: ``DocumentTable``, TinyDB's ``Table`` API on an engine's rows;
  ``rows_table.py``, what it stands on (storage, indexes, ids, TinyDB's
  internals), and ``pages.py``, its reads a page at a time along the ids or an index;
- ``indexes.py``: ``IndexedRows``, what a table's rows know of its indexes;
- ``whole_tables.py``: the registry of tables, and tables read, written, exported
  and imported whole, over the statements each engine provides;
- ``queries.py``: the part of a TinyDB query an index can answer, as SQL;
- ``documents.py``: documents as JSON text, their ids, table and field names;
- ``export.py``: the export document; ``errors.py``: ``StorageError`` and its kinds.

An engine is a package beside them (``sqlite/``, ``postgres/``; ``engines.py``
picks one from a location) with two classes:

- a storage, TinyDB's ``Storage``: opens the database, refusing a foreign,
  newer or damaged one with a ``StorageError``, and migrates it;
  ``transaction()`` (the one write transaction, in which ids are chosen;
  nested blocks are savepoints), ``snapshot()``, ``in_transaction``,
  ``on_commit``, ``close()``; the tables (``table_names``, ``drop_table``,
  ``drop_tables``, and ``rows(name, indexes, persist_empty)`` for one table);
  ``read``/``write``, ``export_data``/``import_data``, ``backup``,
  ``data_version``, ``integrity_check``, ``ping`` and ``check_writable(wait)``
  (whether a write could start now: the writers' lock taken and let go,
  nothing written); ``announce(payload)``
  (tell other workers, at commit, that changes were made) and ``on_change``
  (called when the engine hears of another worker's commit);
- the rows of one table: every statement a ``DocumentTable`` runs (reads by
  id, by a query description narrowed through ``queries.translate``, pages
  along the ids or an index; inserts, updates and deletes inside ``write``),
  with documents as ``(id, JSON text)`` pairs.
"""

from .database import Database
from .errors import (
    DamagedDatabaseError,
    DatabaseBusyError,
    ExportFormatError,
    ForeignDatabaseError,
    MigrationError,
    NewerSchemaError,
    NotEmptyError,
    StorageError,
)
from .sqlite import APPLICATION_ID, MIGRATIONS, SYNCHRONOUS_MODES, SQLiteStorage
from .table import DocumentTable

#: The table class of ``Database``, under the name the service's modules use.
SQLiteTable = DocumentTable

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SYNCHRONOUS_MODES",
    "Database",
    "DatabaseBusyError",
    "DamagedDatabaseError",
    "DocumentTable",
    "ExportFormatError",
    "ForeignDatabaseError",
    "MigrationError",
    "NewerSchemaError",
    "NotEmptyError",
    "SQLiteStorage",
    "SQLiteTable",
    "StorageError",
]

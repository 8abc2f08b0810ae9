"""The SQLite engine: a Kurier comments database in one SQLite file that processes share.

- ``connection.py``: ``SQLiteStorage``, one connection: opening, options, copies;
- ``transactions.py``: ``BEGIN IMMEDIATE`` write transactions and read snapshots;
- ``tables.py``: the registry of document tables, and reading or writing them whole;
- ``rows.py``: ``SQLiteRows``, every statement one table runs on its rows;
- ``migrations.py``: recognising a file and bringing its schema up to date.
"""

from .connection import SYNCHRONOUS_MODES, SQLiteStorage, StorageOptions
from .migrations import APPLICATION_ID, MIGRATIONS
from .rows import SQLiteRows
from .transactions import Snapshot, Transaction

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SYNCHRONOUS_MODES",
    "SQLiteRows",
    "SQLiteStorage",
    "StorageOptions",
    "Snapshot",
    "Transaction",
]

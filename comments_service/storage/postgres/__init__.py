"""The PostgreSQL engine: a Kurier comments database in one schema that workers on many hosts share.

- ``address.py``: a ``postgresql://`` address, its schema and NOTIFY channel;
- ``connection.py``: ``PostgresStorage``, a worker's connection: opening, reconnecting, copies;
- ``transactions.py``: write transactions that take turns on one advisory lock, read snapshots;
- ``tables.py``: the registry of document tables, and reading or writing them whole;
- ``rows.py``: ``PostgresRows``, every statement one table runs on its rows;
- ``memory.py``: what a write transaction read and wrote, so it is not asked twice;
- ``listener.py``: LISTEN for other workers' commits (live events across hosts);
- ``reader.py``: the hottest read over an asynchronous connection, batched across requests;
- ``migrations.py``: recognising a schema and bringing it up to date.
"""

from .address import Address, is_postgres
from .connection import PostgresStorage
from .migrations import MIGRATIONS
from .rows import PostgresRows

__all__ = ["MIGRATIONS", "Address", "PostgresRows", "PostgresStorage", "is_postgres"]

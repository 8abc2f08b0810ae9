"""DocumentTables: the registry of an engine's document tables, and the tables read or
written whole (export, import, TinyDB's ``read``/``write``), the same in every engine.

An engine provides the statements (``names``, ``ensure``, ``_drop``, ``_rows``,
``_clear``, ``put_rows``, ``_last_id``, ``raise_sequence``, ``_holds_documents``)
and its read snapshot; what is done with them is here, once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from .documents import check_fields, check_name, decode, encode_document, id_or_error
from .errors import NotEmptyError
from .export import export_document, parse_export


class DocumentTables(ABC):
    """The document tables of one connection: which exist, with which indexes."""

    def __init__(self, txn: AbstractContextManager[None], where: str, schema: int) -> None:
        self._txn = txn
        self._where = where  # the database as messages name it
        self._schema = schema  # the schema version this engine writes
        #: Tables (and their indexes) this connection has created or seen; a
        #: schema fact, not data, and dropped as soon as the database says otherwise.
        self.known: dict[str, frozenset[str]] = {}

    # what an engine provides -------------------------------------------------

    @abstractmethod
    def names(self) -> set[str]:
        """Names of the document tables in the database."""

    @abstractmethod
    def ensure(self, name: str, indexes: frozenset[str]) -> frozenset[str]:
        """Create table ``name`` and its indexes if missing (inside a write transaction)."""

    @abstractmethod
    def _drop(self, name: str) -> None: ...

    @abstractmethod
    def _rows(self, name: str) -> list[tuple[int, str]]:
        """``(id, text)`` of every document of ``name``, in id order."""

    @abstractmethod
    def _clear(self, name: str) -> None:
        """Delete every document of ``name``; its id sequence stays."""

    @abstractmethod
    def put_rows(self, name: str, rows: list[tuple[int, str]]) -> None:
        """Insert ``(id, text)`` rows as they are."""

    @abstractmethod
    def _last_id(self, name: str) -> int: ...

    @abstractmethod
    def raise_sequence(self, name: str, last_id: int) -> None:
        """Make sure the ids handed out continue after ``last_id``."""

    @abstractmethod
    def _holds_documents(self, name: str) -> bool: ...

    @abstractmethod
    def _snapshot(self) -> AbstractContextManager[None]: ...

    # the registry ----------------------------------------------------------

    def ensure_table(self, name: str, indexes: Iterable[str] = ()) -> frozenset[str]:
        """Create table ``name`` with indexes on ``indexes``; all its indexes."""
        wanted = check_fields(indexes)
        known = self.known.get(name)
        if known is not None and wanted <= known:
            return known
        with self._txn:
            return self.ensure(check_name(name), wanted)

    def drop_table(self, name: str) -> None:
        """Drop table ``name`` with its documents and id sequence."""
        with self._txn:
            self._drop(name)

    def drop_tables(self) -> None:
        """Drop every document table."""
        with self._txn:
            for name in self.names():
                self._drop(name)

    # whole tables ----------------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]]:
        """The whole database as TinyDB sees it: ``{table: {"id": document}}``."""
        with self._snapshot():
            return {
                name: {str(doc_id): decode(text) for doc_id, text in self._rows(name)}
                for name in self.names()
            }

    def write(self, data: Mapping[str, Mapping[Any, Mapping[str, Any]]]) -> None:
        """Replace the whole database with ``data`` in one transaction.

        Tables missing from ``data`` are dropped; ids keep their values and
        the id sequences never go back, so no removed id is handed out again.
        """
        prepared = {
            check_name(name): [
                (id_or_error(doc_id), encode_document(doc)) for doc_id, doc in docs.items()
            ]
            for name, docs in data.items()
        }
        with self._txn:
            for name in self.names() - prepared.keys():
                self._drop(name)
            for name, rows in prepared.items():
                self.ensure(name, frozenset())
                self._clear(name)
                self.put_rows(name, rows)

    def export_data(self) -> dict[str, Any]:
        """Every table, its indexes, documents and id sequence as JSON-able data."""
        with self._snapshot():
            tables: dict[str, Any] = {}
            for name in sorted(self.names()):
                tables[name] = {
                    "indexes": sorted(self.registered_indexes(name)),
                    "last_id": self._last_id(name),
                    "documents": {str(doc_id): decode(text) for doc_id, text in self._rows(name)},
                }
        return export_document(tables, self._schema)

    @abstractmethod
    def registered_indexes(self, name: str) -> frozenset[str]:
        """Indexed fields of table ``name`` as recorded in the database."""

    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> None:
        """Load an ``export_data()`` dictionary in one transaction.

        Refuses a database that holds any document unless ``replace`` is true,
        in which case every existing table is dropped first.
        """
        tables = parse_export(data, self._schema)
        with self._txn:
            names = self.names()
            if not replace:
                for name in sorted(names):
                    if self._holds_documents(name):
                        raise NotEmptyError(
                            f"{self._where} already holds documents (table {name!r});"
                            " import into an empty database or pass replace=True"
                        )
            else:
                for name in names:
                    self._drop(name)
            for name, indexes, last_id, rows in tables:
                self.ensure(name, indexes)
                self.put_rows(name, rows)
                self.raise_sequence(name, last_id)


class TablesOfStorage:
    """What a storage answers about its tables, the same in every engine: from ``_tables``."""

    _tables: DocumentTables

    def read(self) -> dict[str, dict[str, Any]]:
        """The whole database as TinyDB sees it: ``{table: {"id": document}}``."""
        return self._tables.read()

    def write(self, data: Mapping[str, Mapping[Any, Mapping[str, Any]]]) -> None:
        """Replace the whole database with ``data`` in one transaction.

        Tables missing from ``data`` are dropped; ids keep their values and
        the id sequences never go back, so no removed id is handed out again.
        """
        self._tables.write(data)

    def table_names(self) -> set[str]:
        """Names of the document tables in the database."""
        return self._tables.names()

    def registered_indexes(self, name: str) -> frozenset[str]:
        """Indexed fields of table ``name`` as recorded in the database."""
        return self._tables.registered_indexes(name)

    def ensure_table(self, name: str, indexes: Iterable[str] = ()) -> frozenset[str]:
        """Create table ``name`` with indexes on ``indexes``; all its indexes."""
        return self._tables.ensure_table(name, indexes)

    def drop_table(self, name: str) -> None:
        """Drop table ``name`` with its documents and id sequence."""
        self._tables.drop_table(name)

    def drop_tables(self) -> None:
        """Drop every document table."""
        self._tables.drop_tables()

    def export_data(self) -> dict[str, Any]:
        """Every table, its indexes, documents and id sequence as JSON-able data."""
        return self._tables.export_data()

    def import_data(self, data: Mapping[str, Any], *, replace: bool = False) -> None:
        """Load an ``export_data()`` dictionary in one transaction.

        Refuses a database that holds any document unless ``replace`` is true,
        in which case every existing table is dropped first.
        """
        self._tables.import_data(data, replace=replace)

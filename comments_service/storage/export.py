"""The export document: every table, its indexes, documents and last id, as JSON-able data.

``{"format": "kurier-comments", "schema": N, "tables": {name: {"indexes":
[...], "last_id": n, "documents": {"id": document}}}}``: what ``Database.export``
writes and ``Database.import_`` reads, whichever engine holds the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .documents import INT64_MAX, check_fields, check_name, encode_document, id_or_error
from .errors import ExportFormatError, NewerSchemaError

#: Marks the dictionaries that ``Database.export`` writes.
EXPORT_FORMAT = "kurier-comments"

#: A table ready to import: name, indexed fields, last id, ``(id, text)`` rows by id.
ImportTable = tuple[str, frozenset[str], int, list[tuple[int, str]]]


def export_document(tables: dict[str, Any], schema: int) -> dict[str, Any]:
    """The export of ``tables`` from a database at schema version ``schema``."""
    return {"format": EXPORT_FORMAT, "schema": schema, "tables": tables}


def parse_export(data: object, schema_latest: int) -> list[ImportTable]:
    """Validate an export and encode its documents, before any lock is taken.

    ``schema_latest`` is the newest schema the importing engine knows.
    """

    def refuse(problem: str) -> ExportFormatError:
        return ExportFormatError(f"not a Kurier comments export: {problem}")

    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        raise refuse(f"'format' is not {EXPORT_FORMAT!r}")
    schema = data.get("schema")
    if type(schema) is not int or schema < 1:
        raise refuse("'schema' is not a positive integer")
    if schema > schema_latest:
        raise NewerSchemaError(
            f"the export was written by a newer Kurier (schema {schema};"
            f" this one knows up to {schema_latest})"
        )
    tables = data.get("tables")
    if not isinstance(tables, Mapping):
        raise refuse("'tables' is not an object")
    parsed = []
    for name, table in tables.items():
        try:
            parsed.append(_parse_table(name, table))
        except (ValueError, TypeError) as exc:
            raise refuse(f"table {name!r}: {exc}") from exc
    return parsed


def _parse_table(name: object, table: object) -> ImportTable:
    checked = check_name(name)
    if not isinstance(table, Mapping):
        raise ValueError("not an object")
    indexes = check_fields(table.get("indexes", ()))
    last_id = table.get("last_id", 0)
    if type(last_id) is not int or not 0 <= last_id <= INT64_MAX:
        raise ValueError("'last_id' is not a non-negative integer")
    documents = table.get("documents")
    if not isinstance(documents, Mapping):
        raise ValueError("'documents' is not an object")
    rows = sorted((id_or_error(doc_id), encode_document(doc)) for doc_id, doc in documents.items())
    if len({doc_id for doc_id, _ in rows}) != len(rows):
        raise ValueError("a document id appears twice")
    return checked, indexes, last_id, rows

"""Copying a Kurier comments database to another, of either engine, and checking the copy.

The copy is the export of one consistent snapshot of the source loaded into
the target in one transaction: comments, reactions, likes, confirmations,
reports, the audit log, mutes and the change log, each table with its
indexes and the position of its ids (so the event ids readers resume from
go on where they were). Copying again onto an identical target changes
nothing; a target holding other data is refused unless ``replace``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .database import Database
from .errors import NotEmptyError, StorageError


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: the documents of each table, and whether the target had them already."""

    counts: dict[str, int]
    already_identical: bool

    def summary(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in sorted(self.counts.items()))


def _counts(data: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per table: how many documents, and the last id handed out."""
    return {
        name: (len(table["documents"]), table["last_id"]) for name, table in data["tables"].items()
    }


def _holds_documents(data: dict[str, Any]) -> bool:
    return any(table["documents"] for table in data["tables"].values())


def copy_database(source: Database, target: Database, replace: bool = False) -> CopyReport:
    """Copy everything in ``source`` into ``target``; verify the counts afterwards."""
    data = source.export()
    counts = {name: count for name, (count, _) in _counts(data).items()}
    present = target.export()
    if present["tables"] == data["tables"]:
        return CopyReport(counts, already_identical=True)
    if _holds_documents(present) and not replace:
        raise NotEmptyError(
            f"{target.location} already holds other comments: copy into an empty database, "
            "or add --replace to overwrite everything in it"
        )
    target.import_(data, replace=True)
    copied = _counts(target.export())
    if copied != _counts(data):
        wrong = sorted(name for name in data["tables"] if copied.get(name) != _counts(data)[name])
        raise StorageError(
            f"the copy in {target.location} does not match {source.location}"
            f" (tables: {', '.join(wrong)})"
        )
    return CopyReport(counts, already_identical=False)

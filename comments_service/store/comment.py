"""A stored comment and its state: public, waiting for a moderator, hidden or deleted.

The row's raw flags (`approved`, `deleted`, `hidden`) are read here and
nowhere else. Rows written before pre-moderation existed have no
`approved`: they count as approved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Unpack, cast

from tinydb.table import Document

from .rows import CommentChanges, CommentRow, Hidden

ID_DIGITS = 18  # an id fits SQLite's 64-bit integer


@dataclass(frozen=True, slots=True)
class Comment:
    """One row of the comments table, with what its flags mean."""

    id: int
    row: CommentRow

    @classmethod
    def of(cls, row: Document) -> Comment:
        """A document of the comments table as a comment."""
        return cls(row.doc_id, cast(CommentRow, row))

    def changed(self, **changes: Unpack[CommentChanges]) -> Comment:
        """The same comment with `changes` applied (not written)."""
        return Comment(self.id, {**self.row, **changes})

    @property
    def thread(self) -> str:
        return self.row["thread"]

    @property
    def parent(self) -> int | None:
        return self.row["parent"]

    @property
    def author_id(self) -> str:
        return self.row["author_id"]

    @property
    def deleted(self) -> bool:
        """Deleted, and kept as a placeholder because it has replies."""
        return bool(self.row.get("deleted"))

    @property
    def waiting(self) -> bool:
        """Held for pre-moderation: only its author and moderators see it."""
        return self.row.get("approved") is False

    @property
    def hidden(self) -> Hidden | None:
        """Why a moderator (or enough reports) hid it; None when it is not hidden."""
        return None if self.deleted else self.row.get("hidden") or None

    @property
    def auto_hidden(self) -> bool:
        """Hidden by reports, pending a moderator's look."""
        return bool(self.hidden and self.hidden.get("auto"))

    @property
    def public(self) -> bool:
        """Whether everyone may read it: not deleted, not waiting, not hidden."""
        return is_public(self.row)


def is_public(row: Mapping[str, Any]) -> bool:
    """Whether everyone may read the comment of a raw row (see Comment.public)."""
    return not row.get("deleted") and row.get("approved") is not False and not row.get("hidden")


def parse_id(value: object) -> int | None:
    """A comment's id from text: ASCII digits only ("²" is a digit to str.isdigit), else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= ID_DIGITS:
        return int(value)
    return None

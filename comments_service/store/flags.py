"""Readers' reports of comments (the flags table): filed, resolved, listed.

One report per person and comment. A report is `open` until a moderator
resolves it — by hiding or deleting the comment, or by dismissing the
reports — and then records who resolved it, when and how.
"""

from __future__ import annotations

from typing import Any

from tinydb.table import Document

from .. import times
from ..user import User
from .comment import Comment
from .context import Context
from .tables import Q


class Flags:
    """The flags table."""

    def __init__(self, ctx: Context):
        self.table = ctx.tables.flags

    def add(self, comment: Comment, user: User, reason: str) -> dict[str, Any]:
        """File a report (the caller checked it is the person's first of this comment)."""
        flag = {
            "comment": comment.id,
            "thread": comment.thread,
            "user": user.id,
            "user_name": user.name,
            "reason": reason,
            "at": times.iso(times.now()),
            "open": True,
            "resolved": None,
        }
        return flag_view(Document(flag, doc_id=self.table.insert(flag)))

    def exists(self, comment: Comment, user: User) -> bool:
        """Whether the person reported the comment already."""
        return self.table.get((Q.comment == comment.id) & (Q.user == user.id)) is not None

    def resolve(self, comment: Comment, user: User, outcome: str) -> int:
        """Close the comment's open reports with `outcome`; how many there were."""
        open_flags = self.table.search((Q.comment == comment.id) & (Q.open == 1))
        resolved = {"by": user.id, "by_name": user.name, "at": times.iso(times.now()),
                    "outcome": outcome}  # fmt: skip
        for flag in open_flags:
            self.table.update({"open": False, "resolved": resolved}, doc_ids=[flag.doc_id])
        return len(open_flags)

    def open_by_comment(self) -> dict[int, list[Document]]:
        """Every open report, by the comment it is about, oldest first."""
        # `open` is a boolean, which SQLite's JSON sees as 1: `== 1` uses the
        # index, and True == 1 in Python too. Open reports are few.
        by_comment: dict[int, list[Document]] = {}
        for flag in self.table.search(Q.open == 1):
            by_comment.setdefault(flag["comment"], []).append(flag)
        return by_comment


def flag_view(flag: Document) -> dict[str, Any]:
    return {
        "id": str(flag.doc_id),
        "comment": str(flag["comment"]),
        "thread": flag["thread"],
        "user": flag["user"],
        "user_name": flag["user_name"],
        "reason": flag["reason"],
        "at": flag["at"],
        "resolved": flag["resolved"],
    }

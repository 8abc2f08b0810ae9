"""The audit log: who did what to which comment, thread or person, when and why.

A row is written in the transaction of the action it records: an action is
in the log exactly when it happened.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from tinydb.table import Document

from .. import times
from ..user import User, require_moderator
from .answers import Page
from .comment import Comment
from .context import Context
from .tables import Q

SYSTEM_ID, SYSTEM_NAME = "system", "Kurier"  # the actor of automatic hides
Action = Literal[
    "hide", "unhide", "delete", "pin", "unpin", "lock", "unlock", "mute", "unmute",
    "approve", "reject", "dismiss_reports", "auto_hide", "sign_in",
]  # fmt: skip
ACTIONS: tuple[Action, ...] = get_args(Action)


class Audit:
    """Writes and lists audit rows."""

    def __init__(self, ctx: Context):
        self.table = ctx.tables.audit

    def record(
        self,
        user: User | None,
        action: Action,
        comment: Comment | None = None,
        *,
        thread: str | None = None,
        person: str | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add a row (inside the transaction of the action); user None: Kurier itself."""
        self.table.insert(
            {
                "at": times.iso(times.now()),
                "actor": user.id if user else SYSTEM_ID,
                "actor_name": user.name if user else SYSTEM_NAME,
                "action": action,
                "thread": comment.thread if comment is not None else thread,
                "comment": comment.id if comment is not None else None,
                "person": comment.author_id if comment is not None else person,
                "reason": reason,
                "details": details or {},
            }
        )

    def log(
        self,
        user: User,
        limit: int,
        before: int | None = None,
        thread: str | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> Page:
        """The log newest first, filtered by thread, actor and action if given."""
        require_moderator(user)
        cond = None
        for name, value in (("thread", thread), ("actor", actor), ("action", action)):
            if value is not None:
                part = Q[name] == value
                cond = part if cond is None else cond & part
        rows = self.table.before(before, limit + 1, cond)
        return {
            "items": [audit_view(row) for row in rows[:limit]],
            "next_before": rows[limit - 1].doc_id if len(rows) > limit else None,
        }


def audit_view(row: Document) -> dict[str, Any]:
    return {
        "id": str(row.doc_id),
        **row,
        "comment": str(row["comment"]) if row["comment"] is not None else None,
    }

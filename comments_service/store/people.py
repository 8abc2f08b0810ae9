"""Mutes: a moderator stops a person writing for a while.

A mute whose `until` has passed no longer applies: expiry is checked when
the person writes, so nothing has to clear it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import times
from ..errors import muted
from ..user import User, require_moderator
from .answers import Unmuted
from .audit import Audit
from .context import Context
from .tables import Q, Search

MUTE_FIELDS = ("user", "user_name", "until", "reason", "by", "by_name", "at")


class People:
    """Mutes, and the names people are known by."""

    def __init__(self, ctx: Context, audit: Audit):
        self.ctx = ctx
        self.table = ctx.tables.mutes
        self.audit = audit

    def mute(self, person_id: str, user: User, until: str, reason: str) -> dict[str, Any]:
        """Stop a person writing until `until` (see moderation_input.parse_until)."""
        require_moderator(user)
        with self.ctx.db.transaction():
            existing = self.table.get(Q.user == person_id)
            if existing and existing["until"] == until and existing["reason"] == reason:
                return mute_view(existing)
            mute = {
                "user": person_id,
                "user_name": self.name_of(person_id),
                "until": until,
                "reason": reason,
                "by": user.id,
                "by_name": user.name,
                "at": times.iso(times.now()),
            }
            if existing:
                self.table.update(mute, doc_ids=[existing.doc_id])
            else:
                self.table.insert(mute)
            self.audit.record(user, "mute", person=person_id, reason=reason,
                              details={"until": until})  # fmt: skip
        return mute_view(mute)

    def unmute(self, person_id: str, user: User, reason: str | None = None) -> Unmuted:
        """Let a muted person write again."""
        require_moderator(user)
        with self.ctx.db.transaction():
            existing = self.table.get(Q.user == person_id)
            if existing:
                self.table.remove(doc_ids=[existing.doc_id])
                details = {"until": existing["until"]}
                self.audit.record(user, "unmute", person=person_id, reason=reason, details=details)
        return {"user": person_id, "muted": False}

    def active_mute(self, person_id: str) -> dict[str, Any] | None:
        """The person's mute, if it still applies."""
        mute = self.table.get(Q.user == person_id)
        if mute is None or times.parse(mute["until"]) <= times.now():
            return None
        return mute_view(mute)

    def mute_search(self, person_id: str) -> Search:
        """The search ``active_mute`` makes, for ``Database.prefetch``."""
        return self.table, Q.user == person_id

    def check_not_muted(self, user: User) -> None:
        """403 `muted` (with `until`) while a mute of the user applies."""
        mute = self.active_mute(user.id)
        if mute is not None:
            raise muted(mute["until"])

    def active_mutes(self, user: User) -> dict[str, Any]:
        """The mutes that still apply, newest first (moderators only)."""
        require_moderator(user)
        now = times.now()
        mutes = [m for m in self.table.all() if times.parse(m["until"]) > now]
        mutes.sort(key=lambda m: m["at"], reverse=True)
        return {"items": [mute_view(m) for m in mutes]}

    def name_of(self, person_id: str) -> str:
        """The name a person last commented under (their id if they never commented)."""
        latest = self.ctx.tables.comments.before(None, 1, Q.author_id == person_id)
        return latest[0]["author_name"] if latest else person_id


def mute_view(mute: Mapping[str, Any]) -> dict[str, Any]:
    return {name: mute[name] for name in MUTE_FIELDS}

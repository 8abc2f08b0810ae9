"""The TinyDB tables of the comments database, opened once per worker.

- threads:  {slug, comment_count, reactions {kind: n}, version, locked,
            lock_reason, ack_count, ack_since, last_event_id}; `version` grows
            with every change, which is how each process knows its cached copy
            of a thread is stale; `last_event_id` is its latest change in the
            log; `comment_count` counts the public comments.
- comments: {thread, parent, author_id, author_name, body, body_html,
            created, edited, deleted, pinned, likes, approved, hidden, flags}:
            `approved` false while pre-moderation holds it (rows without it
            are approved), `hidden` null or {reason, by, by_name, at, auto},
            `flags` the number of open reports (see comment.py).
- marks:    one per person and thing they marked: {thread, user, type, key, at}
            with type "reaction" (key: kind), "like" (key: comment id) or "ack"
            (with the person's name and e-mail, for the report).
- limits:   {key, tat}, the state of the rate limits (limits.py).
- flags:    {comment, thread, user, user_name, reason, at, open, resolved}; one
            per person and comment; `open` (indexed) until a moderator resolves
            it, `resolved` then {by, by_name, at, outcome}.
- audit:    {at, actor, actor_name, action, thread, comment, person, reason, details}
- mutes:    {user, user_name, until, reason, by, by_name, at}; one per person.
- sessions: {sid, user, address, at, expires}; open mode's admin sessions, `sid`
            the SHA-256 of the secret in the `kurier_admin` cookie.
- streams:  {worker, at, people {person: n}}; one per worker with people holding more
            than one of its open event streams (streams.py).
- changes:  the change log (changelog.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from tinydb import Query
from tinydb.queries import QueryLike

from ..storage import Database, SQLiteTable

Q = Query()

#: A search a write is about to make, for ``Database.prefetch``.
Search = tuple[SQLiteTable, QueryLike]

#: Each table and its indexed fields.
INDEXES = {
    "threads": ("slug",),
    # created: newest first (feeds); approved: the few waiting comments (moderation)
    "comments": ("thread", "author_id", "parent", "created", "approved"),
    "marks": ("thread", "user"),
    "limits": ("key",),
    "flags": ("comment", "user", "open"),
    "audit": ("thread", "actor", "action"),
    "mutes": ("user",),
    "sessions": ("sid",),
    "streams": ("worker",),
}


@dataclass(frozen=True)
class Tables:
    """Every table of the domain; only the store's modules read or write them."""

    threads: SQLiteTable
    comments: SQLiteTable
    marks: SQLiteTable
    limits: SQLiteTable
    flags: SQLiteTable
    audit: SQLiteTable
    mutes: SQLiteTable
    sessions: SQLiteTable
    streams: SQLiteTable

    @classmethod
    def open(cls, db: Database) -> Tables:
        return cls(**{name: db.table(name, indexes=fields) for name, fields in INDEXES.items()})

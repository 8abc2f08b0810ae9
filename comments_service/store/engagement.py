"""The engagement report's counts: one pass over the comments and one over the marks.

Both are read in one snapshot, with SQLite extracting only the fields the
report needs, never one query per article: 100,000 comments report in a
fraction of a second. Counts follow the public rule (comment.is_public):
hidden, pending and deleted comments are left out, and so are the likes
given to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..articles import Article
from ..storage import SQLiteTable
from .acknowledgements import Acknowledgements
from .comment import is_public
from .context import Context

MAX_IN = 50  # threads named in one query; past that, one scan of the table is faster
COMMENT_FIELDS = ("thread", "parent", "author_id", "created", "deleted", "approved", "hidden")
MARK_FIELDS = ("thread", "user", "type", "key", "at")


@dataclass
class Tally:
    """What one pass over a thread's rows counts."""

    comments: int = 0
    replies: int = 0
    likes: int = 0
    reactions: dict[str, int] = field(default_factory=dict)
    acknowledgements: int = 0
    people: set[str] = field(default_factory=set)
    times: list[str] = field(default_factory=list)


class Engagement:
    """Counts per thread for the engagement report."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def tallies(self, chosen: Mapping[str, Article]) -> dict[str, Tally]:
        """A tally per chosen thread: public comments, replies, reactions, likes, people."""
        tallies = {slug: Tally() for slug in chosen}
        tables = self.ctx.tables
        with self.ctx.db.snapshot():
            comments = _project(tables.comments, COMMENT_FIELDS, chosen)
            marks = _project(tables.marks, MARK_FIELDS, chosen)
        public = _count_comments(comments, tallies)
        for _, (thread, user, kind, key, at) in marks:
            tally = tallies.get(thread)
            if tally is None:
                continue
            key = str(key)
            if kind == "reaction":
                tally.reactions[key] = tally.reactions.get(key, 0) + 1
            elif kind == "like" and key.isdigit() and int(key) in public:
                tally.likes += 1
            elif kind == "ack" and Acknowledgements.current({"at": at}, chosen[thread]):
                tally.acknowledgements += 1
            else:
                continue  # a like of a comment nobody sees, or an outdated acknowledgement
            tally.people.add(user)
            tally.times.append(at)
        return tallies


def _count_comments(
    comments: Iterable[tuple[int, list[Any]]], tallies: dict[str, Tally]
) -> set[int]:
    """Count the public comments into their threads' tallies; their ids."""
    public: set[int] = set()
    for doc_id, (thread, parent, author, created, deleted, approved, hidden) in comments:
        tally = tallies.get(thread)
        if tally is None:
            continue
        if not is_public({"deleted": deleted, "approved": approved, "hidden": hidden}):
            continue
        public.add(doc_id)
        tally.comments += 1
        if parent:
            tally.replies += 1
        tally.people.add(author)
        tally.times.append(created)
    return public


def _project(
    table: SQLiteTable, fields: tuple[str, ...], chosen: Mapping[str, Article]
) -> list[tuple[int, list[Any]]]:
    """The fields of the chosen threads' rows: through the index when they are few."""
    if len(chosen) <= MAX_IN:
        return table.project(fields, where=("thread", list(chosen)))
    return table.project(fields)

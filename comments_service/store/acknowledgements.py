"""Must-read acknowledgements: "I have read this", and whether it still counts.

An acknowledgement counts unless the article was updated (`Modified`) after
it: then the widget asks that person again, and the thread's count of
acknowledgements is recounted the next time anyone reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tinydb.table import Document

from .. import times
from ..articles import Article
from ..errors import not_must_read
from ..user import User
from .answers import Acknowledged, MustReadReport, Reader
from .context import Context
from .tables import Q
from .threads import Event, Threads


class Acknowledgements:
    """Confirmations of must-read articles, kept as marks of type "ack"."""

    def __init__(self, ctx: Context, threads: Threads):
        self.ctx = ctx
        self.threads = threads
        self.marks = ctx.tables.marks

    def acknowledge(self, article: Article, user: User) -> Acknowledged:
        """PUT the reader's confirmation that they read a must-read article."""
        if not article.must_read:
            raise not_must_read()
        self.refresh(article)
        at = times.now_iso()
        with self.ctx.db.transaction():
            thread = self.threads.for_update(article.slug)
            mark = self.mark_of(article.slug, user.id)
            count = thread.doc.get("ack_count", 0)
            if mark is None:
                self.marks.insert(
                    {"thread": article.slug, "user": user.id, "type": "ack", "key": "",
                     "name": user.name, "email": user.email, "at": at}
                )  # fmt: skip
                count += 1
            elif not self.current(mark, article):
                self.marks.update({"at": at, "name": user.name}, doc_ids=[mark.doc_id])
                count += 1
            else:
                at = mark["at"]
            since = article.modified.isoformat() if article.modified else None
            thread.save(*_count_events(thread.doc, count), ack_count=count, ack_since=since)
        return {"acknowledged": True, "acknowledged_at": at, "ack_count": count}

    def refresh(self, article: Article) -> None:
        """Recount confirmations once the article was updated after some of them."""
        since = article.modified.isoformat() if article.modified else None
        doc = self.threads.get(article.slug)
        if doc is None or doc.get("ack_since") == since:
            return
        with self.ctx.db.transaction():
            thread = self.threads.for_update(article.slug)
            valid = sum(1 for mark in self.of_thread(article.slug) if self.current(mark, article))
            thread.save(*_count_events(thread.doc, valid), ack_count=valid, ack_since=since)

    def mark_of(self, slug: str, user_id: str) -> Document | None:
        """The person's acknowledgement of the thread's article, current or not."""
        return self.marks.get((Q.thread == slug) & (Q.user == user_id) & (Q.type == "ack"))

    def of_thread(self, slug: str) -> list[Document]:
        """Every acknowledgement of the thread's article."""
        return self.marks.search((Q.thread == slug) & (Q.type == "ack"))

    @staticmethod
    def current(mark: Mapping[str, Any], article: Article) -> bool:
        """An acknowledgement counts unless the article was updated after it."""
        if article.modified is None:
            return True
        return times.parse(mark["at"]) >= article.modified

    def report(self, article: Article) -> MustReadReport:
        """Who confirmed reading a must-read article and when; `outdated` ones no longer count."""
        with self.ctx.db.snapshot():
            marks = self.of_thread(article.slug)
        people: list[Reader] = [
            {
                "id": mark["user"],
                "name": mark.get("name") or mark["user"],
                "email": mark.get("email") or "",
                "acknowledged_at": mark["at"],
                "outdated": not self.current(mark, article),
            }
            for mark in marks
        ]
        people.sort(key=lambda person: (person["acknowledged_at"], person["name"].casefold()))
        return {
            "slug": article.slug,
            "title": article.title("pl"),
            "modified": article.modified.isoformat() if article.modified else None,
            "count": sum(1 for person in people if not person["outdated"]),
            "outdated": sum(1 for person in people if person["outdated"]),
            "people": people,
        }


def _count_events(doc: Mapping[str, Any], count: int) -> list[Event]:
    """The acknowledgements event, if the count changes."""
    return [("acknowledgements", {"ack_count": count})] if doc.get("ack_count", 0) != count else []

"""The domain operations on TinyDB tables: threads, comments, reactions, likes, acks.

Every change is one write transaction that reads, changes and writes, so
several worker processes can share the database. Counters (comments and
reactions per thread, likes per comment, acknowledgements) are kept in the
documents they describe: reading a count never scans comments. Each change
that readers can see is also appended to the change log (changelog.py) in
the same transaction: that is what the live events of every worker follow.

Tables:
- threads:  {slug, comment_count, reactions {kind: n}, version, locked,
             lock_reason, ack_count, ack_since, last_event_id}; `version` grows
             with every change, which is how each process knows its cached copy
             of a thread is stale; `last_event_id` is its latest change in the
             log; `comment_count` counts the public comments (is_public).
- comments: {thread, parent, author_id, author_name, body, body_html,
             created, edited, deleted, pinned, likes, approved, hidden, flags}:
             `approved` false while pre-moderation holds it (rows without it
             are approved), `hidden` null or {reason, by, by_name, at, auto},
             `flags` the number of open reports.
- marks:    one per person and thing they marked: {thread, user, type, key, at}
            with type "reaction" (key: kind), "like" (key: comment id) or "ack".
- limits:   {key, tat}, the state of the per-person rate limit.
- flags, audit, mutes: see moderation.py.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from tinydb import Query
from tinydb.table import Document

from . import render
from .articles import Article
from .changelog import Change, ChangeLog
from .config import RateLimit, Settings
from .errors import ApiError, forbidden, invalid, not_found, rate_limited
from .identity import User
from .moderation import Lookup, ModerationMixin, is_public
from .storage import Database
from .threadview import ReaderMarks, ThreadView

Q = Query()
TABLES = {
    "threads": ("slug",),
    # created: newest first (feeds); approved: the few waiting comments (moderation.py)
    "comments": ("thread", "author_id", "parent", "created", "approved"),
    "marks": ("thread", "user"),
    "limits": ("key",),
    "flags": ("comment", "user", "open"),
    "audit": ("thread", "actor", "action"),
    "mutes": ("user",),
    "sessions": ("sid",),
}
# Each limited action: its Settings field and the refusal's message.
LIMITS = {
    "comment": ("rate_limit", "You are commenting too fast; try again in {wait} s."),
    "edit": ("edit_rate_limit", "You are editing too fast; try again in {wait} s."),
    "reaction": ("reaction_rate_limit", "You are reacting too fast; try again in {wait} s."),
    "report": ("report_rate_limit", "You have sent many reports; try again in {wait} s."),
}
ID_DIGITS = 18  # an id fits SQLite's 64-bit integer
CACHED_THREADS = 128  # rendered threads kept per process; the recent ones are the hot ones
Event = tuple[str, dict]  # a change's event name and its public data


def now_iso() -> str:
    """The current time, UTC, ISO 8601 with a Z."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def thread_locked() -> ApiError:
    return ApiError(403, "thread_locked", "The discussion of this article is closed.")


class Store(ModerationMixin):
    """Threads and their comments, reactions and acknowledgements; moderation (its mixin)."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self.threads = db.table("threads", indexes=TABLES["threads"])
        self.comments = db.table("comments", indexes=TABLES["comments"])
        self.marks = db.table("marks", indexes=TABLES["marks"])
        self.limits = db.table("limits", indexes=TABLES["limits"])
        self.flags = db.table("flags", indexes=TABLES["flags"])
        self.audit = db.table("audit", indexes=TABLES["audit"])
        self.mutes = db.table("mutes", indexes=TABLES["mutes"])
        self.sessions = db.table("sessions", indexes=TABLES["sessions"])
        self.changes = ChangeLog(db)
        self._cache: OrderedDict[tuple[str, bool], ThreadView] = OrderedDict()  # (slug, moderator)

    # --- reading ------------------------------------------------------------

    def thread_json(self, article: Article, user: User | None) -> bytes:
        """GET /threads/{slug}: the thread as JSON, personalised for `user`.

        The thread's counters, its comments and everyone's marks are read in
        one snapshot, so a comment committed meanwhile by another worker
        cannot show up in the list without being in the count; every change
        bumps the thread's version, so the cached view is current.

        Ordinary readers share the public view. Moderators share a view with
        hidden text and waiting comments; a reader with comments of their own
        waiting for pre-moderation gets a view built for them alone.
        """
        if article.must_read:
            self._refresh_acknowledgements(article)
        with self.db.snapshot():
            doc = self.threads.get(Q.slug == article.slug)
            view = self._view(article, doc)
            if user is None:
                return view.anonymous
            if user.moderator:
                view = self._view(article, doc, moderator=True)
            elif user.id in view.pending_authors:
                view = self._build(article, doc, view.version, author=user.id)
            # Acknowledgements stay out of the cached view: a must-read article
            # may have one per employee.
            ack = None
            if article.must_read:
                ack = self.marks.get(
                    (Q.thread == article.slug) & (Q.user == user.id) & (Q.type == "ack")
                )
        return view.for_reader(
            user.id,
            acknowledged=bool(ack and _ack_current(ack, article)),
            acknowledged_at=ack["at"] if ack else None,
        )

    def last_event_id(self, slug: str) -> int:
        """The id of the thread's latest change in the log (0 if it never changed)."""
        doc = self.threads.get(Q.slug == slug)
        return doc.get("last_event_id", 0) if doc else 0

    def as_shown_now(self, changes: list[Change], lookup: Lookup) -> list[Change]:
        """The changes with every comment in the form a reader of the thread sees now.

        The log keeps a comment as it was when it changed; by the time a
        reader gets that change (a resumed stream, a worker catching up) the
        comment may have been edited, hidden, deleted or rejected. Its text
        then must not reach anyone again: a replayed comment carries its
        current public form, or becomes a removal when it is gone.
        """
        wanted = [int(c.data["comment"]["id"]) for c in changes if c.event == "comment"]
        if not wanted:
            return changes
        rows = {row.doc_id: row for row in self.comments.get(doc_ids=wanted)}
        shown = []
        for change in changes:
            if change.event != "comment":
                shown.append(change)
                continue
            comment_id, count = int(change.data["comment"]["id"]), change.data["comment_count"]
            row = rows.get(comment_id)
            if row is None or row.get("approved") is False:
                data = {"id": str(comment_id), "placeholder": False, "comment_count": count}
                shown.append(Change(change.id, change.thread, "comment_deleted", data))
            else:
                node = self._node(row, lookup(row["thread"]))
                data = {"comment": node, "comment_count": count}
                shown.append(Change(change.id, change.thread, "comment", data))
        return shown

    def counts(self, articles: list[Article]) -> dict:
        """Comment and reaction counts of several threads, from their counters."""
        found = {
            doc["slug"]: doc
            for doc in self.threads.search(Q.slug.one_of([a.slug for a in articles]))
        }
        return {
            article.slug: {
                "comments": found.get(article.slug, {}).get("comment_count", 0),
                "reactions": self._reaction_counts(found.get(article.slug)),
            }
            for article in articles
        }

    def _reaction_counts(self, doc: dict | None) -> dict[str, int]:
        stored = (doc or {}).get("reactions", {})
        return {kind: stored.get(kind, 0) for kind in self.settings.reactions}

    def _refresh_acknowledgements(self, article: Article) -> None:
        """Recount confirmations once the article was updated after some of them."""
        since = article.modified.isoformat() if article.modified else None
        doc = self.threads.get(Q.slug == article.slug)
        if doc is None or doc.get("ack_since") == since:
            return
        with self.db.transaction():
            doc_id, doc = self._thread_for_update(article.slug)
            acks = self.marks.search((Q.thread == article.slug) & (Q.type == "ack"))
            valid = sum(1 for mark in acks if _ack_current(mark, article))
            events = _ack_events(doc, valid)
            self._save_thread(doc_id, doc, *events, ack_count=valid, ack_since=since)

    def _view(self, article: Article, doc: dict | None, moderator: bool = False) -> ThreadView:
        """The thread's public (or moderators') view from this process's cache, rebuilt if stale."""
        version = doc["version"] if doc else 0
        key = (article.slug, moderator)
        view = self._cache.get(key)
        if view is not None and view.version == version:
            self._cache.move_to_end(key)
            return view
        view = self._build(article, doc, version, moderator=moderator)
        self._cache[key] = view
        if len(self._cache) > CACHED_THREADS:
            self._cache.popitem(last=False)
        return view

    def _build(
        self,
        article: Article,
        doc: dict | None,
        version: int,
        moderator: bool = False,
        author: str | None = None,
    ) -> ThreadView:
        """Render a thread once; later readers get it from the cache.

        The public view leaves out the comments waiting for pre-moderation
        (and notes whose they are); `author` adds that person's own, and
        `moderator` shows everything, hidden text included.
        """
        rows = self.comments.search(Q.thread == article.slug) if doc else []
        marks: dict[str, ReaderMarks] = {}
        wanted = (Q.thread == article.slug) & Q.type.one_of(["reaction", "like"])
        for mark in self.marks.search(wanted) if doc else ():
            if mark["type"] == "reaction":
                marks.setdefault(mark["user"], ReaderMarks()).reactions.append(mark["key"])
            elif mark["type"] == "like":
                marks.setdefault(mark["user"], ReaderMarks()).liked.add(int(mark["key"]))
        nodes: dict[int, dict] = {}
        by_author: dict[str, list[int]] = {}
        bodies: dict[int, str] = {}
        pending_authors: set[str] = set()
        for row in rows:
            if row.get("approved") is False and not moderator and row["author_id"] != author:
                pending_authors.add(row["author_id"])
                continue
            nodes[row.doc_id] = self._node(row, article, moderator=moderator)
            if not row.get("deleted"):
                if moderator or not row.get("hidden"):  # a hidden text is for moderators
                    bodies[row.doc_id] = row["body"]
                by_author.setdefault(row["author_id"], []).append(row.doc_id)
        top: list[dict] = []
        for row in rows:
            if row.doc_id not in nodes:
                continue
            parent = nodes.get(row["parent"]) if row["parent"] else None
            if row["parent"] and parent is None:
                continue  # answers a comment this reader cannot see
            (parent["replies"] if parent else top).append(nodes[row.doc_id])
        top.sort(key=lambda node: not node["pinned"])  # stable: oldest first within
        payload = {
            "thread": {
                "slug": article.slug,
                "locked": article.closed or bool(doc and doc.get("locked")),
                "lock_reason": doc.get("lock_reason") if doc else None,
                "comments_mode": article.comments,
                "comment_count": doc["comment_count"] if doc else 0,
                "reactions": self._reaction_counts(doc),
                "mine": [],
                "must_read": article.must_read,
                "acknowledged": False,
                "acknowledged_at": None,
                "ack_count": doc.get("ack_count", 0) if doc else 0,
                "last_event_id": doc.get("last_event_id", 0) if doc else 0,
            },
            "comments": top,
        }
        return ThreadView.build(
            version, payload, nodes, by_author, bodies, marks, pending_authors=pending_authors
        )

    def _node(self, row, article: Article | None, moderator: bool = False) -> dict:
        """A comment as readers see it; `moderator`: with hidden text, reports and thread."""
        deleted = bool(row.get("deleted"))
        hidden = None if deleted else row.get("hidden")
        shown = not deleted and (moderator or not hidden)
        node = {
            "id": str(row.doc_id),
            "parent": str(row["parent"]) if row["parent"] else None,
            "author": {"id": row["author_id"], "name": row["author_name"]} if shown else None,
            "article_author": shown and self._by_article_author(row, article),
            "body_html": row["body_html"] if shown else "",
            "created": row["created"],
            "edited": row.get("edited"),
            "deleted": deleted,
            "pinned": bool(row.get("pinned")),
            "approved": row.get("approved") is not False,
            "hidden": _hidden_view(hidden, moderator),
            "reactions": {"like": row.get("likes", 0)},
            "mine": False,
            "my_reactions": [],
            "replies": [],
        }
        if moderator:
            node["thread"] = row["thread"]
            node["flags"] = row.get("flags", 0)
        return node

    def _by_article_author(self, row: Mapping, article: Article | None) -> bool:
        """Whether the article's author wrote the comment, by a verified identity.

        Only the company sign-in verifies who someone is: its login must be
        among the article's `AuthorLogins`. A display name proves nothing
        (in open mode anyone may take any name), so open mode never says so.
        """
        return (
            self.settings.auth == "header"
            and article is not None
            and row["author_id"] in article.author_logins
        )

    # --- comments -----------------------------------------------------------

    def add_comment(
        self, article: Article, user: User, text: Text, parent_id: int | None = None
    ) -> dict:
        """A new comment or reply; returns it as the API shows it to its author.

        Under pre-moderation (COMMENTS_PREMODERATION, or the article's
        `Comments: moderated`) it waits, unseen and uncounted, until a
        moderator approves it; moderators' own comments do not wait.
        """
        with self.db.transaction():
            doc_id, doc = self._thread_for_update(article.slug)
            self._check_open(article, doc)
            self.check_not_muted(user)
            if parent_id is not None:
                parent_doc = self.comments.get(doc_id=parent_id)
                if (
                    parent_doc is None
                    or parent_doc["thread"] != article.slug
                    or parent_doc.get("approved") is False
                ):
                    raise invalid("parent", "The comment you reply to is not in this thread.")
                if parent_doc.get("deleted"):
                    raise ApiError(
                        409,
                        "parent_deleted",
                        "The comment you reply to was deleted.",
                        "parent",
                    )
            self._take_limit("comment", user)
            premoderated = self.settings.premoderation or article.comments == "moderated"
            waits = premoderated and not user.moderator
            row = {
                "thread": article.slug,
                "parent": parent_id,
                "author_id": user.id,
                "author_name": user.name,
                "body": text.source,
                "body_html": text.html,
                "created": now_iso(),
                "edited": None,
                "deleted": False,
                "pinned": False,
                "likes": 0,
                "approved": not waits,
                "hidden": None,
                "flags": 0,
            }
            comment_id = self.comments.insert(row)
            if waits:  # no event and no count until approved; the version still changes
                self._save_thread(doc_id, doc)
            else:
                count = doc["comment_count"] + 1
                event = self._comment_event(comment_id, row, article, count)
                self._save_thread(doc_id, doc, event, comment_count=count)
        return self._own_view(comment_id, row, article)

    def edit_comment(self, comment_id: str, user: User, text: Text, lookup) -> dict:
        """PATCH: the author changes the text; the comment is marked edited."""
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row["author_id"] != user.id:
                raise forbidden("Only its author can edit a comment.")
            if row.get("deleted"):
                raise ApiError(409, "comment_deleted", "That comment was deleted.")
            if row.get("hidden"):
                raise ApiError(409, "comment_hidden", "A moderator hid that comment.")
            doc_id, doc = self._thread_for_update(article.slug)
            self._check_open(article, doc)
            self.check_not_muted(user)
            self._take_limit("edit", user)
            changes = {"body": text.source, "body_html": text.html, "edited": now_iso()}
            self.comments.update(changes, doc_ids=[row.doc_id])
            edited = {**row, **changes}
            events = []
            if is_public(edited):  # a waiting comment's edits are no one else's news
                events.append(
                    self._comment_event(row.doc_id, edited, article, doc["comment_count"])
                )
            self._save_thread(doc_id, doc, *events)
        return self._own_view(row.doc_id, edited, article)

    def delete_comment(
        self, comment_id: str, user: User, lookup, reason: str | None = None
    ) -> None:
        """DELETE by its author or a moderator.

        A comment with replies leaves a placeholder so the replies keep their
        place; one without is removed, and so are placeholders left without
        replies by its removal. A moderator's deletion of someone else's
        comment is audited (with `reason`) and resolves its open reports.
        """
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row["author_id"] != user.id and not user.moderator:
                raise forbidden("Only its author or a moderator can delete a comment.")
            if row.get("deleted"):
                return  # already a placeholder: deleting twice changes nothing
            doc_id, doc = self._thread_for_update(article.slug)
            if not user.moderator:
                self._check_open(article, doc)
            count = max(0, doc["comment_count"] - is_public(row))
            waiting = row.get("approved") is False  # readers never saw it
            events = [
                ("comment_deleted", {"id": str(gone), "placeholder": kept, "comment_count": count})
                for gone, kept in self._remove_or_blank(row)
                if not (waiting and gone == row.doc_id)
            ]
            self._save_thread(doc_id, doc, *events, comment_count=count)
            if row["author_id"] != user.id:
                reports = self._resolve_flags(row, user, "deleted")
                self._record(user, "delete", row, reason=reason, details={"reports": reports})

    def _remove_or_blank(self, row) -> list[tuple[int, bool]]:
        """Delete a comment; each comment that went, and whether it stays as a placeholder."""
        if self.comments.contains(Q.parent == row.doc_id):
            blank = {"deleted": True, "body": "", "body_html": "", "edited": None}
            self.comments.update(blank, doc_ids=[row.doc_id])
            return [(row.doc_id, True)]
        self.comments.remove(doc_ids=[row.doc_id])
        self.marks.remove(
            (Q.thread == row["thread"]) & (Q.type == "like") & (Q.key == str(row.doc_id))
        )
        parent = self.comments.get(doc_id=row["parent"]) if row["parent"] else None
        if parent is not None and parent.get("deleted"):
            return [(row.doc_id, False), *self._remove_or_blank(parent)]
        return [(row.doc_id, False)]

    def _own_view(self, comment_id: int, row: dict, article: Article) -> dict:
        node = self._node(Document(row, doc_id=comment_id), article)
        return {**node, "mine": True, "body": row["body"]}

    def _comment_event(self, comment_id: int, row: dict, article: Article, count: int) -> Event:
        """A new or edited comment as an anonymous reader sees it."""
        node = self._node(Document(row, doc_id=comment_id), article)
        return ("comment", {"comment": node, "comment_count": count})

    # --- reactions, likes, acknowledgements -----------------------------------

    def set_reaction(self, article: Article, user: User, kind: str, on: bool) -> dict:
        """PUT/DELETE an article reaction; idempotent.

        A closed or locked thread is read-only, its reactions included.
        """
        if kind not in self.settings.reactions:
            raise invalid("kind", f"Reactions are: {', '.join(self.settings.reactions)}.")
        with self.db.transaction():
            doc_id, doc = self._thread_for_update(article.slug)
            self._check_open(article, doc)
            self.check_not_muted(user)
            self._take_limit("reaction", user)
            changed = self._mark(article.slug, user, "reaction", kind, on)
            if changed:
                counts = dict(doc.get("reactions", {}))
                counts[kind] = max(0, counts.get(kind, 0) + (1 if on else -1))
                event = ("reactions", {"reactions": self._reaction_counts({"reactions": counts})})
                self._save_thread(doc_id, doc, event, reactions=counts)
            else:
                counts = doc.get("reactions", {})
            mine = [
                m["key"]
                for m in self.marks.search((Q.thread == article.slug) & (Q.user == user.id))
                if m["type"] == "reaction"
            ]
        return {
            "reactions": {k: counts.get(k, 0) for k in self.settings.reactions},
            "mine": mine,
        }

    def set_like(self, comment_id: str, user: User, on: bool, lookup) -> dict:
        """PUT/DELETE a like on a comment; idempotent."""
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row.get("deleted"):
                raise ApiError(409, "comment_deleted", "That comment was deleted.")
            if row["author_id"] == user.id:
                raise forbidden("You cannot like your own comment.")
            if row.get("approved") is False:
                raise not_found("comment")
            if row.get("hidden"):
                raise ApiError(409, "comment_hidden", "A moderator hid that comment.")
            doc_id, doc = self._thread_for_update(article.slug)
            self._check_open(article, doc)
            self.check_not_muted(user)
            self._take_limit("reaction", user)
            likes = row.get("likes", 0)
            if self._mark(article.slug, user, "like", str(row.doc_id), on):
                likes = max(0, likes + (1 if on else -1))
                self.comments.update({"likes": likes}, doc_ids=[row.doc_id])
                self._save_thread(doc_id, doc, ("like", {"id": str(row.doc_id), "likes": likes}))
        return {"reactions": {"like": likes}, "mine": ["like"] if on else []}

    def acknowledge(self, article: Article, user: User) -> dict:
        """PUT the reader's confirmation that they read a must-read article."""
        if not article.must_read:
            raise ApiError(409, "not_must_read", "This article does not ask for confirmation.")
        self._refresh_acknowledgements(article)
        at = now_iso()
        with self.db.transaction():
            doc_id, doc = self._thread_for_update(article.slug)
            mark = self.marks.get(
                (Q.thread == article.slug) & (Q.user == user.id) & (Q.type == "ack")
            )
            count = doc.get("ack_count", 0)
            if mark is None:
                self.marks.insert(
                    {"thread": article.slug, "user": user.id, "type": "ack", "key": "",
                     "name": user.name, "email": user.email, "at": at}
                )  # fmt: skip
                count += 1
            elif not _ack_current(mark, article):
                self.marks.update({"at": at, "name": user.name}, doc_ids=[mark.doc_id])
                count += 1
            else:
                at = mark["at"]
            since = article.modified.isoformat() if article.modified else None
            events = _ack_events(doc, count)
            self._save_thread(doc_id, doc, *events, ack_count=count, ack_since=since)
        return {"acknowledged": True, "acknowledged_at": at, "ack_count": count}

    def _mark(self, slug: str, user: User, type_: str, key: str, on: bool) -> bool:
        """Set or clear one mark; True if that changed anything."""
        where = (Q.thread == slug) & (Q.user == user.id) & (Q.type == type_) & (Q.key == key)
        existing = self.marks.get(where)
        if on and existing is None:
            self.marks.insert(
                {
                    "thread": slug,
                    "user": user.id,
                    "type": type_,
                    "key": key,
                    "at": now_iso(),
                }
            )
            return True
        if not on and existing is not None:
            self.marks.remove(doc_ids=[existing.doc_id])
            return True
        return False

    # --- inside write transactions --------------------------------------------

    def _thread_for_update(self, slug: str) -> tuple[int, dict]:
        doc = self.threads.get(Q.slug == slug)
        if doc is not None:
            return doc.doc_id, dict(doc)
        fresh = {
            "slug": slug,
            "comment_count": 0,
            "reactions": {},
            "version": 0,
            "locked": False,
            "lock_reason": None,
            "ack_count": 0,
            "ack_since": None,
            "last_event_id": 0,
        }
        return self.threads.insert(fresh), fresh

    def _save_thread(self, doc_id: int, doc: dict, *events: Event, **changes) -> None:
        """Write changes and bump the version, so every process re-renders.

        `events` (name, public data) go to the change log in this transaction.
        """
        changes["version"] = doc.get("version", 0) + 1
        for name, data in events:
            changes["last_event_id"] = self.changes.append(doc["slug"], name, data)
        self.threads.update(changes, doc_ids=[doc_id])
        doc.update(changes)

    def _comment_for_update(self, comment_id: str, lookup) -> tuple:
        number = parse_id(comment_id)
        row = self.comments.get(doc_id=number) if number is not None else None
        article = lookup(row["thread"]) if row is not None else None
        if row is None or article is None or article.hidden:
            raise not_found("comment")
        return row, article

    def _check_open(self, article: Article, doc: dict) -> None:
        if article.closed or doc.get("locked"):
            raise thread_locked()

    def _take_limit(self, action: str, user: User) -> None:
        """Count one `action` (comment, edit, reaction, report) against the person's limit.

        Refuses with 429 and the wait when they are over it. Every write a
        person can repeat has a limit, since each one reaches every open
        stream of the thread.
        """
        limit = getattr(self.settings, LIMITS[action][0])
        wait = self._limit_wait(f"{action}:{user.id}", limit)
        if wait:
            raise rate_limited(wait, LIMITS[action][1].format(wait=wait))

    def take_identity_limit(self, address: str) -> None:
        """Open mode: count one new identity made from `address`, or refuse (429).

        Identities cost nothing to make, and every per-person limit counts
        per identity: this is what keeps a script from minting its way past
        them. An office shares one address, so the limit is generous.
        """
        with self.db.transaction():
            wait = self._limit_wait(f"identity:{address}", self.settings.identity_rate_limit)
        if wait:
            raise rate_limited(wait, f"Too many new names from here; try again in {wait} s.")

    def _limit_wait(self, key: str, limit: RateLimit, take: bool = True) -> int:
        """Count one event under `key` (GCRA); 0 if allowed, else the seconds to wait.

        With take=False only says whether an event would be allowed now.
        """
        now = time.time()
        state = self.limits.get(Q.key == key)
        tat = max(state["tat"] if state else now, now)
        allowed_at = tat - limit.period + limit.interval
        if now < allowed_at:
            return max(1, int(allowed_at - now + 0.999))
        if not take:
            return 0
        if state is None:
            self.limits.insert({"key": key, "tat": tat + limit.interval})
        else:
            self.limits.update({"tat": tat + limit.interval}, doc_ids=[state.doc_id])
        return 0


def _hidden_view(hidden: dict | None, moderator: bool) -> dict | None:
    """Why a comment is hidden: the reason for readers, everything for moderators."""
    if not hidden:
        return None
    if moderator:
        return dict(hidden)
    return {"reason": hidden["reason"], "auto": bool(hidden.get("auto"))}


def _ack_events(doc: dict, count: int) -> list[Event]:
    """The acknowledgements event, if the count changes."""
    return [("acknowledgements", {"ack_count": count})] if doc.get("ack_count", 0) != count else []


def _ack_current(mark: dict, article: Article) -> bool:
    """An acknowledgement counts unless the article was updated after it."""
    if article.modified is None:
        return True
    return _parse_time(mark["at"]) >= article.modified


@dataclass(frozen=True)
class Text:
    """A comment's Markdown source and its sanitised HTML."""

    source: str
    html: str


def prepare_text(body: object) -> Text:
    """Validate and render comment text before any transaction (422 if bad)."""
    try:
        return Text(*render.render_and_validate(body))
    except render.BodyError as error:
        raise invalid("body", str(error), code=error.code) from None


def parse_id(value: object) -> int | None:
    """A comment's id from text: ASCII digits only ("²" is a digit to str.isdigit), else None."""
    ascii_digits = isinstance(value, str) and value.isascii() and value.isdigit()
    return int(value) if ascii_digits and len(value) <= ID_DIGITS else None


def parse_parent(parent: object) -> int | None:
    """The id a reply answers, from the request's `parent` field."""
    if parent is None:
        return None
    number = parse_id(parent)
    if number is None:
        raise invalid("parent", "parent is the id of a comment in this thread, or null.")
    return number

"""Comments: written, edited and deleted by their authors; a change of state and its event.

Under pre-moderation a new comment waits, unseen and uncounted, until a
moderator approves it. Deleting a comment that has replies leaves a
placeholder so the replies keep their place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Unpack

from .. import render, times
from ..articles import Article
from ..errors import ApiError, comment_deleted, comment_hidden, forbidden, invalid, not_found
from ..storage import DocumentTable
from ..user import User
from .audit import Audit
from .comment import Comment, parse_id
from .context import Context
from .flags import Flags
from .limits import Limits
from .people import People
from .rows import CommentChanges, CommentRow
from .tables import Q
from .threads import Threads, ThreadWrite, check_open
from .views import ThreadViews


@dataclass(frozen=True)
class Text:
    """A comment's Markdown source and its sanitised HTML."""

    source: str
    html: str


@dataclass(eq=False)
class Comments:
    """Writing comments, and the one way a comment's state changes with its event."""

    ctx: Context
    threads: Threads
    views: ThreadViews
    people: People
    limits: Limits
    flags: Flags
    audit: Audit

    @property
    def table(self) -> DocumentTable:
        return self.ctx.tables.comments

    def find_for_update(self, comment_id: str) -> tuple[Comment, Article]:
        """The comment of an id from a request, and its article; 404 when there is none."""
        number = parse_id(comment_id)
        row = self.table.get(doc_id=number) if number is not None else None
        article = self.ctx.article(row["thread"]) if row is not None else None
        if row is None or article is None or article.hidden:
            raise not_found("comment")
        return Comment.of(row), article

    def add(
        self, article: Article, user: User, text: Text, parent_id: int | None = None
    ) -> dict[str, Any]:
        """A new comment or reply; returns it as the API shows it to its author.

        Under pre-moderation (COMMENTS_PREMODERATION, or the article's
        `Comments: moderated`) it waits, unseen and uncounted, until a
        moderator approves it; moderators' own comments do not wait.
        """
        with self.ctx.db.transaction():
            # What the checks below read, asked at once: one round trip on PostgreSQL.
            self.ctx.db.prefetch(
                self.threads.search_of(article.slug),
                self.people.mute_search(user.id),
                self.limits.search_of("comment", user),
            )
            thread = self.threads.for_update(article.slug)
            check_open(article, thread)
            self.people.check_not_muted(user)
            if parent_id is not None:
                self._check_parent(article, parent_id)
            self.limits.take("comment", user)
            premoderated = self.ctx.settings.premoderation or article.comments == "moderated"
            waits = premoderated and not user.moderator
            row = _new_row(article, user, text, parent_id, waits)
            comment = Comment(self.table.insert(row), row)
            if waits:  # no event and no count until approved; the version still changes
                thread.save()
            else:
                count = thread.comment_count + 1
                thread.save(self.views.comment_event(comment, article, count), comment_count=count)
        return self.views.own_view(comment, article)

    def _check_parent(self, article: Article, parent_id: int) -> None:
        row = self.table.get(doc_id=parent_id)
        parent = Comment.of(row) if row is not None else None
        if parent is None or parent.thread != article.slug or parent.waiting:
            raise invalid("parent", "The comment you reply to is not in this thread.")
        if parent.deleted:
            raise ApiError(409, "parent_deleted", "The comment you reply to was deleted.", "parent")

    def edit(self, comment_id: str, user: User, text: Text) -> dict[str, Any]:
        """The author changes the text; the comment is marked edited."""
        with self.ctx.db.transaction():
            comment, article = self.find_for_update(comment_id)
            if comment.author_id != user.id:
                raise forbidden("Only its author can edit a comment.")
            if comment.deleted:
                raise comment_deleted()
            if comment.hidden:
                raise comment_hidden()
            thread = self.threads.for_update(article.slug)
            check_open(article, thread)
            self.people.check_not_muted(user)
            self.limits.take("edit", user)
            changes: CommentChanges = {
                "body": text.source,
                "body_html": text.html,
                "edited": times.now_iso(),
            }
            self.table.update(changes, doc_ids=[comment.id])
            edited = comment.changed(**changes)
            events = []
            if edited.public:  # a waiting comment's edits are no one else's news
                events.append(self.views.comment_event(edited, article, thread.comment_count))
            thread.save(*events)
        return self.views.own_view(edited, article)

    def delete(self, comment_id: str, user: User, reason: str | None = None) -> None:
        """Deleted by its author or a moderator.

        A comment with replies leaves a placeholder so the replies keep their
        place; one without is removed, and so are placeholders left without
        replies by its removal. A moderator's deletion of someone else's
        comment is audited (with `reason`) and resolves its open reports.
        """
        with self.ctx.db.transaction():
            comment, article = self.find_for_update(comment_id)
            if comment.author_id != user.id and not user.moderator:
                raise forbidden("Only its author or a moderator can delete a comment.")
            if comment.deleted:
                return  # already a placeholder: deleting twice changes nothing
            thread = self.threads.for_update(article.slug)
            if not user.moderator:
                check_open(article, thread)
            count = max(0, thread.comment_count - comment.public)
            events = [
                ("comment_deleted", {"id": str(gone), "placeholder": kept, "comment_count": count})
                for gone, kept in self.remove_or_blank(comment)
                if not (comment.waiting and gone == comment.id)  # readers never saw it
            ]
            thread.save(*events, comment_count=count)
            if comment.author_id != user.id:
                reports = self.flags.resolve(comment, user, "deleted")
                self.audit.record(user, "delete", comment, reason=reason,
                                  details={"reports": reports})  # fmt: skip

    def remove_or_blank(self, comment: Comment) -> list[tuple[int, bool]]:
        """Delete a comment; each comment that went, and whether it stays as a placeholder."""
        if self.table.contains(Q.parent == comment.id):
            blank = {"deleted": True, "body": "", "body_html": "", "edited": None}
            self.table.update(blank, doc_ids=[comment.id])
            return [(comment.id, True)]
        self.table.remove(doc_ids=[comment.id])
        likes = (Q.thread == comment.thread) & (Q.type == "like") & (Q.key == str(comment.id))
        self.ctx.tables.marks.remove(likes)
        row = self.table.get(doc_id=comment.parent) if comment.parent else None
        if row is not None and row.get("deleted"):
            return [(comment.id, False), *self.remove_or_blank(Comment.of(row))]
        return [(comment.id, False)]

    def change(
        self, comment: Comment, article: Article, **changes: Unpack[CommentChanges]
    ) -> Comment:
        """Write `changes` to a comment, keep the public count, tell readers what they see.

        The one way a moderator's decision (hide, show, pin, approve) or the
        reports reach a comment; call inside a write transaction.
        """
        changed = comment.changed(**changes)
        self.table.update(changes, doc_ids=[comment.id])
        thread: ThreadWrite = self.threads.for_update(article.slug)
        count = thread.comment_count + changed.public - comment.public
        events = []
        if not changed.waiting:  # a waiting comment is no one's news
            events.append(self.views.comment_event(changed, article, count))
        thread.save(*events, comment_count=count)
        return changed


def _new_row(
    article: Article, user: User, text: Text, parent_id: int | None, waits: bool
) -> CommentRow:
    return {
        "thread": article.slug,
        "parent": parent_id,
        "author_id": user.id,
        "author_name": user.name,
        "body": text.source,
        "body_html": text.html,
        "created": times.now_iso(),
        "edited": None,
        "deleted": False,
        "pinned": False,
        "likes": 0,
        "approved": not waits,
        "hidden": None,
        "flags": 0,
    }


def prepare_text(body: object) -> Text:
    """Validate and render comment text before any transaction (422 if bad)."""
    try:
        return Text(*render.render_and_validate(body))
    except render.BodyError as error:
        raise invalid("body", str(error), code=error.code) from None


def parse_parent(parent: object) -> int | None:
    """The id a reply answers, from the request's `parent` field."""
    if parent is None:
        return None
    number = parse_id(parent)
    if number is None:
        raise invalid("parent", "parent is the id of a comment in this thread, or null.")
    return number

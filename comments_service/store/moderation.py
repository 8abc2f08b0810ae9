"""Moderation: hide, show, pin, approve, reject, lock; readers' reports and their outcome.

Each operation runs in one write transaction with the audit row that
records it, and checks that its user moderates (except reporting, which
any signed-in reader may do), so the JSON API and the admin pages call
the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import times
from ..articles import Article
from ..errors import ApiError, comment_deleted, forbidden, invalid, not_found
from ..user import User, require_moderator
from .answers import Rejected, ThreadState
from .audit import SYSTEM_ID, SYSTEM_NAME, Audit
from .comment import Comment
from .comments import Comments
from .context import Context
from .flags import Flags
from .limits import Limits
from .rows import CommentChanges, Hidden
from .threads import Threads
from .views import ThreadViews

AUTO_HIDE_REASON = "pending review"  # shown until a moderator looks; `auto` lets pages translate


@dataclass(eq=False)
class Moderation:
    """Moderators' decisions about comments and threads, and readers' reports."""

    ctx: Context
    threads: Threads
    views: ThreadViews
    comments: Comments
    flags: Flags
    limits: Limits
    audit: Audit

    # --- comments -------------------------------------------------------------

    def hide(self, comment_id: str, user: User, reason: str) -> dict[str, Any]:
        """Hide a comment from readers, with the reason they see instead of its text."""
        require_moderator(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if comment.deleted:
                raise comment_deleted()
            hidden = comment.row.get("hidden")
            if hidden and not hidden.get("auto") and hidden["reason"] == reason:
                return self.views.moderator_view(comment, article)
            new: Hidden = {"reason": reason, "by": user.id, "by_name": user.name,
                   "at": times.iso(times.now()), "auto": False}  # fmt: skip
            resolved = self.flags.resolve(comment, user, "hidden")
            changed = self.comments.change(comment, article, hidden=new, flags=0)
            self.audit.record(user, "hide", comment, reason=reason, details={"reports": resolved})
        return self.views.moderator_view(changed, article)

    def unhide(self, comment_id: str, user: User, reason: str | None = None) -> dict[str, Any]:
        """Show a hidden comment again; its open reports count as dismissed."""
        require_moderator(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if not comment.row.get("hidden"):
                return self.views.moderator_view(comment, article)
            resolved = self.flags.resolve(comment, user, "dismissed")
            changed = self.comments.change(comment, article, hidden=None, flags=0)
            self.audit.record(user, "unhide", comment, reason=reason,
                              details={"reports": resolved})  # fmt: skip
        return self.views.moderator_view(changed, article)

    def pin(
        self, comment_id: str, user: User, on: bool, reason: str | None = None
    ) -> dict[str, Any]:
        """Pin a top-level comment (shown first) or unpin it."""
        require_moderator(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if comment.deleted:
                raise comment_deleted()
            if comment.parent is not None:
                raise invalid("comment_id", "Only a top-level comment can be pinned.")
            if bool(comment.row.get("pinned")) == on:
                return self.views.moderator_view(comment, article)
            changed = self.comments.change(comment, article, pinned=on)
            self.audit.record(user, "pin" if on else "unpin", comment, reason=reason)
        return self.views.moderator_view(changed, article)

    def approve(self, comment_id: str, user: User, reason: str | None = None) -> dict[str, Any]:
        """Publish a comment that waited for pre-moderation."""
        require_moderator(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if not comment.waiting:
                return self.views.moderator_view(comment, article)
            changed = self.comments.change(comment, article, approved=True)
            self.audit.record(user, "approve", comment, reason=reason)
        return self.views.moderator_view(changed, article)

    def reject(self, comment_id: str, user: User, reason: str | None = None) -> Rejected:
        """Remove a comment that waited for pre-moderation; readers never saw it.

        Its author's open pages did: a `comment_deleted` event (an id, nothing
        more) takes it away there too.
        """
        require_moderator(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if not comment.waiting:
                raise ApiError(
                    409, "comment_approved", "That comment is public already: delete it instead."
                )
            thread = self.threads.for_update(article.slug)
            count = thread.comment_count
            thread.save(*[
                ("comment_deleted", {"id": str(gone), "placeholder": kept, "comment_count": count})
                for gone, kept in self.comments.remove_or_blank(comment)
            ])  # fmt: skip
            details = {"author_id": comment.author_id, "author_name": comment.row["author_name"]}
            self.audit.record(user, "reject", comment, reason=reason, details=details)
        return {"id": str(comment.id), "rejected": True}

    # --- threads --------------------------------------------------------------

    def lock(
        self, article: Article, user: User, on: bool, reason: str | None = None
    ) -> ThreadState:
        """Lock a thread (read-only: no comments, edits, likes or reactions) or unlock it."""
        require_moderator(user)
        reason = reason if on else None
        with self.ctx.db.transaction():
            thread = self.threads.for_update(article.slug)
            if thread.locked != on or thread.doc.get("lock_reason") != reason:
                state = thread_state(article, on, reason)
                event = ("thread", {"locked": state["locked"], "lock_reason": reason})
                thread.save(event, locked=on, lock_reason=reason)
                self.audit.record(user, "lock" if on else "unlock", thread=article.slug,
                                  reason=reason)  # fmt: skip
        return thread_state(article, thread.locked, thread.doc.get("lock_reason"))

    # --- readers' reports -------------------------------------------------------

    def report(self, comment_id: str, user: User, reason: str) -> dict[str, Any]:
        """Report a comment to the moderators, once per person.

        Behind the company sign-in, COMMENTS_FLAG_THRESHOLD open reports hide
        the comment "pending review" until a moderator decides. In open mode
        names are free to make, so reports never hide anything by themselves
        (they wait in the moderators' queue), and a name must be a few
        minutes old (COMMENTS_REPORT_MIN_AGE) before it may report at all.
        """
        self._check_old_enough_to_report(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if comment.waiting:
                raise not_found("comment")  # nobody but its author and moderators sees it
            if comment.deleted:
                raise comment_deleted()
            if comment.author_id == user.id:
                raise forbidden("You cannot report your own comment.")
            if self.flags.exists(comment, user):
                raise ApiError(409, "already_reported", "You reported this comment already.")
            self.limits.take("report", user)
            flag = self.flags.add(comment, user, reason)
            self._count_report(comment, article, flag["at"])
        return flag

    def _count_report(self, comment: Comment, article: Article, at: str) -> None:
        reports = comment.row.get("flags", 0) + 1
        settings = self.ctx.settings
        auto_hides = settings.auth == "header" and reports >= settings.flag_threshold
        if auto_hides and not comment.row.get("hidden"):
            hidden: Hidden = {"reason": AUTO_HIDE_REASON, "by": SYSTEM_ID, "by_name": SYSTEM_NAME,
                      "at": at, "auto": True}  # fmt: skip
            self.comments.change(comment, article, hidden=hidden, flags=reports)
            self.audit.record(None, "auto_hide", comment, reason=AUTO_HIDE_REASON,
                              details={"reports": reports})  # fmt: skip
        else:
            self.ctx.tables.comments.update({"flags": reports}, doc_ids=[comment.id])
            # Moderators' view of the thread shows the count: it must be rebuilt.
            self.threads.for_update(article.slug).save()

    def _check_old_enough_to_report(self, user: User) -> None:
        """Open mode: 403 `identity_too_new` for a name made minutes ago."""
        if self.ctx.settings.auth != "open" or user.moderator or not user.since:
            return
        wait = self.ctx.settings.report_min_age - (times.unix() - user.since)
        if wait > 0:
            raise ApiError(
                403,
                "identity_too_new",
                f"A new name can report comments after a few minutes; try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )

    def dismiss_reports(
        self, comment_id: str, user: User, reason: str | None = None
    ) -> dict[str, Any]:
        """Resolve a comment's open reports as unfounded; show it again if they hid it."""
        require_moderator(user)
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            hidden = comment.row.get("hidden")
            auto = bool(hidden and hidden.get("auto"))
            resolved = self.flags.resolve(comment, user, "dismissed")
            if not resolved and not auto:
                return self.views.moderator_view(comment, article)
            changes: CommentChanges = {"hidden": None, "flags": 0} if auto else {"flags": 0}
            changed = self.comments.change(comment, article, **changes)
            details = {"reports": resolved, "unhidden": auto}
            self.audit.record(user, "dismiss_reports", comment, reason=reason, details=details)
        return self.views.moderator_view(changed, article)


def thread_state(article: Article, locked: bool, reason: str | None) -> ThreadState:
    return {
        "slug": article.slug,
        "locked": article.closed or locked,
        "lock_reason": reason if locked else None,
        "comments_mode": article.comments,
    }

"""Moderation: hide, pin, lock, approve, mute, reports, and the audit log of it all.

The operations are methods of the store (Store inherits ModerationMixin), so
each runs in one write transaction with the change it audits: an action is
in the audit log exactly when it happened. Every operation checks that its
user moderates, so the JSON API and the admin pages can both call them.

Tables (besides the store's):
- flags: {comment, thread, user, user_name, reason, at, open, resolved}; one
         per person and comment. `open` (indexed) is true until a moderator
         resolves the report; `resolved` is then {by, by_name, at, outcome}.
- audit: {at, actor, actor_name, action, thread, comment, person, reason, details}
- mutes: {user, user_name, until, reason, by, by_name, at}; one per person.
         A mute whose `until` has passed no longer applies: expiry is
         checked when the person writes, so nothing has to clear it.
- sessions: {sid, user, address, at, expires}; open mode's admin sessions,
         `sid` the SHA-256 of the secret in the `kurier_admin` cookie,
         `expires` Unix time. Signing out removes the row.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tinydb import Query
from tinydb.table import Document

from .articles import Article
from .config import RateLimit
from .errors import ApiError, forbidden, invalid, not_found, not_signed_in
from .identity import User

if TYPE_CHECKING:
    from .changelog import ChangeLog
    from .storage import Database, SQLiteTable

Q = Query()
REASON_MAX = 500
MUTE_MAX = timedelta(days=366)
PAGE_DEFAULT, PAGE_MAX = 50, 200
SYSTEM_ID, SYSTEM_NAME = "system", "Kurier"
AUTO_HIDE_REASON = "pending review"  # shown until a moderator looks; `auto` lets pages translate
# Wrong admin passwords per address: ten at once, then one a minute.
ADMIN_FAILURES = RateLimit(10, 600)
ACTIONS = (
    "hide", "unhide", "delete", "pin", "unpin", "lock", "unlock", "mute", "unmute",
    "approve", "reject", "dismiss_reports", "auto_hide", "sign_in",
)  # fmt: skip
Lookup = Callable[[str], Article | None]


def is_public(row: Mapping) -> bool:
    """Whether everyone may read a comment: not deleted, not waiting, not hidden.

    Rows written before pre-moderation existed have no `approved`: they count
    as approved.
    """
    return not row.get("deleted") and row.get("approved") is not False and not row.get("hidden")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def parse_reason(value: object, required: bool, field: str = "reason") -> str | None:
    """A moderator's or reporter's reason: 1 to 500 visible characters (422 if not)."""
    if value is None:
        if required:
            raise invalid(field, f"The field '{field}' is required.", code="missing_field")
        return None
    if not isinstance(value, str):
        raise invalid(field, f"'{field}' is a text.")
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in text):
        raise invalid(field, f"'{field}' may not hold control or unassigned characters.")
    if not text:
        if required:
            raise invalid(field, f"Give a {field}.", code="empty")
        return None
    if len(text) > REASON_MAX:
        raise invalid(field, f"'{field}' has at most {REASON_MAX} characters.", code="too_long")
    return text


def parse_until(value: object) -> str:
    """The end of a mute: ISO 8601 with a time zone, in the future, at most 366 days ahead."""
    message = "until is a future time like 2026-12-31T18:00:00Z, at most a year ahead."
    if not isinstance(value, str) or len(value) > 40:
        raise invalid("until", message)
    try:
        until = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid("until", message) from None
    if until.tzinfo is None:
        raise invalid("until", "until needs a time zone, e.g. Z or +01:00.")
    now = _now()
    if until <= now or until - now > MUTE_MAX:
        raise invalid("until", message)
    return _iso(until)


def parse_page(limit: object, before: object) -> tuple[int, int | None]:
    """?limit= (1 to 200, default 50) and ?before= (an id from `next_before`)."""
    if limit is None or limit == "":
        size = PAGE_DEFAULT
    elif isinstance(limit, str) and limit.isascii() and limit.isdigit() and len(limit) < 5:
        size = int(limit)
    else:
        size = 0
    if not 1 <= size <= PAGE_MAX:
        raise invalid("limit", f"limit is a whole number from 1 to {PAGE_MAX}.")
    if before is None or before == "":
        return size, None
    if not (isinstance(before, str) and before.isascii() and before.isdigit() and len(before) < 19):
        raise invalid("before", "before is the next_before of the previous page.")
    return size, int(before)


def muted(until: str) -> ApiError:
    return ApiError(
        403,
        "muted",
        f"A moderator muted you until {until}: you cannot write until then.",
        extra={"until": until},
    )


def require_moderator(user: User | None) -> User:
    """The user, if they moderate: 401 when nobody is signed in, else 403."""
    if user is None:
        raise not_signed_in()
    if not user.moderator:
        raise forbidden("Only moderators can do that.")
    return user


def _comment_deleted() -> ApiError:
    return ApiError(409, "comment_deleted", "That comment was deleted.")


class ModerationMixin:
    """The moderation operations of Store; see the module docstring."""

    # Provided by Store.
    db: Database
    changes: ChangeLog
    settings: object
    threads: SQLiteTable
    comments: SQLiteTable
    flags: SQLiteTable
    audit: SQLiteTable
    mutes: SQLiteTable
    sessions: SQLiteTable
    _take_limit: Callable
    _thread_for_update: Callable
    _save_thread: Callable
    _comment_for_update: Callable
    _comment_event: Callable
    _node: Callable
    _remove_or_blank: Callable
    _limit_wait: Callable

    # --- comments -------------------------------------------------------------

    def hide_comment(self, comment_id: str, user: User, reason: str, lookup: Lookup) -> dict:
        """Hide a comment from readers, with the reason they see instead of its text."""
        require_moderator(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row.get("deleted"):
                raise _comment_deleted()
            hidden = row.get("hidden")
            if hidden and not hidden.get("auto") and hidden["reason"] == reason:
                return self._moderator_view(row, article)
            new = {"reason": reason, "by": user.id, "by_name": user.name, "at": _iso(_now())}
            resolved = self._resolve_flags(row, user, "hidden")
            changed = self._change_comment(row, article, hidden={**new, "auto": False}, flags=0)
            self._record(user, "hide", row, reason=reason, details={"reports": resolved})
        return self._moderator_view(changed, article)

    def unhide_comment(
        self, comment_id: str, user: User, lookup: Lookup, reason: str | None = None
    ) -> dict:
        """Show a hidden comment again; its open reports count as dismissed."""
        require_moderator(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if not row.get("hidden"):
                return self._moderator_view(row, article)
            resolved = self._resolve_flags(row, user, "dismissed")
            changed = self._change_comment(row, article, hidden=None, flags=0)
            self._record(user, "unhide", row, reason=reason, details={"reports": resolved})
        return self._moderator_view(changed, article)

    def pin_comment(
        self, comment_id: str, user: User, on: bool, lookup: Lookup, reason: str | None = None
    ) -> dict:
        """Pin a top-level comment (shown first) or unpin it."""
        require_moderator(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row.get("deleted"):
                raise _comment_deleted()
            if row["parent"] is not None:
                raise invalid("comment_id", "Only a top-level comment can be pinned.")
            if bool(row.get("pinned")) == on:
                return self._moderator_view(row, article)
            changed = self._change_comment(row, article, pinned=on)
            self._record(user, "pin" if on else "unpin", row, reason=reason)
        return self._moderator_view(changed, article)

    def approve_comment(
        self, comment_id: str, user: User, lookup: Lookup, reason: str | None = None
    ) -> dict:
        """Publish a comment that waited for pre-moderation."""
        require_moderator(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row.get("approved") is not False:
                return self._moderator_view(row, article)
            changed = self._change_comment(row, article, approved=True)
            self._record(user, "approve", row, reason=reason)
        return self._moderator_view(changed, article)

    def reject_comment(
        self, comment_id: str, user: User, lookup: Lookup, reason: str | None = None
    ) -> dict:
        """Remove a comment that waited for pre-moderation; readers never saw it.

        Its author's open pages did: a `comment_deleted` event (an id, nothing
        more) takes it away there too.
        """
        require_moderator(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row.get("approved") is not False:
                raise ApiError(
                    409, "comment_approved", "That comment is public already: delete it instead."
                )
            doc_id, doc = self._thread_for_update(article.slug)
            gone = self._remove_or_blank(row)
            events = [
                ("comment_deleted", {"id": str(i), "placeholder": kept,
                                     "comment_count": doc["comment_count"]})
                for i, kept in gone
            ]  # fmt: skip
            self._save_thread(doc_id, doc, *events)
            details = {"author_id": row["author_id"], "author_name": row["author_name"]}
            self._record(user, "reject", row, reason=reason, details=details)
        return {"id": str(row.doc_id), "rejected": True}

    def _change_comment(self, row: Document, article: Article, **changes) -> Document:
        """Write `changes` to a comment, keep the public count, tell readers what they see."""
        changed = Document({**row, **changes}, doc_id=row.doc_id)
        self.comments.update(changes, doc_ids=[row.doc_id])
        doc_id, doc = self._thread_for_update(article.slug)
        count = doc["comment_count"] + is_public(changed) - is_public(row)
        events = []
        if changed.get("approved") is not False:  # a waiting comment is no one's news
            events.append(self._comment_event(row.doc_id, changed, article, count))
        self._save_thread(doc_id, doc, *events, comment_count=count)
        return changed

    def _moderator_view(self, row: Mapping, article: Article | None) -> dict:
        return self._node(row, article, moderator=True)

    # --- threads --------------------------------------------------------------

    def lock_thread(
        self, article: Article, user: User, on: bool, reason: str | None = None
    ) -> dict:
        """Lock a thread (no new comments, edits or likes) or unlock it."""
        require_moderator(user)
        reason = reason if on else None
        with self.db.transaction():
            doc_id, doc = self._thread_for_update(article.slug)
            if bool(doc.get("locked")) != on or doc.get("lock_reason") != reason:
                state = _thread_state(article, on, reason)
                event = ("thread", {"locked": state["locked"], "lock_reason": reason})
                self._save_thread(doc_id, doc, event, locked=on, lock_reason=reason)
                self._record(user, "lock" if on else "unlock", thread=article.slug, reason=reason)
        return _thread_state(article, bool(doc.get("locked")), doc.get("lock_reason"))

    # --- people ---------------------------------------------------------------

    def mute_person(self, person_id: str, user: User, until: str, reason: str) -> dict:
        """Stop a person writing until `until` (from parse_until)."""
        require_moderator(user)
        with self.db.transaction():
            existing = self.mutes.get(Q.user == person_id)
            if existing and existing["until"] == until and existing["reason"] == reason:
                return _mute_view(existing)
            mute = {
                "user": person_id,
                "user_name": self._person_name(person_id),
                "until": until,
                "reason": reason,
                "by": user.id,
                "by_name": user.name,
                "at": _iso(_now()),
            }
            if existing:
                self.mutes.update(mute, doc_ids=[existing.doc_id])
            else:
                self.mutes.insert(mute)
            self._record(user, "mute", person=person_id, reason=reason, details={"until": until})
        return _mute_view(mute)

    def unmute_person(self, person_id: str, user: User, reason: str | None = None) -> dict:
        """Let a muted person write again."""
        require_moderator(user)
        with self.db.transaction():
            existing = self.mutes.get(Q.user == person_id)
            if existing:
                self.mutes.remove(doc_ids=[existing.doc_id])
                details = {"until": existing["until"]}
                self._record(user, "unmute", person=person_id, reason=reason, details=details)
        return {"user": person_id, "muted": False}

    def active_mute(self, person_id: str) -> dict | None:
        """The person's mute, if it still applies."""
        mute = self.mutes.get(Q.user == person_id)
        if mute is None or _time(mute["until"]) <= _now():
            return None
        return _mute_view(mute)

    def check_not_muted(self, user: User) -> None:
        """403 `muted` (with `until`) while a mute of the user applies."""
        mute = self.active_mute(user.id)
        if mute is not None:
            raise muted(mute["until"])

    def active_mutes(self, user: User) -> dict:
        """GET /moderation/mutes: the mutes that still apply, newest first."""
        require_moderator(user)
        now = _now()
        mutes = [m for m in self.mutes.all() if _time(m["until"]) > now]
        mutes.sort(key=lambda m: m["at"], reverse=True)
        return {"items": [_mute_view(m) for m in mutes]}

    def _person_name(self, person_id: str) -> str:
        latest = self.comments.before(None, 1, Q.author_id == person_id)
        return latest[0]["author_name"] if latest else person_id

    # --- reports --------------------------------------------------------------

    def flag_comment(self, comment_id: str, user: User, reason: str, lookup: Lookup) -> dict:
        """Report a comment to the moderators, once per person.

        Behind the company sign-in, COMMENTS_FLAG_THRESHOLD open reports hide
        the comment "pending review" until a moderator decides. In open mode
        names are free to make, so reports never hide anything by themselves
        (they wait in the moderators' queue), and a name must be a few
        minutes old (COMMENTS_REPORT_MIN_AGE) before it may report at all.
        """
        self._check_old_enough_to_report(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            if row.get("approved") is False:
                raise not_found("comment")  # nobody but its author and moderators sees it
            if row.get("deleted"):
                raise _comment_deleted()
            if row["author_id"] == user.id:
                raise forbidden("You cannot report your own comment.")
            if self.flags.get((Q.comment == row.doc_id) & (Q.user == user.id)) is not None:
                raise ApiError(409, "already_reported", "You reported this comment already.")
            self._take_limit("report", user)
            flag = {
                "comment": row.doc_id,
                "thread": row["thread"],
                "user": user.id,
                "user_name": user.name,
                "reason": reason,
                "at": _iso(_now()),
                "open": True,
                "resolved": None,
            }
            flag_id = self.flags.insert(flag)
            reports = row.get("flags", 0) + 1
            auto_hides = self.settings.auth == "header"
            if auto_hides and reports >= self.settings.flag_threshold and not row.get("hidden"):
                hidden = {"reason": AUTO_HIDE_REASON, "by": SYSTEM_ID, "by_name": SYSTEM_NAME,
                          "at": flag["at"], "auto": True}  # fmt: skip
                self._change_comment(row, article, hidden=hidden, flags=reports)
                self._record(None, "auto_hide", row, reason=AUTO_HIDE_REASON,
                             details={"reports": reports})  # fmt: skip
            else:
                self.comments.update({"flags": reports}, doc_ids=[row.doc_id])
                # Moderators' view of the thread shows the count: it must be rebuilt.
                self._save_thread(*self._thread_for_update(article.slug))
        return _flag_view(Document(flag, doc_id=flag_id))

    def _check_old_enough_to_report(self, user: User) -> None:
        """Open mode: 403 `identity_too_new` for a name made minutes ago."""
        if self.settings.auth != "open" or user.moderator or not user.since:
            return
        age = int(time.time()) - user.since
        wait = self.settings.report_min_age - age
        if wait > 0:
            raise ApiError(
                403,
                "identity_too_new",
                f"A new name can report comments after a few minutes; try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )

    def dismiss_flags(
        self, comment_id: str, user: User, lookup: Lookup, reason: str | None = None
    ) -> dict:
        """Resolve a comment's open reports as unfounded; show it again if they hid it."""
        require_moderator(user)
        with self.db.transaction():
            row, article = self._comment_for_update(comment_id, lookup)
            auto = bool(row.get("hidden") and row["hidden"].get("auto"))
            resolved = self._resolve_flags(row, user, "dismissed")
            if not resolved and not auto:
                return self._moderator_view(row, article)
            if auto:
                changed = self._change_comment(row, article, hidden=None, flags=0)
            else:
                changed = self._change_comment(row, article, flags=0)
            details = {"reports": resolved, "unhidden": auto}
            self._record(user, "dismiss_reports", row, reason=reason, details=details)
        return self._moderator_view(changed, article)

    def _resolve_flags(self, row: Mapping, user: User, outcome: str) -> int:
        """Close the comment's open reports with `outcome`; how many there were."""
        open_flags = self.flags.search((Q.comment == row.doc_id) & (Q.open == 1))
        resolved = {"by": user.id, "by_name": user.name, "at": _iso(_now()), "outcome": outcome}
        for flag in open_flags:
            self.flags.update({"open": False, "resolved": resolved}, doc_ids=[flag.doc_id])
        return len(open_flags)

    # --- moderators' lists ----------------------------------------------------

    def flag_queue(
        self, user: User, lookup: Lookup, limit: int = PAGE_DEFAULT, before: int | None = None
    ) -> dict:
        """Comments with open reports, the most recently reported first, with the reports."""
        require_moderator(user)
        # `open` is a boolean, which SQLite's JSON sees as 1: `== 1` uses the
        # index, and True == 1 in Python too. Open reports are few.
        by_comment: dict[int, list[Document]] = {}
        for flag in self.flags.search(Q.open == 1):
            by_comment.setdefault(flag["comment"], []).append(flag)
        order = sorted(by_comment, key=lambda c: by_comment[c][-1].doc_id, reverse=True)
        if before is not None:
            order = [c for c in order if by_comment[c][-1].doc_id < before]
        items = []
        for comment_id in order[:limit]:
            row = self.comments.get(doc_id=comment_id)
            if row is None:
                continue
            reports = [_flag_view(f) for f in reversed(by_comment[comment_id])]
            items.append({"comment": self._moderator_view(row, lookup(row["thread"])),
                          "reports": reports})  # fmt: skip
        last = by_comment[order[limit - 1]][-1].doc_id if len(order) > limit else None
        return {"items": items, "next_before": last}

    def pending_queue(
        self, user: User, lookup: Lookup, limit: int = PAGE_DEFAULT, before: int | None = None
    ) -> dict:
        """Comments waiting for pre-moderation, newest first."""
        require_moderator(user)
        # `approved == 0` rather than `is False`: SQLite's JSON sees false as 0,
        # so the index on `approved` finds the few waiting comments.
        waiting = (Q.approved == 0) & (Q.deleted == False)  # noqa: E712 - a TinyDB query
        rows = self.comments.before(before, limit + 1, waiting)
        return self._comment_page(rows, limit, lookup)

    def recent_comments(
        self,
        user: User,
        lookup: Lookup,
        limit: int = PAGE_DEFAULT,
        before: int | None = None,
        thread: str | None = None,
        author: str | None = None,
    ) -> dict:
        """Comments newest first, of one thread and/or author if given, as moderators see them."""
        require_moderator(user)
        cond = None
        if thread is not None:
            cond = Q.thread == thread
        if author is not None:
            cond = Q.author_id == author if cond is None else cond & (Q.author_id == author)
        rows = self.comments.before(before, limit + 1, cond)
        return self._comment_page(rows, limit, lookup)

    def _comment_page(self, rows: list[Document], limit: int, lookup: Lookup) -> dict:
        items = [self._moderator_view(row, lookup(row["thread"])) for row in rows[:limit]]
        more = len(rows) > limit
        return {"items": items, "next_before": rows[limit - 1].doc_id if more else None}

    def audit_log(
        self,
        user: User,
        limit: int = PAGE_DEFAULT,
        before: int | None = None,
        thread: str | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> dict:
        """The audit log newest first, filtered by thread, actor and action if given."""
        require_moderator(user)
        cond = None
        for name, value in (("thread", thread), ("actor", actor), ("action", action)):
            if value is not None:
                part = Q[name] == value
                cond = part if cond is None else cond & part
        rows = self.audit.before(before, limit + 1, cond)
        return {
            "items": [_audit_view(row) for row in rows[:limit]],
            "next_before": rows[limit - 1].doc_id if len(rows) > limit else None,
        }

    # --- audit and sign-in ----------------------------------------------------

    def _record(
        self,
        user: User | None,
        action: str,
        row: Mapping | None = None,
        *,
        thread: str | None = None,
        person: str | None = None,
        reason: str | None = None,
        details: dict | None = None,
    ) -> None:
        """Add an audit row (call inside the transaction of the action); None: the system."""
        self.audit.insert(
            {
                "at": _iso(_now()),
                "actor": user.id if user else SYSTEM_ID,
                "actor_name": user.name if user else SYSTEM_NAME,
                "action": action,
                "thread": row["thread"] if row is not None else thread,
                "comment": row.doc_id if isinstance(row, Document) else None,
                "person": row["author_id"] if row is not None else person,
                "reason": reason,
                "details": details or {},
            }
        )

    def admin_sign_in_wait(self, address: str) -> int:
        """Seconds `address` must wait before trying the admin password again (0: go ahead).

        Only wrong passwords count (ADMIN_FAILURES): nobody is signed in yet,
        so the address is all there is to count by, and a right password
        from an address without many recent failures always gets in.
        """
        return self._limit_wait(f"admin-failures:{address}", ADMIN_FAILURES, take=False)

    def admin_sign_in_failed(self, address: str) -> None:
        """Count a wrong admin password from `address`."""
        with self.db.transaction():
            self._limit_wait(f"admin-failures:{address}", ADMIN_FAILURES)

    def open_admin_session(self, user: User, address: str, lifetime: int) -> str:
        """Start an admin session (audited); the secret that names it, for the cookie.

        Only a hash of the secret is stored: a copy of the database does not
        let anyone into the admin pages.
        """
        secret = secrets.token_urlsafe(32)
        now = time.time()
        with self.db.transaction():
            self.sessions.remove(Q.expires < now)
            self.sessions.insert({"sid": _session_hash(secret), "user": user.id,
                                  "address": address, "at": _iso(_now()),
                                  "expires": now + lifetime})  # fmt: skip
            self._record(user, "sign_in", details={"address": address})
        return secret

    def admin_session_active(self, secret: str) -> bool:
        """Whether the session named by `secret` was started and has not ended."""
        session = self.sessions.get(Q.sid == _session_hash(secret))
        return session is not None and session["expires"] > time.time()

    def close_admin_session(self, secret: str) -> None:
        """End a session: its cookie stops working in every worker at once."""
        with self.db.transaction():
            self.sessions.remove(Q.sid == _session_hash(secret))


def _session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _thread_state(article: Article, locked: bool, reason: str | None) -> dict:
    return {
        "slug": article.slug,
        "locked": article.closed or locked,
        "lock_reason": reason if locked else None,
        "comments_mode": article.comments,
    }


def _mute_view(mute: Mapping) -> dict:
    fields = ("user", "user_name", "until", "reason", "by", "by_name", "at")
    return {name: mute[name] for name in fields}


def _flag_view(flag: Document) -> dict:
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


def _audit_view(row: Document) -> dict:
    return {
        "id": str(row.doc_id),
        **row,
        "comment": str(row["comment"]) if row["comment"] is not None else None,
    }

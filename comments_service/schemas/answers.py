"""Answers: people, threads and comments, moderation, the service's health and errors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, UnsetType

from ..store.audit import Action
from . import Answer

Auth = Literal["open", "header"]
Time = Annotated[datetime, Meta(tz=True, description="ISO 8601 with a time zone")]
Mode = Literal["open", "moderated", "closed"]
NextBefore = Annotated[int | None, Meta(description="`before` of the next page; null: the last")]

# --- people ---------------------------------------------------------------------------


class User(Answer):
    """The person asking."""

    id: str
    name: str
    moderator: bool


class Me(Answer):
    """Who is asking (null: nobody), and how people sign in here."""

    user: User | None
    auth: Auth
    #: Where "Sign out" leads (the company sign-in's logout; COMMENTS_SIGN_OUT_URL), or null.
    sign_out: str | None = None


class Mute(Answer):
    """A moderator's mute of a person."""

    user: str
    user_name: str
    until: Time
    reason: str
    by: str
    by_name: str
    at: Time


class Unmuted(Answer):
    """The person may write again."""

    user: str
    muted: Literal[False]


class Mutes(Answer):
    """The mutes that still apply, newest first."""

    items: list[Mute]


# --- threads and comments ---------------------------------------------------------------


class Thread(Answer):
    """A thread's state, with the caller's own reactions and acknowledgement."""

    slug: str
    locked: bool
    lock_reason: str | None
    comments_mode: Mode
    comment_count: int
    reactions: dict[str, int]
    mine: list[str]
    must_read: bool
    acknowledged: bool
    acknowledged_at: Time | None
    ack_count: int
    last_event_id: Annotated[int, Meta(description="resume the thread's events after it")]


class Author(Answer):
    """Who wrote a comment."""

    id: str
    name: str


class Hidden(Answer):
    """Why a comment is hidden; moderators also see who hid it, and when."""

    reason: str
    auto: bool
    by: str | UnsetType = UNSET
    by_name: str | UnsetType = UNSET
    at: Time | UnsetType = UNSET


class Likes(Answer):
    """A comment's likes."""

    like: int


class Comment(Answer, kw_only=True):
    """A comment as the caller sees it, with its replies to any depth."""

    id: Annotated[str, Meta(description="opaque; ASCII digits")]
    parent: str | None
    author: Annotated[Author | None, Meta(description="null for a placeholder")]
    article_author: bool
    body_html: Annotated[str, Meta(description="sanitised HTML")]
    body: Annotated[str | UnsetType, Meta(description="Markdown, for its author")] = UNSET
    created: Time
    edited: Time | None
    deleted: bool
    pinned: bool
    approved: bool
    hidden: Hidden | None
    reactions: Likes
    mine: bool
    my_reactions: list[str]
    replies: list[Comment]
    thread: Annotated[str | UnsetType, Meta(description="moderators: its slug")] = UNSET
    flags: Annotated[int | UnsetType, Meta(description="moderators: open reports")] = UNSET


class ModeratedComment(Comment, kw_only=True):
    """A comment as moderators see it: its text even when hidden, its thread, its reports."""

    thread: str
    flags: int


class ThreadView(Answer):
    """A thread and its comments: pinned first, then oldest first."""

    thread: Thread
    comments: list[Comment]


class Counts(Answer):
    """A thread's public comments and its reactions."""

    comments: int
    reactions: dict[str, int]


class Reactions(Answer):
    """Reaction counts and the caller's own."""

    reactions: dict[str, int]
    mine: list[str]


class Acknowledgement(Answer):
    """The caller confirmed reading a must-read article."""

    acknowledged: Literal[True]
    acknowledged_at: Time
    ack_count: int


# --- moderation -----------------------------------------------------------------------


class Resolution(Answer):
    """How a report was resolved."""

    by: str
    by_name: str
    at: Time
    outcome: Literal["hidden", "dismissed", "deleted"]


class Flag(Answer):
    """A reader's report of a comment."""

    id: str
    comment: str
    thread: str
    user: str
    user_name: str
    reason: str
    at: Time
    resolved: Resolution | None


class ThreadState(Answer):
    """Whether a thread is locked, and why."""

    slug: str
    locked: bool
    lock_reason: str | None
    comments_mode: Mode


class Rejection(Answer):
    """A comment that waited for pre-moderation was removed."""

    id: str
    rejected: Literal[True]


class ReportedComment(Answer):
    """A comment with its open reports, the latest first."""

    comment: ModeratedComment
    reports: list[Flag]


class ReportedPage(Answer):
    """Comments with open reports, the latest reported first."""

    items: list[ReportedComment]
    next_before: NextBefore


class CommentPage(Answer):
    """Comments, newest first."""

    items: list[ModeratedComment]
    next_before: NextBefore


class AuditEntry(Answer):
    """Who did what to which comment, thread or person, when and why."""

    id: str
    at: Time
    actor: str
    actor_name: str
    action: Action
    thread: str | None
    comment: str | None
    person: str | None
    reason: str | None
    details: dict[str, Any]


class AuditPage(Answer):
    """The audit log, newest first."""

    items: list[AuditEntry]
    next_before: NextBefore


# --- the service ----------------------------------------------------------------------


class Health(Answer):
    """Whether the service answers and can read its database."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "error"]
    threads: int | UnsetType = UNSET


class Readiness(Answer):
    """The service can take writes: its database is writable and its manifest loaded."""

    status: Literal["ready"]
    database: Literal["writable"]
    articles: Literal["loaded"]
    threads: int


class ErrorDetail(Answer):
    """What went wrong: a snake_case code, a sentence, the field at fault."""

    code: str
    message: str
    field: str | None
    until: Annotated[Time | UnsetType, Meta(description="`muted`: until when")] = UNSET


class Error(Answer):
    """Every error of the API."""

    error: ErrorDetail

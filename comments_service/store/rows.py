"""The documents of the threads and comments tables, field by field (see tables.py).

A table hands its documents out as TinyDB's `Document`, a dict of decoded
JSON; the store reads threads and comments as these shapes.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Hidden(TypedDict):
    """Why a moderator (or enough reports, `auto`) hid a comment."""

    reason: str
    by: str
    by_name: str
    at: str
    auto: bool


class CommentRow(TypedDict):
    """One row of the comments table."""

    thread: str
    parent: int | None
    author_id: str
    author_name: str
    body: str
    body_html: str
    created: str
    edited: str | None
    deleted: bool
    pinned: bool
    likes: int
    approved: NotRequired[bool]  # rows from before pre-moderation have none: approved
    hidden: Hidden | None
    flags: int  # open reports
    isso_id: NotRequired[int]  # imported from Isso: its id there


class CommentChanges(TypedDict, total=False):
    """Fields of a comment to change."""

    body: str
    body_html: str
    edited: str | None
    deleted: bool
    pinned: bool
    likes: int
    approved: bool
    hidden: Hidden | None
    flags: int


class ThreadDoc(TypedDict):
    """One document of the threads table: a discussion's state and counters."""

    slug: str
    comment_count: int  # public comments
    reactions: dict[str, int]
    version: int  # grows with every change
    locked: bool
    lock_reason: str | None
    ack_count: int
    ack_since: str | None  # the article's `Modified` the count was made for
    last_event_id: int  # the thread's latest change in the log


class ThreadChanges(TypedDict, total=False):
    """Fields of a thread to change (every field, so that they update a ThreadDoc)."""

    slug: str
    comment_count: int
    reactions: dict[str, int]
    version: int
    locked: bool
    lock_reason: str | None
    ack_count: int
    ack_since: str | None
    last_event_id: int

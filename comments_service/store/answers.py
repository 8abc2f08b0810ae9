"""What the store answers, as the routes send it: the JSON of the fixed-shape answers.

schemas/ declares the same shapes for validation and the documents; a comment
as readers see it stays a plain dict (views.py), since a thread's placeholders
go in its fields before it is serialised once.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class Page(TypedDict):
    """A page of a moderators' list, newest first."""

    items: list[dict[str, Any]]
    next_before: int | None  # `before` of the next page; None: the last


class Reacted(TypedDict):
    """Reaction counts after a reaction or a like, and the caller's own."""

    reactions: dict[str, int]
    mine: list[str]


class Acknowledged(TypedDict):
    """A must-read confirmation, and how many count now."""

    acknowledged: bool
    acknowledged_at: str
    ack_count: int


class Reader(TypedDict):
    """One person's confirmation of a must-read article."""

    id: str
    name: str
    email: str
    acknowledged_at: str
    outdated: bool  # the article was updated after it: it no longer counts


class MustReadReport(TypedDict):
    """Who confirmed reading a must-read article, and when."""

    slug: str
    title: str
    modified: str | None
    count: int
    outdated: int
    people: list[Reader]


class ThreadState(TypedDict):
    """Whether a thread takes comments."""

    slug: str
    locked: bool
    lock_reason: str | None
    comments_mode: str


class Unmuted(TypedDict):
    """A person who may write again."""

    user: str
    muted: Literal[False]


class Rejected(TypedDict):
    """A waiting comment a moderator removed."""

    id: str
    rejected: Literal[True]

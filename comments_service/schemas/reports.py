"""The moderators' reports: engagement per article, acknowledgements of a must-read one."""

from __future__ import annotations

from datetime import date
from typing import Literal

from msgspec import field

from . import Answer
from .answers import Auth, Time


class EngagementRow(Answer):
    """One article: its discussion, reactions and confirmations."""

    slug: str
    title: str
    langs: list[str]
    date: date | None
    must_read: bool
    comments: int
    replies: int
    reactions: dict[str, int]
    likes: int
    participants: int
    acknowledgements: int | None
    first_activity: Time | None
    last_activity: Time | None


class EngagementReport(Answer, kw_only=True):
    """Engagement per article published within the range, sorted."""

    start: date | None = field(name="from")
    to: date | None
    sort: str
    order: Literal["asc", "desc"]
    columns: list[str]
    articles: list[EngagementRow]


class Acknowledger(Answer):
    """A person who confirmed reading the article (`id`: the login in header mode)."""

    id: str
    name: str
    email: str
    acknowledged_at: Time
    outdated: bool


class AcknowledgementReport(Answer):
    """Who confirmed reading a must-read article, and when, oldest first."""

    slug: str
    title: str
    modified: Time | None
    count: int
    outdated: int
    auth: Auth
    people: list[Acknowledger]

"""Request bodies: the JSON objects the API takes, and the fields each may hold.

`Markdown` and `Password` are decoded as they come: the renderer checks a
comment's text (with its own codes: invalid_type, empty, too_long,
invalid_unicode…) and the identity the password (once it knows passwords
are in use), each in its own order; their type here is for the documents.
"""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from . import Body

Reason = Annotated[str | None, Meta(description="1 to 500 visible characters; null is no reason")]
Markdown = Annotated[
    Any,
    Meta(
        description="Markdown, 1 to 5,000 characters (see Comment text)",
        extra_json_schema={"type": "string"},
    ),
]
Password = Annotated[Any, Meta(extra_json_schema={"type": "string"})]


class NewName(Body):
    """Open mode: the display name a person chooses."""

    name: Annotated[str, Meta(description="1 to 60 visible characters")]


class AdminSignIn(Body):
    """Open mode: a moderator's sign-in with COMMENTS_ADMIN_PASSWORD."""

    password: Password


class NewComment(Body):
    """A new comment, or a reply to `parent`."""

    body: Markdown
    parent: Annotated[str | None, Meta(description="the id of the comment answered")] = None


class CommentEdit(Body):
    """A comment's new text."""

    body: Markdown


class GivenReason(Body):
    """Why: a report's reason, or a hidden comment's, which readers see instead of it."""

    reason: Reason


class OptionalReason(Body):
    """Why a moderator acts, kept in the audit log; the body may be left out."""

    reason: Reason = None


class NewMute(Body):
    """Until when a person may not write, and why."""

    until: Annotated[
        str,
        Meta(
            description="ISO 8601 with a time zone, in the future, at most 366 days ahead",
            extra_json_schema={"format": "date-time"},
        ),
    ]
    reason: Reason

"""The front matter a Kurier writer uses: field names and how each value is read.

Shared by the Pelican plugin (which turns values into typed attributes) and by
`make check` (which reports a bad value with its file and line).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pelican.utils import get_date, set_date_tzinfo

# Pelican lower-cases metadata keys; these are the names writers see.
FIELDS = {
    "title": "Title",
    "date": "Date",
    "modified": "Modified",
    "category": "Category",
    "tags": "Tags",
    "authors": "Authors",
    "author": "Author",
    "authorlogins": "AuthorLogins",
    "summary": "Summary",
    "image": "Image",
    "imagealt": "ImageAlt",
    "lang": "Lang",
    "slug": "Slug",
    "status": "Status",
    "pinned": "Pinned",
    "mustread": "MustRead",
    "expires": "Expires",
    "comments": "Comments",
    "shareable": "Shareable",
    "template": "Template",
}
STATUSES = ("draft", "published")
COMMENT_MODES = ("open", "moderated", "closed", "hidden")
DEFAULT_COMMENT_MODE = "open"
_TRUE = {"yes", "true", "on", "1", "tak"}
_FALSE = {"no", "false", "off", "0", "nie", ""}


class FrontMatterError(ValueError):
    """A front matter value a writer has to correct; the text says how."""


def parse_flag(field: str, value: object) -> bool:
    """Read yes/no (also true/false, tak/nie) as a bool."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FrontMatterError(f"{FIELDS[field]} must be yes or no, not '{value}'")


def parse_choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    """Read one of a fixed set of words, case-insensitively."""
    text = str(value).strip().lower()
    if text in choices:
        return text
    options = ", ".join(choices[:-1]) + " or " + choices[-1]
    raise FrontMatterError(f"unknown {FIELDS[field]} '{value}' (use {options})")


def parse_comments(value: object) -> str:
    """Read Comments: open, moderated, closed or hidden."""
    return parse_choice("comments", value, COMMENT_MODES)


def parse_status(value: object) -> str:
    """Read Status: draft or published."""
    return parse_choice("status", value, STATUSES)


def parse_when(field: str, value: object, timezone: str) -> datetime:
    """Read a date (with optional time) as an aware datetime in `timezone`."""
    if isinstance(value, datetime):
        return set_date_tzinfo(value, timezone)
    text = str(value).strip()
    if not text:
        raise FrontMatterError(f"{FIELDS[field]} is empty")
    try:
        parsed = get_date(text)
    except (ValueError, OverflowError):
        raise FrontMatterError(
            f"cannot read {FIELDS[field]} '{text}' (write it as YYYY-MM-DD HH:MM)"
        ) from None
    return set_date_tzinfo(parsed, timezone)


def resolve_channel(value: object, channels: Mapping[str, tuple[str, ...]]) -> str:
    """Return the slug of the channel named by its slug or any of its names."""
    text = str(value).strip()
    wanted = text.casefold()
    for slug, names in channels.items():
        if wanted == slug or wanted in (name.casefold() for name in names):
            return slug
    known = ", ".join(names[0] for names in channels.values())
    raise FrontMatterError(f"unknown channel '{text}' (channels: {known})")


def resolve_lang(value: object, languages: tuple[str, ...]) -> str:
    """Return the language code if Kurier publishes in it."""
    text = str(value).strip().lower()
    if text in languages:
        return text
    raise FrontMatterError(f"unknown language '{value}' (use {' or '.join(languages)})")


def image_path(value: object) -> str:
    """The image's path inside content/, with Pelican's link prefixes removed."""
    text = str(value).strip()
    for prefix in ("{static}", "{attach}", "{filename}"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.lstrip("/")

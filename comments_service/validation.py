"""Values people type, checked in one place: names, reasons, mute ends, pages.

Visible text is folded the same way everywhere: runs of white space become
one space, the text is NFC, and control, format, surrogate, private-use and
unassigned characters are refused (they can hide or reorder what others see).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Literal, overload

from . import times
from .errors import invalid

REASON_MAX = 500
MUTE_MAX = timedelta(days=366)
PAGE_DEFAULT, PAGE_MAX = 50, 200
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))


def fold(value: str) -> tuple[str, bool]:
    """The text folded (one space between words, NFC), and whether it is all visible."""
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    return text, not any(unicodedata.category(char) in _INVISIBLE for char in text)


def visible_text(value: object) -> str:
    """`value` folded, or "" when it is not text or holds an invisible character."""
    if not isinstance(value, str):
        return ""
    text, visible = fold(value)
    return text if visible else ""


@overload
def parse_reason(value: object, required: Literal[True], field: str = ...) -> str: ...
@overload
def parse_reason(value: object, required: bool, field: str = ...) -> str | None: ...


def parse_reason(value: object, required: bool, field: str = "reason") -> str | None:
    """A moderator's or reporter's reason: 1 to 500 visible characters (422 if not)."""
    if value is None:
        if required:
            raise invalid(field, f"The field '{field}' is required.", code="missing_field")
        return None
    if not isinstance(value, str):
        raise invalid(field, f"'{field}' is a text.")
    text, visible = fold(value)
    if not visible:
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
    now = times.now()
    if until <= now or until - now > MUTE_MAX:
        raise invalid("until", message)
    return times.iso(until)


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

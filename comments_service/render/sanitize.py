"""The second layer: nh3 cleans the rendered HTML against an explicit allow-list."""

from __future__ import annotations

import re

import nh3

from .rules import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    CONTROL_RE,
    LINK_REL,
    NONCHARACTER_RE,
    URL_SCHEMES,
)

# --- sanitising --------------------------------------------------------------

_LANGUAGE_CLASS_RE = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
# Relative and scheme-less links would resolve against the intranet page the
# comment is shown on; a comment links out only with a full URL.
_ABSOLUTE_URL_RE = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Second opinion on the allowed attributes, after nh3's own checks.

    Links must be absolute ``http(s)://`` or ``mailto:`` URLs; a ``class``
    survives only as a code block's ``language-x``.
    """
    if name == "href":
        return value if _ABSOLUTE_URL_RE.match(value) else None
    if name == "class":
        return value if tag == "code" and _LANGUAGE_CLASS_RE.fullmatch(value) else None
    return value


# What validation refuses can still be written as a character reference
# ("&#1;", "&#13;"); the parser decodes it, so it is replaced afterwards.
_UNWANTED_OUTPUT_RE = re.compile(
    "[\r" + CONTROL_RE.pattern[1:-1] + NONCHARACTER_RE.pattern[1:-1] + "]"
)


# Built once: converting the options for every comment cost more than the
# cleaning itself.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def sanitize_html(fragment: str) -> str:
    """Clean HTML against the comment allow-list (idempotent on its output)."""
    return _UNWANTED_OUTPUT_RE.sub("\ufffd", _CLEANER.clean(fragment))

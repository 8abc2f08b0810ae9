"""What a comment may be: its length, the HTML it may become, and the text it may hold."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 5000
"""Most characters (code points) a comment may have after `validate_body`."""

MAX_DEPTH = 8
"""Deepest nesting of quotes and lists; deeper markers are shown as text."""

MAX_TREE_DEPTH = 40
"""Deepest nesting of HTML elements (quotes, lists, emphasis…) in the output."""

MAX_ELEMENTS = 500
"""Most blocks and inline elements one comment may produce.

Python-Markdown spends 20 to 70 microseconds per element, so 5,000
characters of ``*a*`` or of one-letter paragraphs would take about 100 ms.
Real comments stay far below this; the count is exact, so the same text is
always accepted or always refused, whatever the load of the machine.
"""

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"


class BodyError(ValueError):
    """A comment body that cannot be accepted; `code` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TooDeep(Exception):
    """Raised when the document tree nests deeper than `MAX_TREE_DEPTH`."""


class TooComplex(Exception):
    """Raised inside Python-Markdown when a comment spends `MAX_ELEMENTS`."""


# --- validation --------------------------------------------------------------

# C0 controls except tab and newline (CR is normalised away first), DEL, C1.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# All 66 noncharacters: U+FDD0..U+FDEF and the last two code points of
# every plane. They are never meant for interchange.
NONCHARACTER_RE = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000))
    + "]"
)


def validate_body(text: object) -> str:
    """Return the comment text cleaned for storage, or raise `BodyError`.

    Newlines become ``\\n`` and the text is NFC-normalised, so that the same
    words typed on different systems are stored (and counted) alike. Blank
    lines before and whitespace after the text are dropped; the first line
    keeps its indentation, which may open an indented code block.
    """
    if not isinstance(text, str):
        raise BodyError("invalid_type", "The comment must be text.")
    # Surrogates first: NFC and the checks below assume well-formed text.
    if match := _SURROGATE_RE.search(text):
        raise BodyError(
            "invalid_unicode",
            f"The comment contains an invalid character ({_codepoint(match)}).",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if match := CONTROL_RE.search(text):
        raise BodyError(
            "control_character",
            f"The comment contains a control character ({_codepoint(match)}).",
        )
    if match := NONCHARACTER_RE.search(text):
        raise BodyError(
            "invalid_unicode",
            f"The comment contains an invalid character ({_codepoint(match)}).",
        )
    text = unicodedata.normalize("NFC", _LEADING_BLANK_LINES_RE.sub("", text.rstrip()))
    if not text:
        raise BodyError("empty", "The comment is empty.")
    if len(text) > MAX_LENGTH:
        raise BodyError("too_long", f"The comment is longer than {MAX_LENGTH:,} characters.")
    return text


_LEADING_BLANK_LINES_RE = re.compile(r"\A(?:[^\S\n]*\n)+")


def _codepoint(match: re.Match[str]) -> str:
    return f"U+{ord(match.group()):04X}"

"""Comment bodies: validation and a Markdown subset rendered to sanitised HTML.

The subset: paragraphs, a single newline as a line break, ``*em*``,
``**strong**``, inline links, ``<https://…>`` and bare ``http(s)://``
autolinks, ``<name@example.com>``, bullet and numbered lists, quotes, inline
code, fenced and indented code blocks, ``---`` rules. Not rendered: raw HTML
(shown as typed), images (shown as typed, the address linked), headings (a
leading ``#`` is text: comments are not articles), reference-style links and
tables.

Two layers keep the output safe: Python-Markdown is configured so that it
cannot pass raw HTML through, and nh3 then cleans the result against an
explicit allow-list.

The cost of rendering is bounded (about 40 ms at worst for 5,000 characters,
where plain Python-Markdown takes seconds): the parts of Python-Markdown that
are quadratic on unclosed brackets, backticks and fences are replaced by
linear ones, quotes and lists nest at most `MAX_DEPTH` levels, and a comment
may build at most `MAX_ELEMENTS` elements.
"""

from __future__ import annotations

from . import markdown_subset
from .rules import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_LENGTH,
    MAX_TREE_DEPTH,
    URL_SCHEMES,
    BodyError,
    TooComplex,
    TooDeep,
    validate_body,
)
from .sanitize import sanitize_html

__all__ = [
    "ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "LINK_REL", "MAX_DEPTH", "MAX_ELEMENTS", "MAX_LENGTH",
    "MAX_TREE_DEPTH", "URL_SCHEMES", "BodyError", "render", "render_and_validate",
    "sanitize_html", "validate_body",
]  # fmt: skip


def render(text: str) -> str:
    """Return the sanitised HTML of a comment body (validated again here)."""
    return render_and_validate(text)[1]


def render_and_validate(text: object) -> tuple[str, str]:
    """Validate a comment body and render it: ``(clean_text, html)``."""
    clean = validate_body(text)
    md, budget = markdown_subset.local_markdown()
    budget.remaining = MAX_ELEMENTS
    try:
        markup = md.reset().convert(clean)
    except BaseException as exc:
        # Python-Markdown stopped half-way through a document and keeps some
        # of its state (the block parser's nesting stack): start afresh.
        markdown_subset.forget()
        if isinstance(exc, TooComplex):
            raise BodyError(
                "too_complex", "The comment has too much formatting to display."
            ) from exc
        # RecursionError: the nesting limits should make it unreachable.
        if isinstance(exc, TooDeep | RecursionError):
            raise BodyError("too_deep", "The comment nests its formatting too deeply.") from exc
        raise
    return clean, sanitize_html(markup)

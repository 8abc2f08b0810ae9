"""The Markdown subset assembled, with an exact budget of elements per comment."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree

import markdown
from markdown.blockprocessors import (
    BlockProcessor,
)
from markdown.inlinepatterns import (
    AUTOLINK_RE,
    AUTOMAIL_RE,
    BACKTICK_RE,
    LINK_RE,
    InlineProcessor,
)

from .blocks import (
    FencedCode,
    LimitedOListProcessor,
    LimitedQuoteProcessor,
    LimitedUListProcessor,
    LineBreaks,
)
from .inline import (
    BARE_URL_RE,
    AutolinkProcessor,
    AutomailProcessor,
    BareUrlProcessor,
    CodeSpanProcessor,
    LinkProcessor,
)
from .rules import MAX_ELEMENTS, TooComplex


class Budget:
    """Counts the elements Python-Markdown builds for one document."""

    def __init__(self) -> None:
        self.remaining = MAX_ELEMENTS

    def spend(self, elements: int = 1) -> None:
        self.remaining -= elements
        if self.remaining < 0:
            raise TooComplex


def _metered_block(processor: BlockProcessor, budget: Budget) -> None:
    run = processor.run

    def metered_run(parent: etree.Element, blocks: list[str]) -> bool | None:
        budget.spend()
        return run(parent, blocks)

    # This instance's method, replaced on purpose: every processor, built in or
    # ours, is metered without knowing its class.
    processor.run = metered_run  # type: ignore[method-assign]


def _metered_inline(processor: InlineProcessor, budget: Budget) -> None:
    handle_match = processor.handleMatch

    def metered_handle_match(
        m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        result = handle_match(m, data)
        node = result[0]
        if isinstance(node, etree.Element):
            # Emphasis builds a whole nest of elements in one match.
            budget.spend(sum(1 for _ in node.iter()))
        elif node is not None:
            budget.spend()
        return result

    # As in _metered_block: this instance's method, replaced on purpose.
    processor.handleMatch = metered_handle_match  # type: ignore[method-assign]


def build_markdown() -> tuple[markdown.Markdown, Budget]:
    """A Python-Markdown instance restricted to the comment subset."""
    md = markdown.Markdown(output_format="html")
    # No raw HTML at all: "<b>" is text. Disabled here rather than left to
    # the sanitiser so that what people type is what they see.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # No images, headings or reference links; every newline is a break
    # anyway, so the two-trailing-spaces break is redundant.
    for name in (
        "image_link",
        "image_reference",
        "short_image_ref",
        "reference",
        "short_reference",
        "linebreak",
    ):
        md.inlinePatterns.deregister(name)
    blocks = md.parser.blockprocessors
    for name in ("hashheader", "setextheader", "reference"):
        blocks.deregister(name)
    blocks.register(LimitedQuoteProcessor(md.parser), "quote", 20)
    blocks.register(LimitedOListProcessor(md.parser), "olist", 40)
    blocks.register(LimitedUListProcessor(md.parser), "ulist", 30)
    inline = md.inlinePatterns
    inline.register(CodeSpanProcessor(BACKTICK_RE), "backtick", 190)
    inline.register(LinkProcessor(LINK_RE, md), "link", 160)
    inline.register(AutolinkProcessor(AUTOLINK_RE, md), "autolink", 120)
    inline.register(BareUrlProcessor(BARE_URL_RE, md), "bare_url", 115)
    inline.register(AutomailProcessor(AUTOMAIL_RE, md), "automail", 110)
    md.preprocessors.register(FencedCode(md), "fenced_code", 25)
    md.treeprocessors.deregister("prettify")
    md.treeprocessors.register(LineBreaks(md), "line_breaks", 10)

    budget = Budget()
    for block_processor in blocks:
        _metered_block(block_processor, budget)
    for inline_processor in inline:
        _metered_inline(inline_processor, budget)
    return md, budget


# Python-Markdown instances keep per-document state, so each thread gets its
# own; building one costs more than rendering a typical comment.
_local = threading.local()


def local_markdown() -> tuple[markdown.Markdown, Budget]:
    built = getattr(_local, "markdown", None)
    if built is None:
        built = _local.markdown = build_markdown()
    return built


def forget() -> None:
    """Drop this thread's instance: a failed conversion leaves state behind in it."""
    _local.markdown = None

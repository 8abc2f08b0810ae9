"""Inline parts of the Markdown subset: links, code spans and autolinks, each linear in time."""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.inlinepatterns import (
    AutolinkInlineProcessor,
    AutomailInlineProcessor,
    BacktickInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
)

# in CommonMark. Possessive quantifiers make each attempt linear and the
# nesting limit keeps attempts from overlapping much, where Python-Markdown's
# character-by-character scan reads to the end of the text for every
# unclosed "[" or "(" (6 s for "[" * 5000).
_LINK_TEXT_RE = re.compile(r"(?:[^\[\]]++|\[[^\[\]]*+\])*+\]")
_LINK_TARGET_RE = re.compile(
    r"""\(\s*+(?:<([^<>\n]*+)>|((?:[^\s()]++|\([^\s()]*+\))*+))"""
    r"""(?:\s++("[^"]*+"|'[^']*+'))?+\s*+\)"""
)
_SPACE_RE = re.compile(r"\s+")


class LinkProcessor(LinkInlineProcessor):
    """``[text](url "title")`` parsed in linear time."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        match = _LINK_TEXT_RE.match(data, index)
        if match is None:
            return "", index, False
        return data[index : match.end() - 1], match.end(), True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        match = _LINK_TARGET_RE.match(data, index)
        if match is None:
            return "", None, index, False
        href = match.group(1) if match.group(1) is not None else match.group(2)
        title = match.group(3)
        if title is not None:
            title = _SPACE_RE.sub(" ", self.unescape(title[1:-1]).strip())
        return self.unescape(href).strip(), title, match.end(), True


class CodeSpanProcessor(BacktickInlineProcessor):
    """Code spans, closed by the next run of exactly as many backticks.

    Python-Markdown scans to the end of the text, character by character,
    for every run of backticks that nothing closes; "`\\`" repeated has 1,600
    of them (over 100 ms). Here the runs of each length are indexed once per
    text and looked up by bisection. Positions are kept as offsets from the
    end, which stay valid while matched spans are replaced by placeholders
    before the point being searched. An unclosed run is shown as typed, as
    in CommonMark (Python-Markdown would pair it with a shorter run).
    """

    def __init__(self, pattern: str) -> None:
        super().__init__(pattern)
        # The text the index was built from, and run length -> start of each
        # run in it, as (negative) offsets from the end.
        self._indexed = ""
        self._runs: dict[int, list[int]] = {}
        # The text last searched, known to end like `_indexed` for `_checked`
        # characters.
        self._text = ""
        self._checked = 0

    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:
        opening = _BACKTICKS_RE.match(text, start)
        assert opening is not None  # the pattern matched a backtick here
        rest = len(text) - start
        if text is not self._text or rest > self._checked:
            # Still the indexed text if only what lies before `start` changed.
            if len(self._indexed) >= rest and self._indexed[-rest:] == text[start:]:
                self._checked = rest
            else:
                self._index(text)
            self._text = text
        runs = self._runs.get(opening.end() - start, [])
        at = bisect.bisect_left(runs, opening.end() - len(text))
        if at == len(runs):
            return opening.end(), None
        return opening.end(), len(text) + runs[at]

    def _index(self, text: str) -> None:
        self._indexed = text
        self._checked = len(text)
        self._runs = {}
        for run in _BACKTICKS_RE.finditer(text):
            self._runs.setdefault(run.end() - run.start(), []).append(run.start() - len(text))


_BACKTICKS_RE = re.compile("`+")


class AutolinkProcessor(AutolinkInlineProcessor):
    """``<https://…>``, but never inside another link."""

    ANCESTOR_EXCLUDES = ("a",)


class AutomailProcessor(AutomailInlineProcessor):
    """``<name@example.com>``, but never inside another link."""

    ANCESTOR_EXCLUDES = ("a",)


# Stops at whitespace, at < > (HTML-ish delimiters) and at Python-Markdown's
# placeholder markers (STX/ETX) so that it never swallows a stashed element.
# Not preceded by a letter or digit, nor by URL-ish punctuation, so that
# "xhttps://" and "…/https://" are left alone.
BARE_URL_RE = r"(?<![^\W_])(?<![/:.@+-])https?://[^\s<>\x02\x03]+"
_TRAILING_PUNCTUATION = ".,:;!?'\"*_~"


class BareUrlProcessor(InlineProcessor):
    """Link bare ``http(s)://`` URLs, leaving trailing punctuation outside.

    As in GitHub's autolinks: ``.,:;!?'"*_~`` at the end are not part of the
    URL, nor is a ``)`` that closes nothing inside it, so ``(see
    https://x.test/a).`` links ``https://x.test/a``.
    """

    ANCESTOR_EXCLUDES = ("a",)

    # Python-Markdown's InlineProcessor changes the signature of Pattern.handleMatch
    # (taking `data`, returning a triple) and mypy holds its subclasses to Pattern's.
    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        url = _trim_url(m.group(0))
        if url.endswith("://"):
            return None, None, None
        link = etree.Element("a")
        link.set("href", url)
        link.text = markdown.util.AtomicString(url)
        return link, m.start(0), m.start(0) + len(url)


def _trim_url(url: str) -> str:
    """Drop trailing punctuation that more likely ends the sentence."""
    end = len(url)
    unmatched = url.count(")") - url.count("(")
    while end:
        last = url[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
        elif last == ")" and unmatched > 0:
            end -= 1
            unmatched -= 1
        else:
            break
    return url[:end]

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

import bisect
import html
import re
import threading
import unicodedata
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.blockparser import BlockParser
from markdown.blockprocessors import (
    BlockProcessor,
    BlockQuoteProcessor,
    OListProcessor,
    UListProcessor,
)
from markdown.inlinepatterns import (
    AUTOLINK_RE,
    AUTOMAIL_RE,
    BACKTICK_RE,
    LINK_RE,
    AutolinkInlineProcessor,
    AutomailInlineProcessor,
    BacktickInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
)
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

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


# --- validation --------------------------------------------------------------

# C0 controls except tab and newline (CR is normalised away first), DEL, C1.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# All 66 noncharacters: U+FDD0..U+FDEF and the last two code points of
# every plane. They are never meant for interchange.
_NONCHARACTER_RE = re.compile(
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
    if match := _CONTROL_RE.search(text):
        raise BodyError(
            "control_character",
            f"The comment contains a control character ({_codepoint(match)}).",
        )
    if match := _NONCHARACTER_RE.search(text):
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


# --- Markdown ----------------------------------------------------------------

# Python-Markdown's own nesting states: each quote or list level pushes one.
_NESTING_STATES = frozenset({"blockquote", "list", "looselist"})


class _DepthLimited:
    """Mixin for container block processors: stop nesting at `MAX_DEPTH`.

    Beyond the limit the block falls through to the paragraph processor, so
    the extra ``>`` or ``-`` markers show as text instead of recursing; this
    keeps ``'> ' * 2500`` or ``'1. ' * 1600`` from exhausting the stack.
    """

    parser: BlockParser

    def test(self, parent: etree.Element, block: str) -> bool:
        depth = sum(state in _NESTING_STATES for state in self.parser.state)
        return depth < MAX_DEPTH and super().test(parent, block)  # type: ignore[misc]


class _QuoteProcessor(_DepthLimited, BlockQuoteProcessor):
    pass


class _OListProcessor(_DepthLimited, OListProcessor):
    pass


class _UListProcessor(_DepthLimited, UListProcessor):
    pass


# Link text may hold one level of nested brackets; the destination is either
# <…> or a run without spaces holding one level of balanced parentheses, as
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


class _LinkProcessor(LinkInlineProcessor):
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


class _CodeSpanProcessor(BacktickInlineProcessor):
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


class _AutolinkProcessor(AutolinkInlineProcessor):
    """``<https://…>``, but never inside another link."""

    ANCESTOR_EXCLUDES = ("a",)


class _AutomailProcessor(AutomailInlineProcessor):
    """``<name@example.com>``, but never inside another link."""

    ANCESTOR_EXCLUDES = ("a",)


# Stops at whitespace, at < > (HTML-ish delimiters) and at Python-Markdown's
# placeholder markers (STX/ETX) so that it never swallows a stashed element.
# Not preceded by a letter or digit, nor by URL-ish punctuation, so that
# "xhttps://" and "…/https://" are left alone.
_BARE_URL_RE = r"(?<![^\W_])(?<![/:.@+-])https?://[^\s<>\x02\x03]+"
_TRAILING_PUNCTUATION = ".,:;!?'\"*_~"


class _BareUrlProcessor(InlineProcessor):
    """Link bare ``http(s)://`` URLs, leaving trailing punctuation outside.

    As in GitHub's autolinks: ``.,:;!?'"*_~`` at the end are not part of the
    URL, nor is a ``)`` that closes nothing inside it, so ``(see
    https://x.test/a).`` links ``https://x.test/a``.
    """

    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(
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


_FENCE_OPEN_RE = re.compile(r"(`{3,}|~{3,}) *\.?([\w#+.-]*) *")
_FENCE_CLOSE_RE = re.compile(r"(`{3,}|~{3,}) *")


class _FencedCode(Preprocessor):
    """Fenced code blocks, found in one pass over the lines.

    Python-Markdown's ``fenced_code`` searches with a lazy regular expression
    that, for each opening fence without a closing one, reads to the end of
    the text: quadratic (60 ms for "```x" on 1,000 lines). The syntax is the
    same: a fence of three or more backticks or tildes at the start of a
    line, an optional language word, and the same fence closing the block.
    """

    def run(self, lines: list[str]) -> list[str]:
        closings: dict[str, list[int]] = {}
        for number, line in enumerate(lines):
            if match := _FENCE_CLOSE_RE.fullmatch(line):
                closings.setdefault(match.group(1), []).append(number)
        if not closings:
            return lines
        result: list[str] = []
        number = 0
        while number < len(lines):
            line = lines[number]
            opening = _FENCE_OPEN_RE.fullmatch(line)
            candidates = closings.get(opening.group(1), []) if opening else []
            at = bisect.bisect_right(candidates, number)
            if opening is None or at == len(candidates):
                result.append(line)
                number += 1
                continue
            end = candidates[at]
            code = html.escape("\n".join(lines[number + 1 : end]), quote=False)
            if code:
                code += "\n"
            language = opening.group(2)
            attribute = f' class="language-{html.escape(language)}"' if language else ""
            block = f"<pre><code{attribute}>{code}</code></pre>"
            # Blank lines around make the block a paragraph of its own even
            # when no blank line separates it from the text, as in CommonMark.
            result += ["", self.md.htmlStash.store(block), ""]
            number = end + 1
        return result


class _LineBreaks(Treeprocessor):
    """Every newline in running text becomes ``<br>``; code keeps its own.

    Does the job of the ``nl2br`` extension in one pass over the tree instead
    of one inline match per line, and replaces ``prettify``: the output has
    no whitespace between blocks, only what the text itself holds. Also
    refuses trees deeper than `MAX_TREE_DEPTH` (``*`` * 2000 + ``a`` +
    ``*`` * 2000 nests a thousand ``strong``), whose serialising would
    recurse too deeply.
    """

    def run(self, root: etree.Element) -> None:
        stack = [(root, 0)]
        while stack:
            element, depth = stack.pop()
            if depth > MAX_TREE_DEPTH:
                raise _TooDeep
            if element.tag == "pre" and len(element) and element[0].text:
                # An indented code block ends with every blank line after it.
                code = element[0]
                code.text = markdown.util.AtomicString(code.text.rstrip() + "\n")
            if element.tag in ("pre", "code"):
                continue
            if element.text and "\n" in element.text:
                first, *rest = element.text.split("\n")
                element.text = first.rstrip(" ")
                element[0:0] = _breaks(rest)
            # Walk the children from the end so that inserting breaks after
            # one does not shift the ones still to visit.
            for index in range(len(element) - 1, -1, -1):
                child = element[index]
                if child.tail and "\n" in child.tail:
                    first, *rest = child.tail.split("\n")
                    child.tail = first.rstrip(" ")
                    element[index + 1 : index + 1] = _breaks(rest)
                stack.append((child, depth + 1))


def _breaks(lines: list[str]) -> list[etree.Element]:
    """A ``<br>`` before each of `lines`, the line being its tail."""
    breaks = []
    for number, line in enumerate(lines, start=1):
        br = etree.Element("br")
        # Spaces before a break show nothing; the last line ends the text.
        br.tail = line if number == len(lines) else line.rstrip(" ")
        breaks.append(br)
    return breaks


class _TooDeep(Exception):
    """Raised when the document tree nests deeper than `MAX_TREE_DEPTH`."""


class _TooComplex(Exception):
    """Raised inside Python-Markdown when a comment spends `MAX_ELEMENTS`."""


class _Budget:
    """Counts the elements Python-Markdown builds for one document."""

    def __init__(self) -> None:
        self.remaining = MAX_ELEMENTS

    def spend(self, elements: int = 1) -> None:
        self.remaining -= elements
        if self.remaining < 0:
            raise _TooComplex


def _metered_block(processor: BlockProcessor, budget: _Budget) -> None:
    run = processor.run

    def metered_run(parent: etree.Element, blocks: list[str]) -> bool | None:
        budget.spend()
        return run(parent, blocks)

    processor.run = metered_run  # type: ignore[method-assign]


def _metered_inline(processor: InlineProcessor, budget: _Budget) -> None:
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

    processor.handleMatch = metered_handle_match  # type: ignore[method-assign]


def _build_markdown() -> tuple[markdown.Markdown, _Budget]:
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
    blocks.register(_QuoteProcessor(md.parser), "quote", 20)
    blocks.register(_OListProcessor(md.parser), "olist", 40)
    blocks.register(_UListProcessor(md.parser), "ulist", 30)
    inline = md.inlinePatterns
    inline.register(_CodeSpanProcessor(BACKTICK_RE), "backtick", 190)
    inline.register(_LinkProcessor(LINK_RE, md), "link", 160)
    inline.register(_AutolinkProcessor(AUTOLINK_RE, md), "autolink", 120)
    inline.register(_BareUrlProcessor(_BARE_URL_RE, md), "bare_url", 115)
    inline.register(_AutomailProcessor(AUTOMAIL_RE, md), "automail", 110)
    md.preprocessors.register(_FencedCode(md), "fenced_code", 25)
    md.treeprocessors.deregister("prettify")
    md.treeprocessors.register(_LineBreaks(md), "line_breaks", 10)

    budget = _Budget()
    for processor in blocks:
        _metered_block(processor, budget)
    for processor in inline:
        _metered_inline(processor, budget)
    return md, budget


# Python-Markdown instances keep per-document state, so each thread gets its
# own; building one costs more than rendering a typical comment.
_local = threading.local()


def _markdown() -> tuple[markdown.Markdown, _Budget]:
    built = getattr(_local, "markdown", None)
    if built is None:
        built = _local.markdown = _build_markdown()
    return built


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
    "[\r" + _CONTROL_RE.pattern[1:-1] + _NONCHARACTER_RE.pattern[1:-1] + "]"
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


def render(text: str) -> str:
    """Return the sanitised HTML of a comment body (validated again here)."""
    return render_and_validate(text)[1]


def render_and_validate(text: object) -> tuple[str, str]:
    """Validate a comment body and render it: ``(clean_text, html)``."""
    clean = validate_body(text)
    md, budget = _markdown()
    budget.remaining = MAX_ELEMENTS
    try:
        markup = md.reset().convert(clean)
    except BaseException as exc:
        # Python-Markdown stopped half-way through a document and keeps some
        # of its state (the block parser's nesting stack): start afresh.
        _local.markdown = None
        if isinstance(exc, _TooComplex):
            raise BodyError(
                "too_complex", "The comment has too much formatting to display."
            ) from exc
        # RecursionError: the nesting limits should make it unreachable.
        if isinstance(exc, _TooDeep | RecursionError):
            raise BodyError("too_deep", "The comment nests its formatting too deeply.") from exc
        raise
    return clean, sanitize_html(markup)

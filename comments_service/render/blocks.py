"""Block-level parts of the Markdown subset: nesting limits, fenced code, line breaks.

Python-Markdown's own processors are replaced where they are quadratic on
unclosed fences or recurse without a bound."""

from __future__ import annotations

import bisect
import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.blockprocessors import (
    BlockProcessor,
    BlockQuoteProcessor,
    OListProcessor,
    UListProcessor,
)
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .rules import MAX_DEPTH, MAX_TREE_DEPTH, TooDeep

# --- Markdown ----------------------------------------------------------------

# Python-Markdown's own nesting states: each quote or list level pushes one.
_NESTING_STATES = frozenset({"blockquote", "list", "looselist"})


class _DepthLimited(BlockProcessor):
    """Mixin for container block processors: stop nesting at `MAX_DEPTH`.

    Beyond the limit the block falls through to the paragraph processor, so
    the extra ``>`` or ``-`` markers show as text instead of recursing; this
    keeps ``'> ' * 2500`` or ``'1. ' * 1600`` from exhausting the stack.
    """

    def test(self, parent: etree.Element, block: str) -> bool:
        depth = sum(state in _NESTING_STATES for state in self.parser.state)
        return depth < MAX_DEPTH and super().test(parent, block)


class LimitedQuoteProcessor(_DepthLimited, BlockQuoteProcessor):
    pass


class LimitedOListProcessor(_DepthLimited, OListProcessor):
    pass


class LimitedUListProcessor(_DepthLimited, UListProcessor):
    pass


# Link text may hold one level of nested brackets; the destination is either


_FENCE_OPEN_RE = re.compile(r"(`{3,}|~{3,}) *\.?([\w#+.-]*) *")
_FENCE_CLOSE_RE = re.compile(r"(`{3,}|~{3,}) *")


class FencedCode(Preprocessor):
    """Fenced code blocks, found in one pass over the lines.

    Python-Markdown's ``fenced_code`` searches with a lazy regular expression
    that, for each opening fence without a closing one, reads to the end of
    the text: quadratic (60 ms for "```x" on 1,000 lines). The syntax is the
    same: a fence of three or more backticks or tildes at the start of a
    line, an optional language word, and the same fence closing the block.
    """

    md: markdown.Markdown  # always built with one (markdown_subset.py)

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


class LineBreaks(Treeprocessor):
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
                raise TooDeep
            if element.tag == "pre" and len(element) and (text := element[0].text):
                # An indented code block ends with every blank line after it.
                element[0].text = markdown.util.AtomicString(text.rstrip() + "\n")
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

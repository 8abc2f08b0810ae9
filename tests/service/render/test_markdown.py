"""The Markdown subset: what each piece of syntax becomes, and what stays text."""

from __future__ import annotations

import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_service.render import (
    LINK_REL,
    MAX_DEPTH,
    BodyError,
    render,
)
from tests.service.kit import assert_safe

A_REL = f'rel="{LINK_REL}"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Hello\n\nWorld", "<p>Hello</p><p>World</p>", id="paragraphs"),
        pytest.param("one\ntwo  \nthree", "<p>one<br>two<br>three</p>", id="line-breaks"),
        pytest.param(
            "*em* **strong** _em_ __strong__ ***both***",
            "<p><em>em</em> <strong>strong</strong> <em>em</em> <strong>strong</strong>"
            " <strong><em>both</em></strong></p>",
            id="emphasis",
        ),
        pytest.param("snake_case_name", "<p>snake_case_name</p>", id="intraword-underscore"),
        pytest.param(r"\*not em\*", "<p>*not em*</p>", id="escapes"),
        pytest.param(
            "[Kurier](https://example.com/a)",
            f'<p><a href="https://example.com/a" {A_REL}>Kurier</a></p>',
            id="link",
        ),
        pytest.param(
            '[a](https://example.com "The title")',
            f'<p><a href="https://example.com" title="The title" {A_REL}>a</a></p>',
            id="link-title",
        ),
        pytest.param(
            "[write](mailto:anna@example.com)",
            f'<p><a href="mailto:anna@example.com" {A_REL}>write</a></p>',
            id="mailto-link",
        ),
        pytest.param(
            "[a](<https://example.com/a b>)",
            f'<p><a href="https://example.com/a b" {A_REL}>a</a></p>',
            id="link-angle-destination",
        ),
        pytest.param(
            "[Wiki](https://en.wikipedia.org/wiki/Foo_(bar))",
            f'<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)" {A_REL}>Wiki</a></p>',
            id="link-with-parentheses",
        ),
        pytest.param(
            "<https://example.com/x>",
            f'<p><a href="https://example.com/x" {A_REL}>https://example.com/x</a></p>',
            id="autolink",
        ),
        pytest.param(
            "<anna@example.com>",
            f'<p><a href="mailto:anna@example.com" {A_REL}>anna@example.com</a></p>',
            id="email-autolink",
        ),
        pytest.param(
            "see https://example.com/a?q=1&b=2 now",
            f'<p>see <a href="https://example.com/a?q=1&amp;b=2" {A_REL}>'
            "https://example.com/a?q=1&amp;b=2</a> now</p>",
            id="bare-url",
        ),
        pytest.param(
            "**https://example.com**",
            f'<p><strong><a href="https://example.com" {A_REL}>https://example.com</a>'
            "</strong></p>",
            id="bare-url-in-strong",
        ),
        pytest.param(
            "[see https://a.example](https://b.example)",
            f'<p><a href="https://b.example" {A_REL}>see https://a.example</a></p>',
            id="no-link-inside-link",
        ),
        pytest.param("- one\n- two", "<ul><li>one</li><li>two</li></ul>", id="bullets"),
        pytest.param("1. one\n2. two", "<ol><li>one</li><li>two</li></ol>", id="numbers"),
        pytest.param(
            "- a\n    - b\n        1. c",
            "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li></ul>",
            id="nested-lists",
        ),
        pytest.param(
            "> quoted\n> more", "<blockquote><p>quoted<br>more</p></blockquote>", id="quote"
        ),
        pytest.param(
            "> a\n>> b",
            "<blockquote><p>a</p><blockquote><p>b</p></blockquote></blockquote>",
            id="nested-quote",
        ),
        pytest.param("`a < b`", "<p><code>a &lt; b</code></p>", id="inline-code"),
        pytest.param("``a ` b``", "<p><code>a ` b</code></p>", id="inline-code-backtick"),
        pytest.param("```a", "<p>```a</p>", id="unclosed-code-span"),
        pytest.param(
            "```python\nx = '<b>' * 2\n```",
            "<pre><code class=\"language-python\">x = '&lt;b&gt;' * 2\n</code></pre>",
            id="fenced-code-language",
        ),
        pytest.param(
            "~~~\n**not bold**\n\n<i>\n~~~",
            "<pre><code>**not bold**\n\n&lt;i&gt;\n</code></pre>",
            id="fenced-code-tildes",
        ),
        pytest.param(
            "text\n```\ncode\n```\nafter",
            "<p>text</p><pre><code>code\n</code></pre><p>after</p>",
            id="fenced-code-without-blank-lines",
        ),
        pytest.param("```\nnever closed", "<p>```<br>never closed</p>", id="unclosed-fence"),
        pytest.param(
            "    indented\n    code",
            "<pre><code>indented\ncode\n</code></pre>",
            id="indented-code",
        ),
        pytest.param("a\n\n---\n\nb", "<p>a</p><hr><p>b</p>", id="rule"),
        pytest.param("AT&T &amp; &copy;", "<p>AT&amp;T &amp; ©</p>", id="entities"),
    ],
)
def test_render_subset(text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("<b>hi</b>", "<p>&lt;b&gt;hi&lt;/b&gt;</p>", id="inline-tag"),
        pytest.param(
            "<div>\nblock\n</div>", "<p>&lt;div&gt;<br>block<br>&lt;/div&gt;</p>", id="block"
        ),
        pytest.param("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>", id="comment"),
        pytest.param(
            "<script>alert(1)</script>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
            id="script",
        ),
    ],
)
def test_render_raw_html_shows_as_text(text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("# Title", "<p># Title</p>", id="atx-heading"),
        pytest.param("## Sub", "<p>## Sub</p>", id="atx-heading-2"),
        pytest.param("Title\n=====", "<p>Title<br>=====</p>", id="setext-heading"),
        pytest.param(
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "<p>| a | b |<br>|---|---|<br>| 1 | 2 |</p>",
            id="table",
        ),
        pytest.param(
            "[x][ref]\n\n[ref]: https://example.com",
            f'<p>[x][ref]</p><p>[ref]: <a href="https://example.com" {A_REL}>'
            "https://example.com</a></p>",
            id="reference-link",
        ),
        pytest.param("1) x", "<p>1) x</p>", id="paren-list"),
        pytest.param("www.example.com", "<p>www.example.com</p>", id="www-without-scheme"),
    ],
)
def test_render_unsupported_syntax_stays_text(text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "![alt](https://example.com/x.png)",
        '![alt](https://example.com/x.png "title")',
        "![alt][img]\n\n[img]: https://example.com/x.png",
        "<img src=https://example.com/x.png alt=x>",
    ],
)
def test_render_images_never_become_img(text: str) -> None:
    html = render(text)
    assert "<img" not in html
    assert "alt" in html
    assert_safe(html)


def test_render_image_syntax_shows_as_typed_with_its_address_linked() -> None:
    assert render("![alt](https://example.com/x.png)") == (
        f'<p>![alt](<a href="https://example.com/x.png" {A_REL}>https://example.com/x.png</a>)</p>'
    )


@pytest.mark.parametrize(
    ("text", "url", "after"),
    [
        pytest.param("see https://example.com/a.", "https://example.com/a", ".", id="dot"),
        pytest.param("(see https://example.com/a).", "https://example.com/a", ").", id="paren-dot"),
        pytest.param("https://example.com/a, b", "https://example.com/a", ", b", id="comma"),
        pytest.param("https://example.com/a!?", "https://example.com/a", "!?", id="marks"),
        pytest.param('"https://example.com/a"', "https://example.com/a", '"', id="quotes"),
        pytest.param("*https://example.com/a*", "https://example.com/a", "", id="emphasis"),
        pytest.param(
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            "",
            id="balanced-paren",
        ),
        pytest.param(
            "(https://en.wikipedia.org/wiki/Foo_(bar))",
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            ")",
            id="balanced-paren-in-parens",
        ),
        pytest.param("<https://example.com/a>.", "https://example.com/a", ".", id="angle"),
    ],
)
def test_render_autolinks_leave_trailing_punctuation_out(text: str, url: str, after: str) -> None:
    html = render(text)
    link = f'<a href="{url}" {A_REL}>{url}</a>'
    assert link + after in html.replace("<em>", "").replace("</em>", "")


@pytest.mark.parametrize(
    "text",
    [
        "[x](/relative/path)",
        "[x](#anchor)",
        "[x](//evil.example/x)",
        "[x](ftp://example.com/x)",
        "[x](javascript:alert(1))",
        "[x](data:text/html,x)",
    ],
)
def test_render_links_keep_only_absolute_http_and_mailto(text: str) -> None:
    assert render(text) == f"<p><a {A_REL}>x</a></p>"


def test_render_links_get_rel_and_never_target() -> None:
    html = render("[a](https://example.com){target=_blank} <https://example.com>")
    assert html.count("<a href=") == html.count(A_REL) == 2
    assert "target" not in html.replace("{target=_blank}", "")


def test_render_quotes_deeper_than_the_limit_show_their_markers() -> None:
    html = render(">" * (MAX_DEPTH + 4) + " deep")
    assert html.count("<blockquote>") == MAX_DEPTH
    assert "<p>&gt;&gt;&gt;&gt; deep</p>" in html


def test_render_lists_deeper_than_the_limit_show_their_markers() -> None:
    html = render("1. " * (MAX_DEPTH + 3) + "deep")
    assert html.count("<ol>") == MAX_DEPTH
    assert "1. 1. 1. deep" in html


def test_render_output_is_compact_and_stable() -> None:
    text = "Para *one*\n\n- a\n- b\n\n> q\n\n```\ncode\n```\n\nend  "
    html = render(text)
    assert html == render(text)
    assert html == html.strip()
    outside_code = re.sub(r"<pre>.*?</pre>", "", html, flags=re.S)
    assert "\n" not in outside_code


def test_render_from_many_threads_matches_one_thread() -> None:
    texts = [f"*{n}* [link](https://example.com/{n})\n\n- a\n- `b`" for n in range(40)]
    expected = [render(text) for text in texts]
    results: dict[int, str] = {}

    def work(offset: int) -> None:
        for index in range(offset, len(texts), 4):
            results[index] = render(texts[index])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[index] for index in range(len(texts))] == expected


def test_render_refusal_leaves_the_renderer_usable() -> None:
    with pytest.raises(BodyError) as caught:
        render("*a* " * 1200)
    assert caught.value.code == "too_complex"
    with pytest.raises(BodyError) as caught:
        render("*" * 100 + "a" + "*" * 100)
    assert caught.value.code == "too_deep"
    assert render("> - *ok*") == "<blockquote><ul><li><em>ok</em></li></ul></blockquote>"


def _code_spans_by_the_book(text: str) -> str:
    """CommonMark's rule, slowly: a run of backticks opens a span that the next
    run of exactly as many backticks closes; an unclosed run is text."""
    runs = [(run.start(), run.end()) for run in re.finditer("`+", text)]
    html, position, index = [], 0, 0
    while index < len(runs):
        start, end = runs[index]
        closing = next(
            (n for n in range(index + 1, len(runs)) if runs[n][1] - runs[n][0] == end - start),
            None,
        )
        if closing is None:
            index += 1
            continue
        code = text[end : runs[closing][0]].strip()
        html += [text[position:start], f"<code>{code}</code>"]
        position, index = runs[closing][1], closing + 1
    return "<p>" + "".join(html) + text[position:] + "</p>"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="`a ", max_size=40))
def test_render_code_spans_pair_runs_of_equal_length(middle: str) -> None:
    text = f"a{middle}a"
    assert render(text) == _code_spans_by_the_book(text)

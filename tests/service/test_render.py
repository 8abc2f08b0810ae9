"""Comment rendering: the Markdown subset, validation, XSS safety and cost bounds."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments_service.render import (
    LINK_REL,
    MAX_DEPTH,
    MAX_LENGTH,
    BodyError,
    render,
    render_and_validate,
    validate_body,
)
from tests.service.html_safety import XSS_PAYLOADS, assert_safe, html_problems

BODY_ERROR_CODES = {
    "invalid_type",
    "empty",
    "too_long",
    "control_character",
    "invalid_unicode",
    "too_deep",
    "too_complex",
}


def test_render_safety_check_catches_what_it_must() -> None:
    """The check itself can fail: each of these must be reported."""
    unsafe = [
        "<script>alert(1)</script>",
        '<p onclick="x">a</p>',
        '<p style="color:red">a</p>',
        '<a href="javascript:alert(1)" rel="nofollow noopener noreferrer">a</a>',
        '<a href=" jav&#x09;ascript:alert(1)" rel="nofollow noopener noreferrer">a</a>',
        '<a href="/relative" rel="nofollow noopener noreferrer">a</a>',
        '<a href="https://example.com">no rel</a>',
        '<a href="https://example.com" rel="nofollow noopener noreferrer" target="_blank">a</a>',
        '<img src="https://example.com/x.png">',
        "<svg></svg>",
        '<code class="x">a</code>',
    ]
    for fragment in unsafe:
        assert html_problems(fragment), fragment


# --- validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(None, "invalid_type", id="none"),
        pytest.param(42, "invalid_type", id="number"),
        pytest.param(b"bytes", "invalid_type", id="bytes"),
        pytest.param(["a"], "invalid_type", id="list"),
        pytest.param("", "empty", id="empty"),
        pytest.param(" \n\t\r\n \u00a0\u3000", "empty", id="whitespace-only"),
        pytest.param("a" * (MAX_LENGTH + 1), "too_long", id="too-long"),
        pytest.param("\U0001f600" * (MAX_LENGTH + 1), "too_long", id="too-long-astral"),
        pytest.param("a\x00b", "control_character", id="nul"),
        pytest.param("a\x07", "control_character", id="bell"),
        pytest.param("a\x0bb", "control_character", id="vertical-tab"),
        pytest.param("a\x0cb", "control_character", id="form-feed"),
        pytest.param("\x1b[31mred", "control_character", id="escape"),
        pytest.param("a\x7f", "control_character", id="del"),
        pytest.param("a\x85b", "control_character", id="c1-next-line"),
        pytest.param("a\x9fb", "control_character", id="c1-last"),
        pytest.param("a\x02b\x03", "control_character", id="stx-etx"),
        pytest.param("a\ud800b", "invalid_unicode", id="lone-high-surrogate"),
        pytest.param("a\udfff", "invalid_unicode", id="lone-low-surrogate"),
        pytest.param("\udc00\ud800", "invalid_unicode", id="reversed-surrogates"),
        pytest.param("a\ufffe", "invalid_unicode", id="noncharacter-fffe"),
        pytest.param("a\uffff", "invalid_unicode", id="noncharacter-ffff"),
        pytest.param("a\ufdd0", "invalid_unicode", id="noncharacter-fdd0"),
        pytest.param("a\U0010ffff", "invalid_unicode", id="noncharacter-plane-16"),
    ],
)
def test_render_validate_body_refuses(body: object, code: str) -> None:
    with pytest.raises(BodyError) as caught:
        validate_body(body)
    assert caught.value.code == code
    message = str(caught.value)
    assert message == caught.value.message
    assert message[0].isupper() and message.endswith(".")


def test_render_validate_body_messages_are_for_people() -> None:
    with pytest.raises(BodyError, match=r"^The comment is longer than 5,000 characters\.$"):
        validate_body("a" * 5001)
    with pytest.raises(BodyError, match=r"\(U\+0007\)"):
        validate_body("ding\x07")


@pytest.mark.parametrize(
    ("body", "clean"),
    [
        pytest.param("  hello  ", "  hello", id="trailing-space"),
        pytest.param("\n\n \n  hello\n\n", "  hello", id="blank-lines-around"),
        pytest.param("a\r\nb\rc\nd", "a\nb\nc\nd", id="newlines"),
        pytest.param("tab\there", "tab\there", id="tab-kept"),
        pytest.param("Zaz\u0307o\u0301\u0142c\u0301", "Zażółć", id="nfc"),
        pytest.param("\u200b\u200dzero-width", "\u200b\u200dzero-width", id="format"),
        pytest.param("\U0001f600 ok", "\U0001f600 ok", id="astral"),
    ],
)
def test_render_validate_body_cleans(body: str, clean: str) -> None:
    assert validate_body(body) == clean


def test_render_validate_body_counts_code_points_after_cleaning() -> None:
    assert validate_body("a" * MAX_LENGTH) == "a" * MAX_LENGTH
    assert validate_body("\n  \n" + "b" * MAX_LENGTH + " \n\n") == "b" * MAX_LENGTH
    # A CRLF counts as one character once normalised.
    assert len(validate_body("a\r\n" * (MAX_LENGTH // 2))) == MAX_LENGTH - 1
    assert validate_body("\U0001f600" * MAX_LENGTH) == "\U0001f600" * MAX_LENGTH
    # Decomposed letters count as composed, since that is what is stored.
    assert len(validate_body("o\u0301" * MAX_LENGTH)) == MAX_LENGTH


def test_render_and_validate_returns_the_clean_text() -> None:
    assert render_and_validate("  *hi*\r\n\r\n") == ("  *hi*", "<p><em>hi</em></p>")


def test_render_refuses_what_validation_refuses() -> None:
    with pytest.raises(BodyError) as caught:
        render("a\x00b")
    assert caught.value.code == "control_character"


# --- the Markdown subset ---------------------------------------------------------

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


# --- XSS ---------------------------------------------------------------------------


def test_render_xss_payload_file_is_large_and_usable() -> None:
    assert len(XSS_PAYLOADS) >= 150
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)
    # Every payload is text the service accepts, so each one reaches the
    # renderer (here and in the API tests) instead of being refused early.
    for payload in XSS_PAYLOADS:
        assert validate_body(payload)


@pytest.mark.parametrize(
    "payload", XSS_PAYLOADS, ids=[f"payload-{n:03d}" for n in range(len(XSS_PAYLOADS))]
)
def test_render_xss_payload_is_harmless(payload: str) -> None:
    assert_safe(render(payload))


# --- random input --------------------------------------------------------------------

MARKDOWN_PIECES = [
    "*", "**", "_", "__", "`", "```", "~~~", "[", "]", "(", ")", "<", ">", "!",
    "\\", "&", "#", "-", "1.", "\n", "\n\n", "    ", "> ", "- ", '"', "'", "=",
    "https://", "http://x.test/", "mailto:", "javascript:", "data:", "&#x6A;",
    "&#106;", "&lt;", " onerror=", "<script>", "</", "<a href=", "@", ":",
    "\t", "\u00a0", "ł", "\U0001f600",
]  # fmt: skip
random_markdown = st.lists(
    st.one_of(
        st.sampled_from(MARKDOWN_PIECES),
        st.text(st.characters(codec="utf-8"), max_size=4),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_markdown)
def test_render_random_text_is_refused_or_safe(text: str) -> None:
    try:
        html = render(text)
    except BodyError as error:
        assert error.code in BODY_ERROR_CODES
        return
    assert_safe(html)


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


# --- cost -------------------------------------------------------------------------------

# Inputs that cost seconds, or exhausted the stack, before the guards in
# render.py; each is cut to MAX_LENGTH.
PATHOLOGICAL = [
    pytest.param("[" * 5000, id="open-brackets"),
    pytest.param("[a](" * 2000, id="unclosed-links"),
    pytest.param("[](" * 1667, id="unclosed-empty-links"),
    pytest.param("[a" * 2500, id="bracket-words"),
    pytest.param("[" * 2500 + "]" * 2500, id="nested-brackets"),
    pytest.param("[a](" + "(" * 4996, id="open-parens-in-link"),
    pytest.param("[a](" + " " * 4990 + "x", id="spaces-in-link"),
    pytest.param('[a](b "' * 715, id="unclosed-titles"),
    pytest.param(">" * 5000, id="quote-markers"),
    pytest.param("> " * 2500, id="nested-quotes"),
    pytest.param("1. " * 1667, id="nested-numbered-lists"),
    pytest.param("- " * 2500, id="nested-bullets"),
    pytest.param("- > " * 1250, id="lists-in-quotes"),
    pytest.param("\n".join("    " * n + "- x" for n in range(50)), id="indented-lists"),
    pytest.param("*" * 5000, id="asterisks"),
    pytest.param("*" * 2499 + "a" + "*" * 2499, id="nested-emphasis"),
    pytest.param("*a" * 2500, id="emphasis-words"),
    pytest.param("*a* " * 1250, id="many-emphases"),
    pytest.param("*a*" * 1667, id="adjacent-emphases"),
    pytest.param("*_" * 1250 + "a" + "_*" * 1250, id="alternating-delimiters"),
    pytest.param("_a" * 2500, id="underscores"),
    pytest.param("\n_" * 2500, id="stray-underscores"),
    pytest.param("`" * 5000, id="backticks"),
    pytest.param("`\\`" * 1667, id="unclosed-code-spans"),
    pytest.param("".join("`" * n + "a" for n in range(1, 100)), id="backtick-runs"),
    pytest.param("```x\n" * 1000, id="unclosed-fences"),
    pytest.param("~~~~\n```\n" * 625, id="mixed-fences"),
    pytest.param("<" * 5000, id="angle-brackets"),
    pytest.param("<http://" * 625, id="unclosed-autolinks"),
    pytest.param("<a@" * 1667, id="unclosed-email-autolinks"),
    pytest.param("https://x.test/ " * 313, id="bare-urls"),
    pytest.param("https://x.test/" + ")" * 4985, id="url-closing-parens"),
    pytest.param("\\" * 5000, id="backslashes"),
    pytest.param("\\*" * 2500, id="escapes"),
    pytest.param("&amp;" * 1000, id="entities"),
    pytest.param("a" * 5000, id="one-long-word"),
    pytest.param("a\n" * 2500, id="line-breaks"),
    pytest.param("x\n\n" * 1667, id="paragraphs"),
    pytest.param("-\n" * 2500, id="dash-lines"),
    pytest.param("- a\n" * 1250, id="long-list"),
    pytest.param("---\n\n" * 1000, id="rules"),
    pytest.param("    a\n\nb\n\n" * 500, id="code-blocks"),
]


def _timed_render(text: str) -> tuple[float, str | BodyError]:
    """Best of three, so that a scheduler hiccup does not fail the test."""
    best = float("inf")
    outcome: str | BodyError = ""
    for _ in range(3):
        started = time.perf_counter()
        try:
            outcome = render(text)
        except BodyError as error:
            outcome = error
        best = min(best, time.perf_counter() - started)
    return best, outcome


@pytest.fixture(scope="module")
def render_times() -> Iterator[dict[str, float]]:
    """Collects the pathological timings and prints the slowest (``pytest -s``)."""
    times: dict[str, float] = {}
    yield times
    if times:
        slowest = max(times, key=times.__getitem__)
        print(f"\nslowest pathological render: {slowest}, {times[slowest] * 1000:.1f} ms")


@pytest.mark.parametrize("text", PATHOLOGICAL)
def test_render_pathological_input_is_bounded(
    text: str,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
    render_times: dict[str, float],
) -> None:
    text = text[:MAX_LENGTH]
    elapsed, outcome = _timed_render(text)
    render_times[request.node.callspec.id] = elapsed
    record_property("render_ms", round(elapsed * 1000, 2))
    print(f"render: {elapsed * 1000:.1f} ms")
    assert elapsed < 0.5
    if isinstance(outcome, BodyError):
        assert outcome.code in {"too_complex", "too_deep"}
    else:
        assert_safe(outcome)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="*_`[]()<>!\\-1. \n:h#&~\"'a", min_size=1, max_size=5))
def test_render_repeated_markup_is_bounded(unit: str) -> None:
    text = (unit * (MAX_LENGTH // len(unit) + 1))[:MAX_LENGTH]
    started = time.perf_counter()
    try:
        html = render(text)
    except BodyError as error:
        assert error.code in BODY_ERROR_CODES
    else:
        assert_safe(html)
    assert time.perf_counter() - started < 0.5

"""Whatever is typed, the HTML is harmless and made in bounded time: XSS payloads, random
text, pathological input."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments_service.render import (
    MAX_LENGTH,
    BodyError,
    render,
    validate_body,
)
from tests.service.kit import XSS_PAYLOADS, assert_safe, html_problems

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


# --- XSS ----------------------------------------------------------------------------------


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


# --- random input -------------------------------------------------------------------------


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


# --- cost ---------------------------------------------------------------------------------


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

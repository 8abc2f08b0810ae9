"""The rules of a comment's text: what is refused, with a message for people, and how what
is accepted is cleaned."""

from __future__ import annotations

import pytest

from comments_service.render import (
    MAX_LENGTH,
    BodyError,
    render,
    render_and_validate,
    validate_body,
)


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

"""The service's catalogue (comments_service/i18n/{pl,en}.json) and the one choice of
language that the moderators' pages and the comment feeds share."""

from __future__ import annotations

import json
import tomllib
from fnmatch import fnmatch
from string import Formatter

import pytest
from starlette.requests import Request

from comments_service import i18n


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def shape(value: object) -> object:
    """What must agree between languages: keys, kinds of value, list lengths, placeholders."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    assert isinstance(value, str), value
    return placeholders(value)


def test_i18n_catalogues_have_the_same_keys_and_placeholders():
    polish, english = (
        json.loads((i18n.CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))
        for lang in i18n.LANGS
    )
    assert set(polish) == {"admin", "feeds"}
    assert shape(polish) == shape(english)
    assert len(polish["admin"]["months"]) == 12


def test_i18n_catalogue_files_are_package_data():
    """An installed service has its catalogue: pyproject.toml ships every file of it."""
    package = i18n.CATALOGUES.parent
    config = tomllib.loads((package.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["comments_service"]
    for path in i18n.CATALOGUES.iterdir():
        name = path.relative_to(package).as_posix()
        assert any(fnmatch(name, pattern) for pattern in patterns), name


def test_i18n_words_fill_placeholders_and_name_unknown_keys_as_they_are():
    t = i18n.words("pl", "admin")
    assert t("open_reports", n=3) == "Otwarte zgłoszenia: 3"
    assert "open_reports" in t and "mode_weird" not in t
    assert t("mode_weird") == "mode_weird"
    assert i18n.words("en", "feeds")("site_title", site="Kurier") == "Kurier — comments"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        pytest.param("", None, id="none"),
        pytest.param("en", "en", id="one"),
        pytest.param("en-GB,en;q=0.9", "en", id="region"),
        pytest.param("de-DE, en-GB;q=0.8, pl;q=0.5", "en", id="highest-weight"),
        pytest.param("en;q=0.4, pl", "pl", id="weight-over-order"),
        pytest.param("pl;q=0.3 , en;q=0.9 ", "en", id="spaces"),
        pytest.param("en, pl", "en", id="tie-first-listed"),
        pytest.param("pl-PL, en-US", "pl", id="tie-first-listed-region"),
        pytest.param("de, pl;q=0.5, en;q=0.5", "pl", id="tie-of-weights"),
        pytest.param("EN;Q=0.7, pl;q=0.6", "en", id="any-case"),
        pytest.param("en;q=0, de", None, id="zero-refuses"),
        pytest.param("en;q=2, pl;q=0.1", "pl", id="weight-above-one"),
        pytest.param("en;q=x, pl;q=0.1", "pl", id="weight-not-a-number"),
        pytest.param("*, en;q=0.5", "en", id="wildcard-passed-over"),
        pytest.param("en_GB, pl;q=0.2", "pl", id="malformed-range"),
    ],
)  # fmt: skip
def test_i18n_accepted_lang(header, lang):
    assert i18n.accepted_lang(header) == lang


def request(query: str = "", cookie: str = "", accept: str = "") -> Request:
    headers = [(b"cookie", cookie.encode()), (b"accept-language", accept.encode())]
    return Request({"type": "http", "query_string": query.encode(), "headers": headers})


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "lang"),
    [
        pytest.param("lang=en", "remembered=pl", "pl", "en", id="query-first"),
        pytest.param("lang=de", "remembered=en", "pl", "en", id="other-query-ignored"),
        pytest.param("", "remembered=en", "pl", "en", id="then-cookie"),
        pytest.param("", "remembered=de", "en", "en", id="other-cookie-ignored"),
        pytest.param("", "", "en", "en", id="then-accept-language"),
        pytest.param("", "", "de", "pl", id="else-polish"),
    ],
)  # fmt: skip
def test_i18n_choose_lang_order(query, cookie, accept, lang):
    assert i18n.choose_lang(request(query, cookie, accept), "remembered") == lang


def test_i18n_choose_lang_without_a_cookie_reads_none():
    assert i18n.choose_lang(request(cookie="remembered=en", accept="pl")) == "pl"


@pytest.mark.parametrize("accept", ["en, pl", "pl, en", "de, en;q=0.5, pl;q=0.5"])
def test_i18n_pages_and_feeds_choose_alike(make_client, accept):
    client = make_client(admin_password="x")
    headers = {"accept-language": accept}
    page = client.get("/admin/sign-in", headers=headers).text
    feed = client.get("/feeds/comments.atom", headers=headers).text
    lang = i18n.accepted_lang(accept)
    assert f'<html lang="{lang}">' in page
    assert f'xml:lang="{lang}"' in feed or f"<language>{lang}</language>" in feed, feed[:400]

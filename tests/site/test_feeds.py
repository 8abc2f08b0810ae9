"""Feeds: valid, full content, absolute links, one file per feed, every kind present."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import feedparser
import pytest
from pelican.settings import read_settings
from pelican.utils import slugify

from tests.site import sample
from tests.site.build import PELICANCONF

FEED_DOMAIN = "http://127.0.0.1:8000"
FEED_SETTINGS = (
    "FEED_ALL_ATOM",
    "FEED_ALL_RSS",
    "FEED_ATOM",
    "FEED_RSS",
    "TRANSLATION_FEED_ATOM",
    "TRANSLATION_FEED_RSS",
    "CATEGORY_FEED_ATOM",
    "CATEGORY_FEED_RSS",
    "TAG_FEED_ATOM",
    "TAG_FEED_RSS",
    "AUTHOR_FEED_ATOM",
    "AUTHOR_FEED_RSS",
)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data):
        self.words += re.findall(r"\w+", data)

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def _parse_html(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _feeds(site: Path) -> list[Path]:
    return sorted((site / "feeds").rglob("*.xml"))


def _entry_html(entry) -> str:
    if entry.get("content"):
        return entry.content[0].value
    return entry.get("summary", "")


def _slug(name: str, settings: dict) -> str:
    return slugify(name, regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"])


@pytest.fixture(scope="module")
def settings():
    return read_settings(str(PELICANCONF))


def test_feeds_all_parse_without_errors(site):
    feeds = _feeds(site)
    assert len(feeds) > 10
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.entries, path
        assert parsed.version in ("atom10", "rss20"), path


def test_feeds_exist_for_every_language_channel_tag_and_author(site, manifest, settings):
    expected = {settings["FEED_ALL_ATOM"], settings["FEED_ALL_RSS"]}
    for entry in manifest:
        expected.add(settings["TRANSLATION_FEED_ATOM"].format(lang=entry["lang"]))
        expected.add(settings["TRANSLATION_FEED_RSS"].format(lang=entry["lang"]))
        for kind, slugs in (
            ("CATEGORY", [entry["category"]]),
            ("TAG", [_slug(tag, settings) for tag in entry["tags"]]),
            ("AUTHOR", [_slug(author, settings) for author in entry["authors"]]),
        ):
            for slug in slugs:
                expected.add(settings[f"{kind}_FEED_ATOM"].format(slug=slug))
                expected.add(settings[f"{kind}_FEED_RSS"].format(slug=slug))
    missing = sorted(path for path in expected if not (site / path).is_file())
    assert not missing


def test_feed_settings_never_share_a_path(settings):
    # Formatted with one and the same slug and language, every feed setting
    # must still name a file of its own (Pelican's defaults give a channel and
    # an author with the same slug the same feed).
    paths = {
        name: str(settings[name]).format(slug="same", lang="pl")
        for name in FEED_SETTINGS
        if settings.get(name)
    }
    for (a, path_a), (b, path_b) in combinations(paths.items(), 2):
        assert path_a != path_b, f"{a} and {b} both write {path_a}"


def test_feeds_carry_full_content_with_absolute_links(site, settings):
    sources = {(s.slug, s.lang): s for s in sample.articles() if s.published}
    for path in (site / "feeds" / "all.atom.xml", site / "feeds" / "all.rss.xml"):
        parsed = feedparser.parse(path.read_bytes())
        assert len(parsed.entries) == min(len(sources), settings["FEED_MAX_ITEMS"])
        for entry in parsed.entries:
            assert entry.link.startswith(FEED_DOMAIN + "/"), entry.link
            html = _entry_html(entry)
            text = _parse_html(html)
            source = next(
                s
                for s in sources.values()
                if entry.link.endswith(f"/{s.slug}.html")
                and (s.lang == "pl") == ("/en/" not in entry.link)
            )
            body_words = re.findall(r"\w+", re.sub(r"\(\{[a-z]+\}[^)]*\)", "", source.body))
            assert len(text.words) >= 0.9 * len(body_words), f"{path}: {entry.link} is cut"
            for link in text.links:
                assert link.startswith((FEED_DOMAIN + "/", "https://", "mailto:", "tel:", "#")), (
                    f"{path}: {entry.link} links to {link}"
                )


def test_feed_entries_carry_their_language_article_only(site):
    parsed = feedparser.parse((site / "feeds" / "all-en.atom.xml").read_bytes())
    assert parsed.entries
    assert all("/en/" in entry.link for entry in parsed.entries)

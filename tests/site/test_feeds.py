"""Feeds: valid, full content, absolute links, one file per feed, every kind present."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from pelican.settings import read_settings
from pelican.utils import slugify

from tests.site import sample
from tests.site.build import PELICANCONF

FEED_DOMAIN = "http://127.0.0.1:8000"
# The comments service's feeds, not files of the site.
SERVICE_FEEDS = ("/feeds/threads/", "/feeds/comments.")
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
    "CATEGORY_LANG_FEED_ATOM",
    "CATEGORY_LANG_FEED_RSS",
    "TAG_LANG_FEED_ATOM",
    "TAG_LANG_FEED_RSS",
    "AUTHOR_LANG_FEED_ATOM",
    "AUTHOR_LANG_FEED_RSS",
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


# --- feeds per language -------------------------------------------------------

LANG_PREFIX = {"pl": "", "en": "en/"}
TAXONOMIES = {"channel": "CATEGORY", "tag": "TAG", "author": "AUTHOR"}


def _channel_slug(name: str, settings: dict) -> str:
    return next(
        slug for slug, names in settings["CHANNELS"].items() if name == slug or name in names
    )


def _story_urls_by_taxonomy(settings: dict, lang: str) -> dict[tuple[str, str], set[str]]:
    """(taxonomy, slug) -> the addresses of the stories its page in `lang` lists.

    Each story once: in `lang` where it has that translation, else as written.
    """
    versions: dict[str, list[sample.Source]] = {}
    for source in sample.articles():
        if source.published:
            versions.setdefault(source.slug, []).append(source)
    listed: dict[tuple[str, str], set[str]] = {}
    for story in versions.values():
        shown = next((s for s in story if s.lang == lang), story[0])
        url = f"{FEED_DOMAIN}/{LANG_PREFIX[shown.lang]}news/{shown.slug}.html"
        names = {
            "channel": [_channel_slug(shown.meta["category"], settings)],
            "tag": [_slug(t.strip(), settings) for t in shown.meta.get("tags", "").split(",")],
            "author": [_slug(a.strip(), settings) for a in shown.meta["authors"].split(",")],
        }
        for taxonomy, slugs in names.items():
            for slug in slugs:
                listed.setdefault((taxonomy, slug), set()).add(url)
    return listed


def _edition_feed(settings: dict, taxonomy: str, slug: str, lang: str, kind: str) -> str:
    name = f"{TAXONOMIES[taxonomy]}_FEED_{kind.upper()}"
    if lang != settings["DEFAULT_LANG"]:
        name = f"{TAXONOMIES[taxonomy]}_LANG_FEED_{kind.upper()}"
    return settings[name].format(slug=slug, lang=lang)


def _parsed(site: Path, path: str):
    parsed = feedparser.parse((site / path).read_bytes())
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_channel_tag_and_author_feeds_list_each_story_once_in_their_language(site, settings, lang):
    expected = _story_urls_by_taxonomy(settings, lang)
    assert ("channel", "firma") in expected
    for (taxonomy, slug), urls in expected.items():
        for kind in ("atom", "rss"):
            path = _edition_feed(settings, taxonomy, slug, lang, kind)
            links = [entry.link for entry in _parsed(site, path).entries]
            assert sorted(links) == sorted(urls), path


def test_polish_channel_feed_holds_no_english_twin_of_a_story(site):
    """A story written in both languages is in each edition's Firma feed once."""
    links = [e.link for e in _parsed(site, "feeds/channel/firma.atom.xml").entries]
    slugs = [link.rsplit("/", 1)[1] for link in links]
    assert "strategia-korona-2030.html" in slugs
    assert len(slugs) == len(set(slugs))
    assert not [link for link in links if "/en/" in link]
    english = [e.link for e in _parsed(site, "feeds/en/channel/firma.atom.xml").entries]
    assert f"{FEED_DOMAIN}/en/news/strategia-korona-2030.html" in english


@pytest.mark.parametrize(
    ("path", "title", "lang", "page"),
    [
        ("feeds/all.atom.xml", "Kurier — wszystkie wiadomości · all stories", None, ""),
        ("feeds/all.rss.xml", "Kurier — wszystkie wiadomości · all stories", None, ""),
        ("feeds/all-pl.atom.xml", "Kurier — po polsku", "pl", ""),
        ("feeds/all-en.rss.xml", "Kurier — English", "en", "en/"),
        ("feeds/channel/firma.atom.xml", "Kurier — Firma", "pl", "channel/firma.html"),
        ("feeds/en/channel/firma.rss.xml", "Kurier — Company", "en", "en/channel/firma.html"),
        ("feeds/tag/phishing.atom.xml", "Kurier — #phishing", "pl", "tag/phishing.html"),
        (
            "feeds/en/tag/phishing.atom.xml",
            "Kurier — #phishing · English edition",
            "en",
            "en/tag/phishing.html",
        ),
        (
            "feeds/author/piotr-szymanski.rss.xml",
            "Kurier — Piotr Szymański",
            "pl",
            "author/piotr-szymanski.html",
        ),
        (
            "feeds/en/author/piotr-szymanski.atom.xml",
            "Kurier — Piotr Szymański · English edition",
            "en",
            "en/author/piotr-szymanski.html",
        ),
    ],
)
def test_feeds_say_what_they_are(site, path, title, lang, page):
    parsed = _parsed(site, path)
    assert parsed.feed.title == title
    assert parsed.feed.get("language") == lang
    assert parsed.feed.link == f"{FEED_DOMAIN}/{page}"


def test_no_two_feeds_share_a_title(site):
    titles: dict[str, list[str]] = {}
    for path in _feeds(site):
        if path.name.endswith(".atom.xml"):
            title = feedparser.parse(path.read_bytes()).feed.title
            titles.setdefault(title, []).append(str(path.relative_to(site)))
    aliases = set(_aliases(site))
    shared = {t: paths for t, paths in titles.items() if len(set(paths) - aliases) > 1}
    assert not shared


def _aliases(site: Path) -> list[str]:
    """Default-language feeds of a tag, channel or author only other editions list:
    kept at their old address, with another edition's stories."""
    found = []
    for taxonomy in TAXONOMIES:
        for path in sorted((site / "feeds" / taxonomy).glob("*.xml")):
            slug = path.name.split(".")[0]
            if not (site / taxonomy / f"{slug}.html").is_file():
                found.append(str(path.relative_to(site)))
    return found


def test_feeds_of_english_only_tags_keep_their_old_address(site):
    # "strategy" is a tag of an English translation only: the feed at its old
    # address holds the English edition's stories.
    aliases = _aliases(site)
    assert "feeds/tag/strategy.atom.xml" in aliases
    for alias in aliases:
        taxonomy, name = alias.split("/")[1:]
        english = f"feeds/en/{taxonomy}/{name}"
        assert [e.link for e in _parsed(site, alias).entries] == [
            e.link for e in _parsed(site, english).entries
        ]


def _head_feeds(page: Path) -> list[dict]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    links = soup.select('head link[rel=alternate][type$="+xml"]')
    return [link.attrs for link in links if not link["href"].startswith(SERVICE_FEEDS)]


def test_pages_advertise_the_feeds_of_their_own_language(site):
    checked = 0
    for page in sorted(site.rglob("*.html")):
        if "drafts" in page.parts or page.parent.name == "feeds":
            continue  # the feeds pages list every feed
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        lang = soup.html["lang"]
        for link in _head_feeds(page) + [a.attrs for a in soup.select("a.k-feed-link")]:
            parsed = _parsed(site, link["href"].lstrip("/"))
            if link["href"].startswith("/feeds/all."):
                continue  # every language's stories, for every page
            assert parsed.feed.language == lang, (page, link["href"])
            if "title" in link:
                assert link["title"].startswith(parsed.feed.title + " ("), (page, link)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("channel/firma.html", "/feeds/channel/firma.atom.xml"),
        ("en/channel/firma.html", "/feeds/en/channel/firma.atom.xml"),
        ("tag/phishing.html", "/feeds/tag/phishing.rss.xml"),
        ("en/tag/phishing.html", "/feeds/en/tag/phishing.rss.xml"),
        ("en/author/piotr-szymanski.html", "/feeds/en/author/piotr-szymanski.atom.xml"),
        ("en/news/strategia-korona-2030.html", "/feeds/en/channel/firma.atom.xml"),
        ("news/strategia-korona-2030.html", "/feeds/channel/firma.atom.xml"),
    ],
)
def test_listing_and_article_pages_link_their_languages_feed(site, page, feed):
    assert feed in {link["href"] for link in _head_feeds(site / page)}


# --- the feeds page -----------------------------------------------------------

FEEDS_PAGES = {"pl": "feeds/index.html", "en": "en/feeds/index.html"}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_feeds_pages_list_every_feed_of_the_site(site):
    listed: set[str] = set()
    for lang, path in FEEDS_PAGES.items():
        soup = _soup(site / path)
        assert soup.html["lang"] == lang
        hrefs = {a["href"] for a in soup.select("main a[href]")}
        feeds = {href.lstrip("/") for href in hrefs if href.endswith(".xml")}
        other = "feeds/en/" if lang == "pl" else "feeds/channel/"
        assert not [href for href in feeds if href.startswith(other)], lang
        listed |= feeds
    every = {str(path.relative_to(site)) for path in _feeds(site)}
    assert every - listed == set(_aliases(site))


@pytest.mark.parametrize(
    ("lang", "words"),
    [("pl", ("RSS", "Outlook", "czytnik")), ("en", ("RSS", "Outlook", "reader"))],
)
def test_feeds_pages_explain_rss_to_a_newcomer(site, lang, words):
    intro = _soup(site / FEEDS_PAGES[lang]).select_one("main .k-feeds-intro")
    text = intro.get_text(" ", strip=True)
    for word in words:
        assert word in text, (lang, word)


def test_every_page_links_the_feeds_page_of_its_language(site):
    for page in sorted(site.rglob("*.html")):
        soup = _soup(page)
        expected = "/feeds/" if soup.html["lang"] == "pl" else "/en/feeds/"
        assert soup.select_one(f'footer a[href="{expected}"]'), page


def test_feed_link_titles_survive_quotes_in_names(site):
    """A title with quotation marks ("Korona 2030") must not end the attribute early."""
    for page in sorted(site.rglob("*.html")):
        for link in _soup(page).select("head link[rel=alternate][type]"):
            assert link["title"].endswith(("(Atom)", "(RSS)")), (page, link["title"])
    soup = _soup(site / "en/news/strategia-korona-2030.html")
    titles = [link["title"] for link in soup.select("head link[rel=alternate][type]")]
    assert 'Comments: The "Korona 2030" strategy' in " ".join(titles)

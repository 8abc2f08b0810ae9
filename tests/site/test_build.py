"""The built sample site as a reader sees it: pages, links, languages, front page."""

from __future__ import annotations

import re
import runpy
from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.site import sample
from tests.site.build import CONTENT, PELICANCONF, REPO, build

# Addresses the comments service answers, not files of the static site.
SERVICE_PATHS = ("/api/", "/feeds/threads/", "/feeds/comments.", "/admin/")


@cache
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _target(site: Path, href: str) -> Path | None:
    """The file a root-relative link points at, or None for other links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SERVICE_PATHS):
        return None
    path = parts.path.lstrip("/")
    return site / (path + "index.html" if path.endswith("/") or not path else path)


def _published():
    return [s for s in sample.articles() if s.published]


def _url(source: sample.Source) -> str:
    prefix = "" if source.lang == "pl" else f"{source.lang}/"
    return f"{prefix}news/{source.slug}.html"


@pytest.mark.parametrize("source", _published(), ids=lambda s: s.path.name)
def test_article_page_has_its_elements(site, source):
    soup = _soup(site / _url(source))
    assert soup.html["lang"] == source.lang
    assert soup.find("h1").get_text(" ", strip=True) == source.meta["title"]

    published = soup.select_one("time.k-published")
    assert datetime.fromisoformat(published["datetime"]) == source.when("date")
    if source.when("modified"):
        modified = soup.select_one("time.k-modified")
        assert datetime.fromisoformat(modified["datetime"]) == source.when("modified")
    assert re.search(r"\d", soup.select_one(".k-reading-time").get_text())

    authors = [a.strip() for a in source.meta.get("authors", "").split(",") if a.strip()]
    links = soup.select(".k-byline a[rel=author]")
    assert [a.get_text(strip=True) for a in links] == authors
    for link in links:
        assert _target(site, link["href"]).is_file(), link["href"]

    channel = soup.select_one("a.k-channel")
    assert _target(site, channel["href"]).is_file()
    tags = [t.strip() for t in source.meta.get("tags", "").split(",") if t.strip()]
    assert [a.get_text(strip=True) for a in soup.select("a.k-tag[rel=tag]")] == tags

    if "image" in source.meta:
        hero = soup.select_one("figure.k-hero img")
        assert hero["alt"] == source.meta["imagealt"]
        assert _target(site, hero["src"]).is_file()

    comments = soup.select_one("section#comments")
    if source.meta.get("comments") == "hidden":
        assert comments is None
        assert soup.select_one('head link[href^="/feeds/threads/"]') is None
    else:
        assert comments["data-thread"] == source.slug
        assert comments["data-api"] == "/api/v1"
        fallback = comments.select_one(".k-comments-fallback a")
        assert fallback["href"] == f"/feeds/threads/{source.slug}.atom"
        discovery = soup.select_one('head link[rel=alternate][href^="/feeds/threads/"]')
        assert discovery["href"] == f"/feeds/threads/{source.slug}.atom?lang={source.lang}"
        assert discovery["type"] == "application/atom+xml" and discovery["title"]


def test_article_pages_link_related_and_neighbouring_articles(site):
    related = neighbours = 0
    for source in _published():
        soup = _soup(site / _url(source))
        for link in soup.select(".k-related a.k-teaser-link, .k-neighbors a[rel]"):
            assert _target(site, link["href"]).is_file(), (source.path, link["href"])
        related += len(soup.select(".k-related article"))
        neighbours += len(soup.select(".k-neighbors a[rel=prev], .k-neighbors a[rel=next]"))
    assert related and neighbours


def test_translations_link_to_each_other(site):
    by_slug: dict[str, list[sample.Source]] = {}
    for source in _published():
        by_slug.setdefault(source.slug, []).append(source)
    pairs = [versions for versions in by_slug.values() if len(versions) > 1]
    assert len(pairs) >= 4
    for versions in pairs:
        for source in versions:
            soup = _soup(site / _url(source))
            for other in versions:
                if other is source:
                    continue
                link = soup.select_one(f"a.k-translation[hreflang={other.lang}]")
                assert link["href"] == "/" + _url(other), source.path
                assert link["lang"] == other.lang
                head = soup.select_one(f'head link[rel=alternate][hreflang="{other.lang}"]')
                assert head["href"].endswith(_url(other)), source.path


def test_front_page_shows_top_story_and_must_reads_and_not_expired(site):
    published = _published()
    expired = [s for s in published if s.expired]
    assert expired, "the sample must hold an expired article"
    for lang, index in (("pl", "index.html"), ("en", "en/index.html")):
        soup = _soup(site / index)
        assert soup.html["lang"] == lang
        front = {a["href"] for a in soup.select("main a[href]")}
        for source in expired:
            assert not any(href.endswith(f"/news/{source.slug}.html") for href in front)
        top = soup.select_one(".k-top article")
        pinned = {s.slug for s in published if s.flag("pinned") and not s.expired}
        assert top["data-slug"] in pinned
        must = {a["data-slug"] for a in soup.select(".k-mustread [data-slug]")}
        expected = {s.slug for s in published if s.flag("mustread") and not s.expired}
        assert must == expected - {top["data-slug"]}


@pytest.mark.parametrize("lang, index", [("pl", "index.html"), ("en", "en/index.html")])
def test_front_page_shows_each_story_once_and_loses_none(site, lang, index):
    main = _soup(site / index).select_one("main")
    links = Counter(a["href"] for a in main.select("a[href]") if "/news/" in a["href"])
    assert links and [href for href, n in links.items() if n > 1] == []
    shown = [teaser["data-slug"] for teaser in main.select("article.k-teaser")]
    assert len(shown) == len(links)
    # Nothing of the latest list's first page is lost: what is not in the
    # sections above is in the latest list, and its next page follows on.
    current: dict[str, sample.Source] = {}
    for source in sorted(_published(), key=lambda s: s.lang != lang):
        if not source.expired:
            current.setdefault(source.slug, source)
    newest = sorted(current.values(), key=lambda s: s.when("date"), reverse=True)
    per_page = runpy.run_path(str(PELICANCONF))["DEFAULT_PAGINATION"]
    assert {s.slug for s in newest[:per_page]} <= set(shown)
    assert len(newest) > per_page, "the sample should fill more than one page"
    assert main.select_one(f'a[rel=next][href="/{index.removesuffix("index.html")}page/2.html"]')
    for section in main.select(".k-channel-card, .k-latest, .k-mustread"):
        assert section.select("article.k-teaser"), section.get("class")


def test_expired_article_is_still_published_and_marked_archived(site):
    for source in (s for s in _published() if s.expired):
        soup = _soup(site / _url(source))
        assert soup.select_one(".k-archived"), source.path
        archive = "archives.html" if source.lang == "pl" else "en/archives.html"
        assert source.slug in {
            a.get("data-comment-count")
            for a in _soup(site / archive).select("[data-comment-count]")
        }


def test_listing_teasers_carry_comment_count_mounts(site):
    listings = [site / "index.html", site / "en/index.html", site / "archives.html"]
    listings += sorted((site / "channel").glob("*.html"))
    for path in listings:
        soup = _soup(path)
        teasers = soup.select("article.k-teaser, li.k-archive-item")
        assert teasers, path
        for teaser in teasers:
            count = teaser.select_one("[data-comment-count]")
            assert count["data-comment-count"] == teaser["data-slug"], path


def test_every_language_edition_has_its_listing_pages(site, manifest):
    channels = {entry["category"] for entry in manifest}
    for prefix in ("", "en/"):
        assert (site / prefix / "index.html").is_file()
        assert (site / prefix / "archives.html").is_file()
        for channel in channels:
            assert (site / prefix / "channel" / f"{channel}.html").is_file()
    assert _soup(site / "en/channel/ludzie.html").html["lang"] == "en"
    assert _soup(site / "channel/ludzie.html").html["lang"] == "pl"


def test_every_internal_link_resolves(site):
    broken = []
    for page in _pages(site):
        for element in _soup(page).select("[href], [src]"):
            for attribute in ("href", "src"):
                target = _target(site, element.get(attribute, ""))
                if target is not None and not target.is_file():
                    broken.append(f"{page.relative_to(site)} -> {element[attribute]}")
    assert not broken


def test_every_page_has_feed_autodiscovery(site):
    for page in _pages(site):
        if "drafts" in page.parts:
            continue
        feeds = _soup(page).select(
            'head link[rel=alternate][type="application/atom+xml"], '
            'head link[rel=alternate][type="application/rss+xml"]'
        )
        hrefs = {link["href"] for link in feeds}
        assert "/feeds/all.atom.xml" in hrefs, page
        for href in hrefs:
            if href.startswith(SERVICE_PATHS):
                continue  # the comment feeds come from the comments service
            assert _target(site, href).is_file(), (page, href)


_RESOURCE_ATTRS = {
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
    "track": "src",
}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


def _foreign(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.I))


def test_nothing_is_loaded_from_another_host(site):
    offenders = []
    for page in _pages(site):
        soup = _soup(page)
        for tag, attribute in _RESOURCE_ATTRS.items():
            for element in soup.find_all(tag):
                if tag == "link" and "alternate" in element.get("rel", []):
                    continue
                for url in [element.get(attribute, "")] + element.get("srcset", "").split(","):
                    if url and _foreign(url.split()[0] if url.split() else url):
                        offenders.append(f"{page.name}: <{tag}> {url}")
        for style in soup.select("style, [style]"):
            text = style.string if style.name == "style" else style["style"]
            offenders += [
                f"{page.name}: {m}" for m in _CSS_URL.findall(text or "") if _foreign("".join(m))
            ]
    for asset in [*site.rglob("*.css"), *site.rglob("*.js"), *site.rglob("*.svg")]:
        text = asset.read_text(encoding="utf-8")
        for match in _CSS_URL.findall(text):
            if _foreign("".join(match)):
                offenders.append(f"{asset.name}: {match}")
        for url in re.findall(r"""(?:href|src)=["']([^"']+)""", text):
            if _foreign(url) and "www.w3.org" not in url:
                offenders.append(f"{asset.name}: {url}")
    assert not offenders


def test_every_page_has_one_h1_and_landmarks(site):
    for page in _pages(site):
        soup = _soup(page)
        assert len(soup.find_all("h1")) == 1, page
        assert soup.select_one("main#main"), page
        assert soup.select_one('a[href="#main"]'), page
        assert soup.html.get("lang") in ("pl", "en"), page


def test_not_found_page_speaks_both_languages(site):
    soup = _soup(site / "404.html")
    assert soup.html["lang"] == "pl"
    assert soup.select_one('[lang="en"]')


def test_comment_feed_links_follow_a_service_on_another_origin(tmp_path):
    """With COMMENTS_API on its own host, the widget and the feed links point there."""
    settings = tmp_path / "elsewhere.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom pelicanconf import *\n"
        'COMMENTS_API = "https://komentarze.intranet.example/api/v1"\n',
        encoding="utf-8",
    )
    site = build(CONTENT, tmp_path / "output", settings=settings)
    soup = _soup(site / "news" / "witamy-w-kurierze.html")
    comments = soup.select_one("section#comments")
    assert comments["data-api"] == "https://komentarze.intranet.example/api/v1"
    fallback = comments.select_one(".k-comments-fallback a")["href"]
    assert fallback == "https://komentarze.intranet.example/feeds/threads/witamy-w-kurierze.atom"
    discovery = soup.select_one('head link[rel=alternate][href*="/feeds/threads/"]')["href"]
    assert discovery == (
        "https://komentarze.intranet.example/feeds/threads/witamy-w-kurierze.atom?lang=pl"
    )

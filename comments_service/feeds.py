"""Comment feeds with feedgen: data in, bytes out (Atom 1.0 and RSS 2.0).

The wording of titles is here in Polish and English; which comments go in,
the links and the HTTP side (conditional requests) are in feed_routes.py.
Nothing here reads the clock: the same data always gives the same bytes,
which is what lets the routes derive a strong ETag from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from .render import sanitize_html

KINDS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
LANGS = ("pl", "en")
SITE_NAME = "Kurier"

_WORDS = {
    "pl": {
        "entry": "{author} o: „{title}”",
        "site_title": "{site}: komentarze",
        "site_subtitle": "Najnowsze komentarze do artykułów.",
        "thread_title": "Komentarze: „{title}”",
        "thread_subtitle": "Najnowsze komentarze do artykułu „{title}”.",
    },
    "en": {
        "entry": "{author} on “{title}”",
        "site_title": "{site}: comments",
        "site_subtitle": "The latest comments on the articles.",
        "thread_title": "Comments on “{title}”",
        "thread_subtitle": "The latest comments on “{title}”.",
    },
}


def words(lang: str, key: str, **values: str) -> str:
    """One of the feed's phrases in `lang` (pl or en)."""
    return _WORDS[lang][key].format(site=SITE_NAME, **values)


@dataclass(frozen=True)
class Entry:
    """One comment as a feed entry."""

    id: str  # a tag: URI, the same in every feed and at every request
    title: str
    link: str  # the comment on its article page
    author: str
    html: str  # sanitised body
    published: datetime  # aware, UTC
    updated: datetime


@dataclass(frozen=True)
class Feed:
    """A whole feed: its own fields and its entries, newest first."""

    id: str
    title: str
    subtitle: str
    link: str  # the page the feed is about: the article, or the site
    self_link: str
    lang: str
    updated: datetime
    entries: tuple[Entry, ...]


def render(feed: Feed, kind: str) -> bytes:
    """The feed as Atom or RSS, UTF-8 XML."""
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(feed.title)
    generator.subtitle(feed.subtitle)  # RSS's required <description>
    # Self first: feedgen takes the RSS channel's <link> from the last
    # non-self link, which must be the page, not the feed.
    generator.link(href=feed.self_link, rel="self")
    generator.link(href=feed.link, rel="alternate")
    generator.language(feed.lang)
    generator.updated(feed.updated)
    generator.lastBuildDate(feed.updated)  # feedgen would put the current time here
    if kind == "rss":
        generator.load_extension("dc")  # RSS's <author> must be an e-mail address
    for item in feed.entries:
        entry = generator.add_entry(order="append")
        entry.id(item.id)
        entry.guid(item.id, permalink=False)
        entry.title(item.title)
        entry.link(href=item.link, rel="alternate")
        # Cleaned again on the way out: readers differ in what they strip
        # themselves, and some strip nothing.
        entry.content(sanitize_html(item.html), type="html")
        entry.published(item.published)
        entry.updated(item.updated)
        if kind == "rss":
            entry.dc.dc_creator(item.author)
        else:
            entry.author({"name": item.author})
    if kind == "rss":
        return generator.rss_str(pretty=False)
    return generator.atom_str(pretty=False)

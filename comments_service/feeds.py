"""Comment feeds with feedgen: data in, bytes out (Atom 1.0 and RSS 2.0).

The titles' phrases are the `feeds` section of the service's catalogue
(comments_service/i18n/): an article's title always stands in quotation
marks, which are set here, and no phrase names anyone's gender ("Anna
Kowalska skomentowała" would have to guess it). Which comments go in, the
links and the HTTP side (conditional requests) are in routes/feeds.py.
Nothing here reads the clock: the same data always gives the same bytes,
which is what lets the routes derive a strong ETag from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from .i18n import words as catalogue_words
from .render import sanitize_html

KINDS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
SITE_NAME = "Kurier"

# Quotation marks by language: the outer pair, then the pair inside it.
# Polish nests „…«…»…”, English “…‘…’…”; deeper levels alternate.
_QUOTES = {"pl": (("„", "”"), ("«", "»")), "en": (("“", "”"), ("‘", "’"))}


def words(lang: str, key: str, **values: str) -> str:
    """One of the feed's phrases in `lang` (pl or en)."""
    if "title" in values:
        values["title"] = inner_quotes(values["title"], lang)
    return catalogue_words(lang, "feeds")(key, site=SITE_NAME, **values)


def inner_quotes(title: str, lang: str) -> str:
    """`title` as it reads inside `lang`'s outer quotation marks.

    The title's own quotations, whichever marks the writer typed („…”, “…”,
    «…» or "…"), take the inner marks, quotations inside those the outer ones
    again, and so on. Single marks stay as typed: they are apostrophes as
    often as quotes. A mark without its pair is left alone.
    """
    pairs = _quote_pairs(title)
    if not pairs:
        return title
    chars = list(title)
    for opening, closing, depth in pairs:
        chars[opening], chars[closing] = _QUOTES[lang][depth % 2]
    return "".join(chars)


def _quote_pairs(text: str) -> list[tuple[int, int, int]]:
    """(opening index, closing index, depth from 1) of each quotation in `text`."""
    pairs: list[tuple[int, int, int]] = []
    stack: list[tuple[int, str]] = []  # (index, mark) of the open quotations
    for index, mark in enumerate(text):
        if mark not in '„“”«»"':
            continue
        top = stack[-1][1] if stack else None
        closes = (
            mark == "»"
            or (mark == "”" and top is not None)
            or (mark == "“" and top == "„")  # „…“, as German and some Polish writers type it
            or (mark == '"' and top == '"')
        )
        if not closes:
            stack.append((index, mark))
        elif stack:
            opening, _ = stack.pop()
            pairs.append((opening, index, len(stack) + 1))
    return pairs


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
    # feedgen is unannotated: its *_str() give the XML as bytes in the encoding asked for.
    xml: bytes = (
        generator.rss_str(pretty=False) if kind == "rss" else generator.atom_str(pretty=False)
    )
    return xml

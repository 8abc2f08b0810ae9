"""The site's feeds: which there are, what each is called, and writing them.

Pelican writes the site-wide feeds (every story, and every story in one
language); the editions write one feed per channel, tag and author in each
language (editions.py), listing what that page of the edition lists. Both go
through `FeedWriter`, which takes each feed's title, language and page from
`SiteFeeds`, the one list of every feed that the templates show too.

Kurier's pages link root-relatively ("/news/x.html") so the site works on any
host; a feed is read outside the site, so its links must be absolute.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from markupsafe import Markup
from pelican.settings import Settings
from pelican.urlwrappers import URLWrapper
from pelican.writers import Writer

from .articles import Story
from .i18n import Strings, channel_name

if TYPE_CHECKING:  # editions.py builds its feeds here
    from .editions import Edition

_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')

# Feed formats as the settings name them: setting suffix, label, media type.
FORMATS = {
    "atom": ("ATOM", "Atom", "application/atom+xml"),
    "rss": ("RSS", "RSS", "application/rss+xml"),
}
# Kurier's taxonomy -> the prefix of Pelican's settings for it.
TAXONOMIES = {"channel": "CATEGORY", "tag": "TAG", "author": "AUTHOR"}


@dataclass(frozen=True)
class Link:
    """One format of a feed: where it is and how a page names it."""

    fmt: str  # "atom" or "rss"
    path: str  # under the output folder and the site root: "feeds/all.atom.xml"

    @property
    def label(self) -> str:
        return FORMATS[self.fmt][1]

    @property
    def type(self) -> str:
        return FORMATS[self.fmt][2]


@dataclass(frozen=True)
class Feed:
    """One feed of the site, in every format the settings give it."""

    title: str  # "Kurier — Firma"
    name: str  # what it follows, as a list of feeds names it: "Firma", "#hasła"
    lang: str | None  # the edition's language; None: every language
    page: str  # the site-relative address of the page it follows ("" is the front page)
    description: str
    links: tuple[Link, ...]


@dataclass
class SiteFeeds:
    """Every feed of the site, by language and by path."""

    site_wide: list[Feed] = field(default_factory=list)  # every story, then per language
    taxonomies: dict[tuple[str, str, str], Feed] = field(default_factory=dict)
    by_path: dict[str, Feed] = field(default_factory=dict)
    # Old addresses of feeds whose channel, tag or author only other
    # editions list: (path, format, taxonomy, slug, the edition that lists it).
    aliases: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def add(self, feed: Feed, key: tuple[str, str, str] | None = None) -> None:
        if key is None:
            self.site_wide.append(feed)
        else:
            self.taxonomies[key] = feed
        for link in feed.links:
            self.by_path[link.path] = feed

    def of(self, taxonomy: str, slug: str, lang: str) -> Feed | None:
        """The feed of a channel, tag or author in `lang`'s edition, if it has one."""
        return self.taxonomies.get((taxonomy, slug, lang))

    def for_language(self, lang: str) -> list[Feed]:
        """The site-wide feeds a page in `lang` advertises: everything and its language."""
        return [feed for feed in self.site_wide if feed.lang in (None, lang)]

    def edition(self, lang: str, taxonomy: str) -> list[Feed]:
        """The feeds of `lang`'s edition of one taxonomy, in the edition's order."""
        return [
            feed
            for (kind, _, edition), feed in self.taxonomies.items()
            if kind == taxonomy and edition == lang
        ]


def taxonomy_setting(taxonomy: str, fmt: str, default_lang: bool) -> str:
    """The setting that names the path of a channel's, tag's or author's feed:
    CATEGORY_FEED_ATOM for the default language, CATEGORY_LANG_FEED_ATOM for others."""
    middle = "_" if default_lang else "_LANG_"
    return f"{TAXONOMIES[taxonomy]}{middle}FEED_{FORMATS[fmt][0]}"


def build(
    settings: Settings,
    strings: Strings,
    editions: Mapping[str, Edition],
    languages: Iterable[str],
) -> SiteFeeds:
    """Every feed: the site-wide ones (of every language, and of each of the
    `languages` that have stories), then each edition's channels, tags and authors."""
    feeds = SiteFeeds()
    site = Markup(settings["SITENAME"]).striptags()
    default = settings["DEFAULT_LANG"]

    def feed(
        key: str, lang: str, page: str, links: tuple[Link, ...], name: str = "", shown: str = ""
    ) -> Feed:
        title = strings.text(key, lang, site=site, name=name)
        tagline = strings.text("site_tagline", lang)
        return Feed(title, shown or title, lang, page, tagline, links)

    every = _links(settings, ("FEED_ALL_ATOM", "FEED_ALL_RSS"))
    if every:
        feeds.add(replace(feed("feed_title_all", default, "", every), lang=None))
    for lang in languages:
        links = _links(settings, ("TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS"), lang=lang)
        if links:
            page = "" if lang == default else f"{lang}/"
            feeds.add(feed("feed_title_lang", lang, page, links))
    for lang, edition in editions.items():
        for taxonomy, item, _ in edition.groups():
            names = [taxonomy_setting(taxonomy, fmt, lang == default) for fmt in FORMATS]
            links = _links(settings, names, slug=item.slug, lang=lang)
            if links:
                name = _name(settings, taxonomy, item, lang)
                shown = f"#{name}" if taxonomy == "tag" else name
                page = edition.prefix + item.url
                key = f"feed_title_{taxonomy}"
                feeds.add(feed(key, lang, page, links, name, shown), (taxonomy, item.slug, lang))
    _add_aliases(feeds, settings)
    return feeds


def _links(settings: Settings, names: Iterable[str], **values: str) -> tuple[Link, ...]:
    """A feed's formats whose settings (named in FORMATS' order) give it a path."""
    paths = [settings.get(name) for name in names]
    return tuple(
        Link(fmt, str(path).format(**values))
        for fmt, path in zip(FORMATS, paths, strict=True)
        if path
    )


def _name(settings: Settings, taxonomy: str, item: URLWrapper, lang: str) -> str:
    """A channel's, tag's or author's name in `lang`."""
    return channel_name(settings, item, lang) if taxonomy == "channel" else item.name


def _add_aliases(feeds: SiteFeeds, settings: Settings) -> None:
    """Keep the old address of a feed whose channel, tag or author only other
    editions list: before the editions, one feed held every language's stories,
    so a tag used only in English translations had its feed there too."""
    default = settings["DEFAULT_LANG"]
    for (taxonomy, slug, lang), feed in list(feeds.taxonomies.items()):
        if lang == default or (taxonomy, slug, default) in feeds.taxonomies:
            continue
        for fmt in FORMATS:
            pattern = settings.get(taxonomy_setting(taxonomy, fmt, True))
            path = str(pattern).format(slug=slug) if pattern else None
            if path and path not in feeds.by_path:
                feeds.by_path[path] = feed
                feeds.aliases.append((path, fmt, taxonomy, slug, lang))


# An entry as feedgenerator keeps it: its fields by name.
Entry = dict[str, Any]


class _Feed(Protocol):
    """What `_Entries` needs of the feedgenerator class it is mixed into."""

    element: str
    items: list[Entry]

    def item_attributes(self, item: Entry) -> dict[str, str]: ...

    def add_item_elements(self, handler: SimplerXMLGenerator, item: Entry) -> None: ...


class _Entries:
    """Writes each entry as XML once: a story's entry is the same in every feed
    of one format (everything, its language, its channel and each of its tags
    and authors, in each edition that lists it), so it is serialised once."""

    element = ""

    def write_items(self: _Feed, handler: SimplerXMLGenerator) -> None:
        for item in self.items:
            xml = item.get(_XML)
            if xml is None:
                buffer = io.StringIO()
                fragment = SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True)
                fragment.startElement(self.element, self.item_attributes(item))
                self.add_item_elements(fragment, item)
                fragment.endElement(self.element)
                xml = item[_XML] = buffer.getvalue()
            handler.ignorableWhitespace(xml)  # written as it is


class _AtomFeed(_Entries, Atom1Feed):
    element = "entry"


class _RssFeed(_Entries, Rss201rev2Feed):
    element = "item"


_XML = "kurier_xml"  # where an entry keeps its serialised form


class FeedWriter(Writer):
    """Pelican's writer, writing feeds as if SITEURL were FEED_DOMAIN, each
    with the title, language and page `SiteFeeds` gives it.

    A story's entry is built once per format and shared by every feed that
    holds it (nothing changes an entry once built).
    """

    def __init__(self, output_path: str, settings: Settings | None = None) -> None:
        super().__init__(output_path, settings)  # type: ignore[no-untyped-call]
        self._feed: Feed | None = None
        self._entries: dict[tuple[type[SyndicationFeed], str, int], Entry] = {}

    def write_feed(
        self,
        elements: Sequence[Story],
        context: Mapping[str, Any],
        path: str | None = None,
        url: str | None = None,
        *args: object,
        **kwargs: object,
    ) -> SyndicationFeed:
        domain = (context.get("FEED_DOMAIN") or "").rstrip("/")
        if domain and not context.get("SITEURL"):
            context = {**context, "SITEURL": domain}
        site_feeds = context.get("site_feeds")
        self._feed = site_feeds.by_path.get(path) if site_feeds else None
        try:
            # It returns the feed it wrote.
            written: SyndicationFeed = super().write_feed(  # type: ignore[no-untyped-call]
                elements, context, path, url, *args, **kwargs
            )
            return written
        finally:
            self._feed = None

    def _create_new_feed(
        self, feed_type: str, feed_title: str | None, context: Mapping[str, Any]
    ) -> SyndicationFeed:
        if self._feed is None:
            title = f"{context['SITENAME']} - {feed_title}" if feed_title else context["SITENAME"]
            description, lang, page = context.get("SITESUBTITLE", ""), None, ""
        else:
            title, description = self._feed.title, self._feed.description
            lang, page = self._feed.lang, self._feed.page
        feed_class = _RssFeed if feed_type == "rss" else _AtomFeed
        return feed_class(
            title=Markup(title).striptags(),
            link=self.urljoiner(self.site_url, page),
            feed_url=self.feed_url,
            description=description,
            subtitle=description or None,
            language=lang,
        )

    def _add_item_to_the_feed(self, feed: SyndicationFeed, item: Story) -> None:
        key = (type(feed), self.site_url, id(item))
        entry = self._entries.get(key)
        if entry is not None:
            feed.items.append(entry)
            return
        super()._add_item_to_the_feed(feed, item)  # type: ignore[no-untyped-call]
        entry = self._entries[key] = feed.items[-1]
        # Links a writer typed as "/news/x.html" are made absolute too.
        for field_name in ("content", "description"):
            if entry.get(field_name):
                entry[field_name] = _ROOT_RELATIVE.sub(rf"\1{self.site_url}/", entry[field_name])

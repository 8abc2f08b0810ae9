"""Listing pages per language: front page, channels, tags, authors, archives,
the feeds of channels, tags and authors, and the page that lists every feed.

Each language has an edition (the default at the site root, the others under
`/<lang>/`). An edition lists every story once, in its own language where a
translation exists and in the original otherwise, so no one misses news that
was not translated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TypedDict, TypeVar

from pelican.generators import Generator
from pelican.urlwrappers import Author, Category, Tag, URLWrapper
from pelican.writers import Writer

from . import feeds, manifest
from .articles import Item, Story
from .i18n import Strings

ItemT = TypeVar("ItemT", bound=Item)


class FrontPage(TypedDict):
    """The front page's parts (Edition.front_page), as the index template reads them."""

    front_articles: list[Story]
    top_story: Story | None
    must_reads: list[Story]
    channel_latest: list[tuple[Category, list[Story]]]
    front_shown: list[Story]


def in_language(item: ItemT, lang: str) -> ItemT:
    """The version of `item` in `lang`, or `item` itself if there is none."""
    if item.lang == lang:
        return item
    for translation in item.translations:
        if translation.lang == lang:
            return translation
    return item


def edition_path(path: str, lang: str, default_lang: str) -> str:
    """Where the page at `path` of the default edition is in `lang`'s edition."""
    return path if lang == default_lang else f"{lang}/{path}"


@dataclass
class Edition:
    """One language's view of the published stories."""

    lang: str
    prefix: str
    articles: list[Story]
    pages: list[Item]
    channels: list[tuple[Category, list[Story]]] = field(default_factory=list)
    tags: dict[Tag, list[Story]] = field(default_factory=dict)
    authors: dict[Author, list[Story]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        lang: str,
        default_lang: str,
        articles: Iterable[Story],
        pages: Iterable[Item],
        channel_order: Sequence[str],
    ) -> Edition:
        stories = sorted(
            (in_language(article, lang) for article in articles),
            key=attrgetter("date"),
            reverse=True,
        )
        edition = cls(
            lang=lang,
            prefix="" if lang == default_lang else f"{lang}/",
            articles=stories,
            pages=[in_language(page, lang) for page in pages],
        )
        by_channel: defaultdict[Category, list[Story]] = defaultdict(list)
        tags: defaultdict[Tag, list[Story]] = defaultdict(list)
        authors: defaultdict[Author, list[Story]] = defaultdict(list)
        for story in stories:
            by_channel[story.category].append(story)
            for tag in getattr(story, "tags", ()):
                tags[tag].append(story)
            for author in getattr(story, "authors", ()):
                authors[author].append(story)
        rank = {slug: index for index, slug in enumerate(channel_order)}
        edition.channels = sorted(
            by_channel.items(), key=lambda item: rank.get(item[0].slug, len(rank))
        )
        edition.tags = dict(sorted(tags.items()))
        edition.authors = dict(sorted(authors.items()))
        return edition

    def groups(self) -> Iterator[tuple[str, URLWrapper, list[Story]]]:
        """(taxonomy, channel/tag/author, its stories) of every listing page but
        the front page and the archive, channels first."""
        for channel, stories in self.channels:
            yield "channel", channel, stories
        for tag, stories in self.tags.items():
            yield "tag", tag, stories
        for author, stories in self.authors.items():
            yield "author", author, stories

    def front_page(self, per_channel: int) -> FrontPage:
        """The front page's parts, each story in the first part that claims it:
        the top story, the must-reads, the latest `per_channel` stories of each
        channel; `front_shown` holds them all, so that the latest list below
        them (the first page of `front_articles`) leaves them out."""
        current = [story for story in self.articles if not story.expired]
        pinned = [story for story in current if story.pinned]
        top = pinned[0] if pinned else (current[0] if current else None)
        must_reads = [s for s in current if s.mustread and s is not top]
        shown = {id(s) for s in must_reads} | ({id(top)} if top else set())
        channel_latest: list[tuple[Category, list[Story]]] = []
        for channel, stories in self.channels:
            fresh = [s for s in stories if not s.expired and id(s) not in shown][:per_channel]
            shown.update(id(s) for s in fresh)
            if fresh:
                channel_latest.append((channel, fresh))
        return FrontPage(
            front_articles=current,
            top_story=top,
            must_reads=must_reads,
            channel_latest=channel_latest,
            front_shown=[s for s in current if id(s) in shown],
        )


class EditionsGenerator(Generator):
    """Writes each language's listing pages and feeds, and the articles manifest."""

    def generate_context(self) -> None:
        settings = self.settings
        default = settings["DEFAULT_LANG"]
        articles = self.context.get("articles", [])
        pages = self.context.get("pages", [])
        self.editions: list[Edition] = [
            Edition.build(lang, default, articles, pages, list(settings["CHANNELS"]))
            for lang in settings["LANGUAGES"]
        ]
        self.context["editions"] = {edition.lang: edition for edition in self.editions}
        strings = Strings.load(Path(self.theme) / "i18n", tuple(settings["LANGUAGES"]))
        written = {story.lang for story in articles}
        written.update(t.lang for story in articles for t in story.translations)
        self.context["site_feeds"] = feeds.build(
            settings,
            strings,
            self.context["editions"],
            [lang for lang in settings["LANGUAGES"] if lang in written],
        )

    def generate_output(self, writer: Writer) -> None:
        for edition in self.editions:
            self._write_edition(writer, edition)
            self._write_feeds(writer, edition)
        self._write_feed_aliases(writer)
        manifest.write(self.output_path, self.context)

    def _write_feeds(self, writer: Writer, edition: Edition) -> None:
        """The edition's channel, tag and author feeds: what their pages list."""
        site_feeds = self.context["site_feeds"]
        for taxonomy, item, stories in edition.groups():
            feed = site_feeds.of(taxonomy, item.slug, edition.lang)
            for link in feed.links if feed else ():
                writer.write_feed(stories, self.context, link.path, link.path, link.fmt)

    def _write_feed_aliases(self, writer: Writer) -> None:
        """Old addresses of feeds only other editions have (SiteFeeds.aliases)."""
        groups = {
            (edition.lang, taxonomy, item.slug): stories
            for edition in self.editions
            for taxonomy, item, stories in edition.groups()
        }
        for path, fmt, taxonomy, slug, lang in self.context["site_feeds"].aliases:
            writer.write_feed(groups[(lang, taxonomy, slug)], self.context, path, path, fmt)

    def _write_edition(self, writer: Writer, edition: Edition) -> None:
        settings = self.settings
        base = {
            "ui_lang": edition.lang,
            "edition": edition,
            "blog": True,
            "relative_urls": settings["RELATIVE_URLS"],
        }
        front = edition.front_page(settings.get("FRONT_PAGE_PER_CHANNEL", 4))
        self._write_listing(
            writer,
            "index",
            edition.prefix + "index.html",
            front["front_articles"],
            **base,
            **front,
        )
        for channel, stories in edition.channels:
            self._write_listing(
                writer,
                "category",
                edition.prefix + channel.url,
                stories,
                category=channel,
                **base,
            )
        for tag, stories in edition.tags.items():
            self._write_listing(writer, "tag", edition.prefix + tag.url, stories, tag=tag, **base)
        for author, stories in edition.authors.items():
            self._write_listing(
                writer,
                "author",
                edition.prefix + author.url,
                stories,
                author=author,
                **base,
            )
        self._write_listing(
            writer,
            "archives",
            edition.prefix + "archives.html",
            edition.articles,
            **base,
        )
        # Every feed, with a word on how to follow one.
        writer.write_file(
            edition.prefix + "feeds/index.html",
            self.get_template("feeds"),  # type: ignore[no-untyped-call]
            self.context,
            base["relative_urls"],
            template_name="feeds",
            page_name=edition.prefix + "feeds/index",
            url=edition.prefix + "feeds/",
            **{key: value for key, value in base.items() if key != "relative_urls"},
        )

    def _write_listing(
        self, writer: Writer, template: str, save_as: str, listed: Iterable[Story], **kwargs: object
    ) -> None:
        stories = list(listed)
        relative_urls = kwargs.pop("relative_urls")
        writer.write_file(
            save_as,
            self.get_template(template),  # type: ignore[no-untyped-call]
            self.context,
            relative_urls,
            paginated={"articles": stories, "dates": stories},
            template_name=template,
            page_name=save_as.removesuffix(".html"),
            url="" if save_as == "index.html" else save_as,
            articles=stories,
            dates=stories,
            **kwargs,
        )

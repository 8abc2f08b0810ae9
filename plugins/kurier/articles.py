"""Typed front matter and derived fields on Pelican's articles and pages."""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, Self, TypeAlias, cast

from pelican.contents import Article, Content, Page
from pelican.settings import Settings
from pelican.urlwrappers import Author, Category, Tag

from . import frontmatter as fm
from . import logins

logger = logging.getLogger(__name__)

WORDS_PER_MINUTE = 200
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+")


class Item(Protocol):
    """An article or a page once `init_content` has typed its front matter.

    Pelican sets each front matter field as an attribute of the same name
    (`Content.__init__`), so none of its classes declares these.
    """

    slug: str
    lang: str
    title: str
    url: str
    override_url: str
    comments: str
    pinned: bool
    mustread: bool
    shareable: bool
    expires: datetime | None
    expired: bool
    image: str | None
    imagealt: str
    authorlogins: list[str]

    @property
    def translations(self) -> Sequence[Self]: ...


class Story(Item, Protocol):
    """An article once `enrich` and `set_author_logins` have run too."""

    date: datetime
    category: Category
    summary: str
    _content: str  # the HTML before Pelican resolves links to other pages
    reading_time: int
    related: list[Story]
    author_logins: list[str]


class FinishedArticles(Protocol):
    """Pelican's ArticlesGenerator as `article_generator_finalized` hands it over.

    By then `generate_context` has turned its channels and authors into sorted
    lists of (group, stories), which the types of its `__init__` do not follow.
    """

    settings: Settings
    context: dict[str, Any]
    articles: list[Story]
    translations: list[Story]
    drafts: list[Story]
    drafts_translations: list[Story]
    categories: list[tuple[Category, list[Story]]]
    tags: dict[Tag, list[Story]]
    authors: list[tuple[Author, list[Story]]]


def init_content(instance: Content) -> None:
    """Turn a new article's or page's front matter into typed attributes.

    Pelican keeps unknown metadata as strings. A bad value is logged as an
    error (fatal under `--fatal errors`, as `make publish` builds) and replaced
    by the default; `make check` reports the same problem with its line.
    """
    if not isinstance(instance, Article | Page):
        return
    settings: Settings = instance.settings
    tz: str = settings["TIMEZONE"]
    _read(instance, "comments", fm.parse_comments, fm.DEFAULT_COMMENT_MODE)
    for flag in ("pinned", "mustread", "shareable"):
        _read(instance, flag, partial(fm.parse_flag, flag), False)
    _read(instance, "expires", lambda value: fm.parse_when("expires", value, tz), None)
    _read(instance, "image", fm.image_path, None)
    _read(instance, "authorlogins", logins.parse_logins, [])
    # The fields read above, as attributes no Pelican class declares (see Item).
    item = cast(Item, instance)
    item.imagealt = getattr(item, "imagealt", "")
    item.expired = bool(item.expires and item.expires <= _now())
    if isinstance(instance, Article) and hasattr(instance, "category"):
        _read(instance, "category", lambda value: _channel(value, settings), None)


# A front matter value as Pelican's reader left it: text, a list, a date or a Category.
RawValue: TypeAlias = Any


def _read(
    instance: Content, field: str, parse: Callable[[RawValue], object], default: object
) -> None:
    """Set `field` to its parsed value, or to `default` when absent or bad."""
    value = getattr(instance, field, None)
    if value is None:
        setattr(instance, field, default)
        return
    try:
        setattr(instance, field, parse(value))
    except fm.FrontMatterError as error:
        logger.error("%s: %s", instance.relative_source_path, error)
        setattr(instance, field, default)


def _channel(category: Category, settings: Settings) -> Category:
    """The channel a written Category names, with the channel's own slug."""
    slug = fm.resolve_channel(category.name, settings["CHANNELS"])
    channel = Category(settings["CHANNELS"][slug][0], settings)
    channel.slug = slug
    return channel


def _now() -> datetime:
    return datetime.now(UTC)


def reading_minutes(html: str) -> int:
    """Minutes an average reader needs for the text, at least one."""
    words = len(_WORD.findall(_TAG.sub(" ", html)))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def enrich(stories: Iterable[Story], related_max: int) -> None:
    """Set reading time and related articles (same language, shared tags)."""
    articles = list(stories)
    by_tag: dict[tuple[str, Tag], list[Story]] = defaultdict(list)
    for article in articles:
        # The raw HTML: reading `content` here would freeze links to pages,
        # which Pelican resolves only after this signal.
        article.reading_time = reading_minutes(article._content)
        for tag in getattr(article, "tags", ()):
            by_tag[(article.lang, tag)].append(article)
    for article in articles:
        article.related = _related(article, by_tag, related_max)


def _related(article: Story, by_tag: dict[tuple[str, Tag], list[Story]], limit: int) -> list[Story]:
    """Articles sharing the most tags with this one; newer first on a tie."""
    shared: dict[Story, int] = defaultdict(int)
    for tag in getattr(article, "tags", ()):
        for other in by_tag[(article.lang, tag)]:
            if other is not article and other.slug != article.slug:
                shared[other] += 1
    ranked = sorted(shared, key=lambda other: (shared[other], other.date), reverse=True)
    return ranked[:limit]


def set_author_logins(items: Iterable[Story], settings: Settings) -> None:
    """Give each article the logins whose comments carry its author badge.

    A bad AUTHOR_LOGINS entry is logged as an error (fatal when `make publish`
    builds) and left out; `make check` reports it with its line.
    """
    known, problems = logins.read_setting(settings.get(logins.SETTING))
    for _, message in problems:
        logger.error("%s", message)
    for item in items:
        names = [author.name for author in getattr(item, "authors", ())]
        own = getattr(item, "authorlogins", None) or []
        item.author_logins = logins.author_logins(names, own, known)


def leave_taxonomies_to_editions(generator: FinishedArticles) -> None:
    """Channels, tags and authors are the editions' (editions.py): their pages
    and their feeds, one per language.

    Pelican groups only the default-language versions and would write one feed
    per channel, tag and author from them; it would also sort every article
    into each group for listing pages it does not write (TAG_SAVE_AS is empty).
    """
    generator.categories, generator.tags, generator.authors = [], {}, []
    generator.context.update(categories=[], tags=[], authors=[])

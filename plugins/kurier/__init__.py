"""Kurier's Pelican plugin: typed front matter, language editions, manifest, feeds, icons,
fingerprinted theme files."""

from __future__ import annotations

from collections.abc import Iterable

from pelican import Pelican, signals
from pelican.generators import Generator, PagesGenerator
from pelican.writers import Writer

from . import articles
from .assets import write_assets
from .editions import EditionsGenerator
from .feeds import FeedWriter
from .rootfiles import RootFilesGenerator
from .templating import add_template_helpers


def _finalize_articles(generator: articles.FinishedArticles) -> None:
    everything = [*generator.articles, *generator.translations]
    articles.enrich(everything, generator.settings.get("RELATED_MAX", 3))
    drafts = [*generator.drafts, *generator.drafts_translations]
    articles.enrich(drafts, 0)
    articles.set_author_logins([*everything, *drafts], generator.settings)
    articles.leave_taxonomies_to_editions(generator)
    # Pelican formats an article's URL anew on every use (tens of thousands of
    # times on a large archive); from here on it no longer changes.
    _freeze_urls(everything)


def _freeze_urls(items: Iterable[articles.Item]) -> None:
    for item in items:
        item.override_url = item.url


def _finalize_pages(generator: PagesGenerator) -> None:
    _freeze_urls([*generator.pages, *generator.translations])


def _generators(pelican: Pelican) -> list[type[Generator]]:
    return [EditionsGenerator, RootFilesGenerator]


def _writer(pelican: Pelican) -> type[Writer]:
    return FeedWriter


def register() -> None:
    signals.content_object_init.connect(articles.init_content)
    signals.article_generator_finalized.connect(_finalize_articles)
    signals.page_generator_finalized.connect(_finalize_pages)
    signals.generator_init.connect(add_template_helpers)
    signals.get_generators.connect(_generators)
    signals.get_writer.connect(_writer)
    # after Pelican has copied the theme's static files, which the shipped ones
    # (the widget's minified, references fingerprinted) replace
    signals.finalized.connect(write_assets)

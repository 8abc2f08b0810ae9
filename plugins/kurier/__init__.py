"""Kurier's Pelican plugin: typed front matter, editions per language, manifest, feeds."""

from __future__ import annotations

from pathlib import Path

from jinja2 import pass_context
from pelican import signals

from . import articles
from .editions import EditionsGenerator, edition_path
from .feeds import FeedWriter
from .i18n import Strings


def _finalize_articles(generator) -> None:
    everything = [*generator.articles, *generator.translations]
    articles.enrich(everything, generator.settings.get("RELATED_MAX", 3))
    articles.enrich([*generator.drafts, *generator.drafts_translations], 0)
    articles.regroup_taxonomies(generator)


def _add_template_helpers(generator) -> None:
    """Jinja helpers: UI strings, dates and edition links in the page's language."""
    settings = generator.settings
    default = settings["DEFAULT_LANG"]
    strings = Strings.load(Path(generator.theme) / "i18n", tuple(settings["LANGUAGES"]))
    env = generator.env

    def page_lang(ctx) -> str:
        if ctx.get("ui_lang"):
            return ctx["ui_lang"]
        item = ctx.get("article") or ctx.get("page")
        return getattr(item, "lang", None) or default

    @pass_context
    def t(ctx, key: str, count: int | None = None, **values) -> str:
        return strings.text(key, page_lang(ctx), count, **values)

    @pass_context
    def format_date(ctx, when, with_time: bool = False) -> str:
        return strings.date(when, page_lang(ctx), with_time)

    @pass_context
    def channel_name(ctx, category) -> str:
        names = settings["CHANNELS"].get(category.slug, (category.name,))
        index = list(settings["LANGUAGES"]).index(page_lang(ctx))
        return names[min(index, len(names) - 1)]

    @pass_context
    def edition_url(ctx, path: str, lang: str | None = None) -> str:
        return edition_path(path, lang or page_lang(ctx), default)

    @pass_context
    def ui_lang(ctx) -> str:
        return page_lang(ctx)

    env.globals.update(
        t=t,
        format_date=format_date,
        channel_name=channel_name,
        edition_url=edition_url,
        current_lang=ui_lang,
        strings=strings,
    )


def _generators(pelican):
    return EditionsGenerator


def _writer(pelican):
    return FeedWriter


def register() -> None:
    signals.content_object_init.connect(articles.init_content)
    signals.article_generator_finalized.connect(_finalize_articles)
    signals.generator_init.connect(_add_template_helpers)
    signals.get_generators.connect(_generators)
    signals.get_writer.connect(_writer)

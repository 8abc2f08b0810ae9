"""Jinja helpers for the theme: UI strings, dates, links and teasers per language,
fingerprinted addresses of the theme's files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import pass_context
from jinja2.runtime import Context, Macro
from markupsafe import Markup
from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper

from . import i18n
from .articles import Story
from .assets import build_assets_once
from .editions import edition_path
from .i18n import Strings
from .images import image_size


def add_template_helpers(generator: Generator) -> None:
    """Jinja helpers: UI strings, dates and edition links in the page's language."""
    settings = generator.settings
    default: str = settings["DEFAULT_LANG"]
    strings = Strings.load(Path(generator.theme) / "i18n", tuple(settings["LANGUAGES"]))
    env = generator.env

    def page_lang(ctx: Context) -> str:
        ui_lang: str | None = ctx.get("ui_lang")
        if ui_lang:
            return ui_lang
        item = ctx.get("article") or ctx.get("page")
        lang: str | None = getattr(item, "lang", None)
        return lang or default

    @pass_context
    def t(ctx: Context, key: str, count: int | None = None, **values: object) -> str:
        return strings.text(key, page_lang(ctx), count, **values)

    @pass_context
    def format_date(ctx: Context, when: datetime, with_time: bool = False) -> str:
        return strings.date(when, page_lang(ctx), with_time)

    @pass_context
    def channel_name(ctx: Context, category: URLWrapper) -> str:
        return i18n.channel_name(settings, category, page_lang(ctx))

    @pass_context
    def edition_url(ctx: Context, path: str, lang: str | None = None) -> str:
        return edition_path(path, lang or page_lang(ctx), default)

    @pass_context
    def ui_lang(ctx: Context) -> str:
        return page_lang(ctx)

    assets = build_assets_once(generator)
    static_dir: str = settings["THEME_STATIC_DIR"]

    @pass_context
    def asset(ctx: Context, name: str) -> str:
        """A theme file's address with its fingerprint: `{{ asset("css/main.css") }}`
        -> "/theme/css/main.css?v=0123456789" (assets.py)."""
        return f"{ctx.get('SITEURL', '')}/{static_dir}/{assets.versioned(name)}"

    @pass_context
    def widget_strings(ctx: Context, full: bool = True) -> Markup:
        """The comment widget's strings in the page's language, as JSON for a
        `<script type="application/json">` block; listing pages need only `count`."""
        catalogue = strings.group("widget", page_lang(ctx))
        if not full:
            catalogue = {"count": catalogue["count"]}
        # "<" escaped: the text can never close the script element.
        return Markup(json.dumps(catalogue, ensure_ascii=False).replace("<", "\\u003c"))

    # The comments service serves its feeds at the root of its own origin:
    # the page's origin when COMMENTS_API is a path, else COMMENTS_API's.
    api = urlsplit(settings.get("COMMENTS_API", "/api/v1"))
    service_origin = f"{api.scheme}://{api.netloc}" if api.scheme and api.netloc else ""

    def comments_feed(slug: str, lang: str | None = None) -> str:
        """The address of an article's comment feed (Atom), in `lang` if given."""
        url = f"{service_origin}/feeds/threads/{quote(slug)}.atom"
        return f"{url}?lang={lang}" if lang else url

    def site_comments_feed(fmt: str, lang: str) -> str:
        """The address of the feed of every comment ("atom" or "rss"), in `lang`."""
        return f"{service_origin}/feeds/comments.{fmt}?lang={lang}"

    def image_dimensions(image: str) -> tuple[int, int] | None:
        return image_size(Path(settings["PATH"]) / image)

    # A story's teaser is the same on every listing page of one language
    # (front page, channel, tags, author), so it is rendered once per
    # language and variant: on a large archive this halves the listing time.
    teasers: dict[tuple[int, str, str, str, int, bool], Markup] = {}
    macros: dict[tuple[str, str], Macro] = {}

    @pass_context
    def teaser(
        ctx: Context, article: Story, variant: str = "row", level: int = 3, eager: bool = False
    ) -> Markup:
        lang = page_lang(ctx)
        siteurl: str = ctx.get("SITEURL", "")
        key = (id(article), lang, siteurl, variant, level, eager)
        if key not in teasers:
            macro = macros.get((lang, siteurl))
            if macro is None:
                module = env.get_template("_teaser.html").make_module(
                    {"ui_lang": lang, "SITEURL": siteurl}
                )
                # A template's macros are attributes of its module, which no type declares.
                macro = macros[(lang, siteurl)] = getattr(module, "teaser")  # noqa: B009
            teasers[key] = Markup(macro(article, variant, level, eager))
        return teasers[key]

    env.globals.update(
        asset=asset,
        t=t,
        format_date=format_date,
        channel_name=channel_name,
        edition_url=edition_url,
        current_lang=ui_lang,
        image_size=image_dimensions,
        teaser=teaser,
        strings=strings,
        widget_strings=widget_strings,
        comments_feed=comments_feed,
        site_comments_feed=site_comments_feed,
    )

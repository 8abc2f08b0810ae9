"""The moderators' pages in words: their language, and what they name in it.

The strings are the `admin` section of the service's catalogue
(comments_service/i18n/{pl,en}.json); the language is chosen as
comments_service/i18n.py says, remembered in a cookie of these pages once a
moderator picks one. Moderators read words, never configuration: reaction
kinds, modes, actions, days and errors are named in the catalogue, and the
names of settings appear only in small print for whoever runs Kurier.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape
from starlette.requests import Request

from ..errors import ApiError
from ..i18n import LANGS, Words, choose_lang, words

LANG_COOKIE = "kurier_admin_lang"


def page_lang(request: Request) -> str:
    """The page's language: ?lang=, else this browser's choice, else its Accept-Language."""
    return choose_lang(request, LANG_COOKIE)


def other_lang(lang: str) -> str:
    """The language the page's switch leads to."""
    return LANGS[1 - LANGS.index(lang)]


def translator(lang: str) -> Words:
    """t(key, **values): the pages' text in `lang`, with {values} filled in."""
    return words(lang, "admin")


def markup_translator(lang: str) -> Callable[..., Markup]:
    """Like translator(), for texts with markup among their values (e.g. a `<code>`):
    the text is escaped, and so is every value that is not markup already."""
    t = translator(lang)
    return lambda key, **values: Markup(escape(t(key))).format(**values)


def reaction_name(t: Words, kind: str) -> str:
    """A reaction kind's name: the default kinds have one in each language; a kind an
    operator added (COMMENTS_REACTIONS) is shown as configured."""
    key = f"reaction_{kind}"
    return t(key) if key in t else kind


def column_name(t: Words, column: str) -> str:
    """An engagement column's heading: a reaction kind by its name, the rest by theirs."""
    if column.startswith("reaction_"):
        return t("reaction", kind=reaction_name(t, column.removeprefix("reaction_")))
    return t(f"col_{column}")


def long_date(t: Words, moment: datetime) -> str:
    """A day in words, as readers write it: '12 listopada 2026', '12 November 2026'."""
    month = t.texts("months")[moment.month - 1]
    return t("date_format", day=moment.day, month=month, year=moment.year)


def local_day(zone_name: str, t: Words, value: str | datetime | None) -> str:
    """A time as the day it falls on in the moderators' time zone, in words."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return long_date(t, moment.astimezone(ZoneInfo(zone_name)))


def error_message(t: Words, error: ApiError) -> str:
    """An error in the page's language: by its code and field, else a general sentence
    (the API's own sentence is English, and names fields as configured)."""
    if error.code == "rate_limited":
        return t("err_rate_limited", wait=error.headers.get("Retry-After", "60"))
    if error.field == "until":
        return t("err_until")
    for key in (f"err_{error.code}_{error.field}", f"err_{error.code}"):
        if key in t:
            return t(key)
    return t("err_other")

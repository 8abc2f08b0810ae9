"""The theme's UI strings in Polish and English, and dates written the same way.

Strings live in `THEME/i18n/{lang}.json`, one flat object per language; a
value that varies with a number is an object of plural forms (`one`, `few`,
`many`, `other`, as CLDR names them). A key missing in a language fails the
build: a half-translated page is a bug. The comment widget's strings sit in
one object, `widget`, which pages carry as JSON for the script to read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeAlias

from pelican.settings import Settings
from pelican.urlwrappers import URLWrapper

# A value in a language file: text, plural forms or a group of strings, or a list (months).
UIValue: TypeAlias = str | list[str] | dict[str, "UIValue"]


class UnknownString(KeyError):
    """A template asked for a UI string that the language file does not have."""


def plural_form(lang: str, count: int) -> str:
    """The CLDR plural category of `count` (Polish has one, few and many)."""
    if count == 1:
        return "one"
    if lang == "pl":
        if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
            return "few"
        return "many"
    return "other"


def channel_name(settings: Settings, category: URLWrapper, lang: str) -> str:
    """A channel's name in `lang`, from CHANNELS (slug -> one name per language)."""
    names: Sequence[str] = settings["CHANNELS"].get(category.slug, (category.name,))
    index = list(settings["LANGUAGES"]).index(lang)
    return names[min(index, len(names) - 1)]


class Strings:
    """UI strings of every language, looked up by key."""

    def __init__(self, catalogues: dict[str, dict[str, UIValue]]) -> None:
        self.catalogues = catalogues

    @classmethod
    def load(cls, folder: Path, languages: tuple[str, ...]) -> Strings:
        catalogues = {
            lang: json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
            for lang in languages
        }
        return cls(catalogues)

    def lookup(self, key: str, lang: str) -> UIValue:
        try:
            return self.catalogues[lang][key]
        except KeyError:
            raise UnknownString(f"UI string '{key}' is missing for '{lang}'") from None

    def group(self, key: str, lang: str) -> dict[str, UIValue]:
        """A group of strings, such as the comment widget's."""
        value = self.lookup(key, lang)
        if not isinstance(value, dict):
            raise UnknownString(f"UI string '{key}' for '{lang}' must be an object of strings")
        return value

    def text(self, key: str, lang: str, count: int | None = None, **values: object) -> str:
        """The string `key` in `lang`, its plural form chosen by `count`."""
        value: UIValue | None = self.lookup(key, lang)
        if isinstance(value, dict):
            if count is None:
                raise UnknownString(f"UI string '{key}' needs a count")
            value = value.get(plural_form(lang, count), value.get("other"))
        return str(value).format(count=count, **values)

    def date(self, when: datetime, lang: str, with_time: bool = False) -> str:
        """A date as readers of `lang` write it: '3 listopada 2026'."""
        months = self.lookup("months", lang)
        if not isinstance(months, list):
            raise UnknownString(f"UI string 'months' for '{lang}' must be a list of twelve names")
        month = months[when.month - 1]
        date_format = str(self.lookup("date_format", lang))
        text = date_format.format(day=when.day, month=month, year=when.year)
        if with_time:
            time_format = str(self.lookup("time_format", lang))
            text += time_format.format(hour=when.hour, minute=when.minute)
        return text

"""The theme's UI strings in Polish and English, and dates written the same way.

Strings live in `THEME/i18n/{lang}.json`, one flat object per language; a
value that varies with a number is an object of plural forms (`one`, `few`,
`many`, `other`, as CLDR names them). A key missing in a language fails the
build: a half-translated page is a bug. The comment widget's strings sit in
one object, `widget`, which pages carry as JSON for the script to read.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path


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


def channel_name(settings: dict, category, lang: str) -> str:
    """A channel's name in `lang`, from CHANNELS (slug -> one name per language)."""
    names = settings["CHANNELS"].get(category.slug, (category.name,))
    index = list(settings["LANGUAGES"]).index(lang)
    return names[min(index, len(names) - 1)]


class Strings:
    """UI strings of every language, looked up by key."""

    def __init__(self, catalogues: dict[str, dict]):
        self.catalogues = catalogues

    @classmethod
    def load(cls, folder: Path, languages: tuple[str, ...]) -> Strings:
        catalogues = {
            lang: json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
            for lang in languages
        }
        return cls(catalogues)

    def lookup(self, key: str, lang: str) -> object:
        try:
            return self.catalogues[lang][key]
        except KeyError:
            raise UnknownString(f"UI string '{key}' is missing for '{lang}'") from None

    def text(self, key: str, lang: str, count: int | None = None, **values) -> str:
        """The string `key` in `lang`, its plural form chosen by `count`."""
        value = self.lookup(key, lang)
        if isinstance(value, dict):
            if count is None:
                raise UnknownString(f"UI string '{key}' needs a count")
            value = value.get(plural_form(lang, count), value.get("other"))
        return str(value).format(count=count, **values)

    def date(self, when: datetime, lang: str, with_time: bool = False) -> str:
        """A date as readers of `lang` write it: '3 listopada 2026'."""
        month = self.lookup("months", lang)[when.month - 1]
        text = self.lookup("date_format", lang).format(day=when.day, month=month, year=when.year)
        if with_time:
            text += self.lookup("time_format", lang).format(hour=when.hour, minute=when.minute)
        return text

"""The service's words in Polish and English, and the one choice of language.

Polish strings live in two files, one per part of Kurier: the moderators' pages
and the comment feeds in `comments_service/i18n/pl.json`, the site and the
comment widget in `theme/i18n/pl.json` (English beside each, in `en.json`).

Both pairs share one format: a JSON object per language, its sections keyed by
area (here `admin` and `feeds`; the widget's `widget` in the theme's), each a
flat object of strings with `{name}` placeholders, and lists where order is
the meaning (`months`). No string of the service varies with a number: they
are worded to avoid it ("Otwarte zgłoszenia: {n}"); the theme's files hold the
plural objects (`one`, `few`, `many`, `other`) where the site needs them. The
two stay two files because the service is deployed without the site's source
tree: it reads only what its own package holds.

The language of an answer is `?lang=` (pl or en), else the cookie a part of
the service remembers it in (the moderators' pages do), else the browser's
Accept-Language, else Polish. Accept-Language is read as RFC 9110 section
12.5.4 has it: a language range matches by its primary subtag (`en-GB` is
`en`), the highest weight wins, of equal weights the one listed first, and
`q=0` means "not this one", as does a weight that is not a number from 0 to 1;
`*` and ranges that cannot be read are passed over.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TypeAlias

from starlette.requests import Request

LANGS = ("pl", "en")
DEFAULT_LANG = "pl"
CATALOGUES = Path(__file__).parent / "i18n"

# A value in a section of the catalogue: text, or a list of texts (months).
Value: TypeAlias = str | list[str]
Section: TypeAlias = dict[str, Value]

_LANGUAGE_RANGE = re.compile(
    r"\s*(?P<primary>[A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*[qQ]\s*=\s*(?P<q>[0-9.]+))?\s*"
)


@cache
def catalogue(lang: str) -> dict[str, Section]:
    """Every string of the service in `lang`, by section (read once per process)."""
    path = CATALOGUES / f"{lang}.json"
    sections = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(sections, dict) or not all(isinstance(s, dict) for s in sections.values()):
        raise ValueError(f"{path} is not an object of sections, each an object of strings")
    return sections


class Words:
    """One section of the catalogue in one language: `t(key, **values)`.

    A key the section does not have reads as itself, so that a value from
    outside (an article's unknown comment mode) shows as it is rather than
    failing the page; `key in t` tells the two apart.
    """

    def __init__(self, lang: str, section: str) -> None:
        self.lang = lang
        self.strings: Section = catalogue(lang)[section]

    def __call__(self, key: str, **values: object) -> str:
        text = self.strings.get(key, key)
        if not isinstance(text, str):
            raise TypeError(f"{key!r} is not a string in {self.lang}.json")
        return text.format(**values) if values else text

    def __contains__(self, key: object) -> bool:
        return key in self.strings

    def texts(self, key: str) -> list[str]:
        """A list of the section, such as the twelve `months`."""
        value = self.strings[key]
        if not isinstance(value, list):
            raise TypeError(f"{key!r} is not a list in {self.lang}.json")
        return value


@cache
def words(lang: str, section: str) -> Words:
    """The strings of `section` (admin, feeds) in `lang`."""
    return Words(lang, section)


def asked_lang(request: Request) -> str | None:
    """The language asked for with `?lang=`, if it is one of LANGS."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGS else None


def choose_lang(request: Request, cookie: str | None = None) -> str:
    """The answer's language: `?lang=`, else the `cookie` (if named and set), else
    Accept-Language, else Polish (see the module docstring)."""
    asked = asked_lang(request)
    if asked is not None:
        return asked
    remembered = request.cookies.get(cookie, "") if cookie else ""
    if remembered in LANGS:
        return remembered
    return accepted_lang(request.headers.get("accept-language", "")) or DEFAULT_LANG


def accepted_lang(header: str) -> str | None:
    """The one of LANGS an Accept-Language header prefers, None if it accepts neither:
    the highest weight wins and, of equal weights, the one listed first."""
    best, best_q = None, 0.0
    for part in header.split(","):
        match = _LANGUAGE_RANGE.fullmatch(part)
        if match is None:
            continue
        q = _weight(match["q"])
        # Strictly greater: an equal weight later in the list does not displace an earlier one.
        if match["primary"].lower() in LANGS and q > best_q:
            best, best_q = match["primary"].lower(), q
    return best


def _weight(text: str | None) -> float:
    """A range's `q` (1 when absent); one that is not a number from 0 to 1 counts as 0."""
    if text is None:
        return 1.0
    try:
        q = float(text)
    except ValueError:
        return 0.0
    return q if 0.0 <= q <= 1.0 else 0.0

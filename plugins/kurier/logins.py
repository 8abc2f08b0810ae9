"""Authors' logins: who may carry the article author's badge in the comments.

Anyone can give themselves an author's display name; a login comes from company
sign-in. The site publishes each article's author logins in articles.json
(`author_logins`), from `AUTHOR_LOGINS` in the settings (name -> login) and
the article's own `AuthorLogins:`, which lists logins in the order of `Authors`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from .frontmatter import FrontMatterError

SETTING = "AUTHOR_LOGINS"
LOGIN_MAX_CHARS = 200
# Characters no sign-in login holds: an invisible one (a zero-width space) makes
# a login look right and never match. Unicode category -> how to name it.
_UNSEEN = {
    "Cc": "a control character",
    "Cf": "an invisible character",
    "Cs": "an unpaired surrogate",
}
_SHOWN_CHARS = 20


def login_problem(login: str) -> str | None:
    """What makes a login one that sign-in cannot produce or that reads as another, or None."""
    if not login:
        return "the login is empty"
    if len(login) > LOGIN_MAX_CHARS:
        shown = repr(login[:_SHOWN_CHARS] + "…")
        return f"login {shown} is {len(login)} characters long (at most {LOGIN_MAX_CHARS})"
    if _has_whitespace(login):
        return f"login {login!r} contains whitespace"
    for char in login:
        if kind := _UNSEEN.get(unicodedata.category(char)):
            return f"login {login!r} contains {kind} (U+{ord(char):04X})"
    if "," in login:
        return f"login {login!r} contains a comma"
    return None


def _has_whitespace(text: str) -> bool:
    return any(char.isspace() for char in text)


def parse_logins(value: object) -> list[str]:
    """Read AuthorLogins: comma-separated logins, in the order of Authors."""
    if isinstance(value, list):  # Pelican's reading of a value continued on more lines
        raise FrontMatterError("AuthorLogins must be on one line")
    text = str(value).strip()
    if not text:
        raise FrontMatterError(
            "AuthorLogins is empty (write logins separated by commas, or remove the line)"
        )
    logins = [item.strip() for item in text.split(",")]
    if "" in logins:
        raise FrontMatterError(f"AuthorLogins '{text}' has an empty login between commas")
    for login in logins:
        if problem := login_problem(login):
            # A space inside one item is most likely a missing comma.
            hint = " (separate logins with commas)" if _has_whitespace(login) else ""
            raise FrontMatterError(f"AuthorLogins: {problem}{hint}")
    return logins


def read_setting(setting: object) -> tuple[dict[str, str], list[tuple[object, str]]]:
    """The usable name -> login pairs of AUTHOR_LOGINS, and (name, message) per bad one.

    The name is None when the setting as a whole is wrong.
    """
    if setting is None:
        return {}, []
    if not isinstance(setting, Mapping):
        kind = type(setting).__name__
        return {}, [(None, f"{SETTING} must be a dict of author name -> login, not {kind}")]
    usable: dict[str, str] = {}
    problems: list[tuple[object, str]] = []
    for name, login in setting.items():
        if message := _setting_problem(name, login):
            problems.append((name, f"{SETTING}: {message}"))
        else:
            usable[name] = login
    return usable, problems


def _setting_problem(name: object, login: object) -> str | None:
    """What is wrong with one entry of AUTHOR_LOGINS, or None."""
    if not isinstance(name, str) or not name.strip():
        return f"{name!r} is not a name (the keys are names as in Authors)"
    if not isinstance(login, str):
        return f"the login of {name!r} must be text, not {type(login).__name__}"
    if problem := login_problem(login):
        return f"{name!r}: {problem}"
    return None


def author_logins(
    authors: Sequence[str], own: Sequence[str], known: Mapping[str, str]
) -> list[str]:
    """The logins that mark an article author's comments, for articles.json: sorted, once each.

    The n-th login of AuthorLogins is the n-th author's and wins over AUTHOR_LOGINS;
    authors after the last one keep theirs; logins beyond the byline count too.
    """
    paired = [own[n] if n < len(own) else known.get(name) for n, name in enumerate(authors)]
    return sorted({login for login in [*paired, *own[len(authors) :]] if login})

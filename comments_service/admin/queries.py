"""What the moderators' pages read from a request and from the article index: filters,
the articles listed in them, threads' titles, and the links between pages of a list."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from ..articles import Article
from ..state import app_state
from ..store.answers import Page
from ..validation import parse_page
from .words import page_lang

PAGE_SIZE = 25
PERSON_MAX = 200
SLUG_MAX = 200


def query_value(request: Request, name: str, limit: int = SLUG_MAX) -> str | None:
    """A filter from the query string, trimmed and cut to `limit`; None when empty."""
    value = request.query_params.get(name, "").strip()
    return value[:limit] or None


def before(request: Request) -> int | None:
    """Where a page of a list starts (`?before=`), as the list's paging reads it."""
    _, start = parse_page(None, request.query_params.get("before"))
    return start


def listed_articles(request: Request) -> list[Article]:
    """The articles that have a discussion, newest first."""
    found = sorted(
        (a for a in app_state(request).articles.articles().values() if not a.hidden),
        key=lambda a: a.slug,
    )
    dated = [(a.published.timestamp(), a) for a in found if a.published is not None]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [a for _, a in dated] + [a for a in found if a.published is None]


def thread_titles(request: Request) -> dict[str, dict[str, str]]:
    """Each thread's title and page address in the page's language, for naming threads."""
    lang = page_lang(request)
    return {
        a.slug: {"title": a.title(lang), "url": "/" + a.url(lang).lstrip("/")}
        for a in app_state(request).articles.articles().values()
    }


def filtered(path: str, filters: dict[str, str | None], **more: str | int) -> str:
    """`path` with the filters that are set (and `more`) as its query string."""
    query = {name: value for name, value in filters.items() if value} | more
    return path + ("?" + urlencode(query) if query else "")


def older_link(path: str, filters: dict[str, str | None], page: Page) -> str | None:
    """The next page of a list, its filters kept; None on the last page."""
    if page["next_before"] is None:
        return None
    return filtered(path, filters, before=page["next_before"])

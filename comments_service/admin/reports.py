"""The reports page: engagement per article (its columns chosen, sortable, as CSV too),
the must-read articles, and who acknowledged reading one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError, not_found, not_must_read
from ..routes import reports
from ..state import app_state
from ..user import User
from .queries import thread_titles
from .render import message, page
from .words import page_lang

# The engagement table's columns unless the moderator chooses others (?col=, repeated);
# the rest are a click away, and always in the CSV file.
MAIN_COLUMNS = ("title", "date", "comments", "reactions", "participants", "acknowledgements")


class _Params(dict[str, str]):
    """Query parameters as parse_engagement_query reads them (one value each)."""

    def getlist(self, name: str) -> list[str]:
        return [self[name]]


def _engagement(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    kinds = app_state(request).settings.reactions
    params = _Params(
        {k: v for k, v in request.query_params.items() if k in reports.ENGAGEMENT_PARAMETERS and v}
    )
    try:
        query = reports.parse_engagement_query(params, kinds)
        error = None
    except ApiError as problem:
        query, error = reports.EngagementQuery(), message(request, problem)
    columns = reports.engagement_columns(kinds)
    chosen, asked = _chosen_columns(request, columns)
    rows = _rows(request, query)
    return "reports.html", {
        "rows": rows,
        "must_read": _must_read(request, None if query.start or query.end else rows),
        "query": query,
        "error": error,
        "columns": columns,
        "choosable": [c for c in columns if c not in ("slug", "title")],
        "shown": chosen,
        "titles": thread_titles(request),
        "sortable": _sort_links(query, columns, asked),
        "csv_url": "/api/v1/reports/engagement.csv"
        + ("?" + urlencode(params) if params and not error else ""),
    }


def _rows(request: Request, query: reports.EngagementQuery) -> list[dict[str, Any]]:
    articles = app_state(request).articles.articles().values()
    return reports.engagement(app_state(request).store, articles, query)


def _must_read(request: Request, rows: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The must-read articles of every date, whatever the table's dates: from the table's
    `rows` when it has every date (in its order), else counted again (None)."""
    articles = app_state(request).articles.articles()
    if rows is None:
        rows = _rows(request, reports.EngagementQuery())
    return [{**row, "updated": articles[row["slug"]].modified} for row in rows if row["must_read"]]


def _chosen_columns(request: Request, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The engagement table's columns, in the report's order, the title first: the ones
    asked for with ?col= (the form always sends col=title), else MAIN_COLUMNS. Then
    the columns for the sorting links to keep: none when none were asked for."""
    asked = request.query_params.getlist("col")
    wanted = set(asked) if asked else set(MAIN_COLUMNS)
    known = [c for c in columns if c not in ("slug", "title")]
    chosen = ["title", *(column for column in known if column in wanted)]
    return chosen, (chosen if asked else [])


def _sort_links(
    query: reports.EngagementQuery, columns: Sequence[str], kept: list[str]
) -> dict[str, dict[str, str | None]]:
    """For each column: the address that sorts by it (keeping the chosen columns `kept`),
    and its aria-sort value."""
    links = {}
    keep = [("col", column) for column in kept]
    for column in columns:
        current = query.sort == column
        order = ("asc" if query.order == "desc" else "desc") if current else None
        params = {"from": query.start, "to": query.end, "sort": column, "order": order}
        pairs = [(k, v) for k, v in params.items() if v] + keep
        links[column] = {
            "url": "/admin/reports?" + urlencode(pairs),
            "aria": ("ascending" if query.order == "asc" else "descending") if current else None,
        }
    return links


async def reports_page(request: Request) -> Response:
    return await page(request, "reports", _engagement)


def _acknowledgements(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    article = app_state(request).articles.get(request.path_params["slug"])
    if article is None or article.hidden:
        raise not_found("thread")
    if not article.must_read:
        raise not_must_read()
    return "acknowledgements.html", {
        "report": app_state(request).store.acks.report(article),
        "title": article.title(page_lang(request)),
        "csv_url": f"/api/v1/reports/acknowledgements/{article.slug}.csv",
    }


async def acknowledgements_page(request: Request) -> Response:
    return await page(request, "reports", _acknowledgements)

"""HTTP handlers of /api/v1/reports: moderators' engagement and acknowledgement reports.

Each report answers JSON, or CSV when its path ends in `.csv`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import reports
from .api import json_response
from .errors import not_found, not_must_read
from .user import User, require_moderator

CSV_HEADERS = {"cache-control": "private, no-store"}


def moderator(request: Request) -> User:
    """The signed-in moderator, or 401/403."""
    return require_moderator(request.app.state.identity.user(request))


def csv_response(header: list[str], rows: list[list], filename: str) -> Response:
    headers = {**CSV_HEADERS, "content-disposition": f'attachment; filename="{filename}"'}
    return Response(
        reports.to_csv(header, rows), media_type="text/csv; charset=utf-8", headers=headers
    )


async def get_engagement(request: Request) -> Response:
    return engagement_response(request, as_csv=False)


async def get_engagement_csv(request: Request) -> Response:
    return engagement_response(request, as_csv=True)


def engagement_response(request: Request, as_csv: bool) -> Response:
    """Per article: comments, replies, reactions, participants, acknowledgements, activity."""
    moderator(request)
    kinds = request.app.state.settings.reactions
    query = reports.parse_engagement_query(request.query_params, kinds)
    articles = request.app.state.articles.articles().values()
    rows = reports.engagement(request.app.state.store, articles, query)
    if as_csv:
        header, table = reports.engagement_table(rows, kinds)
        start = query.start.isoformat() if query.start else ""
        end = query.end.isoformat() if query.end else ""
        return csv_response(header, table, reports.csv_filename("engagement", start, end))
    return json_response(
        {
            "from": query.start.isoformat() if query.start else None,
            "to": query.end.isoformat() if query.end else None,
            "sort": query.sort,
            "order": query.order,
            "columns": reports.engagement_columns(kinds),
            "articles": rows,
        }
    )


async def get_acknowledgements(request: Request) -> Response:
    return acknowledgements_response(request, as_csv=False)


async def get_acknowledgements_csv(request: Request) -> Response:
    return acknowledgements_response(request, as_csv=True)


def acknowledgements_response(request: Request, as_csv: bool) -> Response:
    """Who confirmed a must-read article, and when: 404 unknown, 409 not a must-read."""
    moderator(request)
    article = request.app.state.articles.get(request.path_params["slug"])
    if article is None or article.hidden:
        raise not_found("thread")
    if not article.must_read:
        raise not_must_read()
    report = request.app.state.store.acks.report(article)
    if as_csv:
        header, table = reports.acknowledgements_table(report, request.app.state.settings.auth)
        filename = reports.csv_filename("acknowledgements", article.slug)
        return csv_response(header, table, filename)
    return json_response({**report, "auth": request.app.state.settings.auth})


# The .csv routes come first: {slug} would otherwise take "name.csv" whole.
ROUTES = [
    Route("/reports/engagement.csv", get_engagement_csv, methods=["GET"]),
    Route("/reports/engagement", get_engagement, methods=["GET"]),
    Route("/reports/acknowledgements/{slug}.csv", get_acknowledgements_csv, methods=["GET"]),
    Route("/reports/acknowledgements/{slug}", get_acknowledgements, methods=["GET"]),
]

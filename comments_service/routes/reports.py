"""The moderators' reports over HTTP: their query, and each as JSON or as a CSV file.

The rows come from comments_service/reports.py (engagement) and the store
(acknowledgements). Each report answers JSON, or CSV when its path ends in `.csv`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import invalid, not_found, not_must_read
from ..reports import EngagementQuery, engagement, engagement_columns
from ..schemas.reports import AcknowledgementReport, EngagementReport
from ..state import app_state
from ..store.answers import MustReadReport
from .endpoint import CSV, MODERATOR, MODERATORS, Endpoint, Handler, Param
from .http import NO_STORE, json_response, moderator

__all__ = ["ENGAGEMENT_PARAMETERS", "EngagementQuery", "engagement", "engagement_columns",
           "parse_engagement_query"]  # fmt: skip

BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Polish letters right
# Cells starting with these are formulas to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SEPARATORS = ";, "
SORT_ORDERS = ("asc", "desc")
ENGAGEMENT_PARAMETERS = ("from", "to", "sort", "order")


# --- the engagement query ----------------------------------------------------------------


def parse_engagement_query(params: Mapping[str, str], reactions: Iterable[str]) -> EngagementQuery:
    """The query string of GET /reports/engagement, or a 422 naming the bad parameter."""
    values: dict[str, str] = {}
    for name in params:
        if name not in ENGAGEMENT_PARAMETERS:
            raise invalid(name, f"Unknown parameter '{name}'.", code="unknown_parameter")
        given = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        if len(given) != 1:
            raise invalid(name, f"Give '{name}' once.")
        values[name] = given[0].strip()
    start, end = _day(values, "from"), _day(values, "to")
    if start and end and start > end:
        raise invalid("to", "The range ends before it starts.")
    sort = values.get("sort") or "date"
    if sort not in engagement_columns(reactions):
        columns = ", ".join(engagement_columns(reactions))
        raise invalid("sort", f"Sort by one of: {columns}.")
    order = values.get("order") or ("asc" if sort in ("slug", "title") else "desc")
    if order not in SORT_ORDERS:
        raise invalid("order", "order is asc or desc.")
    return EngagementQuery(start, end, sort, order)


def _day(values: Mapping[str, str], name: str) -> date | None:
    value = values.get(name)
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise invalid(name, f"'{name}' is a date like 2026-11-30.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(name, f"'{name}' is not a date of the calendar.") from None


# --- handlers ----------------------------------------------------------------------------


async def get_engagement(request: Request, as_csv: bool) -> Response:
    """Per article: comments, replies, reactions, participants, acknowledgements, activity."""
    moderator(request)
    kinds = app_state(request).settings.reactions
    query = parse_engagement_query(request.query_params, kinds)
    articles = app_state(request).articles.articles().values()
    rows = engagement(app_state(request).store, articles, query)
    start = query.start.isoformat() if query.start else None
    end = query.end.isoformat() if query.end else None
    if as_csv:
        header, table = engagement_table(rows, kinds)
        return csv_response(header, table, csv_filename("engagement", start or "", end or ""))
    columns = engagement_columns(kinds)
    return json_response({"from": start, "to": end, "sort": query.sort, "order": query.order,
                          "columns": columns, "articles": rows})  # fmt: skip


async def get_acknowledgements(request: Request, as_csv: bool) -> Response:
    """Who confirmed a must-read article, and when: 404 unknown, 409 not a must-read."""
    moderator(request)
    article = app_state(request).articles.get(request.path_params["slug"])
    if article is None or article.hidden:
        raise not_found("thread")
    if not article.must_read:
        raise not_must_read()
    report = app_state(request).store.acks.report(article)
    auth = app_state(request).settings.auth
    if as_csv:
        header, table = acknowledgements_table(report, auth)
        return csv_response(header, table, csv_filename("acknowledgements", article.slug))
    return json_response({**report, "auth": auth})


# --- CSV ---------------------------------------------------------------------------------


def engagement_table(
    rows: list[dict[str, Any]], kinds: Iterable[str]
) -> tuple[list[str], list[list[object]]]:
    """The CSV header and one list of cells per row."""
    kinds = list(kinds)
    header = engagement_columns(kinds)
    table = []
    for row in rows:
        cells = {
            **row,
            **{f"reaction_{kind}": row["reactions"][kind] for kind in kinds},
            "reactions": sum(row["reactions"].values()),
            "langs": " ".join(row["langs"]),
            "must_read": "yes" if row["must_read"] else "no",
        }
        table.append([cells[column] for column in header])
    return header, table


def acknowledgements_table(
    report: MustReadReport, auth: str
) -> tuple[list[str], list[list[object]]]:
    """The CSV of one article's acknowledgements: logins and e-mail in header mode."""
    if auth == "header":
        header = ["login", "name", "email", "acknowledged_at", "outdated"]
    else:
        header = ["id", "name", "acknowledged_at", "outdated"]
    table = []
    for person in report["people"]:
        cells = {**person, "login": person["id"], "outdated": "yes" if person["outdated"] else "no"}
        table.append([cells[column] for column in header])
    return header, table


def neutralise(value: object) -> str:
    """A cell as text that no spreadsheet runs as a formula: a leading ' if it could.

    Also when separators and spaces come first (";=1+1"): a spreadsheet that
    splits at ";" (as one set up for Polish does) would start a cell there.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(LEADING_SEPARATORS).startswith(FORMULA_STARTS) else text


def to_csv(header: list[str], rows: Iterable[list[object]]) -> bytes:
    """UTF-8 with a byte order mark, a header row, every cell neutralised."""
    buffer = io.StringIO()
    buffer.write(BOM)
    # Every cell quoted: a separator inside one never splits it, whichever the reader uses.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def csv_filename(*parts: str) -> str:
    """A file name of safe characters only, e.g. engagement-2026-11-01-2026-11-30.csv."""
    name = "-".join(part for part in parts if part)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120] + ".csv"


def csv_response(header: list[str], rows: list[list[object]], filename: str) -> Response:
    headers = {**NO_STORE, "content-disposition": f'attachment; filename="{filename}"'}
    return Response(to_csv(header, rows), media_type="text/csv; charset=utf-8", headers=headers)


ENGAGEMENT_QUERY = (
    Param("from", date, "articles published on or after this day"),
    Param("to", date, "articles published on or before this day"),
    Param("sort", str, "a column name (default date)"),
    Param("order", str, "asc or desc (default asc for slug and title, else desc)"),
)


def _report(
    path: str, handler: Handler, summary: str, answer: object, *errors: int, **more: Any
) -> Endpoint:
    return Endpoint("GET", path, handler, summary, MODERATORS, answer,
                    errors=(*MODERATOR, *errors), **more)  # fmt: skip


# The .csv routes come first: {slug} would otherwise take "name.csv" whole.
ENDPOINTS = [
    _report("/reports/engagement.csv", partial(get_engagement, as_csv=True),
            "Engagement per article, as CSV", str, 422, media_type=CSV, params=ENGAGEMENT_QUERY),
    _report("/reports/engagement", partial(get_engagement, as_csv=False),
            "Engagement per article", EngagementReport, 422, params=ENGAGEMENT_QUERY),
    _report("/reports/acknowledgements/{slug}.csv", partial(get_acknowledgements, as_csv=True),
            "Who confirmed reading a must-read article, as CSV", str, 404, 409, media_type=CSV),
    _report("/reports/acknowledgements/{slug}", partial(get_acknowledgements, as_csv=False),
            "Who confirmed reading a must-read article, and when", AcknowledgementReport, 404, 409),
]  # fmt: skip

"""Engagement and must-read acknowledgement reports: parameters, rows for JSON, CSV files.

The counts come from the store (store/engagement.py, store/acknowledgements.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .articles import Article
from .errors import invalid
from .store import Store
from .store.engagement import Tally

BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Polish letters right
# Cells starting with these are formulas to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SEPARATORS = ";, "
SORT_ORDERS = ("asc", "desc")
ENGAGEMENT_PARAMETERS = ("from", "to", "sort", "order")


# --- engagement ---------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementQuery:
    """Which articles (by publication date, both ends included) and in what order."""

    start: date | None = None
    end: date | None = None
    sort: str = "date"
    order: str = "desc"


def engagement_columns(reactions: Iterable[str]) -> list[str]:
    """The report's columns, in CSV order; each is also a `sort` value."""
    return [
        "slug",
        "title",
        "langs",
        "date",
        "must_read",
        "comments",
        "replies",
        *(f"reaction_{kind}" for kind in reactions),
        "reactions",
        "likes",
        "participants",
        "acknowledgements",
        "first_activity",
        "last_activity",
    ]


def parse_engagement_query(params: Mapping, reactions: Iterable[str]) -> EngagementQuery:
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


def in_range(article: Article, query: EngagementQuery) -> bool:
    """Whether the article was published within the range (its own calendar day)."""
    if query.start is None and query.end is None:
        return True
    if article.published is None:
        return False
    day = article.published.date()
    return (query.start is None or day >= query.start) and (query.end is None or day <= query.end)


def engagement(store: Store, articles: Iterable[Article], query: EngagementQuery) -> list[dict]:
    """One row per article that has a discussion, published within the range, sorted."""
    chosen = {a.slug: a for a in articles if not a.hidden and in_range(a, query)}
    tallies = store.engagement.tallies(chosen)
    kinds = store.settings.reactions
    rows = [_engagement_row(chosen[slug], tallies[slug], kinds) for slug in chosen]
    return sort_rows(rows, query.sort, query.order)


def _engagement_row(article: Article, tally: Tally, kinds: Iterable[str]) -> dict:
    times = [at for at in tally.times if at]
    reactions = {kind: tally.reactions.get(kind, 0) for kind in kinds}
    return {
        "slug": article.slug,
        "title": article.title("pl"),
        "langs": sorted(article.titles),
        "date": article.published.date().isoformat() if article.published else None,
        "must_read": article.must_read,
        "comments": tally.comments,
        "replies": tally.replies,
        "reactions": reactions,
        "likes": tally.likes,
        "participants": len(tally.people),
        "acknowledgements": tally.acknowledgements if article.must_read else None,
        "first_activity": min(times) if times else None,
        "last_activity": max(times) if times else None,
    }


def _sort_value(row: dict, column: str) -> object:
    if column.startswith("reaction_"):
        return row["reactions"].get(column.removeprefix("reaction_"), 0)
    if column == "reactions":
        return sum(row["reactions"].values())
    if column == "langs":
        return " ".join(row["langs"])
    value = row[column]
    return value.casefold() if isinstance(value, str) else value


def sort_rows(rows: list[dict], column: str, order: str) -> list[dict]:
    """Rows by `column`; ties by slug; rows without a value (no date, no activity) last."""
    rows = sorted(rows, key=lambda row: row["slug"])
    present = [row for row in rows if _sort_value(row, column) is not None]
    missing = [row for row in rows if _sort_value(row, column) is None]
    present.sort(key=lambda row: _sort_value(row, column), reverse=order == "desc")
    return present + missing


def engagement_table(rows: list[dict], kinds: Iterable[str]) -> tuple[list[str], list[list]]:
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


# --- must-read acknowledgements -------------------------------------------------------


def acknowledgements_table(report: dict, auth: str) -> tuple[list[str], list[list]]:
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


# --- CSV ------------------------------------------------------------------------------


def neutralise(value: object) -> str:
    """A cell as text that no spreadsheet runs as a formula: a leading ' if it could.

    Also when separators and spaces come first (";=1+1"): a spreadsheet that
    splits at ";" (as one set up for Polish does) would start a cell there.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(LEADING_SEPARATORS).startswith(FORMULA_STARTS) else text


def to_csv(header: list[str], rows: Iterable[list]) -> bytes:
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

"""Engagement and must-read acknowledgement reports: rows for JSON, and CSV files.

Both are read in one snapshot with one pass over the comments and one over
the marks (reactions, likes, acknowledgements) of the threads they cover,
never one query per article: 100,000 comments report in a fraction of a
second.

Counts follow the public rule (`store.is_public`): hidden, pending and
deleted comments are left out, and so are the likes given to them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from tinydb import Query

from .articles import Article
from .errors import invalid
from .store import Store, _ack_current, is_public

Q = Query()
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Polish letters right
# Cells starting with these are formulas to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SEPARATORS = ";, "
MAX_IN = 50  # threads named in one query; past that, one scan of the table is faster
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


@dataclass
class _Tally:
    """What one pass over a thread's rows counts."""

    comments: int = 0
    replies: int = 0
    likes: int = 0
    reactions: dict[str, int] = field(default_factory=dict)
    acknowledgements: int = 0
    people: set[str] = field(default_factory=set)
    times: list[str] = field(default_factory=list)


COMMENT_FIELDS = ("thread", "parent", "author_id", "created", "deleted", "approved", "hidden")
MARK_FIELDS = ("thread", "user", "type", "key", "at")


def engagement(store: Store, articles: Iterable[Article], query: EngagementQuery) -> list[dict]:
    """One row per article that has a discussion, published within the range, sorted."""
    chosen = {a.slug: a for a in articles if not a.hidden and in_range(a, query)}
    tallies = {slug: _Tally() for slug in chosen}
    with store.db.snapshot():
        comments = _project(store.comments, COMMENT_FIELDS, chosen)
        marks = _project(store.marks, MARK_FIELDS, chosen)
    public: set[int] = set()
    for doc_id, (thread, parent, author, created, deleted, approved, hidden) in comments:
        tally = tallies.get(thread)
        if tally is None:
            continue
        if not is_public({"deleted": deleted, "approved": approved, "hidden": hidden}):
            continue
        public.add(doc_id)
        tally.comments += 1
        if parent:
            tally.replies += 1
        tally.people.add(author)
        tally.times.append(created)
    for _, (thread, user, kind, key, at) in marks:
        tally = tallies.get(thread)
        if tally is None:
            continue
        key = str(key)
        if kind == "reaction":
            tally.reactions[key] = tally.reactions.get(key, 0) + 1
        elif kind == "like" and key.isdigit() and int(key) in public:
            tally.likes += 1
        elif kind == "ack" and _ack_current({"at": at}, chosen[thread]):
            tally.acknowledgements += 1
        else:
            continue  # a like of a comment nobody sees, or an outdated acknowledgement
        tally.people.add(user)
        tally.times.append(at)
    kinds = store.settings.reactions
    rows = [_engagement_row(chosen[slug], tallies[slug], kinds) for slug in chosen]
    return sort_rows(rows, query.sort, query.order)


def _project(table, fields: tuple[str, ...], chosen: Mapping[str, Article]) -> list:
    """The fields of the chosen threads' rows: through the index when they are few."""
    if len(chosen) <= MAX_IN:
        return table.project(fields, where=("thread", list(chosen)))
    return table.project(fields)


def _engagement_row(article: Article, tally: _Tally, kinds: Iterable[str]) -> dict:
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


def acknowledgements(store: Store, article: Article) -> dict:
    """Who confirmed reading a must-read article and when; `outdated` ones no longer count.

    An acknowledgement is outdated when the article's `Modified` is later:
    the widget asks that person again.
    """
    with store.db.snapshot():
        marks = store.marks.search((Q.thread == article.slug) & (Q.type == "ack"))
    people = [
        {
            "id": mark["user"],
            "name": mark.get("name") or mark["user"],
            "email": mark.get("email") or "",
            "acknowledged_at": mark["at"],
            "outdated": not _ack_current(mark, article),
        }
        for mark in marks
    ]
    people.sort(key=lambda person: (person["acknowledged_at"], person["name"].casefold()))
    return {
        "slug": article.slug,
        "title": article.title("pl"),
        "modified": article.modified.isoformat() if article.modified else None,
        "count": sum(1 for person in people if not person["outdated"]),
        "outdated": sum(1 for person in people if person["outdated"]),
        "people": people,
    }


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

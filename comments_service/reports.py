"""The engagement report: which articles, their rows, in what order.

The counts come from the store (store/engagement.py); the query string and
the CSV file are HTTP's (routes/reports.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .articles import Article
from .store import Store
from .store.engagement import Tally


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


def in_range(article: Article, query: EngagementQuery) -> bool:
    """Whether the article was published within the range (its own calendar day)."""
    if query.start is None and query.end is None:
        return True
    if article.published is None:
        return False
    day = article.published.date()
    return (query.start is None or day >= query.start) and (query.end is None or day <= query.end)


def engagement(
    store: Store, articles: Iterable[Article], query: EngagementQuery
) -> list[dict[str, Any]]:
    """One row per article that has a discussion, published within the range, sorted."""
    chosen = {a.slug: a for a in articles if not a.hidden and in_range(a, query)}
    tallies = store.engagement.tallies(chosen)
    kinds = store.settings.reactions
    rows = [_engagement_row(chosen[slug], tallies[slug], kinds) for slug in chosen]
    return sort_rows(rows, query.sort, query.order)


def _engagement_row(article: Article, tally: Tally, kinds: Iterable[str]) -> dict[str, Any]:
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


def _sort_value(row: dict[str, Any], column: str) -> str | int | None:
    """A text, a number or None: each column holds one kind besides None."""
    reactions: dict[str, int] = row["reactions"]
    if column.startswith("reaction_"):
        return reactions.get(column.removeprefix("reaction_"), 0)
    if column == "reactions":
        return sum(reactions.values())
    if column == "langs":
        return " ".join(row["langs"])
    value: str | int | None = row[column]
    return value.casefold() if isinstance(value, str) else value


def sort_rows(rows: list[dict[str, Any]], column: str, order: str) -> list[dict[str, Any]]:
    """Rows by `column`; ties by slug; rows without a value (no date, no activity) last."""
    rows = sorted(rows, key=lambda row: row["slug"])
    present = [(value, row) for row in rows if (value := _sort_value(row, column)) is not None]
    missing = [row for row in rows if _sort_value(row, column) is None]
    present.sort(key=lambda pair: pair[0], reverse=order == "desc")
    return [row for _, row in present] + missing

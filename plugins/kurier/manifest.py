"""`articles.json`: every published article, for the comments service and tools.

The format is part of Kurier's contract (see docs/API.md): a JSON list, newest
first, one entry per article and language.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .articles import Story

FILENAME = "articles.json"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def entry(article: Story, site_url: str) -> dict[str, object]:
    """The manifest entry of one article."""
    return {
        "slug": article.slug,
        "title": Markup(article.title).striptags(),
        "url": article.url,
        "absolute_url": f"{site_url}/{article.url}",
        "lang": article.lang,
        "date": _iso(article.date),
        "modified": _iso(getattr(article, "modified", None)),
        "category": article.category.slug,
        "category_name": article.category.name,
        "authors": [author.name for author in getattr(article, "authors", ())],
        # Verified identities: the comments service marks an author's comments by login.
        "author_logins": list(getattr(article, "author_logins", ())),
        "tags": [tag.name for tag in getattr(article, "tags", ())],
        "summary": Markup(article.summary).striptags(),
        "must_read": article.mustread,
        "pinned": article.pinned,
        "expires": _iso(article.expires),
        "comments": article.comments,
        "shareable": article.shareable,
        "translations": [{"lang": other.lang, "url": other.url} for other in article.translations],
    }


def write(output_path: str, context: Mapping[str, Any]) -> Path:
    """Write the manifest of the published articles into the output folder."""
    site_url = (context.get("FEED_DOMAIN") or context.get("SITEURL") or "").rstrip("/")
    articles = sorted(
        chain.from_iterable([a, *a.translations] for a in context.get("articles", ())),
        key=lambda article: (article.date, article.lang),
        reverse=True,
    )
    path = Path(output_path) / FILENAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps([entry(a, site_url) for a in articles], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    os.replace(tmp, path)
    return path

"""What every part of the store works with: the database, the settings, the articles, the tables."""

from __future__ import annotations

from dataclasses import dataclass

from ..articles import Article, ArticleIndex
from ..config import Settings
from ..storage import Database
from .changelog import ChangeLog
from .tables import Tables


@dataclass(frozen=True)
class Context:
    """Shared by the store's parts; built once per worker by Store."""

    db: Database
    settings: Settings
    articles: ArticleIndex
    tables: Tables
    log: ChangeLog

    def article(self, slug: str) -> Article | None:
        """The article a thread belongs to, as the site's manifest says now."""
        return self.articles.get(slug)

"""Which threads exist: the site's articles.json, reloaded when the file changes.

A thread is an article's slug; translations share it, and so one discussion.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger("comments_service")

# Strictest first: translations should agree, but if they do not, the
# stricter setting wins.
_MODES = ("hidden", "closed", "moderated", "open")
STAT_INTERVAL = 0.25  # seconds between checks of the file (Settings.manifest_check_interval)


@dataclass(frozen=True)
class Article:
    """What the service needs to know of an article (all its languages)."""

    slug: str
    titles: dict[str, str]
    urls: dict[str, str]
    comments: str
    must_read: bool
    modified: datetime | None
    authors: frozenset[str]
    published: datetime | None = None  # the earliest `date` of its languages
    # The logins (company sign-in) of its authors, from `AuthorLogins` and AUTHOR_LOGINS
    author_logins: frozenset[str] = frozenset()
    # `absolute_url` per language, where the manifest has one (the site's address + url)
    absolute_urls: dict[str, str] = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        return self.comments == "hidden"

    @property
    def closed(self) -> bool:
        return self.comments == "closed"

    def title(self, lang: str | None = None) -> str:
        return self.titles.get(lang or "", next(iter(self.titles.values()), self.slug))

    def url(self, lang: str | None = None) -> str:
        return self.urls.get(lang or "", next(iter(self.urls.values()), ""))


def _when(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _strings(value: object) -> list[str]:
    """The non-empty strings of a manifest list (nothing, if it is not a list)."""
    return (
        [item for item in value if isinstance(item, str) and item]
        if isinstance(value, list)
        else []
    )


def _comparable(when: datetime) -> datetime:
    """A date without an offset taken as UTC, so that naive and aware dates compare."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_manifest(entries: list[Any]) -> dict[str, Article]:
    """Articles by slug from the manifest's list of entries (one per language)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("slug"), str):
            grouped.setdefault(entry["slug"], []).append(entry)
    articles = {}
    for slug, versions in grouped.items():
        modes = [v.get("comments", "open") for v in versions]
        modified = [m for m in (_when(v.get("modified")) for v in versions) if m]
        published = [d for d in (_when(v.get("date")) for v in versions) if d]
        articles[slug] = Article(
            slug=slug,
            titles={str(v.get("lang", "")): str(v.get("title", slug)) for v in versions},
            urls={str(v.get("lang", "")): str(v.get("url", "")) for v in versions},
            comments=min(modes, key=lambda m: _MODES.index(m) if m in _MODES else 0),
            must_read=any(bool(v.get("must_read")) for v in versions),
            modified=max(modified) if modified else None,
            authors=frozenset(a for v in versions for a in v.get("authors", ()) or ()),
            author_logins=frozenset(
                login for v in versions for login in _strings(v.get("author_logins"))
            ),
            published=min(published, key=_comparable, default=None),
            absolute_urls={
                str(v.get("lang", "")): str(v["absolute_url"])
                for v in versions
                if isinstance(v.get("absolute_url"), str) and v["absolute_url"]
            },
        )
    return articles


def site_root(articles: dict[str, Article]) -> str | None:
    """The site's address ("https://kurier.example/"), as the articles' absolute URLs
    give it: an `absolute_url` less its article's relative `url`. None if none has one."""
    for article in articles.values():
        for lang, absolute in article.absolute_urls.items():
            relative = article.urls.get(lang, "")
            if absolute.startswith(("http://", "https://")) and absolute.endswith(relative):
                return absolute[: len(absolute) - len(relative)].rstrip("/") + "/"
    return None


class ArticleIndex:
    """The manifest, re-read when its modification time or size changes.

    The file is looked at no more often than every `check_interval` seconds,
    so that a burst of requests costs one stat() call rather than one each.
    """

    def __init__(self, path: Path | None, check_interval: float = STAT_INTERVAL):
        self.path = path
        self.check_interval = check_interval
        self._articles: dict[str, Article] = {}
        self._site_root: str | None = None
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0

    def get(self, slug: str) -> Article | None:
        return self.articles().get(slug)

    def articles(self) -> dict[str, Article]:
        now = time.monotonic()
        if now - self._checked >= self.check_interval:
            self._checked = now
            self._reload_if_changed()
        return self._articles

    @property
    def loaded(self) -> bool:
        """Whether a manifest has been read (and looked at again, if that is due)."""
        self.articles()
        return self._stamp is not None

    def site_root(self) -> str | None:
        """The site's address from the manifest (see `site_root`), worked out once a load."""
        self.articles()
        return self._site_root

    def _reload_if_changed(self) -> None:
        if self.path is None:
            return
        try:
            info = os.stat(self.path)
        except OSError:
            if self._stamp is not None:
                logger.warning("articles manifest %s is gone; keeping the last one", self.path)
            return
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp == self._stamp:
            return
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(entries, list):
                raise ValueError("not a list of articles")
        except (OSError, ValueError) as error:
            logger.error("cannot read articles manifest %s: %s", self.path, error)
            return
        self._articles = parse_manifest(entries)
        self._site_root = site_root(self._articles)
        self._stamp = stamp
        logger.info("loaded %d threads from %s", len(self._articles), self.path)

"""Import the comments of an Isso database (https://isso-comments.de): `import-isso ISSO.db`.

Isso keeps `threads(id, uri, title)` and `comments(tid, id, parent, created,
modified, mode, remote_addr, text, author, email, website, likes, dislikes,
voters, notification)`; `mode` is 1 for a published comment, 2 for one
waiting for approval and 4 for a deleted comment kept because it has replies.

- A thread's URI (`/news/foo.html`, maybe with a host, a query, a fragment,
  `index.html`, a trailing slash or no `.html`) is matched to an article's
  `url`, translation URLs or `absolute_url` from articles.json; failing that,
  to the URL's tail, then to a slug equal to its last segment. Comments of
  URIs that match no article are counted in the report, not imported.
- Comments keep their parents. A deleted Isso comment with replies becomes a
  Kurier placeholder (as a deletion in Kurier leaves one), so its replies stay
  where they were; one without replies is left out. A reply whose parent is
  missing from the file becomes a top-level comment.
- Texts are Isso's Markdown source, rendered and sanitised as Kurier renders
  its own; a text Kurier would refuse (too long, control characters) is kept
  as escaped plain text. Times become ISO 8601 UTC.
- Privacy: e-mail addresses, IP addresses, websites and voters are not
  copied. The author's id is `isso:` and a keyed hash of name and e-mail, so
  one person's comments stay together without revealing the address.
- Pending comments (mode 2) stay pending (`approved: false`); likes are
  kept as the like count (Isso has no record of who liked, and no dislikes
  in Kurier).
- Everything is written in one transaction, and each touched thread's
  comment count is recounted. Imported rows carry `isso_id`, so importing the
  same file again adds only what is new.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import render, times
from .articles import Article, ArticleIndex, parse_manifest
from .config import Settings
from .identity import NAME_MAX, clean_name
from .store import Store
from .store.rows import CommentRow

ACCEPTED, PENDING, DELETED = 1, 2, 4
ANONYMOUS = "Anonim"
NEEDED = {
    "threads": {"id", "uri"},
    "comments": {"tid", "id", "parent", "created", "modified", "mode", "text", "author"},
}


class NotIssoError(Exception):
    """The file is not an Isso database that can be read."""


@dataclass(frozen=True)
class IssoComment:
    id: int
    uri: str
    parent: int | None
    created: float
    modified: float | None
    mode: int
    text: str
    author: str
    email: str
    likes: int


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    imported: int = 0
    pending: int = 0
    placeholders: int = 0
    plain_text: int = 0  # texts Kurier's renderer refused, kept as escaped text
    already: int = 0  # imported by an earlier run
    threads: set[str] = field(default_factory=set)
    unmapped: Counter[str] = field(default_factory=Counter)  # URI -> comments not imported

    @property
    def mapped_any(self) -> bool:
        return bool(self.imported or self.already)


# --- reading Isso -------------------------------------------------------------


def read_isso(path: Path) -> list[IssoComment]:
    """Every comment of the Isso database at `path` with its thread's URI, by id."""
    if not path.is_file():
        raise NotIssoError(f"{path} does not exist or is not a file")
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise NotIssoError(f"cannot open {path}: {error}") from None
    try:
        for table, columns in NEEDED.items():
            found = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            if not columns <= found:
                raise NotIssoError(
                    f"{path} is not an Isso database: it has no {table} table with "
                    f"the columns {', '.join(sorted(columns))}"
                )
        has_likes = "likes" in {row[1] for row in conn.execute("PRAGMA table_info(comments)")}
        has_email = "email" in {row[1] for row in conn.execute("PRAGMA table_info(comments)")}
        rows = conn.execute(
            "SELECT c.id, t.uri, c.parent, c.created, c.modified, c.mode, c.text, c.author, "
            f"{'c.email' if has_email else 'NULL'}, {'c.likes' if has_likes else '0'} "
            "FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid ORDER BY c.id"
        ).fetchall()
    except sqlite3.DatabaseError as error:  # "file is not a database" and the like
        raise NotIssoError(f"{path} is not an Isso database: {error}") from None
    finally:
        conn.close()
    return [comment for comment in map(_comment, rows) if comment is not None]


def _comment(row: tuple[Any, ...]) -> IssoComment | None:
    """One row as an IssoComment; None for a row too damaged to import."""
    comment_id, uri, parent, created, modified, mode, text, author, email, likes = row
    try:
        created = float(created)
        modified = float(modified) if modified is not None else None
    except (TypeError, ValueError):
        return None
    if not math.isfinite(created) or not isinstance(comment_id, int):
        return None
    return IssoComment(
        id=comment_id,
        uri=uri if isinstance(uri, str) else "",
        parent=parent if isinstance(parent, int) else None,
        created=created,
        modified=modified if modified is not None and math.isfinite(modified) else None,
        mode=mode if isinstance(mode, int) else ACCEPTED,
        text=text if isinstance(text, str) else "",
        author=author if isinstance(author, str) else "",
        email=email if isinstance(email, str) else "",
        likes=likes if isinstance(likes, int) and likes > 0 else 0,
    )


# --- mapping URIs to threads ----------------------------------------------------


def uri_key(uri: str) -> str:
    """A page address reduced to what identifies the page: its decoded path,
    without slashes at the ends, `index.html` or `.html`."""
    path = unquote(urlsplit(uri.strip()).path).strip("/")
    if path == "index.html" or path.endswith("/index.html"):
        path = path.removesuffix("index.html").rstrip("/")
    for suffix in (".html", ".htm"):
        if path.endswith(suffix):
            path = path.removesuffix(suffix)
    return path


class UriMap:
    """Isso URIs to article slugs, through every address articles.json gives."""

    def __init__(self, articles: dict[str, Article]):
        self.slugs = set(articles)
        self.keys: dict[str, str] = {}
        for slug, article in articles.items():
            for url in (*article.urls.values(), *article.absolute_urls.values()):
                key = uri_key(url)
                if key:
                    self.keys.setdefault(key, slug)

    def slug(self, uri: str) -> str | None:
        key = uri_key(uri)
        if not key:
            return None
        parts = key.split("/")
        # The page under another prefix (the site moved, or was served
        # below a path): match the longest tail that names an article.
        for start in range(len(parts)):
            found = self.keys.get("/".join(parts[start:]))
            if found:
                return found
        return parts[-1] if parts[-1] in self.slugs else None


# --- writing Kurier rows ------------------------------------------------------


def author_id(secret: str, name: str, email: str) -> str:
    """A stable id for an Isso author; the key keeps the e-mail from being guessed back."""
    digest = hmac.new(secret.encode(), f"{name}\x00{email}".encode(), hashlib.sha256)
    return "isso:" + digest.hexdigest()[:16]


def _text(source: str, report: Report) -> tuple[str, str]:
    """The stored source and its sanitised HTML."""
    if not source.strip():
        return "", ""
    try:
        return render.render_and_validate(source)
    except render.BodyError:
        report.plain_text += 1
        escaped = html.escape(source).replace("\n", "<br>\n")
        return source, render.sanitize_html(f"<p>{escaped}</p>")


def _row(
    comment: IssoComment, slug: str, parent: int | None, secret: str, report: Report
) -> CommentRow:
    deleted = comment.mode == DELETED
    name = clean_name(comment.author)[:NAME_MAX] or ANONYMOUS
    body, body_html = ("", "") if deleted else _text(comment.text, report)
    return {
        "thread": slug,
        "parent": parent,
        "author_id": author_id(secret, comment.author, comment.email),
        "author_name": "" if deleted else name,
        "body": body,
        "body_html": body_html,
        "created": times.from_timestamp(comment.created),
        "edited": _edited(comment) if not deleted else None,
        "deleted": deleted,
        "pinned": False,
        "likes": 0 if deleted else comment.likes,
        "approved": comment.mode != PENDING,
        "hidden": None,
        "flags": 0,
        "isso_id": comment.id,
    }


def _edited(comment: IssoComment) -> str | None:
    return times.from_timestamp(comment.modified) if comment.modified else None


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_isso(
    settings: Settings, source: Path, articles: dict[str, Article], dry_run: bool = False
) -> Report:
    """Import `source` into the database of `settings`; see the module's docstring."""
    comments = read_isso(source)
    uri_map = UriMap(articles)
    report = Report()
    with settings.open_database() as db:
        store = Store(db, settings, ArticleIndex(settings.articles_path))
        try:
            with db.transaction():
                _import(store, comments, uri_map, settings.secret_key, report)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return report


def _import(
    store: Store, comments: list[IssoComment], uri_map: UriMap, secret: str, report: Report
) -> None:
    by_id = {comment.id: comment for comment in comments}
    slugs = {comment.id: uri_map.slug(comment.uri) for comment in comments}
    for comment in comments:
        if slugs[comment.id] is None and comment.mode != DELETED:
            report.unmapped[comment.uri or "(no thread)"] += 1
    # Earlier runs: Isso id -> Kurier id. A one-off scan: imports are rare.
    done = store.imports.imported_ids("isso_id")
    wanted = _with_ancestors(comments, by_id, slugs)

    def parent_of(comment: IssoComment) -> IssoComment | None:
        parent = by_id.get(comment.parent) if comment.parent is not None else None
        if parent is None or slugs[parent.id] != slugs[comment.id]:
            return None  # missing, or in another thread: the reply starts a thread
        return parent

    def insert(comment: IssoComment) -> None:
        """Insert the comment and, first, those of its parents not inserted yet."""
        chain: list[IssoComment] = []
        current: IssoComment | None = comment
        while current is not None and current.id not in done and current not in chain:
            chain.append(current)
            current = parent_of(current)
        for item in reversed(chain):
            parent = parent_of(item)
            # A parent not inserted by now is part of a loop of parents
            # (a damaged file): the loop is cut there.
            parent_id = done.get(parent.id) if parent is not None else None
            slug = slugs[item.id]
            assert slug is not None  # only mapped comments are wanted, parents in their thread
            row = _row(item, slug, parent_id, secret, report)
            done[item.id] = store.imports.insert(row)
            report.threads.add(row["thread"])
            if row["deleted"]:
                report.placeholders += 1
            else:
                report.imported += 1
                report.pending += not row["approved"]

    before = set(done)
    # Oldest first, so a thread reads in its old order.
    for comment in sorted(wanted, key=lambda c: (c.created, c.id)):
        if comment.id in before:
            report.already += comment.mode != DELETED
        elif comment.id not in done:  # not inserted already as some reply's parent
            insert(comment)
    for slug in sorted(report.threads):
        store.imports.recount(slug)


def _with_ancestors(
    comments: Iterable[IssoComment],
    by_id: dict[int, IssoComment],
    slugs: dict[int, str | None],
) -> list[IssoComment]:
    """The mapped comments to import: all but deleted ones, plus the deleted
    ones that still have a reply to keep in place."""
    keep = {c.id for c in comments if slugs[c.id] is not None and c.mode != DELETED}
    for comment_id in list(keep):
        parent = by_id[comment_id].parent
        seen: set[int] = set()
        while parent in by_id and parent not in seen and by_id[parent].mode == DELETED:
            seen.add(parent)
            if slugs[parent] == slugs[comment_id]:
                keep.add(parent)
            parent = by_id[parent].parent
    return [by_id[comment_id] for comment_id in keep]


def load_articles(path: Path | None) -> dict[str, Article]:
    """The articles of the manifest at `path`; ValueError with a message if unusable."""
    if path is None:
        raise ValueError(
            "set COMMENTS_ARTICLES (or COMMENTS_SITE_DIR): Isso's pages are matched to "
            "articles through articles.json"
        )
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read the articles manifest {path}: {error}") from None
    if not isinstance(entries, list):
        raise ValueError(f"{path} is not an articles manifest (a JSON list)")
    return parse_manifest(entries)


def summary(report: Report, source: Path, target: Path | str, dry_run: bool) -> list[str]:
    """The lines the command prints."""
    verb = "would import" if dry_run else "imported"
    lines = [
        f"{verb} {report.imported} comments into {len(report.threads)} threads "
        f"from {source} into {target}",
        f"  waiting for approval: {report.pending}; placeholders of deleted comments "
        f"with replies: {report.placeholders}; kept as plain text: {report.plain_text}; "
        f"imported before: {report.already}",
    ]
    if report.unmapped:
        total = sum(report.unmapped.values())
        lines.append(f"not mapped to any article ({total} comments not imported):")
        for uri, count in sorted(report.unmapped.items()):
            lines.append(f"  {uri}: {count} comment{'s' if count != 1 else ''}")
    if dry_run:
        lines.append("dry run: nothing was written")
    return lines

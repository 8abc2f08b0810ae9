"""Generated comment data for the comments benchmarks, written straight into SQLite.

Threads of 100 comments of about 300 characters, a third of them replies,
with likes and article reactions from a pool of people. Bodies are Markdown
rendered by `comments_service.render`, as the service renders a posted one;
a pool of distinct bodies is rendered once and reused, which keeps seeding
100,000 comments to seconds. Documents are inserted in bulk through the
service's own `Store` tables (same indexes), in the shape `Store.add_comment`
writes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tinydb.table import Document

from bench.corpus import AUTHORS, POLISH_WORDS
from comments_service import render
from comments_service.storage import Database
from comments_service.store.tables import Tables

SEED = 20261128
PER_THREAD = 100
BODY_POOL = 600
PEOPLE = 2000
REPLY_SHARE = 1 / 3
BATCH = 10_000
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
REACTIONS = ("like", "love", "celebrate", "insightful", "curious")


@dataclass(frozen=True)
class Seeded:
    """What a seeded database holds."""

    path: Path | str  # an SQLite file, or a PostgreSQL address
    manifest: Path
    slugs: list[str]
    comments: int
    marks: int
    mean_body_chars: float
    mean_html_chars: float


def _sentence(rng: random.Random) -> str:
    words = rng.choices(POLISH_WORDS, k=rng.randint(5, 12))
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = rng.choice(("**{}**", "*{}*", "`{}`")).format(words[at])
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice("....!?")


def comment_text(rng: random.Random, target: int = 300) -> str:
    """A comment of about `target` characters with some Markdown."""
    blocks = []
    roll = rng.random()
    if roll < 0.1:
        blocks.append("> " + _sentence(rng))
    length = sum(len(block) for block in blocks)
    paragraph: list[str] = []
    while length < target - 40:
        sentence = _sentence(rng)
        paragraph.append(sentence)
        length += len(sentence) + 1
        if len(paragraph) >= 3 and rng.random() < 0.3:
            blocks.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        blocks.append(" ".join(paragraph))
    if 0.1 <= roll < 0.2:
        items = [" ".join(rng.choices(POLISH_WORDS, k=rng.randint(2, 4))) for _ in range(3)]
        blocks.append("\n".join(f"- {item}" for item in items))
    elif 0.2 <= roll < 0.3:
        blocks.append(f"Więcej: https://intranet.example/wiki/{rng.randint(100, 999)}")
    return "\n\n".join(blocks)


def body_pool(rng: random.Random, size: int = BODY_POOL) -> list[tuple[str, str]]:
    """Distinct comment bodies with their rendered HTML: ``(text, html)``."""
    return [render.render_and_validate(comment_text(rng)) for _ in range(size)]


def people(rng: random.Random, count: int = PEOPLE) -> list[tuple[str, str]]:
    """``(user id, display name)`` pairs, ids shaped like open mode's."""
    first = [name.split()[0] for name in AUTHORS]
    last = [name.split()[-1] for name in AUTHORS]
    return [
        (f"u{rng.getrandbits(64):016x}", f"{rng.choice(first)} {rng.choice(last)}")
        for _ in range(count)
    ]


def manifest_entries(slugs: list[str]) -> list[dict]:
    """articles.json entries for `slugs` (API.md's fields)."""
    return [
        {
            "slug": slug,
            "title": f"Artykuł {index}",
            "url": f"news/2026/{slug}.html",
            "lang": "pl",
            "date": (START - timedelta(days=index % 365)).isoformat(),
            "category": "firma",
            "must_read": False,
            "comments": "open",
            "authors": [AUTHORS[index % len(AUTHORS)]],
            "translations": [],
        }
        for index, slug in enumerate(slugs)
    ]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def seed(folder: Path, threads: int, extra_slugs: int = 0, location: str | None = None) -> Seeded:
    """A database of `threads` × 100 comments and its manifest in `folder`.

    `extra_slugs` more articles are listed without comments (for counts).
    `location` (a PostgreSQL address, say) holds the comments instead of a
    file in `folder`: they go through the storage layer, which serves both.
    """
    rng = random.Random(SEED)
    pool = body_pool(rng)
    crowd = people(rng)
    slugs = [f"artykul-{index:05d}" for index in range(threads + extra_slugs)]
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "articles.json"
    manifest.write_text(json.dumps(manifest_entries(slugs), ensure_ascii=False), "utf-8")
    path: Path | str = location or folder / "comments.sqlite3"

    comments: list[Document] = []
    marks: list[dict] = []
    thread_docs: list[dict] = []
    authors_seen: set[str] = set()
    for number, slug in enumerate(slugs[:threads]):
        first_id = number * PER_THREAD + 1
        moment = START + timedelta(hours=number)
        for offset in range(PER_THREAD):
            doc_id = first_id + offset
            author_id, author_name = rng.choice(crowd)
            authors_seen.add(author_id)
            text, html = rng.choice(pool)
            parent = None
            if offset and rng.random() < REPLY_SHARE:
                parent = rng.randrange(first_id, doc_id)
            likers = rng.sample(crowd, rng.choice((0, 0, 1, 1, 2, 3, 5)))
            moment += timedelta(minutes=rng.randint(1, 90))
            row = {
                "thread": slug,
                "parent": parent,
                "author_id": author_id,
                "author_name": author_name,
                "body": text,
                "body_html": html,
                "created": _iso(moment),
                "edited": None,
                "deleted": False,
                "pinned": False,
                "likes": len(likers),
            }
            comments.append(Document(row, doc_id=doc_id))
            marks.extend(
                {
                    "thread": slug,
                    "user": uid,
                    "type": "like",
                    "key": str(doc_id),
                    "at": _iso(moment),
                }
                for uid, _ in likers
            )
        reactions: dict[str, int] = {}
        for uid, _ in rng.sample(crowd, rng.randint(5, 30)):
            kind = rng.choice(REACTIONS)
            reactions[kind] = reactions.get(kind, 0) + 1
            marks.append(
                {"thread": slug, "user": uid, "type": "reaction", "key": kind, "at": _iso(moment)}
            )
        thread_docs.append(
            {
                "slug": slug,
                "comment_count": PER_THREAD,
                "reactions": reactions,
                "version": 1,
                "locked": False,
                "ack_count": 0,
                "ack_since": None,
            }
        )

    # Seeding is not what is measured: no fsync per transaction here.
    # Straight into the tables: the store's operations would cost a transaction each.
    with Database(path, synchronous="OFF") as db:
        tables = Tables.open(db)
        tables.threads.insert_multiple(thread_docs)
        for start in range(0, len(comments), BATCH):
            tables.comments.insert_multiple(comments[start : start + BATCH])
        for start in range(0, len(marks), BATCH):
            tables.marks.insert_multiple(marks[start : start + BATCH])
        tables.limits.insert_multiple(
            {"key": f"comment:{uid}", "tat": 0.0} for uid in sorted(authors_seen)
        )
    return Seeded(
        path=path,
        manifest=manifest,
        slugs=slugs,
        comments=len(comments),
        marks=len(marks),
        mean_body_chars=sum(len(doc["body"]) for doc in comments) / max(1, len(comments)),
        mean_html_chars=sum(len(doc["body_html"]) for doc in comments) / max(1, len(comments)),
    )

"""Real servers for the load tests, on each storage engine.

`start_server(workers=4, **settings)` runs `python -m comments_service serve`
with N uvicorn workers in its own process group, and waits until /healthz
answers; `uds=True` serves on a unix socket, `log_level="info"` logs every
request. Every test runs twice (the `engine` fixture of tests/conftest.py):
on SQLite, each server has a file of its own in tmp_path; on PostgreSQL, the
servers of one test share one fresh schema (one database, several hosts),
dropped once they have stopped. `location=` gives a server another database.
Keyword settings become COMMENTS_* variables (`rate_limit="20/minute"` sets
COMMENTS_RATE_LIMIT). Every server is stopped when the test ends, whatever
happened. The servers themselves are tests/servers.py's, shared with the
browser tests.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path

import pytest

from comments_service.storage import Database
from tests import postgres
from tests.servers import Server, free_port, running_servers, service_env

SECRET_KEY = "load-test-secret-key-" + "x" * 32
OPEN, CLOSED, MUST_READ = "open-news", "closed-news", "must-read"
ARTICLES = [
    {"slug": OPEN, "lang": "pl", "title": "Otwarte", "url": "news/open-news.html",
     "date": "2026-11-01T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "translations": []},
    {"slug": CLOSED, "lang": "pl", "title": "Zamknięte", "url": "news/closed-news.html",
     "date": "2026-11-02T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "closed", "translations": []},
    {"slug": MUST_READ, "lang": "pl", "title": "Obowiązkowe", "url": "news/must-read.html",
     "date": "2026-11-04T09:00:00+01:00", "category": "bhp", "must_read": True,
     "comments": "open", "translations": []},
]  # fmt: skip
DEFAULT_SETTINGS = {
    "rate_limit": "100000/minute",
    "secret_key": SECRET_KEY,
    # Load comes from one address, as hundreds of readers at once.
    "identity_rate_limit": "1000000/hour",
    "edit_rate_limit": "100000/minute",
    "reaction_rate_limit": "100000/minute",
    "max_streams_per_address": "100000",
}


StartServer = Callable[..., Server]


@pytest.fixture
def start_server(tmp_path: Path, engine: str) -> Iterator[StartServer]:
    """Start real servers; each has its own folder and manifest, and the test's database."""
    with contextlib.ExitStack() as stack:
        # Entered first, left last: the schema is dropped after the servers stopped.
        shared = stack.enter_context(postgres.fresh_schema("load")) if engine != "sqlite" else None
        # Short, as a socket's path must fit in 108 bytes; removed after the servers stopped.
        sockets = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kurier-")))
        running = stack.enter_context(running_servers())

        def start(
            workers: int = 4,
            location: str | Path | None = None,
            *,
            uds: bool = False,
            log_level: str = "warning",
            **settings: str,
        ) -> Server:
            directory = tmp_path / f"server-{len(running.servers) + 1}"
            directory.mkdir()
            articles = directory / "articles.json"
            articles.write_text(json.dumps(ARTICLES), encoding="utf-8")
            env = service_env(
                directory,
                {**DEFAULT_SETTINGS, "articles": str(articles), **settings},
                location if location is not None else shared,
            )
            server = Server(directory=directory, workers=workers, env=env, port=free_port(),
                            log_level=log_level)  # fmt: skip
            if uds:
                server.uds = sockets / f"{directory.name}.sock"
            return running.start(server)

        yield start


def all_comments(comments: Iterable[dict]) -> Iterator[dict]:
    """Every comment of a thread's tree, replies included."""
    for comment in comments:
        yield comment
        yield from all_comments(comment["replies"])


@dataclass
class Stored:
    """What the database file holds, read after the server stopped."""

    integrity: str
    threads: dict[str, dict]
    comments: dict[int, dict]


def read_stopped(server: Server) -> tuple[Stored, dict[str, dict]]:
    """Stop `server` and read its database, which must be sound and hold comments of
    the OPEN thread only: what it stores, and those comments by id as the API writes ids."""
    server.stop()
    stored = read_database(server.location)
    assert stored.integrity == "ok"
    in_thread = {
        str(doc_id): doc for doc_id, doc in stored.comments.items() if doc["thread"] == OPEN
    }
    assert len(stored.comments) == len(in_thread), "comments outside the thread"
    return stored, in_thread


def read_database(location: str | Path) -> Stored:
    """Check the database (an SQLite file read-only with SQLite itself, before Kurier
    opens it; a PostgreSQL schema through the engine), then read its documents."""
    integrity = None
    if isinstance(location, Path):
        connection = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
        try:
            integrity = "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        finally:
            connection.close()
    with Database(location) as db:
        if integrity is None:
            integrity = db.integrity_check()
        threads = {doc["slug"]: dict(doc) for doc in db.table("threads").all()}
        comments = {doc.doc_id: dict(doc) for doc in db.table("comments").all()}
    return Stored(integrity=integrity, threads=threads, comments=comments)


def wait_for_progress(
    lock: threading.Lock, answered: Sized, since: int, when: str, timeout: float = 30.0
) -> None:
    """Wait until writers have more than `since` answered posts; fail after `timeout` s
    (the first answer after a restart may take that long)."""
    deadline = time.monotonic() + timeout
    while True:
        with lock:
            if len(answered) > since:
                return
        assert time.monotonic() < deadline, f"writers made no progress {when}"
        time.sleep(0.02)

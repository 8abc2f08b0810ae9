"""`python -m comments_service import-isso ISSO.db`, run for real on an Isso database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from starlette.testclient import TestClient

from comments_service.app import create_app
from comments_service.isso import uri_key
from comments_service.storage import Database
from tests.service.kit import ARTICLES, ORIGIN, REPO, html_problems, write_articles

# Isso's schema as Isso itself creates it: the CREATE statements of
# isso/db/threads.py, isso/db/comments.py, isso/db/preferences.py and the
# trigger of isso/db/__init__.py (github.com/isso-comments/isso).
ISSO_SCHEMA = """
CREATE TABLE IF NOT EXISTS preferences (
   key VARCHAR PRIMARY KEY, value VARCHAR
);
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER NOT NULL DEFAULT 0);
CREATE TRIGGER IF NOT EXISTS remove_stale_threads
AFTER DELETE ON comments
BEGIN
    DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments);
END;
PRAGMA user_version = 2;
"""

POLISH_URL = "news/zażółć-gęślą.html"
MANIFEST = [
    *ARTICLES,
    {"slug": "zazolc", "lang": "pl", "title": "Zażółć", "url": POLISH_URL,
     "date": "2026-11-05T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "translations": []},
]  # fmt: skip

THREADS = {
    1: "/news/open-news.html",
    # The English page of the same article: the same discussion in Kurier.
    2: "https://intranet.example/en/news/open-news.html?utm_source=x#isso-thread",
    3: "/news/must-read/",
    4: "/blog/2019/news/closed-news.html",  # served below a prefix then
    5: "/news/za%C5%BC%C3%B3%C5%82%C4%87-g%C4%99%C5%9Bl%C4%85.html",
    6: "/old/page.html",
    7: "https://other.example/removed",
}
ACCEPTED, PENDING, DELETED = 1, 2, 4
T0 = 1_700_000_000.5  # 2023-11-14T22:13:20Z
# (id, thread, parent, created offset, modified offset, mode, text, author, email, likes)
COMMENTS = [
    (1, 1, None, 0, 100, ACCEPTED,
     "**Dzień dobry** <script>alert(1)</script> [x](javascript:alert(1))\n\n- jeden\n- dwa",
     "Anna Kowalska", "anna@example.com", 3),
    (2, 1, 1, 200, None, ACCEPTED, "Odpowiedź bez podpisu", "", "", 0),
    (3, 1, None, 300, None, DELETED, "", None, "gone@example.com", 0),
    (4, 1, 3, 400, None, ACCEPTED, "Odpowiedź do usuniętego", "Jan", "", 1),
    (5, 1, None, 500, None, PENDING, "Czeka na zgodę", "Piotr", "p@example.com", 0),
    (6, 1, None, 600, None, DELETED, "", None, None, 0),  # deleted, no replies
    (7, 1, 999, 700, None, ACCEPTED, "Rodzic zaginął", "Ola", "", 0),
    (8, 2, None, 800, None, ACCEPTED, "From the English page", "Anna Kowalska",
     "anna@example.com", 0),
    (9, 3, None, 900, None, ACCEPTED, "Przeczytane", "Ewa", "", 0),
    (10, 4, None, 1000, None, ACCEPTED, "Stary wpis", "Ewa", "", 0),
    (11, 5, None, 1100, None, ACCEPTED, "Polskie znaki", "Ewa", "", 0),
    (12, 6, None, 1200, None, ACCEPTED, "Nie ma artykułu", "Ewa", "", 0),
    (13, 6, 12, 1300, None, ACCEPTED, "Też nie", "Ewa", "", 0),
    (14, 7, None, 1400, None, ACCEPTED, "Nigdzie", "Ewa", "", 0),
    (15, 1, None, 1500, None, ACCEPTED, "Zła\x01linia " + "x" * 10, "Ewa", "", 0),
]  # fmt: skip


def make_isso(path: Path, comments=COMMENTS, threads=THREADS) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(ISSO_SCHEMA)
        db.execute("INSERT INTO preferences VALUES ('session-key', 'abc123')")
        db.executemany(
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            [(tid, uri, f"Page {tid}") for tid, uri in threads.items()],
        )
        for cid, tid, parent, created, modified, mode, text, author, email, likes in comments:
            db.execute(
                "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr,"
                " text, author, email, website, likes, dislikes, voters)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tid, cid, parent, T0 + created, T0 + modified if modified else None, mode,
                 "10.1.2.3", text, author, email, "https://homepage.example", likes, 2,
                 b"\x00" * 32),
            )  # fmt: skip
    db.close()
    return path


def run(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comments_service", "import-isso", *args],
        env={
            "PATH": "/usr/bin:/bin",
            "COMMENTS_DB": str(settings.db),
            "COMMENTS_ARTICLES": str(settings.articles),
            "COMMENTS_SECRET_KEY": settings.secret_key,
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def isso_db(tmp_path, settings) -> Path:
    write_articles(settings.articles, MANIFEST)
    return make_isso(tmp_path / "isso.db")


def reader(settings) -> TestClient:
    return TestClient(create_app(settings), headers={"origin": ORIGIN})


def kurier_rows(settings) -> list[dict]:
    with Database(settings.db) as db:
        return [dict(doc) for doc in db.table("comments").all()]


def test_import_maps_threads_keeps_nesting_and_renders(isso_db, settings):
    result = run(settings, str(isso_db))
    assert result.returncode == 0, result.stderr
    assert "imported 10 comments into 4 threads" in result.stdout
    assert "waiting for approval: 1" in result.stdout
    assert "placeholders of deleted comments with replies: 1" in result.stdout
    assert "kept as plain text: 1" in result.stdout
    assert "/old/page.html: 2 comments" in result.stdout
    assert "https://other.example/removed: 1 comment\n" in result.stdout

    with reader(settings) as client:
        thread = client.get("/api/v1/threads/open-news").json()
        counts = client.get("/api/v1/counts?slug=open-news,must-read,closed-news,zazolc").json()
    # Public: 1, 2, 4, 7, 8 and 15; not the pending 5 nor the placeholder 3.
    assert thread["thread"]["comment_count"] == 6
    assert {slug: c["comments"] for slug, c in counts.items()} == {
        "open-news": 6, "must-read": 1, "closed-news": 1, "zazolc": 1,
    }  # fmt: skip

    top = thread["comments"]
    texts = [c["body_html"] for c in top]
    assert len(top) == 5  # 1, the placeholder of 3, 7, 8, 15 (oldest first)
    first, placeholder, orphan, english, plain = top
    assert "<strong>Dzień dobry</strong>" in first["body_html"]
    assert "<li>jeden</li>" in first["body_html"]
    for html in texts + [first["replies"][0]["body_html"]]:
        assert html_problems(html) == [], html
        assert "<script" not in html and "javascript:" not in html
    assert first["author"]["name"] == "Anna Kowalska"
    assert first["author"]["id"].startswith("isso:")
    assert english["author"]["id"] == first["author"]["id"]  # one person, one id
    assert first["created"] == "2023-11-14T22:13:20Z"
    assert first["edited"] == "2023-11-14T22:15:00Z"
    assert first["reactions"] == {"like": 3}
    [reply] = first["replies"]
    assert reply["author"]["name"] == "Anonim"
    assert reply["parent"] == first["id"]
    assert placeholder["deleted"] and placeholder["body_html"] == ""
    [kept] = placeholder["replies"]
    assert "Odpowiedź do usuniętego" in kept["body_html"]
    assert kept["parent"] == placeholder["id"]
    assert orphan["parent"] is None and "Rodzic zaginął" in orphan["body_html"]
    assert "From the English page" in english["body_html"]
    # Kurier refuses control characters in new comments; an old one keeps
    # its text, escaped, the character replaced.
    assert plain["body_html"] == "<p>Zła\ufffdlinia xxxxxxxxxx</p>"

    rows = kurier_rows(settings)
    assert len(rows) == 11  # 10 comments and one placeholder
    [pending] = [r for r in rows if r["isso_id"] == 5]
    assert pending["approved"] is False and "Czeka" in pending["body_html"]
    # Nothing personal beyond the name is carried over.
    stored = json.dumps(rows, ensure_ascii=False)
    for secret in ("example.com", "10.1.2.3", "homepage", "abc123"):
        assert secret not in stored


def test_imported_comments_are_in_the_feeds_with_their_old_dates(isso_db, settings):
    assert run(settings, str(isso_db)).returncode == 0
    with reader(settings) as client:
        response = client.get("/feeds/threads/open-news.atom")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert len(parsed.entries) == 6
    assert parsed.entries[-1].published.startswith("2023-11-14T22:13:20")
    assert "Czeka" not in response.text


def test_importing_again_adds_nothing(isso_db, settings):
    assert run(settings, str(isso_db)).returncode == 0
    before = kurier_rows(settings)
    again = run(settings, str(isso_db))
    assert again.returncode == 0, again.stderr
    assert "imported 0 comments into 0 threads" in again.stdout
    assert "imported before: 10" in again.stdout
    assert kurier_rows(settings) == before
    with reader(settings) as client:
        assert client.get("/api/v1/threads/open-news").json()["thread"]["comment_count"] == 6


def test_new_isso_comments_are_added_on_the_next_run(isso_db, settings):
    assert run(settings, str(isso_db)).returncode == 0
    with sqlite3.connect(isso_db) as db:
        db.execute(
            "INSERT INTO comments (tid, id, parent, created, mode, text, author, voters)"
            " VALUES (1, 16, 1, ?, 1, 'Później', 'Jan', x'00')",
            (T0 + 5000,),
        )
    db.close()
    result = run(settings, str(isso_db))
    assert "imported 1 comments into 1 threads" in result.stdout
    with reader(settings) as client:
        thread = client.get("/api/v1/threads/open-news").json()
    assert thread["thread"]["comment_count"] == 7
    assert [r["body_html"] for r in thread["comments"][0]["replies"]][-1] == "<p>Później</p>"


def test_a_running_service_sees_the_import(isso_db, settings):
    """The import bumps each thread's version: cached views are rebuilt."""
    with reader(settings) as client:
        assert client.get("/api/v1/threads/open-news").json()["comments"] == []
        assert run(settings, str(isso_db)).returncode == 0
        assert len(client.get("/api/v1/threads/open-news").json()["comments"]) == 5


def test_dry_run_writes_nothing(isso_db, settings):
    result = run(settings, str(isso_db), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would import 10 comments into 4 threads" in result.stdout
    assert "/old/page.html: 2 comments" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert kurier_rows(settings) == []


@pytest.mark.sqlite_only
def test_files_that_are_not_isso_databases(tmp_path, settings, client):
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 50)
    result = run(settings, str(text))
    assert result.returncode == 2
    assert "not an Isso database" in result.stderr and str(text) in result.stderr

    # A Kurier database is SQLite, but not Isso's.
    client.post("/api/v1/threads/open-news/comments", json={"body": "hello"})
    result = run(settings, str(settings.db))
    assert result.returncode == 2
    assert "not an Isso database" in result.stderr

    missing = run(settings, str(tmp_path / "nope.db"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


@pytest.mark.sqlite_only
def test_nothing_mappable_fails(tmp_path, settings):
    isso = make_isso(
        tmp_path / "isso.db",
        comments=[c for c in COMMENTS if c[1] in (6, 7)],
        threads={6: THREADS[6], 7: THREADS[7]},
    )
    result = run(settings, str(isso))
    assert result.returncode == 1
    assert "none of the comments could be matched" in result.stderr
    assert "/old/page.html: 2 comments" in result.stdout
    assert kurier_rows(settings) == []


def test_an_empty_isso_database_imports_nothing(tmp_path, settings):
    result = run(settings, str(make_isso(tmp_path / "isso.db", comments=[], threads={})))
    assert result.returncode == 0, result.stderr
    assert "imported 0 comments" in result.stdout


@pytest.mark.parametrize(
    ("uri", "key"),
    [
        ("/news/a.html", "news/a"),
        ("news/a.html", "news/a"),
        ("https://host.example/news/a.html?x=1#c", "news/a"),
        ("/news/a/", "news/a"),
        ("/news/a/index.html", "news/a"),
        ("/index.html", ""),
        ("/", ""),
        ("/news/za%C5%BC%C3%B3%C5%82%C4%87.html", "news/zażółć"),
    ],
)
def test_uri_key(uri, key):
    assert uri_key(uri) == key

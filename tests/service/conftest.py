"""A fresh service per test: its own SQLite file and articles manifest in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from comments_service.app import create_app
from comments_service.config import RateLimit, Settings

ORIGIN = "http://testserver"
ARTICLES = [
    {"slug": "open-news", "lang": "pl", "title": "Otwarte", "url": "news/open-news.html",
     "date": "2026-11-01T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "authors": ["Anna Nowak"], "author_logins": ["anowak"],
     "translations": [{"lang": "en", "url": "en/news/open-news.html"}]},
    {"slug": "open-news", "lang": "en", "title": "Open", "url": "en/news/open-news.html",
     "date": "2026-11-01T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "authors": ["Anna Nowak"], "translations": [
         {"lang": "pl", "url": "news/open-news.html"}]},
    {"slug": "closed-news", "lang": "pl", "title": "Zamknięte", "url": "news/closed-news.html",
     "date": "2026-11-02T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "closed", "translations": []},
    {"slug": "hidden-news", "lang": "pl", "title": "Bez dyskusji", "url": "news/hidden-news.html",
     "date": "2026-11-03T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "hidden", "translations": []},
    {"slug": "must-read", "lang": "pl", "title": "Obowiązkowe", "url": "news/must-read.html",
     "date": "2026-11-04T09:00:00+01:00", "category": "bhp", "must_read": True,
     "comments": "open", "translations": []},
]  # fmt: skip


def write_articles(path: Path, entries: list[dict]) -> None:
    path.write_text(json.dumps(entries), encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    articles = tmp_path / "articles.json"
    write_articles(articles, ARTICLES)
    return Settings(
        db=tmp_path / "comments.sqlite3",
        articles=articles,
        secret_key="test-secret-key-" + "x" * 32,
        rate_limit=RateLimit(1000, 60),
        # Tests make many people at once from one address and report at once;
        # the limits on that are tested where they are the point.
        identity_rate_limit=RateLimit(10_000, 60),
        report_min_age=0,
        sign_in_failure_delay=0.05,
    )


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Clients of one database, each with its own app (like separate workers)
    and its own cookies; `peer` is the client's address, other keyword
    arguments change the settings."""
    clients: list[TestClient] = []

    def make(name: str | None = None, peer: str = "testclient", **changes) -> TestClient:
        app = create_app(replace(settings, **changes))
        client = TestClient(
            app, headers={"origin": ORIGIN}, raise_server_exceptions=False, client=(peer, 50000)
        )
        client.__enter__()
        clients.append(client)
        if name:
            response = client.post("/api/v1/me", json={"name": name})
            assert response.status_code == 200, response.text
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def header_client(make_client) -> Callable[..., TestClient]:
    """Clients of header mode behind the trusted proxy (127.0.0.1), one per set of settings."""

    def make(**changes) -> TestClient:
        return make_client(peer="127.0.0.1", auth="header", **changes)

    return make


@pytest.fixture
def person(header_client) -> Callable[..., TestClient]:
    """Header mode: a person the company sign-in names (`login`, display `name`)."""

    def make(login: str, name: str = "", groups: str = "", **changes) -> TestClient:
        client = header_client(**changes)
        client.headers.update({"x-forwarded-user": login, "x-forwarded-preferred-username": name,
                               "x-forwarded-groups": groups})  # fmt: skip
        return client

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    """A reader who has chosen the display name Ewa."""
    return make_client("Ewa")


@pytest.fixture
def anonymous(make_client) -> TestClient:
    return make_client()


def assert_api_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The response is the one error shape of API.md with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    extra = {"until"} if code == "muted" else set()  # a mute says until when
    assert set(error) == {"code", "message", "field"} | extra
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        assert error["field"] == field
    return error

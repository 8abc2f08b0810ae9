"""A fresh service per test: its own database (an SQLite file in tmp_path, or a fresh
PostgreSQL schema: every test runs on both engines) and articles manifest.

The helpers the tests share are in kit.py; here are the fixtures, which pytest
finds from every folder below this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from comments_service import times
from comments_service.app import create_app
from comments_service.config import RateLimit, Settings
from tests.service.kit import ARTICLES, ORIGIN, ManualClock, write_articles


@pytest.fixture
def settings(tmp_path: Path, db_location: Path | str) -> Settings:
    articles = tmp_path / "articles.json"
    write_articles(articles, ARTICLES)
    return Settings(
        db=db_location,
        articles=articles,
        secret_key="test-secret-key-" + "x" * 32,
        rate_limit=RateLimit(1000, 60),
        # Tests make many people at once from one address and report at once;
        # the limits on that are tested where they are the point.
        identity_rate_limit=RateLimit(10_000, 60),
        report_min_age=0,
        sign_in_failure_delay=0.05,
        manifest_check_interval=0,  # a changed articles.json is seen at once
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


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """The service's clock, standing still at the current second until the test moves it."""
    manual = ManualClock(times.now())
    previous = times.use_clock(manual)
    yield manual
    times.use_clock(previous)

"""GET /healthz and /readyz: whether the service is alive, and whether it can take writes."""

from __future__ import annotations

import time

import pytest

from tests.ops import writers_lock_held
from tests.service.kit import assert_api_error


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "threads": 4}


# --- GET /readyz: can the service take writes? ------------------------------------------


def test_readyz_ready_when_the_database_takes_writes_and_the_manifest_is_loaded(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready", "database": "writable", "articles": "loaded", "threads": 4,
    }  # fmt: skip
    assert response.headers["cache-control"] == "private, no-store"


def test_readyz_not_ready_while_another_writer_holds_the_write_lock(client, settings):
    with writers_lock_held(settings.db):
        started = time.monotonic()
        response = client.get("/readyz")
        waited = time.monotonic() - started
    error = assert_api_error(response, 503, "not_ready")
    assert "database" in error["message"] and "manifest" not in error["message"]
    assert int(response.headers["retry-after"]) > 0
    assert waited < 3, "the check waits briefly for the lock, not for the busy timeout"
    # Nothing of where the database lives goes to whoever asks.
    assert str(settings.db) not in response.text
    assert client.get("/readyz").status_code == 200  # the lock is free again


def test_readyz_not_ready_without_the_articles_manifest(make_client, tmp_path):
    client = make_client(articles=tmp_path / "not-built-yet" / "articles.json")
    error = assert_api_error(client.get("/readyz"), 503, "not_ready")
    assert "manifest" in error["message"] and "database" not in error["message"]
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_readyz_not_ready_once_the_service_is_stopping(client):
    client.app.state.events.end_streams()  # what SIGTERM and SIGINT do
    error = assert_api_error(client.get("/readyz"), 503, "not_ready")
    assert "stopping" in error["message"]


def test_readyz_not_ready_on_a_read_only_postgresql(client, engine):
    if engine != "postgresql":
        pytest.skip("a server that refuses writes (a standby, read-only) is PostgreSQL's")
    # What an operator's ALTER … SET default_transaction_read_only, or a failover
    # leaving this host on a standby, does to the service's connection.
    client.app.state.db.storage.session.execute("SET default_transaction_read_only = on")
    assert_api_error(client.get("/readyz"), 503, "not_ready")
    client.app.state.db.storage.session.execute("SET default_transaction_read_only = off")
    assert client.get("/readyz").status_code == 200

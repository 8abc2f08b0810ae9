"""The service as a whole: JSON answers for unknown routes and failures, compressed pages."""

from __future__ import annotations

import pytest

from tests.service.kit import COMMENTS, THREAD, assert_api_error, comment_id


def test_unknown_route_and_method_answer_json(client):
    assert_api_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_api_error(client.post(THREAD, json={}), 405, "method_not_allowed")


@pytest.mark.sqlite_only
def test_unexpected_failure_is_500_without_details(client, settings):
    import sqlite3

    comment_id(client)
    # A broken database behind the service's back: every insert now fails.
    with sqlite3.connect(settings.db) as db:
        db.execute(
            'CREATE TRIGGER broken BEFORE INSERT ON "docs:comments" '
            "BEGIN SELECT RAISE(ABORT, 'disk trouble in table docs:comments'); END"
        )
    response = client.post(COMMENTS, json={"body": "po awarii"})
    error = assert_api_error(response, 500, "internal_error")
    assert "sqlite" not in error["message"].lower() and "table" not in error["message"].lower()
    assert response.headers["x-content-type-options"] == "nosniff"


def test_site_pages_go_out_gzipped_and_api_answers_do_not(make_client, tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    page = "<!doctype html><title>Kurier</title>" + "<p>Akapit o bezpieczeństwie.</p>" * 200
    (site / "news" / "open-news.html").write_text(page, encoding="utf-8")
    client = make_client("Czytelnik", site_dir=site)
    response = client.get("/news/open-news.html", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(page) // 5
    assert response.text == page
    thread = client.get("/api/v1/threads/open-news", headers={"Accept-Encoding": "gzip"})
    assert thread.status_code == 200 and "content-encoding" not in thread.headers

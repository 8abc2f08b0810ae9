"""Hostile comments through the HTTP API: what is stored and served is inert."""

from __future__ import annotations

from comments_service.storage import Database
from tests.service.kit import THREAD, XSS_PAYLOADS, html_problems


def test_xss_payloads_are_stored_and_served_inert(client, settings):
    assert len(XSS_PAYLOADS) >= 100
    accepted = 0
    for payload in XSS_PAYLOADS:
        response = client.post(THREAD + "/comments", json={"body": payload})
        assert response.status_code in (201, 422), (payload, response.text)
        if response.status_code == 201:
            accepted += 1
            assert html_problems(response.json()["body_html"]) == [], payload
    assert accepted >= 100

    served = client.get(THREAD).json()["comments"]
    assert len(served) == accepted
    for comment in served:
        assert html_problems(comment["body_html"]) == [], comment["body"]

    # What is stored in the database itself, not only what the API shows.
    with Database(settings.db) as db:
        stored = [doc["body_html"] for doc in db.table("comments").all()]
    assert len(stored) == accepted
    # Parsed, not searched: "javascript:" shown as text in a paragraph is fine,
    # as an href it is not.
    for html in stored:
        assert html_problems(html) == [], html

"""GET /healthz: whether the database answers, for the load balancer."""

from __future__ import annotations


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "threads": 4}

"""GET /metrics in one process (an app's own registry): what it counts, and who may read it.

Several real workers adding up through PROMETHEUS_MULTIPROC_DIR: tests/load/test_metrics.py.
"""

from __future__ import annotations

import pytest

from comments_service.peers import Peers
from tests.ops import samples, value, writers_lock_held
from tests.service.kit import API, COMMENTS, THREAD, Worker, assert_api_error, run

THREAD_ROUTE = "/api/v1/threads/{slug}"
COMMENTS_ROUTE = "/api/v1/threads/{slug}/comments"


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


def test_metrics_count_requests_comments_and_commits(make_client):
    reader = make_client("Ewa", peer="127.0.0.1")
    for _ in range(7):
        assert reader.get(THREAD).status_code == 200
    for n in range(3):
        assert reader.post(COMMENTS, json={"body": f"Wpis {n}"}).status_code == 201
    reader.get(f"{API}/threads/no-such-thread")
    found = scrape(reader)
    requests = "kurier_requests_total"
    assert value(found, requests, method="GET", route=THREAD_ROUTE, status="200") == 7
    assert value(found, requests, method="POST", route=COMMENTS_ROUTE, status="201") == 3
    assert value(found, requests, method="GET", route=THREAD_ROUTE, status="404") == 1
    assert value(found, "kurier_comments_posted_total") == 3
    latency = "kurier_request_duration_seconds_count"
    assert value(found, latency, route=THREAD_ROUTE) == 8
    assert value(found, "kurier_commit_batch_size_sum") >= 3  # POST /me writes too
    assert value(found, "kurier_commit_batch_size_count") >= 1
    assert value(found, "kurier_open_event_streams") == 0


def test_metrics_unknown_paths_share_one_label(make_client):
    client = make_client(peer="127.0.0.1")
    for n in range(5):
        client.get(f"/no/such/page/{n}")
    found = scrape(client)
    assert value(found, "kurier_requests_total", method="GET", route="unrouted", status="404") == 5
    assert not any("/no/such" in labels for labels in map(str, found["kurier_requests_total"]))


def test_metrics_count_open_event_streams(settings):
    async def scenario(worker: Worker) -> None:
        metrics = worker.app.state.metrics
        first, second = await worker.stream(), await worker.stream()
        assert value(samples(metrics.scrape().decode()), "kurier_open_event_streams") == 2
        await first.close()
        assert value(samples(metrics.scrape().decode()), "kurier_open_event_streams") == 1
        worker.feed.end_streams()
        await second.wait_ended()
        assert value(samples(metrics.scrape().decode()), "kurier_open_event_streams") == 0

    run(settings, scenario)


def test_metrics_count_database_errors(make_client, settings):
    writer = make_client("Ewa", peer="127.0.0.1", busy_timeout=0.2)
    with writers_lock_held(settings.db):
        refused = writer.post(COMMENTS, json={"body": "Nie zdążę"})
    assert_api_error(refused, 503, "database_unavailable")
    found = scrape(writer)
    assert value(found, "kurier_database_errors_total", kind="DatabaseBusyError") == 1
    assert value(found, "kurier_comments_posted_total") == 0
    route = {"method": "POST", "route": COMMENTS_ROUTE, "status": "503"}
    assert value(found, "kurier_requests_total", **route) == 1


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE"])
def test_metrics_hidden_from_other_peers_as_a_path_that_does_not_exist(make_client, method):
    stranger = make_client(peer="203.0.113.9")
    hidden = stranger.request(method, "/metrics")
    missing = stranger.request(method, "/no-such-path")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    same = ("content-type", "content-security-policy", "x-frame-options", "cache-control")
    assert [hidden.headers.get(h) for h in same] == [missing.headers.get(h) for h in same]
    if method != "HEAD":
        assert_api_error(hidden, 404, "not_found")


def test_metrics_other_methods_from_an_allowed_peer_are_405(make_client):
    assert make_client(peer="127.0.0.1").post("/metrics").status_code == 405


@pytest.mark.parametrize(
    "allow, peer, allowed",
    [
        pytest.param("127.0.0.1/32,::1/128", "127.0.0.1", True, id="default-loopback"),
        pytest.param("127.0.0.1/32,::1/128", "::1", True, id="default-loopback-v6"),
        pytest.param("127.0.0.1/32,::1/128", "10.0.0.5", False, id="default-other"),
        pytest.param("10.0.0.0/8", "10.0.0.5", True, id="network"),
        pytest.param("10.0.0.0/8", "127.0.0.1", False, id="loopback-not-listed"),
        pytest.param("unix", "127.0.0.1", False, id="unix-only"),
    ],
)
def test_metrics_allow_list(make_client, allow, peer, allowed):
    client = make_client(peer=peer, metrics_allow=Peers.parse(allow))
    assert client.get("/metrics").status_code == (200 if allowed else 404)

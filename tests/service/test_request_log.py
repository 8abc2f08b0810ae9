"""Request ids and the request log: one JSON line per request, errors with their request's id.

The log records are formatted as `serve` writes them (COMMENTS_LOG_FORMAT=json)
and parsed back; a real process's stderr is read in tests/load/test_socket.py.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from starlette.responses import Response
from starlette.routing import Route

from comments_service.logs import TextFormatter
from tests.ops import json_log
from tests.service.kit import API, COMMENTS, OPEN, THREAD, Worker, assert_api_error, run

ACCESS = "comments_service.access"
UUID_HEX = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log():
    """What the service logs meanwhile, as JSON lines."""
    with json_log() as lines:
        yield lines


@pytest.mark.parametrize(
    "sent", ["kurier-7f3a", "1-67891233-abcdef012345678912345678", "a.b:c_d-e", "x" * 128]
)
def test_request_id_sane_one_is_carried(client, sent):
    response = client.get(THREAD, headers={"x-request-id": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param("x" * 129, id="too-long"),
        pytest.param("two words", id="space"),
        pytest.param("a/b", id="slash"),
        pytest.param("zażółć", id="not-ascii"),
        pytest.param("", id="empty"),
        pytest.param('"}{', id="json-breaking"),
    ],
)
def test_request_id_odd_one_is_replaced_by_a_new_one(client, sent):
    response = client.get(THREAD, headers={"x-request-id": sent.encode()})
    assert UUID_HEX.fullmatch(response.headers["x-request-id"])


def test_request_id_new_for_every_request_without_one(client):
    ids = {client.get(THREAD).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5 and all(UUID_HEX.fullmatch(i) for i in ids)


def test_request_id_on_errors_and_404s(client, anonymous):
    answers = [
        client.get("/no/such/page", headers={"x-request-id": "r-404"}),
        client.get(f"{API}/threads/no-such-thread", headers={"x-request-id": "r-thread"}),
        client.delete("/healthz", headers={"x-request-id": "r-405"}),
        client.post(COMMENTS, content=b"{", headers={"x-request-id": "r-400",
                                                     "content-type": "application/json"}),
        client.post(COMMENTS, json={"body": "x"}, headers={"x-request-id": "r-origin",
                                                           "origin": "http://evil.example"}),
        anonymous.post(COMMENTS, json={"body": "x"}, headers={"x-request-id": "r-401"}),
    ]  # fmt: skip
    sent = ["r-404", "r-thread", "r-405", "r-400", "r-origin", "r-401"]
    assert [a.status_code for a in answers] == [404, 404, 405, 400, 403, 401]
    assert [a.headers["x-request-id"] for a in answers] == sent


async def boom(request) -> Response:
    raise RuntimeError("the disk caught fire")


def test_request_id_on_a_500_and_in_its_error_log(make_client, log):
    client = make_client()
    client.app.router.routes.append(Route("/boom", boom))  # a handler that fails
    response = client.get("/boom", headers={"x-request-id": "r-500"})
    assert_api_error(response, 500, "internal_error")
    assert response.headers["x-request-id"] == "r-500"
    assert "fire" not in response.text
    errors = [line for line in log.lines if line["level"] == "error"]
    assert len(errors) == 1 and errors[0]["request_id"] == "r-500"
    assert "RuntimeError: the disk caught fire" in errors[0]["error"]
    assert [(line["request_id"], line["status"]) for line in log.of(ACCESS)] == [("r-500", 500)]


def test_request_id_on_event_streams(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream(headers={"x-request-id": "r-stream"})
        assert stream.status == 200
        assert stream.response_headers["x-request-id"] == "r-stream"

    run(settings, scenario)


def test_request_log_one_json_line_per_request(client, log):
    before = datetime.now(UTC)
    client.get(f"{THREAD}?lang=pl", headers={"x-request-id": "r-1"})
    posted = client.post(COMMENTS, json={"body": "Treść"}, headers={"x-request-id": "r-2"})
    client.get("/healthz")
    lines = log.of(ACCESS)
    assert [line["request_id"] for line in lines[:2]] == ["r-1", "r-2"]
    assert len(lines) == 3 and UUID_HEX.fullmatch(lines[2]["request_id"])
    first, second, third = lines
    assert (first["method"], first["path"], first["status"]) == (
        "GET", "/api/v1/threads/{slug}", 200)  # fmt: skip
    assert (second["method"], second["path"], second["status"]) == (
        "POST", "/api/v1/threads/{slug}/comments", posted.status_code)  # fmt: skip
    assert (third["path"], third["status"]) == ("/healthz", 200)
    for line in lines:
        moment = datetime.fromisoformat(line["time"])
        assert line["time"].endswith("Z") and before - timedelta(seconds=1) <= moment
        assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 10_000
        assert line["logger"] == ACCESS and line["level"] == "info"


def test_request_log_names_a_person_by_a_keyed_hash_only(person, log):
    writer = person("a.nowak", "Anna Nowak")
    writer.headers["x-forwarded-email"] = "anna.nowak@korona.example"
    writer.post(f"{COMMENTS}?token=letmein", json={"body": "Sekretna treść komentarza"})
    writer.get(f"{API}/me")
    writer.get("/healthz")  # asks nobody who it is
    lines = log.of(ACCESS)
    tags = [line.get("user") for line in lines]
    assert tags[0] == tags[1] and re.fullmatch(r"[0-9a-f]{16}", tags[0]) and tags[2] is None
    text = "\n".join(map(str, lines))
    for private in ("a.nowak", "Anna", "korona.example", "Sekretna", "letmein", "token"):
        assert private not in text


def test_request_log_person_hash_depends_on_the_secret_key(person, log):
    person("a.nowak").get(f"{API}/me")
    person("a.nowak", secret_key="another-secret-key-" + "y" * 32).get(f"{API}/me")
    first, second = (line["user"] for line in log.of(ACCESS))
    assert first != second


def test_request_log_anonymous_reader_has_no_user(anonymous, log):
    anonymous.get(THREAD)
    assert "user" not in log.of(ACCESS)[0]


def test_request_log_unrouted_path_is_raw_cut_short_and_printable(client, log):
    client.get("/" + "a" * 500 + "%0Aforged%20line?email=ewa@korona.example")
    client.get("/api/v1/nothing%0Ahere")
    long, short = (line["path"] for line in log.of(ACCESS))
    assert long == "/" + "a" * 199
    assert short == "/api/v1/nothing%0Ahere"


def test_request_log_of_a_stream_is_written_when_it_ends(settings, log):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream(headers={"x-request-id": "r-stream"})
        assert log.of(ACCESS) == []
        await stream.close()
        line = log.of(ACCESS)[0]
        assert (line["request_id"], line["path"], line["status"]) == (
            "r-stream", "/api/v1/threads/{slug}/events", 200)  # fmt: skip

    run(settings, scenario)


def test_request_log_text_format_keeps_the_id(client, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS)
    client.get(f"/api/v1/threads/{OPEN}", headers={"x-request-id": "r-text"})
    line = TextFormatter().format(caplog.records[-1])
    assert "comments_service.access: GET /api/v1/threads/{slug} 200" in line
    assert "request_id=r-text" in line and "duration_ms=" in line and "\n" not in line


def test_request_log_off_below_info_costs_no_line(client):
    with json_log(level=logging.WARNING) as quiet:
        client.get(THREAD)
    assert quiet.of(ACCESS) == []

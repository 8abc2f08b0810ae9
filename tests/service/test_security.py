"""Request guards and response headers: allowed origins (the defence against cross-site
request forgery), JSON bodies only, a bound on their size, and the headers of every answer."""

from __future__ import annotations

import pytest

from tests.service.kit import COMMENTS, ORIGIN, THREAD, assert_api_error, send_comment

# --- origins ------------------------------------------------------------------------------


WRITES = [  # method, path, body
    ("POST", COMMENTS, {"json": {"body": "x"}}),
    ("PUT", THREAD + "/reactions/like", {}),
    ("DELETE", THREAD + "/reactions/like", {}),
]
SAME_SITE_PAGE = f"{ORIGIN}/news/open-news.html"


def send_with(client, method: str, path: str, headers: dict[str, str], **kwargs):
    """Send a request with `headers` over the client's own; an empty value leaves one out."""
    request = client.build_request(method, path, **kwargs)
    for name, value in headers.items():
        if value:
            request.headers[name] = value
        else:
            del request.headers[name]
    return client.send(request)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"origin": "https://evil.example"}, id="foreign-origin"),
        pytest.param({"origin": "null"}, id="null-origin"),
        pytest.param({"origin": "http://testserver.evil.example"}, id="lookalike-origin"),
        pytest.param({"origin": "", "referer": "https://evil.example/page"}, id="foreign-referer"),
        pytest.param({"origin": ""}, id="missing"),
    ],
)
def test_state_change_without_allowed_origin_is_403(client, headers):
    for method, path, body in WRITES:
        response = send_with(client, method, path, headers, **body)
        assert_api_error(response, 403, "origin_not_allowed")


def test_state_change_with_same_origin_referer_is_allowed(client):
    headers = {"origin": "", "referer": SAME_SITE_PAGE}
    assert send_with(client, "POST", COMMENTS, headers, json={"body": "x"}).status_code == 201


def test_null_origin_does_not_fall_back_to_the_referer(client):
    """A sandboxed frame sends Origin: null; its Referer proves nothing about it."""
    headers = {"origin": "null", "referer": SAME_SITE_PAGE}
    response = send_with(client, "POST", COMMENTS, headers, json={"body": "x"})
    assert_api_error(response, 403, "origin_not_allowed")


def test_state_change_from_configured_origin(make_client):
    client = make_client(allowed_origins=("https://kurier.intranet.example",))
    client.headers["origin"] = "https://kurier.intranet.example"
    assert client.post("/api/v1/me", json={"name": "Ewa"}).status_code == 200
    client.headers["origin"] = ORIGIN  # its own origin no longer counts once a list is set
    assert_api_error(client.post("/api/v1/me", json={"name": "Ewa"}), 403, "origin_not_allowed")


def test_cors_only_for_configured_origins(make_client):
    client = make_client(allowed_origins=("https://kurier.intranet.example",))
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    allowed = client.options(
        COMMENTS, headers={**preflight, "origin": "https://kurier.intranet.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://kurier.intranet.example"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    denied = client.options(COMMENTS, headers={**preflight, "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in denied.headers
    plain = make_client()
    response = plain.get(THREAD, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


# --- bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/plain", id="text-plain"),
        pytest.param("application/x-www-form-urlencoded", id="form"),
        pytest.param("multipart/form-data; boundary=x", id="multipart"),
        pytest.param(None, id="missing"),
    ],
)
def test_comment_wrong_content_type_is_415(client, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(COMMENTS, content=b'{"body": "x"}', headers=headers)
    if content_type is None:
        assert "content-type" not in response.request.headers
    assert_api_error(response, 415, "unsupported_media_type")


def test_comment_json_with_charset_is_accepted(client):
    response = client.post(
        COMMENTS,
        content=b'{"body": "x"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_oversized_body_is_413(client):
    assert_api_error(send_comment(client, "a" * (70 * 1024)), 413, "body_too_large")


def test_oversized_chunked_body_is_413_without_length(client):
    def chunks():
        yield b'{"body": "'
        for _ in range(80):
            yield b"a" * 1024
        yield b'"}'

    response = client.post(COMMENTS, content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_api_error(response, 413, "body_too_large")


# --- headers ------------------------------------------------------------------------------


def test_security_headers_on_every_response(client):
    responses = [
        client.get(THREAD),
        client.get("/api/v1/nothing-here"),
        client.post(COMMENTS, content=b"x", headers={"content-type": "text/plain"}),
        client.get("/healthz"),
    ]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"]

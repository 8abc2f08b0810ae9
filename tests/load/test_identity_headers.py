"""Identity headers through a real uvicorn worker: Polish names arrive as the proxy sent them.

The proxy (oauth2-proxy, mod_auth_openidc) sends UTF-8. uvicorn hands the
bytes over untouched and Starlette reads them as Latin-1: without care,
"Łukasz Żak" was dropped and "żaneta" became "Å¼aneta". Here the bytes go
over a real socket, as they would from the proxy.
"""

from __future__ import annotations

import json
import socket

import httpx2
import pytest

from tests.load.conftest import OPEN, StartServer
from tests.servers import Server

pytestmark = pytest.mark.load


def raw_request(server: Server, method: str, path: str, headers: list[bytes], body: bytes = b""):
    """One request with header bytes exactly as given; (status, JSON body)."""
    host = f"Host: 127.0.0.1:{server.port}".encode()
    head = [f"{method} {path} HTTP/1.1".encode(), host, b"Connection: close"]
    head += headers
    if body:
        head += [b"Content-Type: application/json", b"Content-Length: %d" % len(body)]
        head.append(f"Origin: {server.base_url}".encode())
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    head, _, payload = rest.partition(b"\r\n\r\n")
    is_json = b"content-type: application/json" in head.lower()
    return int(status_line.split()[1]), json.loads(payload) if is_json else payload


@pytest.fixture
def server(start_server: StartServer) -> Server:
    return start_server(workers=2, auth="header", moderator_group="komunikacja-wewnętrzna")


def test_polish_names_end_to_end(server: Server):
    person = [
        "X-Forwarded-User: żaneta.łęcka".encode(),
        "X-Forwarded-Preferred-Username: Łukasz Żak".encode(),
        "X-Forwarded-Email: żaneta@korona.example".encode(),
        "X-Forwarded-Groups: wszyscy,komunikacja-wewnętrzna".encode(),
    ]
    status, me = raw_request(server, "GET", "/api/v1/me", person)
    assert status == 200
    assert me["user"] == {"id": "żaneta.łęcka", "name": "Łukasz Żak", "moderator": True}
    body = json.dumps({"body": "Zażółć gęślą jaźń"}).encode()
    status, posted = raw_request(server, "POST", f"/api/v1/threads/{OPEN}/comments", person, body)
    assert status == 201, posted
    assert posted["author"] == {"id": "żaneta.łęcka", "name": "Łukasz Żak"}
    # Everyone reads it as written, in every worker.
    for _ in range(4):
        thread = httpx2.get(f"{server.base_url}/api/v1/threads/{OPEN}", trust_env=False).json()
        assert thread["comments"][0]["author"]["name"] == "Łukasz Żak"


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"X-Forwarded-User: caf\xe9", id="latin-1"),
        pytest.param(b"X-Forwarded-User: jan\tnowak", id="tab"),
        pytest.param(b"X-Forwarded-Preferred-Username: Jan\x1bNowak", id="escape"),
    ],
)
def test_identity_that_is_not_clean_utf8_is_refused(server: Server, header: bytes):
    headers = (
        [header] if header.startswith(b"X-Forwarded-User") else [b"X-Forwarded-User: jan", header]
    )
    status, answer = raw_request(server, "GET", "/api/v1/me", headers)
    if not isinstance(answer, dict):  # refused by the HTTP parser itself, before Kurier
        assert status == 400
        return
    assert status == 400 and answer["error"]["code"] == "invalid_identity"
    body = json.dumps({"body": "x"}).encode()
    status, answer = raw_request(server, "POST", f"/api/v1/threads/{OPEN}/comments", headers, body)
    assert status == 400 and answer["error"]["code"] == "invalid_identity"

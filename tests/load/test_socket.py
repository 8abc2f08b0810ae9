"""`serve --uds`: real workers on a unix socket, who is believed over it, and the JSON log.

The web server (nginx) reaches the service over the socket; the company's
sign-in in front of it sets X-Kurier-Proxy-Secret. A request that reaches the
socket or the port without it gets no identity.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.load.conftest import OPEN, StartServer
from tests.servers import REPO, Server, service_env

pytestmark = pytest.mark.load

SECRET = "socket-test-secret-" + "z" * 24
EWA = {"x-forwarded-user": "e.kowalska", "x-forwarded-email": "ewa@korona.example",
       "x-forwarded-preferred-username": "Ewa Kowalska"}  # fmt: skip
FROM_FRONT = {**EWA, "x-kurier-proxy-secret": SECRET}


def serve(directory, *arguments: str) -> subprocess.CompletedProcess:
    """`serve` with these arguments, on a database of its own; for refusals at start."""
    env = service_env(directory, {"secret_key": "x" * 40})
    return subprocess.run(
        [sys.executable, "-m", "comments_service", "serve", *arguments],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def until_refused(path: Path) -> None:
    """Until connecting to `path` is refused: a killed worker's last thread may still
    hold the listening socket for a moment after its process is reported gone."""
    deadline = time.monotonic() + 5
    while True:
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(path))
            except ConnectionRefusedError:
                return
        assert time.monotonic() < deadline, f"{path} still accepts connections"
        time.sleep(0.02)


def who(server: Server, headers: dict[str, str]) -> str | None:
    user = server.client().get("/me", headers=headers).json()["user"]
    return user["id"] if user else None


def test_socket_serves_every_worker_and_is_group_writable(start_server: StartServer) -> None:
    server = start_server(workers=2, uds=True)
    mode = os.stat(server.uds).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o660
    client = server.client("Ewa")
    for n in range(10):
        response = client.post(f"/threads/{OPEN}/comments", json={"body": f"Wpis {n}"})
        assert response.status_code == 201, response.text
    assert client.get(f"/threads/{OPEN}").json()["thread"]["comment_count"] == 10
    server.stop()
    assert not os.path.lexists(server.uds), "a server that stops removes its socket"


def test_socket_left_by_a_crash_is_replaced(start_server: StartServer) -> None:
    server = start_server(workers=2, uds=True)
    server.kill()  # kill -9: nothing removes the socket file
    assert stat.S_ISSOCK(os.lstat(server.uds).st_mode)
    until_refused(server.uds)  # stale: nobody listens
    server.start()
    assert stat.S_IMODE(os.stat(server.uds).st_mode) == 0o660
    assert server.client().get("/me").status_code == 200


def test_socket_of_a_live_server_or_another_file_is_refused(start_server, tmp_path) -> None:
    server = start_server(workers=1, uds=True)
    taken = serve(tmp_path, "--uds", str(server.uds))
    assert taken.returncode == 2 and "another server is listening" in taken.stderr
    assert server.client().get("/me").status_code == 200, "the running server goes on"
    plain = tmp_path / "not-a-socket"
    plain.write_text("keep me")
    refused = serve(tmp_path, "--uds", str(plain))
    assert refused.returncode == 2 and "not a socket" in refused.stderr
    assert plain.read_text() == "keep me"


@pytest.mark.parametrize("extra", [["--port", "8123"], ["--host", "0.0.0.0"]])
def test_socket_and_a_tcp_address_at_once_are_refused(tmp_path, extra) -> None:
    result = serve(tmp_path, "--uds", str(tmp_path / "k.sock"), *extra)
    assert result.returncode == 2 and "--uds" in result.stderr
    assert not (tmp_path / "k.sock").exists()


def test_socket_identity_only_from_the_front(start_server: StartServer) -> None:
    """`unix` trusts the socket's peer; the secret proves the request came through the front."""
    server = start_server(workers=2, uds=True, auth="header", trusted_proxies="unix",
                          proxy_secret=SECRET)  # fmt: skip
    assert who(server, EWA) is None  # reached the socket directly
    assert who(server, {**EWA, "x-kurier-proxy-secret": SECRET[:-1]}) is None
    assert who(server, FROM_FRONT) == "e.kowalska"
    refused = server.client().post(f"/threads/{OPEN}/comments", json={"body": "x"}, headers=EWA)
    assert refused.status_code == 401
    posted = server.client().post(f"/threads/{OPEN}/comments", json={"body": "Z frontu"},
                                  headers=FROM_FRONT)  # fmt: skip
    assert posted.status_code == 201 and posted.json()["author"]["id"] == "e.kowalska"


def test_socket_peer_is_trusted_only_with_the_word_unix(start_server: StartServer) -> None:
    over_socket = start_server(workers=1, uds=True, auth="header")  # default: loopback only
    assert who(over_socket, EWA) is None
    over_tcp = start_server(workers=1, auth="header", trusted_proxies="unix")
    assert who(over_tcp, EWA) is None  # 127.0.0.1 is no unix socket
    both = start_server(workers=1, auth="header", trusted_proxies="unix,127.0.0.1/32")
    assert who(both, EWA) == "e.kowalska"


def test_socket_log_is_json_lines_with_the_request_id(start_server: StartServer) -> None:
    server = start_server(workers=2, uds=True, log_level="info", auth="header",
                          trusted_proxies="unix", proxy_secret=SECRET)  # fmt: skip
    client = server.client()
    sent = [f"front-{n}" for n in range(6)]
    for n, request_id in enumerate(sent):
        response = client.post(f"/threads/{OPEN}/comments?lang=pl&email=ewa@korona.example",
                               json={"body": f"Poufna treść {n}"},
                               headers={**FROM_FRONT, "x-request-id": request_id})  # fmt: skip
        assert response.status_code == 201 and response.headers["x-request-id"] == request_id
    missing = client.get("/no/such/page", headers={"x-request-id": "front-404"})
    assert missing.headers["x-request-id"] == "front-404"
    server.stop()

    text = server.log_path.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if not line.startswith("--- start")]
    access = {line["request_id"]: line for line in lines if line["logger"].endswith(".access")}
    for request_id in sent:
        line = access[request_id]
        assert (line["method"], line["path"], line["status"]) == (
            "POST", "/api/v1/threads/{slug}/comments", 201)  # fmt: skip
        assert line["time"].endswith("Z") and line["duration_ms"] >= 0
        assert len(line["user"]) == 16 and line["user"] == access[sent[0]]["user"]
    assert access["front-404"]["path"] == "/api/v1/no/such/page"  # no route: as asked
    assert access["front-404"]["status"] == 404 and "user" not in access["front-404"]
    assert any(line["logger"] == "uvicorn.error" for line in lines)  # uvicorn's own, as JSON
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
    for private in (SECRET, "e.kowalska", "Ewa Kowalska", "korona.example", "Poufna", "lang="):
        assert private not in text

"""Identity from the front: COMMENTS_PROXY_SECRET, and `unix` in COMMENTS_TRUSTED_PROXIES.

A request that reaches the service without passing the front (which sets
X-Kurier-Proxy-Secret) gets no identity, whatever identity headers it brings:
not an error, just nobody signed in. (Over a real unix socket, with real
workers: tests/load/test_socket.py.)
"""

from __future__ import annotations

import pytest
from starlette.requests import Request

from comments_service.config import ConfigError, Settings
from comments_service.peers import Peers
from tests.ops import json_log
from tests.service.kit import API, assert_api_error

SECRET = "front-secret-" + "s" * 24
EWA = {"x-forwarded-user": "ewa", "x-forwarded-email": "ewa@korona.example",
       "x-forwarded-preferred-username": "Ewa Kowalska"}  # fmt: skip


def write(client, headers: dict[str, str], body: str = "Dzień dobry"):
    return client.post(f"{API}/threads/open-news/comments", json={"body": body}, headers=headers)


def me(client, **headers: str) -> dict | None:
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["user"]


def test_proxy_secret_missing_gives_no_identity(header_client):
    client = header_client(proxy_secret=SECRET)
    assert me(client, **EWA) is None
    assert_api_error(write(client, EWA), 401, "not_signed_in")


def test_proxy_secret_wrong_gives_no_identity(header_client):
    client = header_client(proxy_secret=SECRET)
    assert me(client, **EWA, **{"x-kurier-proxy-secret": SECRET[:-1] + "x"}) is None
    assert me(client, **EWA, **{"x-kurier-proxy-secret": ""}) is None
    assert me(client, **EWA, **{"x-kurier-proxy-secret": SECRET + "x"}) is None


def test_proxy_secret_right_from_a_trusted_peer_names_the_person(header_client):
    client = header_client(proxy_secret=SECRET)
    user = me(client, **EWA, **{"x-kurier-proxy-secret": SECRET})
    assert user == {"id": "ewa", "name": "Ewa Kowalska", "moderator": False}
    posted = write(client, {**EWA, "x-kurier-proxy-secret": SECRET})
    assert posted.status_code == 201 and posted.json()["author"]["id"] == "ewa"


def test_proxy_secret_right_from_an_untrusted_peer_gives_no_identity(make_client):
    client = make_client(peer="203.0.113.9", auth="header", proxy_secret=SECRET)
    assert me(client, **EWA, **{"x-kurier-proxy-secret": SECRET}) is None


def test_proxy_secret_sent_twice_gives_no_identity(header_client):
    client = header_client(proxy_secret=SECRET)
    headers = [*EWA.items(), ("x-kurier-proxy-secret", SECRET), ("x-kurier-proxy-secret", SECRET)]
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 200 and response.json()["user"] is None


def test_proxy_secret_missing_identity_headers_are_not_even_read(header_client):
    """Headers the front did not vouch for are ignored, never an error that tells why."""
    client = header_client(proxy_secret=SECRET)
    doubled = [("x-forwarded-user", "ewa"), ("x-forwarded-user", "adam")]
    response = client.get(f"{API}/me", headers=doubled)
    assert response.status_code == 200 and response.json()["user"] is None


def test_proxy_secret_is_never_echoed_nor_logged(header_client):
    client = header_client(proxy_secret=SECRET)
    with json_log() as log:
        for headers in (EWA, {**EWA, "x-kurier-proxy-secret": SECRET},
                        {**EWA, "x-kurier-proxy-secret": "wrong" * 4}):  # fmt: skip
            response = write(client, headers)
            assert SECRET not in response.text
            assert not any(SECRET in value for value in response.headers.values())
    assert log.lines and SECRET not in str(log.lines)


def test_proxy_secret_also_guards_x_forwarded_for(header_client):
    """The client address behind a proxy is believed only from the front too."""
    identity = header_client(proxy_secret=SECRET).app.state.identity

    def address(*extra: tuple[bytes, bytes]) -> str:
        headers = [(b"x-forwarded-for", b"198.51.100.7"), *extra]
        return identity.address(Request({"type": "http", "headers": headers,
                                         "client": ("127.0.0.1", 1234)}))  # fmt: skip

    assert address() == "127.0.0.1"
    assert address((b"x-kurier-proxy-secret", SECRET.encode())) == "198.51.100.7"


def socket_request(identity, peers_scope: dict, secret: str | None = None) -> Request:
    headers = [(name.encode(), value.encode()) for name, value in EWA.items()]
    if secret is not None:
        headers.append((b"x-kurier-proxy-secret", secret.encode()))
    return Request({"type": "http", "headers": headers, **peers_scope})


# How uvicorn describes a connection over its unix socket, and over TCP.
OVER_SOCKET = {"client": None, "server": ("/run/kurier/comments.sock", None)}
OVER_TCP = {"client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8001)}


@pytest.mark.parametrize(
    "trusted, scope, believed",
    [
        pytest.param("127.0.0.1/32,::1/128", OVER_SOCKET, False, id="socket-not-listed"),
        pytest.param("unix", OVER_SOCKET, True, id="socket-listed"),
        pytest.param("unix", OVER_TCP, False, id="tcp-with-only-unix-listed"),
        pytest.param("unix,127.0.0.1/32", OVER_TCP, True, id="both"),
        pytest.param("unix", {"client": None}, False, id="no-address-but-no-socket-either"),
    ],
)
def test_unix_token_trusts_the_socket_only(header_client, trusted, scope, believed):
    identity = header_client(trusted_proxies=Peers.parse(trusted)).app.state.identity
    user = identity.user(socket_request(identity, scope))
    assert (user is not None and user.id == "ewa") is believed


def test_unix_token_with_the_proxy_secret(header_client):
    changes = {"trusted_proxies": Peers.parse("unix"), "proxy_secret": SECRET}
    identity = header_client(**changes).app.state.identity
    assert identity.user(socket_request(identity, OVER_SOCKET)) is None
    assert identity.user(socket_request(identity, OVER_SOCKET, "x" * 20)) is None
    assert identity.user(socket_request(identity, OVER_SOCKET, SECRET)).id == "ewa"


def test_unix_reader_address_is_the_socket_unless_the_socket_is_a_trusted_proxy(header_client):
    forwarded = [(b"x-forwarded-for", b"198.51.100.7")]
    for trusted, expected in (("127.0.0.1/32", "unix"), ("unix", "198.51.100.7")):
        identity = header_client(trusted_proxies=Peers.parse(trusted)).app.state.identity
        assert identity.address(Request({"type": "http", "headers": forwarded,
                                         **OVER_SOCKET})) == expected  # fmt: skip


# --- the settings ----------------------------------------------------------------------


def test_config_trusted_proxies_and_metrics_allow_take_the_word_unix(tmp_path):
    settings = Settings.from_env({"COMMENTS_DB": str(tmp_path / "c.sqlite3"),
                                  "COMMENTS_TRUSTED_PROXIES": "unix, 10.0.0.0/8",
                                  "COMMENTS_METRICS_ALLOW": "UNIX"})  # fmt: skip
    assert settings.trusted_proxies.unix and str(settings.trusted_proxies) == "10.0.0.0/8,unix"
    assert settings.metrics_allow == Peers((), unix=True)


@pytest.mark.parametrize(
    "name, value",
    [
        pytest.param("COMMENTS_TRUSTED_PROXIES", "unix,localhost", id="proxies"),
        pytest.param("COMMENTS_METRICS_ALLOW", "prometheus.local", id="metrics"),
        pytest.param("COMMENTS_LOG_FORMAT", "xml", id="log-format"),
        pytest.param("COMMENTS_PROXY_SECRET", "short", id="secret-short"),
        pytest.param("COMMENTS_PROXY_SECRET", "with spaces in it, quite long", id="secret-space"),
        pytest.param("COMMENTS_PROXY_SECRET", 'quote"' + "x" * 20, id="secret-quote"),
    ],
)
def test_config_bad_operations_value_names_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name) as refused:
        Settings.from_env({"COMMENTS_DB": str(tmp_path / "c.sqlite3"), name: value})
    if name == "COMMENTS_PROXY_SECRET":
        assert value not in str(refused.value), "a secret is never printed"


def test_config_proxy_secret_and_log_format_are_read(tmp_path):
    settings = Settings.from_env({"COMMENTS_DB": str(tmp_path / "c.sqlite3"),
                                  "COMMENTS_PROXY_SECRET": SECRET,
                                  "COMMENTS_LOG_FORMAT": "Text"})  # fmt: skip
    assert settings.proxy_secret == SECRET and settings.log_format == "text"

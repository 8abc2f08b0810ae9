"""Who is asking: identity headers as UTF-8 and only from the trusted proxy, new names per
address, cookies and origins when readers come over https (COMMENTS_PUBLIC_URL)."""

from __future__ import annotations

import pytest

from comments_service.config import RateLimit
from comments_service.errors import ApiError
from tests.service.kit import API, COMMENTS, assert_api_error


def utf8(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as a proxy sends them: UTF-8 bytes on the wire."""
    return [(name.encode(), value.encode("utf-8")) for name, value in headers.items()]


# --- header mode: what the proxy says ---------------------------------------------------


def test_header_mode_polish_names_are_read_as_utf8(header_client):
    client = header_client()
    headers = utf8({"x-forwarded-user": "żaneta", "x-forwarded-preferred-username": "Łukasz Żak",
                    "x-forwarded-email": "łukasz.żak@korona.example"})  # fmt: skip
    me = client.get(f"{API}/me", headers=headers).json()["user"]
    assert me == {"id": "żaneta", "name": "Łukasz Żak", "moderator": False}
    posted = client.post(COMMENTS, json={"body": "Cześć"}, headers=headers).json()
    assert posted["author"] == {"id": "żaneta", "name": "Łukasz Żak"}


def test_header_mode_a_moderator_group_with_polish_letters(header_client):
    client = header_client(moderator_group="komunikacja-wewnętrzna")
    headers = utf8(
        {"x-forwarded-user": "ola", "x-forwarded-groups": "wszyscy, komunikacja-wewnętrzna"}
    )
    assert client.get(f"{API}/me", headers=headers).json()["user"]["moderator"] is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("x-forwarded-user", b"jan\tnowak", id="tab-in-login"),
        pytest.param("x-forwarded-user", b"jan\x7f", id="delete-in-login"),
        pytest.param("x-forwarded-preferred-username", b"Jan\x01Nowak", id="control-in-name"),
        pytest.param("x-forwarded-email", b"jan@\x1bexample", id="control-in-email"),
        pytest.param("x-forwarded-user", b"j" * 201, id="too-long"),
    ],
)
def test_header_mode_refuses_identity_it_cannot_read(header_client, name, value):
    client = header_client()
    headers = [(b"x-forwarded-user", b"jan")] if name != "x-forwarded-user" else []
    headers.append((name.encode(), value))
    error = assert_api_error(client.get(f"{API}/me", headers=headers), 400, "invalid_identity")
    assert name in error["message"]
    response = client.post(COMMENTS, json={"body": "x"}, headers=headers)
    assert_api_error(response, 400, "invalid_identity")


@pytest.mark.parametrize(
    "raw",
    [pytest.param("café".encode("latin-1"), id="latin-1"), pytest.param(b"\xff\xfe", id="bytes")],
)
def test_header_mode_refuses_headers_that_are_not_utf8(header_client, raw):
    """Bytes that are not UTF-8 are refused, not read as Latin-1 (the ASGI scope directly:
    the test client re-encodes whatever it is given)."""
    from starlette.requests import Request

    identity = header_client().app.state.identity
    scope = {"type": "http", "headers": [(b"x-forwarded-user", raw)],
             "client": ("127.0.0.1", 1234)}  # fmt: skip
    with pytest.raises(ApiError) as refused:
        identity.user(Request(scope))
    assert refused.value.status == 400 and refused.value.code == "invalid_identity"


def test_header_mode_an_ordinary_login_is_taken_as_sent(header_client):
    client = header_client()
    headers = {"x-forwarded-user": "j.nowak@korona.example"}
    assert client.get(f"{API}/me", headers=headers).json()["user"]["id"] == "j.nowak@korona.example"


SSO = {"x-forwarded-user": "jnowak", "x-forwarded-preferred-username": "Jan Nowak",
       "x-forwarded-email": "jnowak@example.com", "x-forwarded-groups": "staff,comms"}  # fmt: skip


def test_header_mode_trusts_the_proxy(header_client):
    client = header_client()
    me = client.get("/api/v1/me", headers=SSO).json()
    assert me == {
        "user": {"id": "jnowak", "name": "Jan Nowak", "moderator": False},
        "auth": "header",
        "sign_out": None,
    }
    response = client.post(COMMENTS, json={"body": "Przez SSO"}, headers=SSO)
    assert response.status_code == 201 and response.json()["author"]["id"] == "jnowak"


def test_header_mode_says_where_to_sign_out(header_client):
    logout = "/oidc/callback?logout=https%3A%2F%2Fkurier.example%2F"
    client = header_client(sign_out_url=logout)
    assert client.get("/api/v1/me", headers=SSO).json()["sign_out"] == logout


def test_cookies_signed_before_a_key_rotation_still_name_their_person(make_client, settings):
    before = make_client("Ewa Kowalska")
    ewa = before.get("/api/v1/me").json()["user"]
    rotated = {
        "secret_key": "the-new-key-" + "y" * 40,
        "previous_secret_keys": (settings.secret_key,),
    }
    after = make_client(**rotated)
    after.cookies.update(before.cookies)
    assert after.get("/api/v1/me").json()["user"] == ewa
    # Renaming signs with the new key, which the old configuration does not know.
    assert after.post("/api/v1/me", json={"name": "Ewa K."}).json()["user"]["id"] == ewa["id"]
    forgotten = make_client(secret_key="the-new-key-" + "y" * 40)
    forgotten.cookies.update(before.cookies)
    assert forgotten.get("/api/v1/me").json()["user"] is None


def test_header_mode_ignores_identity_from_other_peers(make_client):
    client = make_client(peer="10.20.30.40", auth="header")
    assert client.get("/api/v1/me", headers=SSO).json()["user"] is None
    assert_api_error(client.post(COMMENTS, json={"body": "x"}, headers=SSO), 401, "not_signed_in")
    spoofed = {**SSO, "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1"}
    assert_api_error(
        client.post(COMMENTS, json={"body": "x"}, headers=spoofed), 401, "not_signed_in"
    )


def test_header_mode_repeated_identity_header_is_400(header_client):
    client = header_client()
    headers = [*SSO.items(), ("x-forwarded-user", "admin")]
    assert_api_error(client.get("/api/v1/me", headers=headers), 400, "ambiguous_identity")


def test_header_mode_moderators_by_login_and_group(header_client):
    by_login = header_client(moderators=frozenset({"jnowak"}))
    assert by_login.get("/api/v1/me", headers=SSO).json()["user"]["moderator"] is True
    by_group = header_client(moderator_group="comms")
    assert by_group.get("/api/v1/me", headers=SSO).json()["user"]["moderator"] is True
    neither = header_client(moderator_group="admins")
    assert neither.get("/api/v1/me", headers=SSO).json()["user"]["moderator"] is False


def test_header_mode_moderator_deletes_any_comment(header_client):
    client = header_client(moderators=frozenset({"mod"}))
    cid = client.post(COMMENTS, json={"body": "Spam"}, headers=SSO).json()["id"]
    other = {
        **SSO,
        "x-forwarded-user": "kowal",
        "x-forwarded-preferred-username": "Kowal",
    }
    assert_api_error(client.delete(f"/api/v1/comments/{cid}", headers=other), 403, "forbidden")
    moderator = {
        **SSO,
        "x-forwarded-user": "mod",
        "x-forwarded-preferred-username": "Moderator",
    }
    assert client.delete(f"/api/v1/comments/{cid}", headers=moderator).status_code == 204


# --- open mode: new names ------------------------------------------------------------------


def test_open_mode_new_names_per_address_are_limited(make_client):
    limit = RateLimit(3, 3600)
    for name in ("Ewa", "Jan", "Ola"):
        make_client(name, identity_rate_limit=limit)
    fourth = make_client(identity_rate_limit=limit)
    response = fourth.post(f"{API}/me", json={"name": "Piotr"})
    assert_api_error(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 60
    assert "kurier_user" not in fourth.cookies


def test_open_mode_renaming_is_not_a_new_name(make_client):
    limit = RateLimit(1, 3600)
    ewa = make_client("Ewa", identity_rate_limit=limit)
    me = ewa.get(f"{API}/me").json()["user"]
    for name in ("Ewa K.", "Ewa Kowalska", "Ewa"):
        response = ewa.post(f"{API}/me", json={"name": name})
        assert response.status_code == 200 and response.json()["user"]["id"] == me["id"]


def test_open_mode_names_are_counted_per_client_address(make_client, settings):
    """Another office, another allowance; behind a trusted proxy, the address it names."""
    limit = RateLimit(1, 3600)
    make_client("Ewa", identity_rate_limit=limit, peer="127.0.0.1")
    first = make_client(identity_rate_limit=limit, peer="127.0.0.1")
    assert_api_error(first.post(f"{API}/me", json={"name": "Jan"}), 429, "rate_limited")
    elsewhere = make_client(identity_rate_limit=limit, peer="192.0.2.44")
    assert elsewhere.post(f"{API}/me", json={"name": "Jan"}).status_code == 200
    # 127.0.0.1 is a trusted proxy: X-Forwarded-For names the reader behind it.
    via_proxy = make_client(identity_rate_limit=limit, peer="127.0.0.1")
    forwarded = {"x-forwarded-for": "203.0.113.9, 10.0.0.7"}
    response = via_proxy.post(f"{API}/me", json={"name": "Jan"}, headers=forwarded)
    assert response.status_code == 200
    again = make_client(identity_rate_limit=limit, peer="127.0.0.1")
    response = again.post(f"{API}/me", json={"name": "Ola"}, headers=forwarded)
    assert_api_error(response, 429, "rate_limited")


def test_client_address_believes_x_forwarded_for_only_from_trusted_proxies(make_client):
    from starlette.requests import Request

    identity = make_client().app.state.identity

    def address(peer: str, forwarded: str | None) -> str:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
        scope = {"type": "http", "headers": headers, "client": (peer, 1234)}
        return identity.address(Request(scope))

    assert address("203.0.113.9", "127.0.0.1") == "203.0.113.9"  # not a proxy: its own claim
    assert address("127.0.0.1", None) == "127.0.0.1"
    assert address("127.0.0.1", "198.51.100.1, 203.0.113.9") == "203.0.113.9"
    assert address("127.0.0.1", "203.0.113.9, 127.0.0.1") == "203.0.113.9"
    assert address("127.0.0.1", "not-an-address") == "127.0.0.1"


# --- behind TLS: COMMENTS_PUBLIC_URL -------------------------------------------------------

PUBLIC = "https://kurier.intranet.example"


def test_public_https_url_makes_every_cookie_secure(make_client):
    client = make_client(public_url=PUBLIC, admin_password="hasło moderatora")
    client.headers["origin"] = PUBLIC
    response = client.post(f"{API}/me", json={"name": "Ewa"})
    assert response.status_code == 200
    assert "secure" in response.headers["set-cookie"].lower()
    response = client.post(f"{API}/admin/session", json={"password": "hasło moderatora"})
    assert response.status_code == 200
    assert "secure" in response.headers["set-cookie"].lower()
    page = client.get("/admin/sign-in?lang=en")
    cookies = page.headers.get_list("set-cookie")
    assert cookies and all("secure" in cookie.lower() for cookie in cookies)


def test_without_public_url_plain_http_cookies_are_not_secure(make_client):
    client = make_client()
    response = client.post(f"{API}/me", json={"name": "Ewa"})
    assert "secure" not in response.headers["set-cookie"].lower()


def test_public_url_is_the_origin_allowed_not_the_host_header(make_client):
    client = make_client(public_url=PUBLIC)
    # A forged Host with an Origin to match no longer passes.
    forged = {"host": "evil.example", "origin": "http://evil.example"}
    assert_api_error(
        client.post(f"{API}/me", json={"name": "Ewa"}, headers=forged), 403, "origin_not_allowed"
    )
    # The test client's own host is not the public origin either.
    assert_api_error(client.post(f"{API}/me", json={"name": "Ewa"}), 403, "origin_not_allowed")
    client.headers["origin"] = PUBLIC
    assert client.post(f"{API}/me", json={"name": "Ewa"}).status_code == 200

"""The HTTP API of API.md: every endpoint, every error code, over Starlette's TestClient."""

from __future__ import annotations

import time

import pytest

from comments_service.config import RateLimit
from tests.service.conftest import ARTICLES, ORIGIN, assert_api_error, write_articles

THREAD = "/api/v1/threads/open-news"
COMMENTS = THREAD + "/comments"


def post(client, body="Dzień dobry", parent=None, slug="open-news"):
    data = {"body": body} if parent is None else {"body": body, "parent": parent}
    return client.post(f"/api/v1/threads/{slug}/comments", json=data)


def comment_id(client, body="Dzień dobry", parent=None, slug="open-news") -> str:
    response = post(client, body, parent, slug)
    assert response.status_code == 201, response.text
    return response.json()["id"]


# --- /me ------------------------------------------------------------------------


def test_me_anonymous_is_null(anonymous):
    assert anonymous.get("/api/v1/me").json() == {"user": None, "auth": "open"}


def test_me_open_mode_name_sets_signed_cookie(anonymous):
    response = anonymous.post("/api/v1/me", json={"name": "  Ewa   Kowalska "})
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["name"] == "Ewa Kowalska" and user["moderator"] is False
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert anonymous.get("/api/v1/me").json()["user"] == user


def test_me_renaming_keeps_the_person(client):
    before = client.get("/api/v1/me").json()["user"]
    after = client.post("/api/v1/me", json={"name": "Ewa K."}).json()["user"]
    assert after["id"] == before["id"] and after["name"] == "Ewa K."


def test_me_forged_cookie_is_nobody(anonymous):
    anonymous.cookies.set("kurier_user", "eyJpZCI6ImFkbWluIiwibmFtZSI6IkV2ZSJ9.forged")
    assert anonymous.get("/api/v1/me").json()["user"] is None


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("x" * 61, id="too-long"),
        pytest.param("Ewa\x00", id="control-character"),
        pytest.param("Ewa\u202e", id="bidi-override"),
        pytest.param(42, id="not-text"),
    ],
)
def test_me_bad_display_name_is_refused(anonymous, name):
    assert_api_error(
        anonymous.post("/api/v1/me", json={"name": name}), 422, "invalid_field", "name"
    )


def test_me_cannot_choose_a_name_in_header_mode(make_client):
    client = make_client(auth="header")
    assert_api_error(client.post("/api/v1/me", json={"name": "Ewa"}), 409, "managed_identity")


# --- reading threads ------------------------------------------------------------


def test_thread_unknown_is_404(client):
    assert_api_error(client.get("/api/v1/threads/no-such-article"), 404, "thread_not_found")


def test_thread_hidden_does_not_exist(client):
    assert_api_error(client.get("/api/v1/threads/hidden-news"), 404, "thread_not_found")
    assert_api_error(post(client, slug="hidden-news"), 404, "thread_not_found")


def test_thread_empty_has_the_contract_shape(anonymous):
    data = anonymous.get(THREAD).json()
    thread = data["thread"]
    assert data["comments"] == []
    assert thread["slug"] == "open-news" and thread["locked"] is False
    assert thread["comment_count"] == 0 and thread["mine"] == []
    assert thread["reactions"] == {
        "like": 0,
        "love": 0,
        "celebrate": 0,
        "insightful": 0,
        "curious": 0,
    }
    assert thread["must_read"] is False and thread["acknowledged"] is False
    assert thread["ack_count"] == 0


# --- writing comments -----------------------------------------------------------


def test_comment_post_renders_markdown(client):
    response = post(client, "**Świetnie**, [więcej](https://intranet.example/x)")
    assert response.status_code == 201
    comment = response.json()
    assert comment["body_html"].startswith("<p><strong>Świetnie</strong>")
    assert 'rel="nofollow noopener noreferrer"' in comment["body_html"]
    assert comment["author"]["name"] == "Ewa" and comment["mine"] is True
    assert comment["body"].startswith("**Świetnie**")
    assert comment["created"].endswith("Z") and comment["edited"] is None
    assert comment["parent"] is None and comment["deleted"] is False
    assert comment["reactions"] == {"like": 0} and comment["replies"] == []


def test_comment_others_see_it_without_source(client, make_client):
    comment_id(client, "Pierwszy")
    other = make_client("Jan")
    comments = other.get(THREAD).json()["comments"]
    assert [c["body_html"] for c in comments] == ["<p>Pierwszy</p>"]
    assert comments[0]["mine"] is False and "body" not in comments[0]
    mine = client.get(THREAD).json()["comments"][0]
    assert mine["mine"] is True and mine["body"] == "Pierwszy"
    assert other.get(THREAD).json()["thread"]["comment_count"] == 1


def test_comment_replies_nest_under_their_parents(client, make_client):
    first = comment_id(client, "Pytanie")
    jan = make_client("Jan")
    reply = comment_id(jan, "Odpowiedź", parent=first)
    deeper = comment_id(client, "Dopytanie", parent=reply)
    comments = jan.get(THREAD).json()["comments"]
    assert [c["id"] for c in comments] == [first]
    assert comments[0]["replies"][0]["id"] == reply
    assert comments[0]["replies"][0]["replies"][0]["id"] == deeper
    assert comments[0]["replies"][0]["parent"] == first


def test_comment_translations_share_one_thread(client):
    comment_id(client, "Po polsku")
    assert client.get(THREAD).json()["thread"]["comment_count"] == 1


@pytest.mark.parametrize(
    "parent",
    [
        pytest.param("999999", id="missing"),
        pytest.param(7, id="not-a-string"),
        pytest.param("abc", id="not-an-id"),
    ],
)
def test_comment_reply_to_unknown_parent_is_refused(client, parent):
    assert_api_error(post(client, parent=parent), 422, "invalid_field", "parent")


def test_comment_reply_across_threads_is_refused(client):
    other = comment_id(client, slug="must-read")
    assert_api_error(post(client, parent=other), 422, "invalid_field", "parent")


def test_comment_in_closed_thread_is_refused(client):
    assert_api_error(post(client, slug="closed-news"), 403, "thread_locked")
    assert client.get("/api/v1/threads/closed-news").json()["thread"]["locked"] is True


def test_comment_needs_a_display_name(anonymous):
    assert_api_error(post(anonymous), 401, "not_signed_in")


@pytest.mark.parametrize(
    "body, code",
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("   \n ", "empty", id="blank"),
        pytest.param("a" * 5001, "too_long", id="too-long"),
        pytest.param("bell\x07", "control_character", id="control-character"),
        pytest.param("nul\x00", "control_character", id="nul"),
        pytest.param(12, "invalid_type", id="not-text"),
        pytest.param(None, "invalid_type", id="null"),
    ],
)
def test_comment_invalid_body_is_refused(client, body, code):
    error = assert_api_error(post(client, body), 422, code or "invalid_field", "body")
    assert error["code"] != "internal_error"


def test_comment_longest_body_is_accepted(client):
    assert post(client, "ą" * 5000).status_code == 201


def test_comment_unpaired_surrogate_is_refused(client):
    response = client.post(
        COMMENTS,
        content=b'{"body": "broken \\ud800 text"}',
        headers={"content-type": "application/json"},
    )
    assert_api_error(response, 422, "invalid_unicode", "body")


def test_comment_unknown_and_missing_fields_are_refused(client):
    assert_api_error(
        client.post(COMMENTS, json={"body": "x", "author": "Szef"}),
        422,
        "unknown_field",
        "author",
    )
    assert_api_error(client.post(COMMENTS, json={"text": "x"}), 422, "unknown_field", "text")
    assert_api_error(client.post(COMMENTS, json={}), 422, "missing_field", "body")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"{", id="truncated"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b'["body"]', id="array"),
        pytest.param(b'"text"', id="string"),
    ],
)
def test_comment_malformed_json_is_400(client, content):
    response = client.post(COMMENTS, content=content, headers={"content-type": "application/json"})
    assert_api_error(response, 400, "malformed_json")


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
    request = client.build_request("POST", COMMENTS, json={"body": "x"})
    for name, value in headers.items():
        if value:
            request.headers[name] = value
        else:
            del request.headers[name]
    assert_api_error(client.send(request), 403, "origin_not_allowed")
    for method, path in (
        ("DELETE", THREAD + "/reactions/like"),
        ("PUT", THREAD + "/reactions/like"),
    ):
        request = client.build_request(method, path)
        for name, value in headers.items():
            if value:
                request.headers[name] = value
            else:
                del request.headers[name]
        assert_api_error(client.send(request), 403, "origin_not_allowed")


def test_state_change_with_same_origin_referer_is_allowed(client):
    request = client.build_request("POST", COMMENTS, json={"body": "x"})
    del request.headers["origin"]
    request.headers["referer"] = f"{ORIGIN}/news/open-news.html"
    assert client.send(request).status_code == 201


def test_state_change_from_configured_origin(make_client):
    client = make_client(allowed_origins=("https://kurier.intranet.example",))
    client.headers["origin"] = "https://kurier.intranet.example"
    assert client.post("/api/v1/me", json={"name": "Ewa"}).status_code == 200
    client.headers["origin"] = ORIGIN  # its own origin no longer counts once a list is set
    assert_api_error(client.post("/api/v1/me", json={"name": "Ewa"}), 403, "origin_not_allowed")


def test_oversized_body_is_413(client):
    assert_api_error(post(client, "a" * (70 * 1024)), 413, "body_too_large")


def test_oversized_chunked_body_is_413_without_length(client):
    def chunks():
        yield b'{"body": "'
        for _ in range(80):
            yield b"a" * 1024
        yield b'"}'

    response = client.post(COMMENTS, content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_api_error(response, 413, "body_too_large")


# --- editing and deleting ---------------------------------------------------------


def test_comment_edit_own_marks_it_edited(client, make_client):
    cid = comment_id(client, "Literówka")
    response = client.patch(f"/api/v1/comments/{cid}", json={"body": "Bez literówki"})
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>Bez literówki</p>"
    assert response.json()["edited"].endswith("Z")
    seen = make_client("Jan").get(THREAD).json()["comments"][0]
    assert seen["body_html"] == "<p>Bez literówki</p>" and seen["edited"]


def test_comment_edit_of_someone_else_is_403(client, make_client):
    cid = comment_id(client)
    jan = make_client("Jan")
    assert_api_error(jan.patch(f"/api/v1/comments/{cid}", json={"body": "Moje!"}), 403, "forbidden")


def test_comment_edit_unknown_is_404(client):
    for cid in ("424242", "abc", "-1"):
        response = client.patch(f"/api/v1/comments/{cid}", json={"body": "x"})
        assert_api_error(response, 404, "comment_not_found")


def test_comment_edit_needs_valid_body(client):
    cid = comment_id(client)
    assert_api_error(
        client.patch(f"/api/v1/comments/{cid}", json={"body": ""}), 422, "empty", "body"
    )


def test_comment_delete_own_removes_it(client):
    cid = comment_id(client)
    assert client.delete(f"/api/v1/comments/{cid}").status_code == 204
    data = client.get(THREAD).json()
    assert data["comments"] == [] and data["thread"]["comment_count"] == 0
    assert client.delete(f"/api/v1/comments/{cid}").status_code == 404


def test_comment_delete_with_replies_leaves_placeholder(client, make_client):
    first = comment_id(client, "Do usunięcia")
    jan = make_client("Jan")
    reply = comment_id(jan, "Odpowiedź", parent=first)
    assert client.delete(f"/api/v1/comments/{first}").status_code == 204
    placeholder = jan.get(THREAD).json()["comments"][0]
    assert placeholder["deleted"] is True and placeholder["author"] is None
    assert placeholder["body_html"] == "" and placeholder["replies"][0]["id"] == reply
    assert jan.get(THREAD).json()["thread"]["comment_count"] == 1
    assert_api_error(
        client.patch(f"/api/v1/comments/{first}", json={"body": "x"}),
        409,
        "comment_deleted",
    )
    # The last reply gone, the placeholder goes too.
    assert jan.delete(f"/api/v1/comments/{reply}").status_code == 204
    assert jan.get(THREAD).json()["comments"] == []


def test_comment_delete_of_someone_else_is_403(client, make_client):
    cid = comment_id(client)
    assert_api_error(make_client("Jan").delete(f"/api/v1/comments/{cid}"), 403, "forbidden")


def test_comment_delete_unknown_is_404(client):
    assert_api_error(client.delete("/api/v1/comments/31337"), 404, "comment_not_found")


# --- reactions, likes, acknowledgements -------------------------------------------


def test_reaction_toggle_is_idempotent_and_counted(client, make_client):
    jan = make_client("Jan")
    for _ in range(2):
        response = client.put(THREAD + "/reactions/celebrate")
        assert response.status_code == 200
        assert response.json()["reactions"]["celebrate"] == 1
        assert response.json()["mine"] == ["celebrate"]
    jan.put(THREAD + "/reactions/celebrate")
    assert jan.get(THREAD).json()["thread"]["reactions"]["celebrate"] == 2
    assert jan.get(THREAD).json()["thread"]["mine"] == ["celebrate"]
    for _ in range(2):
        response = client.delete(THREAD + "/reactions/celebrate")
        assert response.json()["reactions"]["celebrate"] == 1 and response.json()["mine"] == []


def test_reaction_unknown_kind_is_422(client):
    assert_api_error(client.put(THREAD + "/reactions/angry"), 422, "invalid_field", "kind")


def test_reaction_needs_sign_in(anonymous):
    assert_api_error(anonymous.put(THREAD + "/reactions/like"), 401, "not_signed_in")


def test_reaction_on_closed_article_is_refused(client):
    """Closed means read-only: no comments, no reactions."""
    response = client.put("/api/v1/threads/closed-news/reactions/like")
    assert_api_error(response, 403, "thread_locked")
    assert client.get("/api/v1/threads/closed-news").json()["thread"]["reactions"]["like"] == 0


def test_reaction_on_a_locked_thread_is_refused(make_client, settings):
    from tests.service.moderation_kit import admin

    reader = make_client("Ewa")
    assert reader.put(f"{THREAD}/reactions/love").status_code == 200
    moderator = admin(make_client, "Ola")
    assert moderator.put(f"{THREAD}/lock", json={"reason": "Spór"}).status_code == 200
    assert_api_error(reader.delete(f"{THREAD}/reactions/love"), 403, "thread_locked")
    assert_api_error(reader.put(f"{THREAD}/reactions/like"), 403, "thread_locked")
    assert reader.get(THREAD).json()["thread"]["mine"] == ["love"]


def test_like_comment_toggle(client, make_client):
    cid = comment_id(client)
    jan = make_client("Jan")
    for _ in range(2):
        response = jan.put(f"/api/v1/comments/{cid}/reactions/like")
        assert response.json() == {"reactions": {"like": 1}, "mine": ["like"]}
    seen = jan.get(THREAD).json()["comments"][0]
    assert seen["reactions"] == {"like": 1} and seen["my_reactions"] == ["like"]
    assert client.get(THREAD).json()["comments"][0]["my_reactions"] == []
    response = jan.delete(f"/api/v1/comments/{cid}/reactions/like")
    assert response.json() == {"reactions": {"like": 0}, "mine": []}


def test_like_own_comment_is_403(client):
    cid = comment_id(client)
    assert_api_error(client.put(f"/api/v1/comments/{cid}/reactions/like"), 403, "forbidden")


def test_like_other_kind_is_422(client, make_client):
    cid = comment_id(client)
    response = make_client("Jan").put(f"/api/v1/comments/{cid}/reactions/love")
    assert_api_error(response, 422, "invalid_field", "kind")


def test_like_unknown_comment_is_404(client):
    assert_api_error(client.put("/api/v1/comments/5555/reactions/like"), 404, "comment_not_found")


def test_acknowledgement_counts_once_per_person(client, make_client):
    path = "/api/v1/threads/must-read/acknowledgement"
    for _ in range(2):
        response = client.put(path)
        assert response.status_code == 200 and response.json()["ack_count"] == 1
    make_client("Jan").put(path)
    thread = client.get("/api/v1/threads/must-read").json()["thread"]
    assert thread["acknowledged"] is True and thread["ack_count"] == 2
    assert thread["must_read"] is True


def test_acknowledgement_of_ordinary_article_is_409(client):
    assert_api_error(client.put(THREAD + "/acknowledgement"), 409, "not_must_read")


def test_acknowledgement_lapses_when_article_is_updated(client, settings):
    client.put("/api/v1/threads/must-read/acknowledgement")
    updated = [dict(entry) for entry in ARTICLES]
    updated[-1]["modified"] = "2099-01-01T00:00:00+00:00"
    write_articles(settings.articles, updated)
    time.sleep(0.3)  # the manifest is checked a few times a second
    thread = client.get("/api/v1/threads/must-read").json()["thread"]
    assert thread["acknowledged"] is False and thread["ack_count"] == 0
    assert thread["acknowledged_at"]  # the old confirmation is still known


# --- counts -------------------------------------------------------------------------


def test_counts_of_several_threads(client):
    comment_id(client)
    comment_id(client)
    client.put(THREAD + "/reactions/love")
    response = client.get("/api/v1/counts?slug=open-news&slug=must-read&slug=nope&slug=hidden-news")
    data = response.json()
    assert set(data) == {"open-news", "must-read"}
    assert data["open-news"]["comments"] == 2 and data["open-news"]["reactions"]["love"] == 1
    assert data["must-read"] == {
        "comments": 0,
        "reactions": dict.fromkeys(data["must-read"]["reactions"], 0),
    }


def test_counts_limits(client):
    assert_api_error(client.get("/api/v1/counts"), 422, "invalid_field", "slug")
    many = "&".join(f"slug=s{i}" for i in range(101))
    assert_api_error(client.get(f"/api/v1/counts?{many}"), 422, "invalid_field", "slug")
    assert client.get("/api/v1/counts?" + "&".join(f"slug=s{i}" for i in range(100))).json() == {}


# --- rate limit -------------------------------------------------------------------------


def test_rate_limit_is_per_person_with_retry_after(make_client):
    ewa = make_client("Ewa", rate_limit=RateLimit(2, 60))
    jan = make_client("Jan", rate_limit=RateLimit(2, 60))
    assert post(ewa).status_code == 201 and post(ewa).status_code == 201
    response = post(ewa)
    assert_api_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert post(jan).status_code == 201  # same address, another person


# --- identity from the SSO proxy ------------------------------------------------------------


SSO = {"x-forwarded-user": "jnowak", "x-forwarded-preferred-username": "Jan Nowak",
       "x-forwarded-email": "jnowak@example.com", "x-forwarded-groups": "staff,comms"}  # fmt: skip


@pytest.fixture
def header_mode(make_client):
    """Header mode clients whose TCP peer is `peer`."""

    def make(peer: str, **changes):
        return make_client(peer=peer, auth="header", **changes)

    return make


def test_header_mode_trusts_the_proxy(header_mode):
    client = header_mode("127.0.0.1")
    me = client.get("/api/v1/me", headers=SSO).json()
    assert me == {
        "user": {"id": "jnowak", "name": "Jan Nowak", "moderator": False},
        "auth": "header",
    }
    response = client.post(COMMENTS, json={"body": "Przez SSO"}, headers=SSO)
    assert response.status_code == 201 and response.json()["author"]["id"] == "jnowak"


def test_header_mode_ignores_identity_from_other_peers(header_mode):
    client = header_mode("10.20.30.40")
    assert client.get("/api/v1/me", headers=SSO).json()["user"] is None
    assert_api_error(client.post(COMMENTS, json={"body": "x"}, headers=SSO), 401, "not_signed_in")
    spoofed = {**SSO, "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1"}
    assert_api_error(
        client.post(COMMENTS, json={"body": "x"}, headers=spoofed), 401, "not_signed_in"
    )


def test_header_mode_repeated_identity_header_is_400(header_mode):
    client = header_mode("127.0.0.1")
    headers = [*SSO.items(), ("x-forwarded-user", "admin")]
    assert_api_error(client.get("/api/v1/me", headers=headers), 400, "ambiguous_identity")


def test_header_mode_moderators_by_login_and_group(header_mode):
    by_login = header_mode("127.0.0.1", moderators=frozenset({"jnowak"}))
    assert by_login.get("/api/v1/me", headers=SSO).json()["user"]["moderator"] is True
    by_group = header_mode("127.0.0.1", moderator_group="comms")
    assert by_group.get("/api/v1/me", headers=SSO).json()["user"]["moderator"] is True
    neither = header_mode("127.0.0.1", moderator_group="admins")
    assert neither.get("/api/v1/me", headers=SSO).json()["user"]["moderator"] is False


def test_header_mode_moderator_deletes_any_comment(header_mode):
    client = header_mode("127.0.0.1", moderators=frozenset({"mod"}))
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


# --- the service as a whole ----------------------------------------------------------------


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


def test_unknown_route_and_method_answer_json(client):
    assert_api_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_api_error(client.post(THREAD, json={}), 405, "method_not_allowed")


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


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "threads": 4}


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


def test_comment_reply_to_deleted_placeholder_is_409(client, make_client):
    first = comment_id(client, "Pytanie")
    jan = make_client("Jan")
    comment_id(jan, "Odpowiedź", parent=first)
    client.delete(f"/api/v1/comments/{first}")
    assert_api_error(post(jan, "Jeszcze jedna", parent=first), 409, "parent_deleted", "parent")


def test_threads_follow_a_new_manifest(client, settings):
    assert_api_error(client.get("/api/v1/threads/fresh-news"), 404, "thread_not_found")
    fresh = {**ARTICLES[0], "slug": "fresh-news", "url": "news/fresh-news.html", "translations": []}
    closed = [{**entry, "comments": "closed"} for entry in ARTICLES if entry["slug"] == "open-news"]
    others = [entry for entry in ARTICLES if entry["slug"] != "open-news"]
    write_articles(settings.articles, [*others, *closed, fresh])
    time.sleep(0.3)  # the manifest is checked a few times a second
    assert client.get("/api/v1/threads/fresh-news").status_code == 200
    assert_api_error(post(client), 403, "thread_locked")


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


# --- hostile input that used to answer 500 ----------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/api/v1/me", id="me"),
        pytest.param("POST", COMMENTS, id="comment"),
        pytest.param("PATCH", "/api/v1/comments/{id}", id="edit"),
        pytest.param("DELETE", "/api/v1/comments/{id}", id="delete"),
        pytest.param("POST", "/api/v1/comments/{id}/flags", id="report"),
    ],
)
def test_deeply_nested_json_is_400_without_a_traceback(client, caplog, method, path):
    cid = comment_id(client)
    for body in (DEEP, '{"body":' * 3000 + "1" + "}" * 3000):
        response = client.request(
            method, path.format(id=cid), content=body, headers={"content-type": "application/json"}
        )
        assert_api_error(response, 400, "malformed_json")
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]


@pytest.mark.parametrize(
    "raw_id",
    ["%C2%B2", "%C2%B9%C2%B2", "%D9%A3", "1%C2%B2", "%EF%BC%91", "0" * 19, "9" * 30],
)
def test_ids_are_ascii_digits_in_paths(client, raw_id):
    """ "²" and "٣" are digits to str.isdigit() but not to int(): 404, not 500."""
    for method, path in (
        ("PATCH", f"/api/v1/comments/{raw_id}"),
        ("DELETE", f"/api/v1/comments/{raw_id}"),
        ("PUT", f"/api/v1/comments/{raw_id}/reactions/like"),
        ("POST", f"/api/v1/comments/{raw_id}/flags"),
    ):
        body = {"body": "x"} if method == "PATCH" else {"reason": "x"} if method == "POST" else None
        response = client.request(method, path, json=body)
        assert_api_error(response, 404, "comment_not_found")


@pytest.mark.parametrize("parent", ["²", "¹²", "٣", "１", "1²", "-1", "1.0", " 1"])
def test_parent_ids_are_ascii_digits(client, parent):
    comment_id(client)
    response = post(client, "Odpowiedź", parent=parent)
    assert_api_error(response, 422, "invalid_field", "parent")


# --- the article's author, by who they are ------------------------------------------------


def test_article_author_badge_is_never_given_in_open_mode(make_client):
    """Anyone may call themselves "Anna Nowak" in open mode: the name proves nothing."""
    impostor = make_client("Anna Nowak")
    posted = post(impostor, "Jako autorka artykułu...").json()
    assert posted["article_author"] is False
    assert impostor.get(THREAD).json()["comments"][0]["article_author"] is False


def test_article_author_badge_comes_from_the_login_in_header_mode(header_mode):
    client = header_mode("127.0.0.1")
    author = {"x-forwarded-user": "anowak", "x-forwarded-preferred-username": "Ania"}
    namesake = {"x-forwarded-user": "anowak2", "x-forwarded-preferred-username": "Anna Nowak"}
    by_author = client.post(COMMENTS, json={"body": "Od autorki"}, headers=author).json()
    by_namesake = client.post(COMMENTS, json={"body": "Imienniczka"}, headers=namesake).json()
    assert by_author["article_author"] is True and by_namesake["article_author"] is False
    shown = {c["id"]: c["article_author"] for c in client.get(THREAD).json()["comments"]}
    assert shown == {by_author["id"]: True, by_namesake["id"]: False}
    # Only on the article they wrote.
    elsewhere = client.post(
        "/api/v1/threads/must-read/comments", json={"body": "Gdzie indziej"}, headers=author
    )
    assert elsewhere.json()["article_author"] is False


# --- origins -----------------------------------------------------------------------------


def test_null_origin_does_not_fall_back_to_the_referer(client):
    """A sandboxed frame sends Origin: null; its Referer proves nothing about it."""
    request = client.build_request("POST", COMMENTS, json={"body": "x"})
    request.headers["origin"] = "null"
    request.headers["referer"] = f"{ORIGIN}/news/open-news.html"
    assert_api_error(client.send(request), 403, "origin_not_allowed")


def test_a_field_name_with_an_unpaired_surrogate_is_a_422_not_a_500(client):
    response = client.post(
        COMMENTS,
        content=b'{"\\ud800": 1, "body": "x"}',
        headers={"content-type": "application/json"},
    )
    error = assert_api_error(response, 422, "unknown_field")
    assert error["field"] == "\\ud800"

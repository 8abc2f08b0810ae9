"""Moderation over the API: who may act, what each action does, and the audit log of it."""

from __future__ import annotations

import pytest

from tests.service.kit import (
    API,
    COMMENTS,
    OPEN,
    THREAD,
    admin,
    assert_api_error,
    audit,
    events,
    find,
    post,
    recent,
    thread,
)

SSO = {"x-forwarded-user": "jnowak", "x-forwarded-preferred-username": "Jan Nowak"}


def sso(login: str, name: str, groups: str = "") -> dict:
    return {"x-forwarded-user": login, "x-forwarded-preferred-username": name,
            "x-forwarded-groups": groups}  # fmt: skip


# --- who moderates ------------------------------------------------------------------------


MODERATOR_ONLY = [
    pytest.param("PUT", "/comments/{id}/hidden", {"reason": "spam"}, id="hide"),
    pytest.param("DELETE", "/comments/{id}/hidden", None, id="unhide"),
    pytest.param("PUT", "/comments/{id}/pinned", None, id="pin"),
    pytest.param("DELETE", "/comments/{id}/pinned", None, id="unpin"),
    pytest.param("PUT", "/comments/{id}/approved", None, id="approve"),
    pytest.param("DELETE", "/comments/{id}/approved", None, id="reject"),
    pytest.param("PUT", "/comments/{id}/flags/dismissed", None, id="dismiss"),
    pytest.param("PUT", f"/threads/{OPEN}/lock", {"reason": "x"}, id="lock"),
    pytest.param("DELETE", f"/threads/{OPEN}/lock", None, id="unlock"),
    pytest.param("PUT", "/people/u1/mute", {"until": "2099-01-01T00:00:00Z", "reason": "x"},
                 id="mute"),
    pytest.param("DELETE", "/people/u1/mute", None, id="unmute"),
    pytest.param("GET", "/moderation/flags", None, id="flag-queue"),
    pytest.param("GET", "/moderation/pending", None, id="pending-queue"),
    pytest.param("GET", "/moderation/log", None, id="audit-log"),
    pytest.param("GET", "/moderation/mutes", None, id="mutes"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), MODERATOR_ONLY)
def test_moderation_refuses_readers_and_strangers(make_client, anonymous, method, path, body):
    author = make_client("Ewa")
    comment = post(author)
    url = API + path.format(id=comment["id"])
    kwargs = {"json": body} if body is not None else {}
    assert_api_error(anonymous.request(method, url, **kwargs), 401, "not_signed_in")
    employee = make_client("Jan")
    error = assert_api_error(employee.request(method, url, **kwargs), 403, "forbidden")
    assert "moderator" in error["message"]
    # Nothing changed for readers.
    assert find(anonymous, comment["id"])["hidden"] is None
    assert thread(anonymous)["thread"]["locked"] is False


def test_moderator_by_login_in_header_mode(header_client):
    client = header_client(moderators=frozenset({"mkowalska"}))
    comment = client.post(COMMENTS, json={"body": "Z SSO"}, headers=SSO).json()
    boss = sso("mkowalska", "Maria Kowalska")
    assert client.get(f"{API}/me", headers=boss).json()["user"]["moderator"] is True
    url = f"{API}/comments/{comment['id']}/hidden"
    assert_api_error(client.put(url, json={"reason": "x"}, headers=SSO), 403, "forbidden")
    response = client.put(url, json={"reason": "Poza tematem"}, headers=boss)
    assert response.status_code == 200, response.text
    log = client.get(f"{API}/moderation/log", headers=boss).json()["items"]
    assert (log[0]["actor"], log[0]["actor_name"]) == ("mkowalska", "Maria Kowalska")


def test_moderator_by_group_in_header_mode(header_client):
    client = header_client(moderator_group="comms")
    comment = client.post(COMMENTS, json={"body": "Z SSO"}, headers=SSO).json()
    url = f"{API}/comments/{comment['id']}/pinned"
    outsider = sso("anowak", "Anna Nowak", "staff,sales")
    assert_api_error(client.put(url, headers=outsider), 403, "forbidden")
    member = sso("anowak", "Anna Nowak", "staff,comms")
    response = client.put(url, headers=member)
    assert response.status_code == 200 and response.json()["pinned"] is True


# --- hide ---------------------------------------------------------------------------------


def test_hide_shows_the_reason_to_readers_and_the_text_to_moderators(make_client, settings):
    author = make_client("Ewa")
    reader = make_client("Jan")
    moderator = admin(make_client, "Ola")
    comment = post(author, "Coś **niestosownego**")
    hidden_url = f"{API}/comments/{comment['id']}/hidden"

    response = moderator.put(hidden_url, json={"reason": "Obraźliwy język"})
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["hidden"]["reason"] == "Obraźliwy język"
    assert shown["hidden"]["by_name"] == "Ola" and shown["hidden"]["auto"] is False
    assert "niestosownego" in shown["body_html"]

    seen = find(reader, comment["id"])
    assert seen["hidden"] == {"reason": "Obraźliwy język", "auto": False}
    assert seen["body_html"] == "" and seen["author"] is None and "body" not in seen
    assert "niestosownego" not in reader.get(THREAD).text
    own = find(author, comment["id"])
    assert own["mine"] is True and own["body_html"] == "" and "body" not in own
    assert "niestosownego" in find(moderator, comment["id"])["body_html"]
    assert find(moderator, comment["id"])["hidden"]["by_name"] == "Ola"
    assert thread(reader)["thread"]["comment_count"] == 0
    assert reader.get(f"{API}/counts?slug={OPEN}").json()[OPEN]["comments"] == 0

    # Live readers got the placeholder, never the text.
    name, data = events(settings.db)[-1]
    assert name == "comment" and data["comment"]["hidden"]["reason"] == "Obraźliwy język"
    assert data["comment"]["body_html"] == "" and data["comment_count"] == 0

    entry = audit(moderator, action="hide")[0]
    assert entry["actor_name"] == "Ola" and entry["reason"] == "Obraźliwy język"
    assert entry["comment"] == comment["id"] and entry["thread"] == OPEN
    assert entry["person"] == comment["author"]["id"] and recent(entry["at"])

    # Hiding again with the same reason changes nothing and logs nothing.
    assert moderator.put(hidden_url, json={"reason": "Obraźliwy język"}).status_code == 200
    assert len(audit(moderator, action="hide")) == 1

    # The author can neither edit nor be liked while it is hidden.
    edit = author.patch(f"{API}/comments/{comment['id']}", json={"body": "poprawione"})
    assert_api_error(edit, 409, "comment_hidden")
    like = reader.put(f"{API}/comments/{comment['id']}/reactions/like")
    assert_api_error(like, 409, "comment_hidden")

    unhidden = moderator.delete(hidden_url)
    assert unhidden.status_code == 200 and unhidden.json()["hidden"] is None
    again = find(reader, comment["id"])
    assert again["hidden"] is None and "niestosownego" in again["body_html"]
    assert thread(reader)["thread"]["comment_count"] == 1
    assert events(settings.db)[-1][1]["comment"]["hidden"] is None
    assert audit(moderator)[0]["action"] == "unhide"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param(None, 400, "malformed_json", id="no-body"),
        pytest.param({}, 422, "missing_field", id="no-reason"),
        pytest.param({"reason": "   "}, 422, "empty", id="blank"),
        pytest.param({"reason": 7}, 422, "invalid_field", id="not-text"),
        pytest.param({"reason": "x" * 501}, 422, "too_long", id="too-long"),
        pytest.param({"reason": "a\u0000b"}, 422, "invalid_field", id="control"),
        pytest.param({"reason": "x", "why": "y"}, 422, "unknown_field", id="unknown-field"),
        pytest.param([], 400, "malformed_json", id="array"),
    ],
)
def test_hide_needs_a_reason(make_client, body, status, code):
    comment = post(make_client("Ewa"))
    moderator = admin(make_client, "Ola")
    url = f"{API}/comments/{comment['id']}/hidden"
    response = moderator.put(url) if body is None else moderator.put(url, json=body)
    assert_api_error(response, status, code)
    assert find(moderator, comment["id"])["hidden"] is None


def test_moderation_of_unknown_comments_is_404(make_client):
    moderator = admin(make_client, "Ola")
    for comment_id in ("999", "abc", "-1"):
        response = moderator.put(f"{API}/comments/{comment_id}/hidden", json={"reason": "x"})
        assert_api_error(response, 404, "comment_not_found")
    assert_api_error(moderator.put(f"{API}/threads/no-such/lock"), 404, "thread_not_found")


# --- pin ----------------------------------------------------------------------------------


def test_pin_puts_a_comment_first(make_client, settings):
    author = make_client("Ewa")
    first, second = post(author, "pierwszy"), post(author, "drugi")
    reply = post(author, "odpowiedź", parent=first["id"])
    moderator = admin(make_client, "Ola")
    response = moderator.put(f"{API}/comments/{second['id']}/pinned")
    assert response.status_code == 200 and response.json()["pinned"] is True
    top = thread(author)["comments"]
    assert [c["id"] for c in top] == [second["id"], first["id"]] and top[0]["pinned"]
    assert events(settings.db)[-1][1]["comment"]["pinned"] is True
    assert_api_error(moderator.put(f"{API}/comments/{reply['id']}/pinned"), 422, "invalid_field")
    assert moderator.put(f"{API}/comments/{second['id']}/pinned").status_code == 200
    assert [e["action"] for e in audit(moderator)][:1] == ["pin"]
    assert len(audit(moderator, action="pin")) == 1  # pinning twice logs once
    response = moderator.delete(f"{API}/comments/{second['id']}/pinned")
    assert response.json()["pinned"] is False
    assert [c["id"] for c in thread(author)["comments"]] == [first["id"], second["id"]]
    assert audit(moderator)[0]["action"] == "unpin"


# --- lock ---------------------------------------------------------------------------------


def test_lock_stops_writes_but_not_moderators(make_client, settings):
    author = make_client("Ewa")
    reader = make_client("Jan")
    comment = post(author)
    moderator = admin(make_client, "Ola")
    response = moderator.put(f"{API}/threads/{OPEN}/lock", json={"reason": "Temat wyczerpany"})
    assert response.status_code == 200
    assert response.json() == {"slug": OPEN, "locked": True, "lock_reason": "Temat wyczerpany",
                               "comments_mode": "open"}  # fmt: skip
    state = thread(reader)["thread"]
    assert state["locked"] is True and state["lock_reason"] == "Temat wyczerpany"
    assert events(settings.db)[-1] == (
        "thread",
        {"locked": True, "lock_reason": "Temat wyczerpany"},
    )

    assert_api_error(author.post(COMMENTS, json={"body": "jeszcze"}), 403, "thread_locked")
    edit = author.patch(f"{API}/comments/{comment['id']}", json={"body": "zmiana"})
    assert_api_error(edit, 403, "thread_locked")
    like = reader.put(f"{API}/comments/{comment['id']}/reactions/like")
    assert_api_error(like, 403, "thread_locked")
    assert_api_error(author.delete(f"{API}/comments/{comment['id']}"), 403, "thread_locked")
    hide = moderator.put(f"{API}/comments/{comment['id']}/hidden", json={"reason": "x"})
    assert hide.status_code == 200

    entry = audit(moderator, action="lock")[0]
    assert entry["thread"] == OPEN and entry["reason"] == "Temat wyczerpany"
    assert entry["comment"] is None

    unlocked = moderator.delete(f"{API}/threads/{OPEN}/lock")
    assert unlocked.json()["locked"] is False and unlocked.json()["lock_reason"] is None
    assert thread(reader)["thread"]["lock_reason"] is None
    assert events(settings.db)[-1] == ("thread", {"locked": False, "lock_reason": None})
    assert author.post(COMMENTS, json={"body": "znowu"}).status_code == 201
    assert audit(moderator)[0]["action"] == "unlock"


def test_lock_of_a_closed_article_stays_locked(make_client):
    moderator = admin(make_client, "Ola")
    response = moderator.delete(f"{API}/threads/closed-news/lock")
    assert response.status_code == 200 and response.json()["locked"] is True


# --- delete -------------------------------------------------------------------------------


def test_moderator_deletion_is_audited_with_its_reason(make_client):
    author = make_client("Ewa")
    comment, own = post(author, "cudze"), post(author, "własne")
    moderator = admin(make_client, "Ola")
    response = moderator.request(
        "DELETE", f"{API}/comments/{comment['id']}", json={"reason": "Dane osobowe"}
    )
    assert response.status_code == 204
    assert find(author, comment["id"]) is None
    entry = audit(moderator, action="delete")[0]
    assert (entry["comment"], entry["reason"], entry["person"]) == (
        comment["id"], "Dane osobowe", comment["author"]["id"],
    )  # fmt: skip
    assert author.delete(f"{API}/comments/{own['id']}").status_code == 204
    assert len(audit(moderator, action="delete")) == 1  # an author's own deletion is theirs


# --- the audit log ------------------------------------------------------------------------


def test_audit_log_filters_and_pages(make_client):
    author = make_client("Ewa")
    first, second = post(author, "a"), post(author, "b")
    moderator = admin(make_client, "Ola")
    other = admin(make_client, "Piotr")
    moderator.put(f"{API}/comments/{first['id']}/hidden", json={"reason": "r1"})
    other.put(f"{API}/comments/{second['id']}/hidden", json={"reason": "r2"})
    moderator.put(f"{API}/comments/{second['id']}/pinned")
    moderator.put(f"{API}/threads/must-read/lock")

    everything = audit(moderator)
    actions = [e["action"] for e in everything]
    assert actions[:4] == ["lock", "pin", "hide", "hide"]  # newest first
    ids = [int(e["id"]) for e in everything]
    assert ids == sorted(ids, reverse=True)
    assert [e["reason"] for e in audit(moderator, action="hide")] == ["r2", "r1"]
    piotr = audit(moderator, actor=everything[2]["actor"])
    assert {e["action"] for e in piotr} == {"hide", "sign_in"}
    assert [e["action"] for e in audit(moderator, thread="must-read")] == ["lock"]

    page = moderator.get(f"{API}/moderation/log", params={"limit": 2}).json()
    assert [e["id"] for e in page["items"]] == [e["id"] for e in everything[:2]]
    following = moderator.get(
        f"{API}/moderation/log", params={"limit": 2, "before": page["next_before"]}
    ).json()
    assert [e["id"] for e in following["items"]] == [e["id"] for e in everything[2:4]]
    last = moderator.get(f"{API}/moderation/log", params={"limit": 200}).json()
    assert last["next_before"] is None


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"limit": "0"}, id="limit-zero"),
        pytest.param({"limit": "201"}, id="limit-too-big"),
        pytest.param({"limit": "abc"}, id="limit-text"),
        pytest.param({"before": "-5"}, id="before-negative"),
        pytest.param({"before": "1e9"}, id="before-text"),
        pytest.param({"action": "explode"}, id="unknown-action"),
    ],
)
def test_audit_log_bad_query_is_422(make_client, query):
    moderator = admin(make_client, "Ola")
    assert_api_error(moderator.get(f"{API}/moderation/log", params=query), 422, "invalid_field")


# --- hostile input ------------------------------------------------------------------------


def test_hostile_reason_stays_inert(make_client):
    author = make_client("Ewa")
    comment = post(author)
    moderator = admin(make_client, "Ola")
    hostile = '<img src=x onerror="alert(1)"> </script><script>alert(2)</script>'
    moderator.put(f"{API}/comments/{comment['id']}/hidden", json={"reason": hostile})
    response = author.get(THREAD)
    assert response.headers["content-type"].startswith("application/json")
    assert find(author, comment["id"])["hidden"]["reason"] == hostile  # data, never markup
    assert "nosniff" in response.headers["x-content-type-options"]

"""Moderation over the API: who may act, what each action does, and the audit log of it."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.testclient import TestClient

from comments_service.app import create_app
from comments_service.errors import ApiError
from comments_service.storage import Database
from comments_service.store import is_public
from comments_service.store.limits import ADMIN_FAILURES
from comments_service.user import User
from tests.service.conftest import ORIGIN, assert_api_error
from tests.service.moderation_kit import (
    API,
    COMMENTS,
    OPEN,
    PASSWORD,
    THREAD,
    admin,
    audit,
    events,
    find,
    iso,
    post,
    recent,
    thread,
)

SSO = {"x-forwarded-user": "jnowak", "x-forwarded-preferred-username": "Jan Nowak"}


def sso(login: str, name: str, groups: str = "") -> dict:
    return {"x-forwarded-user": login, "x-forwarded-preferred-username": name,
            "x-forwarded-groups": groups}  # fmt: skip


# --- who moderates --------------------------------------------------------------------


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


def test_admin_sign_in_makes_the_reader_a_moderator(make_client):
    moderator = make_client("Ola", admin_password=PASSWORD)
    before = moderator.get(f"{API}/me").json()["user"]
    assert before["moderator"] is False
    response = moderator.post(f"{API}/admin/session", json={"password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"] == {**before, "moderator": True}  # the same person
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("kurier_admin=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=43200"):
        assert attribute.lower() in cookie.lower()
    assert moderator.get(f"{API}/me").json()["user"]["moderator"] is True
    entry = audit(moderator)[0]
    assert entry["action"] == "sign_in" and entry["actor"] == before["id"]
    assert recent(entry["at"])

    signed_out = moderator.delete(f"{API}/admin/session")
    assert signed_out.status_code == 200
    assert signed_out.json()["user"] == before
    assert moderator.get(f"{API}/me").json()["user"]["moderator"] is False
    assert_api_error(moderator.get(f"{API}/moderation/log"), 403, "forbidden")


def test_admin_sign_in_without_a_display_name(make_client):
    moderator = make_client(admin_password=PASSWORD)
    response = moderator.post(f"{API}/admin/session", json={"password": PASSWORD})
    assert response.json()["user"] == {"id": "admin", "name": "Moderator", "moderator": True}
    assert moderator.get(f"{API}/moderation/pending").status_code == 200


def test_admin_sign_in_wrong_password(make_client):
    client = make_client("Ola", admin_password=PASSWORD)
    response = client.post(f"{API}/admin/session", json={"password": PASSWORD + " "})
    assert_api_error(response, 401, "wrong_password", "password")
    assert "set-cookie" not in response.headers
    assert client.get(f"{API}/me").json()["user"]["moderator"] is False


def test_admin_sign_in_a_right_password_is_never_counted(make_client):
    """Several moderators behind one proxy sign in as often as they like."""
    for _ in range(12):
        client = make_client("Ola", admin_password=PASSWORD)
        assert client.post(f"{API}/admin/session", json={"password": PASSWORD}).status_code == 200


def test_admin_sign_in_a_few_wrong_passwords_lock_nobody_out(make_client):
    """Five wrong tries from the office's address used to lock every moderator out."""
    guesser = make_client("Ktoś", admin_password=PASSWORD)
    for _ in range(5):
        response = guesser.post(f"{API}/admin/session", json={"password": "zgaduję"})
        assert_api_error(response, 401, "wrong_password", "password")
    colleague = make_client("Ola", admin_password=PASSWORD)
    assert colleague.post(f"{API}/admin/session", json={"password": PASSWORD}).status_code == 200


def test_admin_sign_in_a_wrong_password_is_answered_after_a_delay(make_client):
    client = make_client("Ola", admin_password=PASSWORD, sign_in_failure_delay=0.5)
    started = time.monotonic()
    assert client.post(f"{API}/admin/session", json={"password": "x"}).status_code == 401
    assert time.monotonic() - started >= 0.5
    started = time.monotonic()
    assert client.post(f"{API}/admin/session", json={"password": PASSWORD}).status_code == 200
    assert time.monotonic() - started < 0.5


def test_admin_sign_in_many_wrong_passwords_from_one_address_wait(make_client, settings):
    first = make_client("Ktoś", admin_password=PASSWORD)
    for _ in range(ADMIN_FAILURES.count):
        assert first.post(f"{API}/admin/session", json={"password": "zgaduję"}).status_code == 401
    # Then even the right password waits, through another worker too: guessing
    # would otherwise go on at full speed.
    second = make_client("Ola", admin_password=PASSWORD)
    response = second.post(f"{API}/admin/session", json={"password": PASSWORD})
    assert_api_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["retry-after"]) <= ADMIN_FAILURES.interval
    assert second.get(f"{API}/me").json()["user"]["moderator"] is False
    # Another address has its own allowance.
    app = create_app(replace(settings, admin_password=PASSWORD))
    with TestClient(app, headers={"origin": ORIGIN}, client=("10.1.2.3", 5000)) as elsewhere:
        ok = elsewhere.post(f"{API}/admin/session", json={"password": PASSWORD})
        assert ok.status_code == 200


def test_admin_sign_out_ends_the_session_everywhere(make_client):
    moderator = admin(make_client, "Ola")
    token = moderator.cookies["kurier_admin"]
    copy = make_client(admin_password=PASSWORD)  # another worker, the same cookie
    copy.cookies.set("kurier_admin", token)
    assert copy.get(f"{API}/me").json()["user"]["moderator"] is True
    out = moderator.delete(f"{API}/admin/session")
    assert out.status_code == 200 and out.json()["user"]["moderator"] is False
    # The old cookie, kept by someone who copied it, no longer works anywhere.
    assert copy.get(f"{API}/me").json()["user"] is None
    assert_api_error(copy.get(f"{API}/moderation/flags"), 401, "not_signed_in")
    stale = make_client(admin_password=PASSWORD)
    stale.cookies.set("kurier_admin", token)
    assert_api_error(stale.get(f"{API}/moderation/log"), 401, "not_signed_in")


def test_admin_sessions_keep_only_a_hash_of_their_secret(make_client, settings):
    moderator = admin(make_client, "Ola")
    token = moderator.cookies["kurier_admin"]
    with Database(settings.db) as db:
        rows = db.table("sessions").all()
    assert len(rows) == 1 and rows[0]["user"] == moderator.get(f"{API}/me").json()["user"]["id"]
    secret = URLSafeTimedSerializer(
        settings.secret_key,
        salt="kurier-admin:" + hashlib.sha256(PASSWORD.encode()).hexdigest(),
    ).loads(token)
    assert rows[0]["sid"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(rows)


def test_admin_sign_in_refused_without_password_or_in_header_mode(make_client, header_client):
    client = make_client("Ola")
    assert_api_error(
        client.post(f"{API}/admin/session", json={"password": ""}), 403, "admin_disabled"
    )
    sso_client = header_client(admin_password=PASSWORD)
    assert_api_error(
        sso_client.post(f"{API}/admin/session", json={"password": PASSWORD}, headers=SSO),
        409,
        "managed_identity",
    )


def test_admin_cookie_forged_expired_or_from_an_old_password_is_ignored(make_client, settings):
    moderator = admin(make_client, "Ola")
    token = moderator.cookies["kurier_admin"]
    # The password changed: every session ends.
    other = make_client("Ola", admin_password="a new password")
    other.cookies.set("kurier_admin", token)
    assert other.get(f"{API}/me").json()["user"]["moderator"] is False
    # Tampered.
    other.cookies.set("kurier_admin", token[:-2] + "xx")
    assert other.get(f"{API}/me").json()["user"]["moderator"] is False

    # Issued 13 hours ago with the right key: expired.
    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 3600

    salt = "kurier-admin:" + hashlib.sha256(PASSWORD.encode()).hexdigest()
    old = URLSafeTimedSerializer(settings.secret_key, salt=salt, signer=Yesterday).dumps("admin")
    fresh = URLSafeTimedSerializer(settings.secret_key, salt=salt).dumps("admin")
    late = make_client("Ola", admin_password=PASSWORD)
    late.cookies.set("kurier_admin", old)
    assert late.get(f"{API}/me").json()["user"]["moderator"] is False
    # Signed right, but no session of that name was ever started.
    late.cookies.set("kurier_admin", fresh)
    assert late.get(f"{API}/me").json()["user"]["moderator"] is False
    late.cookies.set("kurier_admin", token)  # the real session's cookie
    assert late.get(f"{API}/me").json()["user"]["moderator"] is True


# --- hide -----------------------------------------------------------------------------


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


# --- pin ------------------------------------------------------------------------------


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


# --- lock -----------------------------------------------------------------------------


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


# --- delete ---------------------------------------------------------------------------


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


# --- mute -----------------------------------------------------------------------------


def test_mute_blocks_writing_until_unmuted(make_client):
    muted_person = make_client("Ewa")
    other = make_client("Jan")
    mine, theirs = post(muted_person), post(other)
    moderator = admin(make_client, "Ola")
    person = mine["author"]["id"]
    until = iso(timedelta(days=1))
    response = moderator.put(
        f"{API}/people/{person}/mute", json={"until": until, "reason": "Kłótnie"}
    )
    assert response.status_code == 200, response.text
    mute = response.json()
    assert (mute["user"], mute["user_name"], mute["until"]) == (person, "Ewa", until)

    writes = [
        muted_person.post(COMMENTS, json={"body": "jeszcze raz"}),
        muted_person.patch(f"{API}/comments/{mine['id']}", json={"body": "zmiana"}),
        muted_person.put(f"{API}/comments/{theirs['id']}/reactions/like"),
        muted_person.put(f"{API}/threads/{OPEN}/reactions/love"),
    ]
    for refused in writes:
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["code"] == "muted" and error["until"] == until
        assert until in error["message"]
    # Reporting and deleting one's own comments stay possible.
    report = muted_person.post(f"{API}/comments/{theirs['id']}/flags", json={"reason": "spam"})
    assert report.status_code == 201
    assert other.post(COMMENTS, json={"body": "inni piszą"}).status_code == 201

    listed = moderator.get(f"{API}/moderation/mutes").json()["items"]
    assert [m["user"] for m in listed] == [person]
    entry = audit(moderator, action="mute")[0]
    assert entry["person"] == person and entry["reason"] == "Kłótnie"
    assert entry["details"] == {"until": until}

    assert moderator.delete(f"{API}/people/{person}/mute").json() == {"user": person,
                                                                      "muted": False}  # fmt: skip
    assert muted_person.post(COMMENTS, json={"body": "wróciłam"}).status_code == 201
    assert moderator.get(f"{API}/moderation/mutes").json()["items"] == []
    assert audit(moderator)[0]["action"] == "unmute"


def test_mute_expires_when_until_passes(make_client, settings):
    person = make_client("Ewa")
    author_id = post(person)["author"]["id"]
    moderator = admin(make_client, "Ola")
    response = moderator.put(
        f"{API}/people/{author_id}/mute", json={"until": iso(timedelta(seconds=2)), "reason": "x"}
    )
    assert response.status_code == 200
    assert_api_error(person.post(COMMENTS, json={"body": "teraz"}), 403, "muted")
    time.sleep(2.2)
    assert person.post(COMMENTS, json={"body": "po czasie"}).status_code == 201

    # A longer mute, moved into the past in the database as time would.
    moderator.put(
        f"{API}/people/{author_id}/mute", json={"until": iso(timedelta(days=7)), "reason": "y"}
    )
    assert_api_error(person.post(COMMENTS, json={"body": "teraz"}), 403, "muted")
    db = Database(settings.db)
    try:
        with db.transaction():
            db.table("mutes").update({"until": iso(-timedelta(minutes=1))})
    finally:
        db.close()
    assert person.post(COMMENTS, json={"body": "tydzień później"}).status_code == 201
    assert moderator.get(f"{API}/moderation/mutes").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        pytest.param({"until": "2020-01-01T00:00:00Z", "reason": "x"}, "until", "invalid_field",
                     id="past"),
        pytest.param({"until": iso(timedelta(days=400)), "reason": "x"}, "until",
                     "invalid_field", id="over-a-year"),
        pytest.param({"until": "2099-01-01T00:00:00", "reason": "x"}, "until", "invalid_field",
                     id="no-zone"),
        pytest.param({"until": "jutro", "reason": "x"}, "until", "invalid_field", id="not-time"),
        pytest.param({"until": 1767225600, "reason": "x"}, "until", "invalid_field",
                     id="number"),
        pytest.param({"until": iso(timedelta(days=1))}, "reason", "missing_field",
                     id="no-reason"),
        pytest.param({"reason": "x"}, "until", "missing_field", id="no-until"),
        pytest.param({"until": iso(timedelta(days=1)), "reason": "x", "days": 3}, "days",
                     "unknown_field", id="unknown-field"),
    ],
)  # fmt: skip
def test_mute_validation(make_client, body, field, code):
    moderator = admin(make_client, "Ola")
    response = moderator.put(f"{API}/people/u123/mute", json=body)
    assert_api_error(response, 422, code, field)
    assert moderator.get(f"{API}/moderation/mutes").json()["items"] == []


# --- the audit log --------------------------------------------------------------------


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


# --- hostile and malformed input ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        pytest.param("PUT", "/comments/{id}/hidden", b"{not json", id="hide-broken"),
        pytest.param("PUT", "/comments/{id}/pinned", b'"text"', id="pin-string"),
        pytest.param("PUT", f"/threads/{OPEN}/lock", b"[1, 2]", id="lock-array"),
        pytest.param("PUT", "/people/u1/mute", b"\xff\xfe", id="mute-bytes"),
        pytest.param("DELETE", "/comments/{id}/approved", b"{", id="reject-broken"),
        pytest.param("POST", "/comments/{id}/flags", b"null", id="flag-null"),
        pytest.param("POST", "/admin/session", b"{", id="session-broken"),
    ],
)
def test_malformed_bodies_are_400_never_500(make_client, method, path, content):
    comment = post(make_client("Ewa"))
    moderator = admin(make_client, "Ola")
    url = API + path.format(id=comment["id"])
    response = moderator.request(
        method, url, content=content, headers={"content-type": "application/json"}
    )
    assert_api_error(response, 400, "malformed_json")


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


def test_person_id_too_long_is_422(make_client):
    moderator = admin(make_client, "Ola")
    response = moderator.put(
        f"{API}/people/{'x' * 201}/mute", json={"until": iso(timedelta(days=1)), "reason": "x"}
    )
    assert_api_error(response, 422, "invalid_field", "user_id")


# --- the store functions the admin pages call -----------------------------------------


@pytest.mark.parametrize(
    ("row", "public"),
    [
        pytest.param({"deleted": False, "hidden": None}, True, id="older-row-without-approved"),
        pytest.param({"deleted": False, "approved": True, "hidden": None}, True, id="approved"),
        pytest.param({"deleted": False, "approved": False, "hidden": None}, False, id="pending"),
        pytest.param({"deleted": True, "approved": True, "hidden": None}, False, id="deleted"),
        pytest.param({"deleted": False, "approved": True, "hidden": {"reason": "x"}}, False,
                     id="hidden"),
    ],
)  # fmt: skip
def test_is_public(row, public):
    assert is_public(row) is public


def test_recent_comments_for_moderators_by_thread_and_author(make_client):
    ewa, jan = make_client("Ewa"), make_client("Jan")
    first = post(ewa, "pierwszy")
    post(jan, "drugi")
    third = post(ewa, "trzeci", slug="must-read")
    moderator = admin(make_client, "Ola")
    store = moderator.app.state.store
    boss = User(id="ola", name="Ola", moderator=True)
    everything = store.queues.recent(boss, 50)
    assert [c["id"] for c in everything["items"]][:1] == [third["id"]]
    by_ewa = store.queues.recent(boss, 50, author=first["author"]["id"])
    assert [c["id"] for c in by_ewa["items"]] == [third["id"], first["id"]]
    in_open = store.queues.recent(boss, 50, thread=OPEN, author=first["author"]["id"])
    assert [c["id"] for c in in_open["items"]] == [first["id"]]
    paged = store.queues.recent(boss, limit=1)
    assert paged["next_before"] == int(third["id"])
    with pytest.raises(ApiError) as refused:
        store.queues.recent(User(id="jan", name="Jan"), 50)
    assert refused.value.status == 403

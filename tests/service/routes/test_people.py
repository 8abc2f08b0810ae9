"""People: who is asking (/me), the moderators' session in open mode, and mutes."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.testclient import TestClient

from comments_service import times
from comments_service.app import create_app
from comments_service.storage import Database
from comments_service.store.limits import ADMIN_FAILURES
from tests.service.kit import (
    API,
    COMMENTS,
    OPEN,
    ORIGIN,
    PASSWORD,
    admin,
    assert_api_error,
    audit,
    iso,
    post,
    recent,
)

# --- /me ----------------------------------------------------------------------------------


def test_me_anonymous_is_null(anonymous):
    assert anonymous.get("/api/v1/me").json() == {"user": None, "auth": "open", "sign_out": None}


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


# --- the moderators' session --------------------------------------------------------------


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


SSO = {"x-forwarded-user": "jnowak", "x-forwarded-preferred-username": "Jan Nowak"}


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


# --- mute ---------------------------------------------------------------------------------


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


def test_mute_expires_when_until_passes(make_client, settings, clock):
    person = make_client("Ewa")
    author_id = post(person)["author"]["id"]
    moderator = admin(make_client, "Ola")
    until = times.iso(clock.now + timedelta(hours=1))
    response = moderator.put(f"{API}/people/{author_id}/mute", json={"until": until, "reason": "x"})
    assert response.status_code == 200
    clock.advance(minutes=59, seconds=59)
    assert_api_error(person.post(COMMENTS, json={"body": "teraz"}), 403, "muted")
    clock.advance(seconds=1)  # `until` is the first second she may write again
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


def test_person_id_too_long_is_422(make_client):
    moderator = admin(make_client, "Ola")
    response = moderator.put(
        f"{API}/people/{'x' * 201}/mute", json={"until": iso(timedelta(days=1)), "reason": "x"}
    )
    assert_api_error(response, 422, "invalid_field", "user_id")

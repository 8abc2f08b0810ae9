"""Request bodies decoded into their declared shapes: each fault answered with its code and field.

Bodies are parsed by the standard JSON parser (an unpaired surrogate stays
text, to be refused by the field's own check), then decoded into the
route's shape: an unknown field comes first, then a missing one, then a
value of the wrong type.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.service.kit import API, COMMENTS, OPEN, admin, assert_api_error, comment_id, iso, post


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        pytest.param({"body": "x", "author": "Szef"}, 422, "unknown_field", "author", id="unknown"),
        pytest.param({"body": 12, "x": 1}, 422, "unknown_field", "x", id="unknown-before-type"),
        pytest.param({"parent": None}, 422, "missing_field", "body", id="missing"),
        pytest.param({"parent": 7, "x": 1}, 422, "unknown_field", "x", id="unknown-first"),
        pytest.param({"body": "x", "parent": 7}, 422, "invalid_field", "parent", id="wrong-type"),
        pytest.param({"body": "x", "parent": "abc"}, 422, "invalid_field", "parent", id="not-id"),
        pytest.param({"body": None}, 422, "invalid_type", "body", id="text-null"),
        pytest.param({"body": ["x"]}, 422, "invalid_type", "body", id="text-list"),
        pytest.param({"\ud800": 1}, 422, "unknown_field", "\\ud800", id="surrogate-name"),
    ],
)
def test_bodies_new_comment_faults(client, body, status, code, field):
    response = (
        client.post(COMMENTS, json=body)
        if "\ud800" not in body
        else client.post(
            COMMENTS, content=b'{"\\ud800": 1}', headers={"content-type": "application/json"}
        )
    )
    assert_api_error(response, status, code, field)


@pytest.mark.parametrize(
    "body, code, field",
    [
        pytest.param({"reason": None}, "missing_field", "reason", id="null-is-missing"),
        pytest.param({}, "missing_field", "reason", id="missing"),
        pytest.param({"reason": 7}, "invalid_field", "reason", id="number"),
        pytest.param({"reason": "  "}, "empty", "reason", id="blank"),
        pytest.param({"reason": "x" * 501}, "too_long", "reason", id="too-long"),
    ],
)
def test_bodies_required_reason_faults(client, make_client, body, code, field):
    comment = post(make_client("Jan"))
    response = client.post(f"{API}/comments/{comment['id']}/flags", json=body)
    assert_api_error(response, 422, code, field)


def test_bodies_optional_body_may_be_left_out_or_empty(make_client):
    moderator = admin(make_client, "Moderatorka")
    comment = post(make_client("Jan"))
    pinned = f"{API}/comments/{comment['id']}/pinned"
    assert moderator.put(pinned).status_code == 200
    assert moderator.delete(pinned, headers={"content-type": "application/json"}).status_code == 200
    assert moderator.put(pinned, json={"reason": None}).status_code == 200
    assert_api_error(moderator.put(pinned, json={"why": "x"}), 422, "unknown_field", "why")
    assert_api_error(
        moderator.request(
            "PUT", pinned, content=b"[]", headers={"content-type": "application/json"}
        ),
        400,
        "malformed_json",
    )


def test_bodies_messages_name_the_type_wanted(make_client):
    moderator = admin(make_client, "Moderatorka")
    mute = f"{API}/people/jan/mute"
    error = assert_api_error(
        moderator.put(mute, json={"until": 1767225600, "reason": "x"}),
        422,
        "invalid_field",
        "until",
    )
    assert error["message"] == "'until' is a text, not a whole number."
    error = assert_api_error(
        moderator.put(mute, json={"until": iso(timedelta(days=1)), "reason": ["x"]}),
        422,
        "invalid_field",
        "reason",
    )
    assert error["message"] == "'reason' is a text or null, not a list."


# --- JSON that is not a body at all -------------------------------------------------------


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


# --- fields -------------------------------------------------------------------------------


def test_comment_unknown_and_missing_fields_are_refused(client):
    assert_api_error(
        client.post(COMMENTS, json={"body": "x", "author": "Szef"}),
        422,
        "unknown_field",
        "author",
    )
    assert_api_error(client.post(COMMENTS, json={"text": "x"}), 422, "unknown_field", "text")
    assert_api_error(client.post(COMMENTS, json={}), 422, "missing_field", "body")


def test_comment_unpaired_surrogate_is_refused(client):
    response = client.post(
        COMMENTS,
        content=b'{"body": "broken \\ud800 text"}',
        headers={"content-type": "application/json"},
    )
    assert_api_error(response, 422, "invalid_unicode", "body")


def test_a_field_name_with_an_unpaired_surrogate_is_a_422_not_a_500(client):
    response = client.post(
        COMMENTS,
        content=b'{"\\ud800": 1, "body": "x"}',
        headers={"content-type": "application/json"},
    )
    error = assert_api_error(response, 422, "unknown_field")
    assert error["field"] == "\\ud800"

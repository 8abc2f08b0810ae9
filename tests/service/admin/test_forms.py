"""The admin forms' refusals: CSRF token and origin, other bodies, foreign redirects, readers."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.service.admin.kit import PASSWORD, log_actions, token
from tests.service.kit import comment_id


def test_csrf_token_and_origin_are_both_required(admin, make_client):
    cid = comment_id(make_client("Ewa"), "Tekst")
    before = log_actions(admin)
    path = f"/admin/comments/{cid}/hide"
    fields = {"reason": "x", "back": "/admin/"}
    no_token = admin.post(path, data=fields)
    assert no_token.status_code == 403 and "Formularz wygasł" in no_token.text
    wrong = admin.post(path, data={**fields, "csrf": "0" * 64})
    assert wrong.status_code == 403
    good = token(admin)
    foreign = admin.post(path, data={**fields, "csrf": good},
                         headers={"origin": "https://evil.example"})  # fmt: skip
    assert foreign.status_code == 403
    no_origin = TestClient(admin.app, raise_server_exceptions=False)
    no_origin.cookies = admin.cookies
    assert no_origin.post(path, data={**fields, "csrf": good}).status_code == 403
    other_browser = make_client(admin_password=PASSWORD)  # another browser, its own cookie
    other_browser.cookies.set("kurier_admin", admin.cookies["kurier_admin"])
    assert other_browser.post(path, data={**fields, "csrf": good}).status_code == 403
    assert log_actions(admin) == before
    assert admin.post(path, data={**fields, "csrf": good}).status_code == 200  # followed 303


def test_csrf_cookie_is_strict_and_http_only(make_client):
    client = make_client(admin_password=PASSWORD)
    cookie = client.get("/admin/sign-in").headers["set-cookie"].lower()
    assert "kurier_admin_csrf=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_forms_refuse_other_bodies_and_foreign_redirects(admin):
    good = token(admin)
    as_json = admin.post("/admin/threads/open-news/lock", json={"csrf": good})
    assert as_json.status_code == 400
    huge = admin.post("/admin/threads/open-news/lock", data={"csrf": good, "reason": "x" * 70000})
    assert huge.status_code == 400
    response = admin.post("/admin/threads/open-news/lock", follow_redirects=False,
                          data={"csrf": good, "back": "https://evil.example/"})  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    response = admin.post("/admin/threads/open-news/unlock", follow_redirects=False,
                          data={"csrf": good, "back": "/admin//evil.example"})  # fmt: skip
    assert response.headers["location"] == "/admin/"


def test_readers_cannot_act(make_client):
    reader = make_client("Ewa", admin_password=PASSWORD)
    csrf = token(reader, "/admin/sign-in")
    response = reader.post("/admin/threads/open-news/lock", data={"csrf": csrf},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/admin/sign-in"
    assert reader.get("/api/v1/threads/open-news").json()["thread"]["locked"] is False

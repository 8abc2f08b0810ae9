"""Signing in and out of the admin pages: the password, its limits, and header mode."""

from __future__ import annotations

import re

import pytest

from comments_service.store.limits import ADMIN_FAILURES
from tests.service.admin.kit import PASSWORD, log_actions, page, status_text, token


def test_admin_needs_sign_in_in_open_mode(make_client):
    client = make_client("Ewa", admin_password=PASSWORD)
    response = client.get("/admin/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/sign-in"
    form = page(client.get("/admin/sign-in")).find("form", action="/admin/sign-in")
    assert form.find("label", attrs={"for": "password"}) is not None
    assert form.find("input", id="password")["type"] == "password"


def test_sign_in_wrong_then_right_password(make_client):
    client = make_client(admin_password=PASSWORD)
    csrf = token(client, "/admin/sign-in")
    wrong = client.post("/admin/sign-in", data={"csrf": csrf, "password": "nie to"})
    assert wrong.status_code == 401
    assert "To nie jest hasło moderatora." in page(wrong).find(role="alert").get_text()
    assert page(wrong).find("input", id="password")["aria-invalid"] == "true"
    assert client.get("/admin/", follow_redirects=False).status_code == 303
    right = client.post("/admin/sign-in", data={"csrf": csrf, "password": PASSWORD})
    assert right.status_code == 200 and right.url.path == "/admin/"
    assert status_text(right) == "Zalogowano."
    assert "kurier_admin" in client.cookies
    assert client.get("/api/v1/me").json()["user"]["moderator"] is True
    assert log_actions(client)[0][0] == "sign_in"
    out = client.post("/admin/sign-out", data={"csrf": token(client)})
    assert out.url.path == "/admin/sign-in" and status_text(out) == "Wylogowano."
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_sign_in_wrong_passwords_are_rate_limited(make_client):
    client = make_client(admin_password=PASSWORD)
    csrf = token(client, "/admin/sign-in?lang=en")
    for _ in range(ADMIN_FAILURES.count):
        wrong = client.post("/admin/sign-in", data={"csrf": csrf, "password": "x"})
        assert wrong.status_code == 401
    limited = client.post("/admin/sign-in", data={"csrf": csrf, "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    message = page(limited).find(role="alert").get_text()
    assert re.fullmatch(r"Too many sign-in attempts\. Try again in \d+ s\.", message), message
    assert "kurier_admin" not in client.cookies


def test_sign_out_ends_the_session_for_a_copied_cookie(make_client):
    client = make_client(admin_password=PASSWORD)
    csrf = token(client, "/admin/sign-in")
    client.post("/admin/sign-in", data={"csrf": csrf, "password": PASSWORD})
    copied = client.cookies["kurier_admin"]
    client.post("/admin/sign-out", data={"csrf": token(client)})
    thief = make_client(admin_password=PASSWORD)
    thief.cookies.set("kurier_admin", copied)
    assert thief.get("/admin/", follow_redirects=False).status_code == 303  # to the sign-in


def test_sign_in_without_a_configured_password(make_client):
    client = make_client()
    response = client.post(
        "/admin/sign-in", data={"csrf": token(client, "/admin/sign-in"), "password": "x"}
    )
    assert response.status_code == 403
    alert = page(response).find(role="alert").get_text(" ", strip=True)
    assert alert.startswith("Logowanie moderatora jest wyłączone") and "COMMENTS" not in alert
    assert page(response).find(class_="hint").code.get_text() == "COMMENTS_ADMIN_PASSWORD"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("pl", "Podaj hasło moderatora. Przekazuje je osoba, która prowadzi Kuriera "
               "(polecenie make run wypisuje je przy starcie)."),
        ("en", "Enter the moderator password, given by whoever runs Kurier "
               "(make run prints it when it starts)."),
    ],
)  # fmt: skip
def test_sign_in_page_names_the_password_in_words(make_client, lang, words):
    html = page(make_client(admin_password=PASSWORD).get(f"/admin/sign-in?lang={lang}"))
    assert " ".join(html.find(id="password-help").get_text().split()) == words
    # The variable's name only in the small print for whoever runs Kurier.
    hint = html.find(id="operator-hint")
    assert hint.code.get_text() == "COMMENTS_ADMIN_PASSWORD" and "hint" in hint["class"]
    assert html.get_text().count("COMMENTS_") == 1


def test_header_mode_moderators_come_signed_in_others_get_403(header_client):
    client = header_client(moderators=frozenset({"mod"}))
    moderator = {"x-forwarded-user": "mod", "x-forwarded-preferred-username": "Moderatorka"}
    reader = {"x-forwarded-user": "ewa", "x-forwarded-preferred-username": "Ewa"}
    html = page(client.get("/admin/", headers=moderator))
    assert html.h1.get_text() == "Kolejka moderacji" and "Moderatorka" in html.header.get_text()
    assert html.find("form", action="/admin/sign-out") is None  # the proxy signs people out
    for headers in (reader, {}):
        refused = client.get("/admin/comments?lang=en", headers=headers)
        assert refused.status_code == 403
        assert page(refused).h1.get_text() == "No access"
    assert client.get("/admin/sign-in", headers=reader).status_code == 403
    threads = page(client.get("/admin/threads", headers=moderator))
    good = threads.find("input", {"name": "csrf"})["value"]
    response = client.post("/admin/threads/open-news/lock", data={"csrf": good},
                           headers=moderator)  # fmt: skip
    assert status_text(response) == "Thread locked."  # English since ?lang=en above
    assert client.post("/admin/threads/open-news/unlock", data={"csrf": good},
                       headers=reader).status_code == 403  # fmt: skip

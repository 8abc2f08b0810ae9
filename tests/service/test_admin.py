"""The admin pages through the real app: sign-in, pages in both languages with no word of
the other language or of configuration, the engagement table's columns, every form action
and its audit entry, CSRF refusals, permissions, and hostile text kept inert."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from comments_service.app import create_app
from comments_service.config import DEFAULT_REACTIONS
from comments_service.i18n import catalogue
from comments_service.store.audit import ACTIONS
from comments_service.store.limits import ADMIN_FAILURES
from tests.service.conftest import ORIGIN, write_articles

PASSWORD = "tajne hasło moderatora"
PAGES = ["/admin/", "/admin/comments", "/admin/threads", "/admin/log", "/admin/mutes",
         "/admin/reports", "/admin/reports/acknowledgements/must-read"]  # fmt: skip
HEADINGS = {
    "pl": ["Kolejka moderacji", "Ostatnie komentarze", "Dyskusje", "Dziennik zdarzeń",
           "Wyciszenia", "Raporty", "Potwierdzenia: Obowiązkowe"],
    "en": ["Moderation queue", "Recent comments", "Threads", "Audit log", "Mutes", "Reports",
           "Acknowledgements: Obowiązkowe"],
}  # fmt: skip


def page(response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html"), response.text
    return BeautifulSoup(response.text, "html.parser")


def token(client: TestClient, path: str = "/admin/") -> str:
    found = page(client.get(path)).find("input", {"name": "csrf"})
    assert found is not None, "the page has no form"
    return found["value"]


def status_text(response) -> str:
    return page(response).find(attrs={"role": "status"}).get_text(" ", strip=True)


@pytest.fixture
def admin(make_client) -> TestClient:
    """A moderator signed in at /admin/ with the password (open mode)."""
    client = make_client(admin_password=PASSWORD)
    response = client.post(
        "/admin/sign-in", data={"csrf": token(client, "/admin/sign-in"), "password": PASSWORD}
    )
    assert response.status_code == 200 and response.url.path == "/admin/", response.text
    return client


def act(client: TestClient, path: str, back: str = "/admin/", **fields) -> object:
    """Post one of the pages' forms, with the page's token, and follow the redirect."""
    data = {"csrf": token(client, back), "back": back, **fields}
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == back
    return client.get(back)


def log_actions(client: TestClient) -> list[tuple]:
    items = client.get("/api/v1/moderation/log").json()["items"]
    return [(e["action"], e["comment"], e["thread"], e["person"], e["reason"]) for e in items]


def comment(client: TestClient, body: str, slug: str = "open-news") -> str:
    response = client.post(f"/api/v1/threads/{slug}/comments", json={"body": body})
    assert response.status_code == 201, response.text
    return response.json()["id"]


# --- signing in and out -------------------------------------------------------------------


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


# --- pages and languages --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_pages_render_in_both_languages(admin, lang):
    for path, heading in zip(PAGES, HEADINGS[lang], strict=True):
        response = admin.get(f"{path}?lang={lang}")
        assert response.status_code == 200, (path, response.text)
        html = page(response)
        assert html.html["lang"] == lang
        assert html.h1.get_text(strip=True) == heading
        assert html.find("a", class_="skip")["href"] == "#main"
        assert html.find("main", id="main") and html.find("nav") and html.find("header")
        switch = html.find("a", hreflang="pl" if lang == "en" else "en")
        assert switch is not None and "lang=" in switch["href"]
        for table in html.find_all("table"):
            assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
        for field in html.select("input:not([type=hidden]), select"):
            assert html.find("label", attrs={"for": field["id"]}), (path, field)


def test_language_is_remembered_else_taken_from_the_browser(admin):
    assert page(admin.get("/admin/")).html["lang"] == "pl"  # the default
    assert (
        page(admin.get("/admin/", headers={"accept-language": "en-GB,en;q=0.9"})).html["lang"]
        == "en"
    )
    assert (
        page(admin.get("/admin/", headers={"accept-language": "de, pl;q=0.5"})).html["lang"] == "pl"
    )
    admin.get("/admin/?lang=en")
    assert page(admin.get("/admin/threads")).html["lang"] == "en"  # from the cookie
    assert page(admin.get("/admin/?lang=pl")).html["lang"] == "pl"


def test_admin_css_is_served_and_pages_have_no_scripts(admin):
    css = admin.get("/admin/static/admin.css")
    assert css.status_code == 200 and ":focus-visible" in css.text
    for path in PAGES:
        html = page(admin.get(path))
        assert html.find("script") is None
        stylesheets = [link["href"] for link in html.find_all("link", rel="stylesheet")]
        assert stylesheets == ["/admin/static/tokens.css", "/admin/static/admin.css"]


REPO = Path(__file__).resolve().parents[2]
TOKENS = REPO / "comments_service" / "admin" / "static" / "tokens.css"


def custom_properties(css: str) -> set[str]:
    """The custom properties a stylesheet declares, but for those of its print styles."""
    screen = re.sub(r"@media print\s*\{(?:[^{}]|\{[^{}]*\})*\}", "", css)
    return set(re.findall(r"(?:^|[{;])\s*(--[\w-]+)\s*:", screen, re.MULTILINE))


def test_admin_and_site_share_one_file_of_colours_and_type(admin):
    tokens = TOKENS.read_text(encoding="utf-8")
    served = admin.get("/admin/static/tokens.css")
    assert served.status_code == 200 and served.text == tokens
    # The theme's tokens.css is a link to the service's; the site's stylesheet imports it.
    assert (REPO / "theme" / "static" / "css" / "tokens.css").resolve() == TOKENS.resolve()
    main = (REPO / "theme" / "static" / "css" / "main.css").read_text(encoding="utf-8")
    assert '@import url("tokens.css");' in main
    declared = custom_properties(tokens)
    assert {"--k-brand", "--k-link", "--k-sans", "--k-nav-link"} <= declared
    for sheet in (main, admin.get("/admin/static/admin.css").text):
        assert not custom_properties(sheet) & declared  # no copy of a token


# --- the actions, each in the audit log -----------------------------------------------------


def test_reported_comment_hidden_then_dismissed_and_deleted(admin, make_client):
    author = make_client("Ewa")
    cid = comment(author, "Spam, spam, spam")
    for name in ("Jan", "Ola", "Piotr"):
        response = make_client(name).post(f"/api/v1/comments/{cid}/flags", json={"reason": "Spam"})
        assert response.status_code == 201, response.text
    queue = page(admin.get("/admin/"))
    card = queue.find("section", attrs={"aria-labelledby": "reported-heading"})
    assert "Spam, spam, spam" in card.get_text() and "Piotr" in card.get_text()
    # In open mode reports wait for a moderator; they hide nothing by themselves.
    assert "Ukryty automatycznie" not in card.get_text()
    after = act(admin, f"/admin/comments/{cid}/dismiss")
    assert status_text(after) == "Zgłoszenia odrzucone."
    after = act(admin, f"/admin/comments/{cid}/hide", reason="Reklama")
    assert status_text(after) == "Komentarz ukryty."
    thread = author.get("/api/v1/threads/open-news").json()
    assert thread["comments"][0]["hidden"]["reason"] == "Reklama"
    act(admin, f"/admin/comments/{cid}/unhide", back="/admin/comments")
    act(admin, f"/admin/comments/{cid}/pin", back="/admin/comments")
    act(admin, f"/admin/comments/{cid}/unpin", back="/admin/comments")
    after = act(admin, f"/admin/comments/{cid}/delete", back="/admin/comments", reason="Spam")
    assert status_text(after) == "Komentarz usunięty."
    assert author.get("/api/v1/threads/open-news").json()["comments"] == []
    actions = [entry[:2] for entry in log_actions(admin)]
    expected = ["delete", "unpin", "pin", "unhide", "hide", "dismiss_reports"]
    assert actions[: len(expected)] == [(action, cid) for action in expected]
    assert "auto_hide" not in [action for action, _ in actions]
    assert log_actions(admin)[0][4] == "Spam" and log_actions(admin)[4][4] == "Reklama"


def test_hide_needs_a_reason(admin, make_client):
    cid = comment(make_client("Ewa"), "Tekst")
    after = act(admin, f"/admin/comments/{cid}/hide", back="/admin/comments", reason="  ")
    assert status_text(after).startswith("Nie udało się: Podaj powód.")
    assert [a for a in log_actions(admin) if a[0] == "hide"] == []


def test_pending_comments_approved_or_rejected(admin, make_client):
    writer = make_client("Ewa", premoderation=True)
    waiting, unwanted = comment(writer, "Czekam"), comment(writer, "Nie przejdę")
    pending = page(admin.get("/admin/")).find(
        "section", attrs={"aria-labelledby": "pending-heading"}
    )
    assert "Czekam" in pending.get_text() and "Nie przejdę" in pending.get_text()
    assert (
        status_text(act(admin, f"/admin/comments/{waiting}/approve")) == "Komentarz zatwierdzony."
    )
    after = act(admin, f"/admin/comments/{unwanted}/reject", reason="Nie na temat")
    assert status_text(after) == "Komentarz odrzucony."
    assert "Nic nie czeka na zatwierdzenie." in page(after).get_text()
    bodies = [
        c["body_html"] for c in make_client().get("/api/v1/threads/open-news").json()["comments"]
    ]
    assert bodies == ["<p>Czekam</p>"]
    assert [a[:2] for a in log_actions(admin)[:2]] == [("reject", unwanted), ("approve", waiting)]


def test_lock_and_unlock_a_thread(admin, make_client):
    after = act(admin, "/admin/threads/open-news/lock", back="/admin/threads", reason="Za gorąco")
    assert status_text(after) == "Dyskusja zamknięta."
    row = page(after).find("code", string="open-news").find_parent("tr")
    assert "Zamknięta: Za gorąco" in row.get_text(" ", strip=True)
    response = make_client("Ewa").post("/api/v1/threads/open-news/comments", json={"body": "x"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "thread_locked"
    after = act(admin, "/admin/threads/open-news/unlock", back="/admin/threads")
    assert status_text(after) == "Dyskusja otwarta."
    assert log_actions(admin)[:2] == [
        ("unlock", None, "open-news", None, None),
        ("lock", None, "open-news", None, "Za gorąco"),
    ]
    closed = page(after).find("code", string="closed-news").find_parent("tr")
    assert "Zamknięta w artykule" in closed.get_text() and closed.find("form") is None


def test_mute_and_unmute_a_person(admin, make_client):
    ewa = make_client("Ewa")
    person = ewa.get("/api/v1/me").json()["user"]["id"]
    comment(ewa, "Coś nieprzyjemnego")  # the mute takes her name from her comments
    day = "2099-01-01"
    after = act(admin, "/admin/mutes", back="/admin/mutes", person=person, until=day, reason="x")
    assert status_text(after).startswith("Nie udało się")  # over a year ahead
    day = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    after = act(admin, "/admin/mutes", back="/admin/mutes", person=person, until=day,
                reason="Obraźliwe wpisy")  # fmt: skip
    assert status_text(after) == "Osoba wyciszona."
    row = page(after).find("code", string=person).find_parent("tr")
    # The day ends the mute as it begins in the moderators' time zone (Europe/Warsaw).
    zone = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Warsaw")).tzname()
    assert "Ewa" in row.get_text() and f"{day} 00:00 {zone}" in row.get_text()
    logged = page(admin.get("/admin/log", params={"action": "mute"})).find("tbody")
    assert f"{day} 00:00 {zone}" in logged.get_text()  # the log, too, in local time
    response = ewa.post("/api/v1/threads/open-news/comments", json={"body": "x"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "muted"
    ends = datetime.fromisoformat(response.json()["error"]["until"])
    assert ends == datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Warsaw"))
    after = act(admin, "/admin/mutes/remove", back="/admin/mutes", person=person)
    assert status_text(after) == "Wyciszenie zdjęte." and "Nikt nie jest wyciszony." in after.text
    assert [a[0] for a in log_actions(admin)[:2]] == ["unmute", "mute"]
    assert log_actions(admin)[1][3:] == (person, "Obraźliwe wpisy")


def test_recent_comments_search_and_pages(admin, make_client):
    ewa, jan = make_client("Ewa"), make_client("Jan")
    ewa_id = ewa.get("/api/v1/me").json()["user"]["id"]
    for i in range(30):
        comment(ewa if i % 2 else jan, f"Komentarz numer {i}")
    comment(jan, "W obowiązkowym", slug="must-read")
    first = page(admin.get("/admin/comments"))
    assert len(first.find_all("article")) == 25
    assert "W obowiązkowym" in first.find("article").get_text()
    older = first.find("a", rel="next")["href"]
    assert len(page(admin.get(older)).find_all("article")) == 6
    by_ewa = page(admin.get(f"/admin/comments?author={ewa_id}&thread=open-news"))
    texts = [a.find(class_="body").get_text(strip=True) for a in by_ewa.find_all("article")]
    assert len(texts) == 15 and all(int(t.split()[-1]) % 2 for t in texts)
    selected = by_ewa.find("select", id="f-thread").find("option", selected=True)
    assert selected["value"] == "open-news"
    only_must = page(admin.get("/admin/comments?thread=must-read")).find_all("article")
    assert [a.find(class_="body").get_text(strip=True) for a in only_must] == ["W obowiązkowym"]


def test_audit_log_filters(admin, make_client):
    cid = comment(make_client("Ewa"), "Tekst")
    act(admin, f"/admin/comments/{cid}/hide", reason="Powód A")
    act(admin, "/admin/threads/must-read/lock", back="/admin/threads")
    rows = page(admin.get("/admin/log?lang=en")).find("tbody").find_all("tr")
    assert [r.find_all("td")[1].get_text() for r in rows] == ["lock", "hide", "sign-in"]
    hides = page(admin.get("/admin/log?action=hide")).find("tbody").find_all("tr")
    assert len(hides) == 1 and "Powód A" in hides[0].get_text()
    must = page(admin.get("/admin/log?thread=must-read")).find("tbody").find_all("tr")
    assert len(must) == 1
    nobody = page(admin.get("/admin/log?actor=nobody"))  # in English: remembered
    assert nobody.find("table") is None and "No entries." in nobody.get_text()


def test_reports_page_with_range_sorting_and_csv_links(admin, make_client):
    comment(make_client("Ewa"), "Raz")
    make_client("Jan").put("/api/v1/threads/must-read/acknowledgement")
    html = page(admin.get("/admin/reports?from=2026-11-01&to=2026-11-02&sort=comments"))
    table = html.find("table", class_="report")
    slugs = [row.th.code.get_text() for row in table.tbody.find_all("tr")]
    assert slugs == ["open-news", "closed-news"]
    sorted_by = table.find("th", attrs={"aria-sort": True})
    assert sorted_by["aria-sort"] == "descending" and "Komentarze" in sorted_by.get_text()
    csv_link = html.find("a", href=re.compile(r"engagement\.csv"))["href"]
    assert csv_link == "/api/v1/reports/engagement.csv?from=2026-11-01&to=2026-11-02&sort=comments"
    assert admin.get(csv_link).content.startswith(b"\xef\xbb\xbf")
    acks = html.find("section", attrs={"aria-labelledby": "acks-heading"}).tbody.find("tr")
    assert acks.th.get_text() == "Obowiązkowe" and acks.td.get_text() == "1"  # outside the range
    people = page(admin.get("/admin/reports/acknowledgements/must-read")).find("tbody")
    assert people.th.get_text() == "Jan"
    bad = page(admin.get("/admin/reports?from=2026-02-30"))
    assert "Nie udało się" in bad.find(class_="field-error").get_text()


# --- refusals -----------------------------------------------------------------------------


def test_csrf_token_and_origin_are_both_required(admin, make_client):
    cid = comment(make_client("Ewa"), "Tekst")
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


@pytest.fixture
def sso(settings):
    opened = []

    def make(**changes) -> TestClient:
        changes = {"auth": "header", "moderators": frozenset({"mod"}), **changes}
        client = TestClient(create_app(replace(settings, **changes)), headers={"origin": ORIGIN},
                            client=("127.0.0.1", 40000), raise_server_exceptions=False)  # fmt: skip
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def test_header_mode_moderators_come_signed_in_others_get_403(sso):
    client = sso()
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


# --- hostile text -------------------------------------------------------------------------


def test_hostile_names_and_text_stay_inert(admin, make_client):
    name = '<img src=x onerror="alert(1)">"Zła"'
    evil = make_client(name[:60])
    cid = comment(evil, "<script>alert(1)</script> **pogrubione** [x](javascript:alert(1))")
    for reporter in ("Jan", "Ola"):
        reason = "<b onmouseover=alert(1)>zgłoszenie</b>"
        make_client(reporter).post(f"/api/v1/comments/{cid}/flags", json={"reason": reason})
    act(admin, "/admin/threads/open-news/lock", back="/admin/threads",
        reason="<script>alert(2)</script>")  # fmt: skip
    for path in ["/admin/", "/admin/comments", "/admin/log", "/admin/threads",
                 "/admin/mutes?person=%3Cscript%3E"]:  # fmt: skip
        response = admin.get(path)
        html = page(response)
        assert html.find("script") is None, path
        assert not html.find_all(attrs={"onerror": True}) and not html.find("b"), path
        assert "javascript:" not in response.text, path
    queue = page(admin.get("/admin/"))
    assert name[:60] in queue.get_text()  # shown as text
    assert queue.find(class_="body").find("strong").get_text() == "pogrubione"
    assert "<b onmouseover=alert(1)>zgłoszenie</b>" in queue.get_text()


# --- every word in the page's language ------------------------------------------------------

WORD = re.compile(r"[^\W\d_]+(?:_[^\W\d_]+)*")
# Words of configuration and of stored data, never to be shown to moderators as they are.
CONFIG_WORDS = {
    *DEFAULT_REACTIONS, "open", "moderated", "closed", "hidden",  # COMMENTS_REACTIONS, Comments:
    "modified", "auto", "system", "pending", "review", "yes", "no", "true", "false", "none",
    "asc", "desc", "ascending", "descending", "slug", "langs", "pl", "en", *ACTIONS,
}  # fmt: skip


def _ui_words(lang: str) -> set[str]:
    """Every word of the pages' strings in `lang` (months included), placeholders left out."""
    values = catalogue(lang)["admin"].values()
    texts = [text for value in values for text in ([value] if isinstance(value, str) else value)]
    texts = [re.sub(r"\{\w+\}", " ", text) for text in texts]
    return {word.casefold() for text in texts for word in WORD.findall(text)}


POLISH, ENGLISH = _ui_words("pl"), _ui_words("en")
FOREIGN = {
    "pl": (ENGLISH - POLISH) | CONFIG_WORDS,
    "en": (POLISH - ENGLISH) | (CONFIG_WORDS - ENGLISH),
}
UPDATED = "2026-11-12T10:00:00+00:00"
WORDS_ARTICLES = [
    {"slug": "plan", "lang": "pl", "title": "Plan roku", "url": "news/plan.html",
     "date": "2026-11-01T09:00:00+01:00", "comments": "open", "must_read": False},
    {"slug": "plan", "lang": "en", "title": "Year plan", "url": "en/news/plan.html",
     "date": "2026-11-01T09:00:00+01:00", "comments": "open", "must_read": False},
    {"slug": "zebranie", "lang": "pl", "title": "Zebranie", "url": "news/zebranie.html",
     "date": "2026-11-02T09:00:00+01:00", "comments": "moderated", "must_read": False},
    {"slug": "stare", "lang": "pl", "title": "Stare sprawy", "url": "news/stare.html",
     "date": "2026-11-03T09:00:00+01:00", "comments": "closed", "must_read": False},
    {"slug": "kaski", "lang": "pl", "title": "Kaski", "url": "news/kaski.html",
     "date": "2026-11-04T09:00:00+01:00", "comments": "open", "must_read": True,
     "modified": UPDATED},
    {"slug": "kaski", "lang": "en", "title": "Helmets", "url": "en/news/kaski.html",
     "date": "2026-11-04T09:00:00+01:00", "comments": "open", "must_read": True,
     "modified": UPDATED},
    {"slug": "gogle", "lang": "pl", "title": "Gogle", "url": "news/gogle.html",
     "date": "2026-11-05T09:00:00+01:00", "comments": "open", "must_read": True,
     "modified": "2099-01-01T00:00:00+00:00"},  # every acknowledgement is before this
]  # fmt: skip
# What people wrote and what the articles are called: the page shows it as it is.
WRITTEN = ["Plan roku", "Year plan", "Zebranie", "Stare sprawy", "Kaski", "Helmets", "Gogle",
           "Moderatorka", "Ewa", "Jan", "Ola", "Piotr", "xq1", "xq2", "xq3", "xq4"]  # fmt: skip


def visible_words(html: BeautifulSoup, lang: str) -> set[str]:
    """The words a moderator reads or hears on the page, but for identifiers (`code`),
    parts in another language (`lang=`), comments' text and `WRITTEN`."""
    for tag in html.select("code, .body"):
        tag.decompose()
    for tag in html.select("body [lang]"):
        if not tag.decomposed and tag["lang"] != lang:
            tag.decompose()
    said = [
        tag[name]
        for tag in html.find_all(True)
        for name in ("aria-label", "title", "placeholder", "alt")
        if tag.get(name)
    ]
    text = " ".join([html.get_text(" "), *said])
    for written in WRITTEN:
        text = text.replace(written, " ")
    return {word.casefold() for word in WORD.findall(text)}


@pytest.fixture
def busy(settings, person, make_client):
    """Header mode with something on every admin page: reports, a comment hidden by them,
    a pending one, every reaction and one an operator added, acknowledgements counted and
    outdated, a locked thread, a mute, and moderators' actions in the log."""
    write_articles(settings.articles, WORDS_ARTICLES)
    common = {"moderators": frozenset({"mod"}), "reactions": (*DEFAULT_REACTIONS, "kudos")}
    mod = person("mod", "Moderatorka", **common)
    ewa, jan, ola, piotr = (person(login, login.capitalize(), **common)
                            for login in ("ewa", "jan", "ola", "piotr"))  # fmt: skip
    first = comment(ewa, "xq1", slug="plan")
    for reader in (jan, ola, piotr):  # three reports hide it until a moderator looks
        assert reader.post(f"/api/v1/comments/{first}/flags", json={"reason": "xq2"}).is_success
    second = comment(jan, "xq3", slug="plan")
    assert ola.post(f"/api/v1/comments/{second}/flags", json={"reason": "xq2"}).is_success
    reply = ola.post("/api/v1/threads/plan/comments", json={"body": "xq4", "parent": second})
    comment(piotr, "xq4", slug="zebranie")  # waits for approval
    for kind in common["reactions"]:
        assert ewa.put(f"/api/v1/threads/plan/reactions/{kind}").is_success
    assert ola.put(f"/api/v1/comments/{second}/reactions/like").is_success
    for reader in (ewa, jan):
        assert reader.put("/api/v1/threads/kaski/acknowledgement").is_success
        assert reader.put("/api/v1/threads/gogle/acknowledgement").is_success
    jan_id = jan.get("/api/v1/me").json()["user"]["id"]
    act(mod, f"/admin/comments/{second}/pin", back="/admin/comments")
    act(mod, "/admin/threads/zebranie/lock", back="/admin/threads", reason="xq2")
    act(mod, "/admin/mutes", back="/admin/mutes", person=jan_id, reason="xq2",
        until=(datetime.now(UTC) + timedelta(days=7)).date().isoformat())  # fmt: skip
    mod.busy = {"reader": ewa, "comment": second, "reply": reply.json()["id"]}
    return mod


def failed_actions(mod: TestClient) -> list[tuple[str, object]]:
    """The pages after actions that cannot be done, each with its message."""
    second, reply = mod.busy["comment"], mod.busy["reply"]
    far = (datetime.now(UTC) + timedelta(days=800)).date().isoformat()
    attempts = [
        (f"/admin/comments/{second}/hide", {"reason": ""}),
        (f"/admin/comments/{second}/hide", {"reason": "x\x01"}),
        (f"/admin/comments/{second}/hide", {"reason": "x" * 600}),
        (f"/admin/comments/{second}/reject", {}),
        (f"/admin/comments/{reply}/pin", {}),
        ("/admin/comments/999999/delete", {}),
        ("/admin/threads/nope/lock", {}),
        ("/admin/mutes", {"person": "jan", "until": far, "reason": "x"}),
        ("/admin/mutes", {"person": "", "until": far, "reason": "x"}),
    ]
    pages = []
    for path, fields in attempts:
        response = mod.post(path, data={"csrf": token(mod), "back": "/admin/", **fields})
        assert page(response).find(class_="flash-error"), (path, fields)
        pages.append((f"POST {path} {fields}", response))
    pages.append(("no token", mod.post(f"/admin/comments/{second}/hide", data={"reason": "x"})))
    pages.append(("not a form", mod.post(f"/admin/comments/{second}/hide", json={})))
    return pages


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_admin_page_speaks_its_language_only(busy, make_client, lang):
    mod, reader = busy, busy.busy["reader"]
    mod.get(f"/admin/?lang={lang}")
    columns = ["title", "langs", "date", "must_read", "comments", "replies", "reactions",
               "likes", "participants", "acknowledgements", "first_activity", "last_activity",
               *(f"reaction_{kind}" for kind in (*DEFAULT_REACTIONS, "kudos"))]  # fmt: skip
    everything = "&".join(f"col={column}" for column in columns)
    paths = [*PAGES[:-1], "/admin/comments?thread=plan", "/admin/mutes?person=jan",
             f"/admin/reports?{everything}", "/admin/reports?from=2026-02-30",
             "/admin/reports?from=2026-12-01&to=2026-11-01", "/admin/reports?sort=nope",
             "/admin/reports?order=up", "/admin/reports/acknowledgements/kaski",
             "/admin/reports/acknowledgements/gogle", "/admin/reports/acknowledgements/plan",
             "/admin/reports/acknowledgements/nope"]  # fmt: skip
    pages = [(path, mod.get(path)) for path in paths] + failed_actions(mod)
    pages.append(("not a moderator", reader.get(f"/admin/?lang={lang}")))
    signing_in = make_client(admin_password=PASSWORD)
    pages.append(("sign-in", signing_in.get(f"/admin/sign-in?lang={lang}")))
    csrf = token(signing_in, "/admin/sign-in")
    wrong = signing_in.post("/admin/sign-in", data={"csrf": csrf, "password": "x"})
    pages.append(("wrong password", wrong))
    no_password = make_client()
    csrf = token(no_password, f"/admin/sign-in?lang={lang}")
    switched_off = no_password.post("/admin/sign-in", data={"csrf": csrf, "password": "x"})
    pages.append(("sign-in switched off", switched_off))
    foreign = {}
    for name, response in pages:
        html = page(response)
        assert html.html["lang"] == lang, name
        words = visible_words(html, lang)
        found = sorted(w for w in words if w in FOREIGN[lang] or "_" in w)
        if found:
            foreign[name] = found
    assert not foreign, "\n".join(f"{name}: {' '.join(words)}" for name, words in foreign.items())


@pytest.mark.parametrize(
    ("lang", "headings"),
    [
        ("pl", ["Reakcja: Lubię to", "Reakcja: Super", "Reakcja: Gratulacje",
                "Reakcja: Przydatne", "Reakcja: Ciekawe", "Reakcja: kudos"]),
        ("en", ["Reaction: Like", "Reaction: Love", "Reaction: Celebrate",
                "Reaction: Insightful", "Reaction: Curious", "Reaction: kudos"]),
    ],
)  # fmt: skip
def test_reaction_kinds_are_named_in_the_page_language(make_client, lang, headings):
    """The default kinds have names; one an operator added is shown as configured."""
    kinds = (*DEFAULT_REACTIONS, "kudos")
    client = make_client(admin_password=PASSWORD, reactions=kinds)
    client.post("/admin/sign-in", data={"csrf": token(client, "/admin/sign-in"),
                                        "password": PASSWORD})  # fmt: skip
    query = "&".join(f"col=reaction_{kind}" for kind in kinds)
    html = page(client.get(f"/admin/reports?lang={lang}&col=title&{query}"))
    table = html.find("table", class_="report")
    assert [th.get_text(strip=True) for th in table.thead.find_all("th")][1:] == headings
    options = [o.get_text(strip=True) for o in html.find("select", id="r-sort").find_all("option")]
    assert [o for o in options if ":" in o] == headings


@pytest.mark.parametrize(
    ("lang", "intro", "listed"),
    [
        ("pl", "Artykuł zaktualizowano 12 listopada 2026. Potwierdzenia sprzed tej "
               "aktualizacji już się nie liczą.", "zaktualizowany 12 listopada 2026"),
        ("en", "The article was updated on 12 November 2026. Confirmations from before "
               "that update no longer count.", "updated on 12 November 2026"),
    ],
)  # fmt: skip
def test_acknowledgements_say_when_the_article_was_updated(busy, lang, intro, listed):
    busy.get(f"/admin/?lang={lang}")
    html = page(busy.get("/admin/reports/acknowledgements/kaski"))
    assert html.find(id="acks-intro").get_text(" ", strip=True) == intro
    reports = page(busy.get("/admin/reports"))
    row = reports.find("a", href="/admin/reports/acknowledgements/kaski").find_parent("tr")
    assert listed in row.th.get_text(" ", strip=True)
    assert "Modified" not in reports.get_text() + html.get_text()


# --- the engagement table -------------------------------------------------------------------

DEFAULT_HEADINGS = ["Tytuł", "Data", "Komentarze", "Reakcje", "Uczestnicy", "Potwierdzenia"]


def headings(table) -> list[str]:
    return [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]


def test_engagement_table_shows_the_main_columns_and_the_rest_on_request(admin, make_client):
    comment(make_client("Ewa"), "Raz")
    html = page(admin.get("/admin/reports"))
    assert headings(html.find("table", class_="report")) == DEFAULT_HEADINGS
    chooser = html.find("details", class_="columns")
    assert chooser.summary.get_text(" ", strip=True) == "Kolumny (5 z 16)"
    boxes = chooser.find_all("input", type="checkbox", attrs={"name": "col"})
    assert [box["value"] for box in boxes if box.has_attr("checked")] == [
        "date", "comments", "reactions", "participants", "acknowledgements"
    ]  # fmt: skip
    assert len(boxes) == 16 and all(html.find("label", attrs={"for": b["id"]}) for b in boxes)
    assert chooser.find_parent("form")["method"] == "get"  # works without JavaScript

    chosen = page(admin.get("/admin/reports?col=title&col=replies&col=reaction_like&sort=replies"))
    table = chosen.find("table", class_="report")
    assert headings(table) == ["Tytuł", "Odpowiedzi", "Reakcja: Lubię to"]
    title_link = table.thead.find("a")["href"]
    assert "col=replies" in title_link and "col=reaction_like" in title_link
    csv_link = chosen.find("a", href=re.compile(r"engagement\.csv"))["href"]
    assert csv_link == "/api/v1/reports/engagement.csv?sort=replies"  # every column, always
    nothing = page(admin.get("/admin/reports?col=title"))
    assert headings(nothing.find("table", class_="report")) == ["Tytuł"]
    assert "Kolumny (0 z 16)" in nothing.find("details", class_="columns").summary.get_text()


def test_table_cells_carry_their_column_names_for_narrow_screens(admin, make_client):
    comment(make_client("Ewa"), "Raz")
    act(admin, "/admin/threads/open-news/lock", back="/admin/threads", reason="Za gorąco")
    for path in ["/admin/reports", "/admin/threads", "/admin/log",
                 "/admin/reports/acknowledgements/must-read"]:  # fmt: skip
        for table in page(admin.get(path)).find_all("table"):
            names = headings(table)
            for row in table.tbody.find_all("tr"):
                cells = row.find_all(["th", "td"])
                assert len(cells) == len(names), path
                for name, cell in zip(names[1:], cells[1:], strict=True):
                    assert cell["data-label"] == name, (path, name)


# --- the newsroom's header ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("absolute_url", "public_url", "site"),
    [
        pytest.param("https://kurier.example/news/open-news.html", "https://api.example",
                     "https://kurier.example/", id="from-articles"),
        pytest.param(None, "https://kurier.example", "https://kurier.example/", id="public-url"),
        pytest.param(None, "", "/", id="same-address"),
    ],
)  # fmt: skip
def test_header_has_the_newsroom_name_and_a_link_to_the_site(
    settings, make_client, absolute_url, public_url, site
):
    if absolute_url:
        entries = [{"slug": "open-news", "lang": "pl", "title": "Otwarte", "comments": "open",
                    "url": "news/open-news.html", "absolute_url": absolute_url}]  # fmt: skip
        write_articles(settings.articles, entries)
    client = make_client(admin_password=PASSWORD, public_url=public_url)
    for lang, words in (("pl", "Wróć do serwisu"), ("en", "Back to the site")):
        header = page(client.get(f"/admin/sign-in?lang={lang}")).header
        assert header.find(class_="brand-name").get_text(strip=True) == "Kurier"
        assert header.find("a", string=words)["href"] == site

"""Moderation in the comment widget, in the real browser: readers report comments and see
what moderators do live; moderators hide, pin, approve and lock from the article page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.browser import (
    NewPage,
    Page,
    StartService,
    expect,
    open_article,
    serious_violations,
    tab_to,
)
from tests.servers import Server

PASSWORD = "hasło moderatora e2e"
MONTHS_PL = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
             "września", "października", "listopada", "grudnia"]  # fmt: skip


def article(slug: str, lang: str = "pl") -> str:
    return f"/news/{slug}.html" if lang == "pl" else f"/en/news/{slug}.html"


def post(client, slug: str, body: str, parent: str | None = None) -> dict:
    response = client.post(f"/threads/{slug}/comments", json={"body": body, "parent": parent})
    assert response.status_code == 201, response.text
    return response.json()


def as_person(page: Page, server: Server, client) -> None:
    """The browser page becomes the person of an API client (its cookies)."""
    cookies = [{"name": k, "value": v, "url": server.base_url} for k, v in client.cookies.items()]
    page.context.add_cookies(cookies)


def moderator_client(server: Server):
    client = server.client()
    signed_in = client.post("/admin/session", json={"password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return client


def open_as_moderator(new_page: NewPage, server: Server, path: str, **options):
    """An article page of a moderator who signed in through the admin session."""
    page = new_page(base_url=server.base_url, **options)
    signed_in = page.request.post(
        server.base_url + "/api/v1/admin/session",
        data={"password": PASSWORD},
        headers={"Origin": server.base_url},
    )
    assert signed_in.ok, signed_in.text()
    widget = open_article(page, path)
    expect(widget.locator(".k-mod")).to_be_visible()
    return page, widget


@pytest.fixture
def server(start_service: StartService) -> Server:
    return start_service(workers=2, admin_password=PASSWORD)


# --- readers --------------------------------------------------------------------


def test_a_reader_reports_a_comment_once(new_page: NewPage, server: Server):
    slug = "fotowoltaika-gdansk"
    comment = post(server.client("Ewa Autorka"), slug, "Panele są za drogie")
    page = new_page(base_url=server.base_url)
    widget = open_article(page, article(slug))
    item = widget.locator(f"#comment-{comment['id']}")

    # Open mode: the name first, then the report form.
    item.get_by_role("button", name="Zgłoś").click()
    widget.get_by_label("Najpierw się przedstaw").fill("Zgłaszająca Osoba")
    widget.get_by_role("button", name="Dalej").click()
    form = item.locator("form")
    expect(form.get_by_role("radio").first).to_be_focused()
    form.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(form.locator(".k-error")).to_have_text("Wybierz powód zgłoszenia.")
    # The keyboard works in it: Space picks a reason, Tab goes on to the details.
    form.get_by_label("Spam lub reklama").focus()
    page.keyboard.press("Space")
    expect(form.get_by_label("Spam lub reklama")).to_be_checked()
    page.keyboard.press("Tab")
    expect(form.get_by_label("Szczegóły (nieobowiązkowo)")).to_be_focused()
    page.keyboard.type("link do sklepu")
    form.get_by_role("button", name="Wyślij zgłoszenie").click()
    done = item.locator(".k-done")
    expect(done).to_have_text("Zgłoszono, dziękujemy — moderator się temu przyjrzy.")
    expect(done).to_be_focused()
    expect(item.get_by_role("button", name="Zgłoś")).to_have_count(0)

    queue = moderator_client(server).get("/moderation/flags").json()["items"]
    assert [(r["user_name"], r["reason"]) for r in queue[0]["reports"]] == [
        ("Zgłaszająca Osoba", "Spam lub reklama: link do sklepu")
    ]

    # The page does not remember it: the service does, in plain words.
    page.reload()
    item.get_by_role("button", name="Zgłoś").click()
    item.get_by_label("Obraźliwy lub agresywny").check()
    item.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(item.locator(".k-done")).to_have_text("Ten komentarz został już przez Ciebie zgłoszony.")
    expect(item.get_by_role("button", name="Zgłoś")).to_have_count(0)
    # Nobody reports their own comment: no button for it.
    widget.get_by_label("Twój komentarz").fill("Mój własny")
    widget.get_by_role("button", name="Opublikuj", exact=True).click()
    expect(widget.locator(".k-comment").last.locator(".k-c-body")).to_have_text("Mój własny")
    expect(widget.locator(".k-comment").last.get_by_role("button", name="Zgłoś")).to_have_count(0)


def signed_in(server: Server, login: str):
    """Header mode: an API client the company sign-in names (the tests are its proxy)."""
    client = server.client()
    client.headers["x-forwarded-user"] = login
    return client


def test_three_reports_hide_a_comment_for_everyone_live(
    new_page: NewPage, start_service: StartService
):
    """Behind the company sign-in: there reports of three colleagues hide a comment."""
    server = start_service(workers=2, auth="header")
    slug = "chlodnia-wroclaw"
    comment = post(signed_in(server, "ewa.autorka"), slug, "Treść do zgłoszenia")
    pages = [new_page(base_url=server.base_url) for _ in range(2)]
    items = [open_article(p, article(slug)).locator(f"#comment-{comment['id']}") for p in pages]
    for item in items:
        expect(item.locator(".k-c-body")).to_have_text("Treść do zgłoszenia")

    for n in range(3):
        reader = signed_in(server, f"czytelnik{n}")
        reported = reader.post(f"/comments/{comment['id']}/flags", json={"reason": "spam"})
        assert reported.status_code == 201, reported.text
    for item in items:  # no reload: the event hides it
        expect(item.locator(".k-c-gone")).to_have_text(
            "Ukryty do czasu, gdy moderator sprawdzi zgłoszenia."
        )
        expect(item).not_to_contain_text("Treść do zgłoszenia")
    expect(pages[0].locator(".k-total")).to_have_text("0 komentarzy")


def test_a_muted_person_is_told_until_when_in_plain_words(new_page: NewPage, server: Server):
    slug = "dzien-otwarty-strykow"
    person = server.client("Wyciszona Osoba")
    person_id = person.get("/me").json()["user"]["id"]
    until = (datetime.now(UTC) + timedelta(days=40)).replace(minute=30, second=0, microsecond=0)
    muted = moderator_client(server).put(
        f"/people/{person_id}/mute",
        json={"until": until.isoformat().replace("+00:00", "Z"), "reason": "ochłonięcie"},
    )
    assert muted.status_code == 200, muted.text

    page = new_page(base_url=server.base_url)
    as_person(page, server, person)
    widget = open_article(page, article(slug))
    widget.get_by_label("Twój komentarz").fill("Czy mogę coś napisać?")
    widget.get_by_role("button", name="Opublikuj", exact=True).click()
    local = until.astimezone(ZoneInfo("Europe/Warsaw"))
    when = f"{local.day} {MONTHS_PL[local.month - 1]} {local.year}, {local:%H:%M}"
    expect(widget.locator(".k-compose .k-error")).to_have_text(f"Nie możesz komentować do {when}.")
    expect(widget.locator(".k-comment")).to_have_count(0)


def test_posting_in_a_moderated_thread_waits_for_approval_then_appears_for_others(
    new_page: NewPage, server: Server
):
    slug = "porozumienie-placowe-2027"
    author = new_page(base_url=server.base_url)
    as_person(author, server, server.client("Piszący Autor"))
    mine = open_article(author, article(slug))
    reader = open_article(new_page(base_url=server.base_url), article(slug))
    _, moderator = open_as_moderator(new_page, server, article(slug))

    mine.get_by_label("Twój komentarz").fill("Kiedy podwyżki?")
    mine.get_by_role("button", name="Opublikuj", exact=True).click()
    waiting = mine.locator(".k-comment")
    expect(waiting.locator(".k-badge--wait")).to_have_text("Czeka na akceptację")
    expect(mine.locator("[aria-live]")).to_have_text(
        "Komentarz został wysłany. Inni zobaczą go, gdy zatwierdzi go moderator."
    )
    expect(mine.locator(".k-total")).to_have_text("1 komentarz")  # its author's own, noted
    expect(waiting.get_by_role("button", name="Odpowiedz")).to_have_count(0)

    moderator.page.reload()
    pending = moderator.locator(".k-comment")
    expect(pending.locator(".k-c-body")).to_have_text("Kiedy podwyżki?")
    expect(reader.locator(".k-comment")).to_have_count(0)
    pending.get_by_role("button", name="Zatwierdź").click()
    expect(pending.locator(".k-badge--wait")).to_have_count(0)
    expect(pending.get_by_role("button", name="Ukryj")).to_be_focused()

    # The others see it appear without reloading; its author sees the mark go.
    expect(reader.locator(".k-comment .k-c-body")).to_have_text("Kiedy podwyżki?")
    expect(reader.locator(".k-total")).to_have_text("1 komentarz")
    expect(waiting.locator(".k-badge--wait")).to_have_count(0)
    expect(mine.locator(".k-total")).to_have_text("1 komentarz")


# --- moderators -----------------------------------------------------------------


def test_a_moderator_hides_with_a_reason_and_readers_see_it_live(new_page: NewPage, server: Server):
    slug = "polityka-phishing"
    comment = post(server.client("Ewa Autorka"), slug, "Kliknij w ten link")
    reader = open_article(new_page(base_url=server.base_url), article(slug))
    seen = reader.locator(f"#comment-{comment['id']}")
    expect(seen.locator(".k-c-body")).to_have_text("Kliknij w ten link")
    page, widget = open_as_moderator(new_page, server, article(slug))
    item = widget.locator(f"#comment-{comment['id']}")
    expect(widget.get_by_role("link", name="Panel moderacji")).to_have_attribute(
        "href", server.base_url + "/admin/"
    )

    item.get_by_role("button", name="Ukryj").click()
    form = item.locator("form")
    expect(form.get_by_label("Powód ukrycia (zobaczą go czytelnicy)")).to_be_focused()
    form.get_by_role("button", name="Ukryj").click()
    expect(form.locator(".k-error")).to_have_text("Podaj powód.")
    form.get_by_label("Powód ukrycia").fill("Podejrzany link")
    form.get_by_role("button", name="Ukryj").click()

    # The moderator keeps the text, marked; the reader gets the reason instead, live.
    expect(item.locator(".k-m-badge")).to_have_text("Ukryty: Podejrzany link")
    expect(item.locator(".k-c-body")).to_have_text("Kliknij w ten link")
    expect(item.get_by_role("button", name="Pokaż ponownie")).to_be_focused()
    expect(seen.locator(".k-c-gone")).to_have_text("Ukryty przez moderatora: Podejrzany link")
    expect(seen).not_to_contain_text("Kliknij w ten link")
    # The live event reached the moderator too and kept the text and the focus.
    page.wait_for_timeout(500)
    expect(item.locator(".k-c-body")).to_have_text("Kliknij w ten link")
    expect(item.get_by_role("button", name="Pokaż ponownie")).to_be_focused()

    item.get_by_role("button", name="Pokaż ponownie").click()
    expect(item.locator(".k-m-badge")).to_have_count(0)
    expect(seen.locator(".k-c-body")).to_have_text("Kliknij w ten link")
    log = moderator_client(server).get("/moderation/log").json()["items"]
    actions = [(e["action"], e["reason"]) for e in log if e["action"] != "sign_in"]
    assert actions[:2] == [
        ("unhide", None),
        ("hide", "Podejrzany link"),
    ]


def test_pinning_moves_a_comment_first_for_everyone(new_page: NewPage, server: Server):
    slug = "strategia-korona-2030"
    first = post(server.client("Pierwsza Osoba"), slug, "Najstarszy")
    second = post(server.client("Druga Osoba"), slug, "Nowszy")
    reply = post(server.client("Trzecia Osoba"), slug, "Odpowiedź", parent=first["id"])
    reader = open_article(new_page(base_url=server.base_url), article(slug))
    top = reader.locator(".k-list > .k-comment")
    expect(top.first).to_have_id(f"comment-{first['id']}")
    _, widget = open_as_moderator(new_page, server, article(slug))
    expect(widget.locator(f"#comment-{reply['id']}").locator("[data-m=pin]")).to_have_count(0)

    pin = widget.locator(f"#comment-{second['id']}").get_by_role("button", name="Przypnij")
    expect(pin).to_have_attribute("aria-pressed", "false")
    pin.click()
    expect(pin).to_have_attribute("aria-pressed", "true")
    expect(pin).to_be_focused()
    expect(widget.locator(".k-list > .k-comment").first).to_have_id(f"comment-{second['id']}")
    expect(top.first).to_have_id(f"comment-{second['id']}")
    expect(top.first.locator(".k-badge--pin")).to_have_text("Przypięty")

    pin.click()
    expect(pin).to_have_attribute("aria-pressed", "false")
    expect(top.first).to_have_id(f"comment-{first['id']}")


def test_an_open_editor_survives_a_live_update_of_its_comment(new_page: NewPage, server: Server):
    """A pin (or any change) arriving while the author edits keeps their unsaved text."""
    slug = "zima-na-drodze"
    author = server.client("Alicja Edytująca")
    older = post(server.client("Ktoś Wcześniej"), slug, "Byłam pierwsza")
    mine = post(author, slug, "Pierwsza wersja")
    page = new_page(base_url=server.base_url)
    as_person(page, server, author)
    widget = open_article(page, article(slug))
    top = widget.locator(".k-list > .k-comment")
    expect(top.first).to_have_id(f"comment-{older['id']}")
    comment = widget.locator(f"#comment-{mine['id']}")
    comment.get_by_role("button", name="Edytuj").click()
    editor = comment.get_by_label("Zmień swój komentarz")
    editor.fill("Druga wersja, jeszcze niezapisana")

    pinned = moderator_client(server).put(f"/comments/{mine['id']}/pinned", json={})
    assert pinned.status_code == 200, pinned.text
    expect(top.first).to_have_id(f"comment-{mine['id']}")  # the event arrived and moved it
    expect(editor).to_have_value("Druga wersja, jeszcze niezapisana")
    expect(editor).to_be_focused()

    comment.get_by_role("button", name="Zapisz").click()
    expect(comment.locator(".k-c-body")).to_have_text("Druga wersja, jeszcze niezapisana")
    expect(comment.locator(".k-badge--pin")).to_have_text("Przypięty")


def test_locking_takes_the_form_away_live(new_page: NewPage, server: Server):
    slug = "wybor-benefitow-2027"
    post(server.client("Ewa Autorka"), slug, "Który pakiet?")
    reader = open_article(new_page(base_url=server.base_url), article(slug))
    expect(reader.get_by_label("Twój komentarz")).to_be_visible()
    _, widget = open_as_moderator(new_page, server, article(slug))

    widget.get_by_role("button", name="Zamknij dyskusję").click()
    reason = "<img src=x onerror=alert(1)> Wybór zakończony"  # shown as text, runs nothing
    widget.get_by_label("Powód zamknięcia").fill(reason)
    widget.locator(".k-m-ask").get_by_role("button", name="Zamknij dyskusję").click()
    lock = widget.locator(".k-m-lock")
    expect(lock).to_have_text("Otwórz dyskusję")
    expect(lock).to_be_focused()

    expect(reader.locator("textarea")).to_have_count(0)
    expect(reader.locator(".k-note")).to_have_text(f"Dyskusja jest zamknięta: {reason}")
    expect(reader.locator("img[src=x]")).to_have_count(0)
    expect(reader.get_by_role("button", name="Odpowiedz")).to_have_count(0)
    expect(reader.get_by_role("button", name="Zgłoś")).to_have_count(1)  # reports still go
    # Locked is read-only: the reactions keep their counts but take no clicks.
    reactions = reader.locator(".k-reactions .k-btn")
    expect(reactions.first).to_be_disabled()
    expect(reader.locator(".k-reactions .k-btn:enabled")).to_have_count(0)

    lock.click()
    expect(lock).to_have_text("Zamknij dyskusję")
    expect(reader.get_by_label("Twój komentarz")).to_be_visible()
    expect(reader.get_by_role("button", name="Odpowiedz")).to_have_count(1)
    expect(reader.locator(".k-reactions .k-btn:disabled")).to_have_count(0)


def test_a_moderator_rejects_a_waiting_comment(new_page: NewPage, server: Server):
    slug = "porozumienie-placowe-2027"
    waiting = post(server.client("Piszący Autor"), slug, "Do odrzucenia")
    assert waiting["approved"] is False
    _, widget = open_as_moderator(new_page, server, article(slug))
    item = widget.locator(f"#comment-{waiting['id']}")
    item.get_by_role("button", name="Odrzuć").click()
    item.get_by_label("Powód odrzucenia").fill("Dane osobowe")
    item.locator("form").get_by_role("button", name="Odrzuć").click()
    expect(item).to_have_count(0)
    expect(widget.locator(".k-total")).to_be_focused()
    log = moderator_client(server).get("/moderation/log?action=reject").json()["items"]
    assert [(e["comment"], e["reason"]) for e in log] == [(waiting["id"], "Dane osobowe")]


def test_keyboard_only_a_moderator_hides_a_comment(new_page: NewPage, server: Server):
    slug = "zima-na-drodze"
    comment = post(server.client("Ewa Autorka"), slug, "Do ukrycia klawiaturą")
    page, widget = open_as_moderator(new_page, server, article(slug))
    item = widget.locator(f"#comment-{comment['id']}")

    page.locator("body").focus()
    tab_to(page, f"#comment-{comment['id']} [data-m=hide]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), outline  # the focus is visible
    page.keyboard.press("Enter")
    expect(item.get_by_label("Powód ukrycia")).to_be_focused()
    page.keyboard.type("Bez związku z tematem")
    page.keyboard.press("Tab")
    expect(item.locator("form").get_by_role("button", name="Ukryj")).to_be_focused()
    page.keyboard.press("Space")
    expect(item.locator(".k-m-badge")).to_have_text("Ukryty: Bez związku z tematem")
    expect(item.get_by_role("button", name="Pokaż ponownie")).to_be_focused()

    # Escape closes a reason form and gives the focus back.
    tab_to(page, "[data-m=pin]")
    tab_to(page, ".k-m-lock", back=True)
    page.keyboard.press("Enter")
    expect(widget.get_by_label("Powód zamknięcia")).to_be_focused()
    page.keyboard.press("Escape")
    expect(widget.locator(".k-m-ask")).to_have_count(0)
    expect(widget.locator(".k-m-lock")).to_be_focused()


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_axe_finds_no_serious_violation_with_the_moderators_controls_open(
    new_page: NewPage, server: Server, lang: str
):
    slug = "strefy-ruchu-magazyn"
    hidden = post(server.client("Ola Nowak"), slug, "Ukryty tekst")
    reported = post(server.client("Jan Kowal"), slug, "Zgłoszony tekst")
    post(server.client("Piotr Lis"), slug, "Odpowiedź", parent=reported["id"])
    moderator = moderator_client(server)
    moderator.put(f"/comments/{hidden['id']}/hidden", json={"reason": "Poza tematem"})
    moderator.put(f"/comments/{reported['id']}/pinned")
    server.client("Czytelnik").post(f"/comments/{reported['id']}/flags", json={"reason": "spam"})

    _, widget = open_as_moderator(new_page, server, article(slug, lang))
    expect(widget.locator(".k-m-badge")).to_have_count(2)  # hidden; one report
    widget.locator(f"#comment-{reported['id']} > .k-c [data-m=hide]").click()
    widget.get_by_role("button", name=re.compile("^(Zamknij dyskusję|Lock discussion)$")).click()
    widget.locator(f"#comment-{hidden['id']}").get_by_role(
        "button", name=re.compile("^(Usuń|Delete)$")
    ).click()
    expect(widget.locator(".k-m-ask")).to_have_count(1)  # one reason form at a time
    serious = serious_violations(widget.page)
    assert serious == [], "\n".join(serious)


@pytest.mark.parametrize(
    ("lang", "failure", "message"),
    [
        pytest.param("pl", "network", "Nie udało się wczytać narzędzi moderacji. Odśwież stronę, "
                     "aby spróbować ponownie.", id="network-error"),
        pytest.param("en", "404", "The moderation tools could not be loaded. Reload the page to "
                     "try again.", id="not-found"),
    ],
)  # fmt: skip
def test_moderators_controls_that_cannot_load_say_so(
    new_page: NewPage, server: Server, lang: str, failure: str, message: str
):
    slug = "strefy-ruchu-magazyn"
    comment = post(server.client("Ola Nowak"), slug, "Komentarz do moderacji")
    page = new_page(base_url=server.base_url)

    def fail(route):
        if failure == "network":
            route.abort("connectionfailed")
        else:
            route.fulfill(status=404, content_type="text/plain", body="not found")

    page.route(re.compile(r"/theme/js/moderate\.js\?v=[0-9a-f]+$"), fail)  # fingerprinted
    signed_in = page.request.post(
        server.base_url + "/api/v1/admin/session",
        data={"password": PASSWORD},
        headers={"Origin": server.base_url},
    )
    assert signed_in.ok, signed_in.text()
    widget = open_article(page, article(slug, lang))
    expect(widget.get_by_role("alert")).to_have_text(message)
    expect(widget.locator(".k-mod, [data-m]")).to_have_count(0)
    # The rest of the widget works as for any reader.
    item = widget.locator(f"#comment-{comment['id']}")
    expect(item.get_by_role("button", name=re.compile("^(Odpowiedz|Reply)$"))).to_be_visible()

"""The admin pages in Chromium: sign in, hide a reported comment, lock a thread, export
CSV, with and without JavaScript; axe finds no serious or critical violation, in both
languages, light and dark, on a phone and a laptop."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.browser import NewPage, Page, StartService, expect, serious_violations
from tests.servers import Server

PASSWORD = "hasło-moderatora-e2e"
SLUG = "strefy-ruchu-magazyn"  # a must-read article of the sample site
OTHER = "kierowca-roku-2026"
SPAM = "Kup tanie zegarki na przykład.example"


def seed(server: Server) -> str:
    """A comment reported by three people, another comment, an acknowledgement, a mute."""
    author = server.client("Spamer Testowy")
    response = author.post(f"/threads/{SLUG}/comments", json={"body": SPAM})
    assert response.status_code == 201, response.text
    spam = response.json()["id"]
    for name in ("Anna Zgłaszająca", "Bartek Zgłaszający", "Celina Zgłaszająca"):
        reported = server.client(name).post(f"/comments/{spam}/flags", json={"reason": "Spam"})
        assert reported.status_code == 201, reported.text
    reader = server.client("Ola Czytelniczka")
    reader.post(f"/threads/{OTHER}/comments", json={"body": "Gratulacje dla **kierowcy**!"})
    reader.put(f"/threads/{SLUG}/acknowledgement")
    reader.put(f"/threads/{SLUG}/reactions/like")
    return spam


def sign_in(page: Page) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kolejka moderacji")
    expect(page.get_by_role("status")).to_have_text("Zalogowano.")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_moderator_hides_locks_and_exports(
    new_page: NewPage, start_service: StartService, tmp_path, javascript: bool
):
    server = start_service(admin_password=PASSWORD)
    spam = seed(server)
    page = new_page(base_url=server.base_url, java_script_enabled=javascript,
                    accept_downloads=True, locale="pl-PL")  # fmt: skip
    sign_in(page)

    # The reported comment waits in the queue, hidden by the three reports.
    reported = page.get_by_role("region", name="Zgłoszone komentarze").locator("article")
    expect(reported).to_have_count(1)
    expect(reported).to_contain_text(SPAM)
    expect(reported).to_contain_text("Celina Zgłaszająca")
    reported.get_by_label("Powód", exact=True).fill("Reklama")
    reported.get_by_role("button", name="Ukryj").click()
    expect(page.get_by_role("status")).to_have_text("Komentarz ukryty.")
    expect(page.get_by_text("Brak zgłoszeń.")).to_be_visible()
    thread = server.client().get(f"/threads/{SLUG}").json()
    hidden = next(c for c in thread["comments"] if c["id"] == spam)
    assert hidden["hidden"]["reason"] == "Reklama" and hidden["body_html"] == ""

    # Lock the other thread with a reason.
    page.get_by_role("navigation", name="Moderacja").get_by_role("link", name="Dyskusje").click()
    row = page.get_by_role("row").filter(has=page.get_by_text(OTHER, exact=True))
    row.get_by_label("Powód (opcjonalnie)").fill("Dyskusja zakończona")
    row.get_by_role("button", name="Zamknij").click()
    expect(page.get_by_role("status")).to_have_text("Dyskusja zamknięta.")
    expect(row).to_contain_text("Zamknięta: Dyskusja zakończona")
    refused = server.client("Spóźniona").post(f"/threads/{OTHER}/comments", json={"body": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "thread_locked"

    # Both actions are in the audit log.
    page.get_by_role("link", name="Dziennik").click()
    log = page.locator("tbody tr")
    expect(log.first).to_contain_text("zamknięcie dyskusji")
    expect(log.nth(1)).to_contain_text("ukrycie")

    # The engagement report as CSV, read back with the csv module.
    page.get_by_role("link", name="Raporty").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Pobierz CSV.*Zaangażowanie")).click()
    download = download_info.value
    assert download.suggested_filename == "engagement.csv"
    path = tmp_path / "engagement.csv"
    download.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = {row["slug"]: row for row in csv.DictReader(file)}
    assert rows[SLUG]["comments"] == "0"  # the hidden comment does not count
    assert rows[SLUG]["acknowledgements"] == "1" and rows[SLUG]["reaction_like"] == "1"
    assert rows[OTHER]["comments"] == "1"

    # Acknowledgements of the must-read article, as CSV too.
    page.locator(f'a[href="/admin/reports/acknowledgements/{SLUG}"]').click()
    expect(page.locator("tbody th")).to_have_text(["Ola Czytelniczka"])
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pobierz CSV").click()
    assert download_info.value.suggested_filename == f"acknowledgements-{SLUG}.csv"

    # Signing out ends the session.
    page.get_by_role("button", name="Wyloguj").click()
    expect(page.get_by_role("status")).to_have_text("Wylogowano.")
    page.goto("/admin/threads")
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))


@pytest.fixture
def admin_server(start_service: StartService) -> Server:
    server = start_service(admin_password=PASSWORD)
    seed(server)
    moderator = server.client()
    assert moderator.post("/admin/session", json={"password": PASSWORD}).status_code == 200
    person = server.client("Wyciszona Osoba")
    person.post(f"/threads/{OTHER}/comments", json={"body": "Za dużo"})
    muted = person.get("/me").json()["user"]["id"]
    until = (datetime.now(UTC) + timedelta(days=30)).isoformat(timespec="seconds")
    response = moderator.put(f"/people/{muted}/mute", json={"until": until, "reason": "Test"})
    assert response.status_code == 200, response.text
    return server


ADMIN_PAGES = ["/admin/", "/admin/comments", "/admin/threads", "/admin/log", "/admin/mutes",
               "/admin/reports", f"/admin/reports/acknowledgements/{SLUG}"]  # fmt: skip


# Each language in both colour schemes and at both widths, each scheme at both widths.
@pytest.mark.parametrize(
    ("lang", "scheme", "width"),
    [("pl", "light", 1280), ("en", "dark", 1280), ("pl", "dark", 375), ("en", "light", 375)],
)
def test_axe_finds_no_serious_violation_on_admin_pages(
    new_page: NewPage, admin_server: Server, lang: str, scheme: str, width: int
):
    page = new_page(base_url=admin_server.base_url, color_scheme=scheme,
                    viewport={"width": width, "height": 800})  # fmt: skip
    page.goto(f"/admin/sign-in?lang={lang}")
    problems = serious_violations(page)
    page.get_by_label("Hasło" if lang == "pl" else "Password").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj" if lang == "pl" else "Sign in").click()
    expect(page.get_by_role("status")).not_to_be_empty()
    for path in ADMIN_PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        problems += [f"{path}: {problem}" for problem in serious_violations(page)]
    assert problems == [], "\n".join(problems)


def test_skip_link_and_focus_are_visible(new_page: NewPage, admin_server: Server):
    page = new_page(base_url=admin_server.base_url, locale="pl-PL")
    page.goto("/admin/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Przejdź do treści")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # moved into view when focused
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"

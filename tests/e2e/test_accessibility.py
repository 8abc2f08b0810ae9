"""axe-core finds no serious or critical violation, in both languages and both colour schemes."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import NewPage, expect, open_article, serious_violations
from tests.servers import Server

SLUG = "strefy-ruchu-magazyn"
PAGES = [
    "/",
    "/en/",
    f"/news/{SLUG}.html",
    f"/en/news/{SLUG}.html",
    "/channel/ludzie.html",
    "/en/channel/ludzie.html",
]
READER = "Czytelniczka Testowa"


@pytest.fixture(scope="module")
def reader_cookies(service: Server) -> list[dict]:
    """A must-read thread with replies, likes, an edit, a placeholder and the article's
    author; the cookies of a reader who wrote one of the comments."""
    author = service.client("Marek Kaczmarek")  # one of the article's authors
    ola, jan, reader = (
        service.client("Ola Nowak"),
        service.client("Jan Kowal"),
        service.client(READER),
    )

    def post(who, body: str, parent: str | None = None, slug: str = SLUG) -> str:
        response = who.post(f"/threads/{slug}/comments", json={"body": body, "parent": parent})
        return response.json()["id"]

    first = post(ola, "Czy strefy obowiązują też **na nocnej zmianie**?")
    answer = post(
        author, "Tak, całą dobę. Szczegóły w [regulaminie](https://intranet.example/bhp).", first
    )
    post(ola, "Dziękuję!", answer)
    gone = post(jan, "Usunę to", None)
    post(reader, "Odpowiedź do usuniętego", gone)
    jan.delete(f"/comments/{gone}")
    mine = post(reader, "Mój komentarz z `kodem`\n\n> i cytatem", None)
    reader.patch(f"/comments/{mine}", json={"body": "Mój komentarz z `kodem`\n\n> i cytatem!"})
    jan.put(f"/comments/{first}/reactions/like")
    for who, kind in ((ola, "like"), (jan, "insightful"), (reader, "like")):
        who.put(f"/threads/{SLUG}/reactions/{kind}")
    reader.put(f"/threads/{SLUG}/acknowledgement")
    post(ola, "Gratulacje!", None, slug="kierowca-roku-2026")  # a count on the channel pages
    return [{"name": k, "value": v, "url": service.base_url} for k, v in reader.cookies.items()]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_violation(
    new_page: NewPage, reader_cookies: list[dict], path: str, scheme: str
):
    page = new_page(color_scheme=scheme)
    page.context.add_cookies(reader_cookies)
    if "/news/" in path:
        # Signed in, with own comments (edit, delete), a reply form and a delete confirmation open.
        widget = open_article(page, path)
        expect(widget.locator(".k-comment")).to_have_count(6)
        widget.locator(".k-reply").first.click()
        widget.get_by_role("button", name=re.compile("^(Usuń|Delete)$")).first.click()
    else:
        page.goto(path)
        expect(page.locator("[data-comment-count]:visible").first).to_be_visible()
    serious = serious_violations(page)
    assert serious == [], "\n".join(serious)


def test_article_with_comments_works_320_px_wide(new_page: NewPage, reader_cookies: list[dict]):
    page = new_page(viewport={"width": 320, "height": 640})
    page.context.add_cookies(reader_cookies)
    widget = open_article(page, f"/news/{SLUG}.html")
    widget.locator(".k-reply").last.click()
    expect(widget.locator(".k-comment form textarea")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for control in widget.locator("button, textarea, input").all():
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, control

"""The reports page: its range, sorting and CSV links, the engagement table's columns, and
what the acknowledgements say."""

from __future__ import annotations

import re

import pytest

from comments_service.config import DEFAULT_REACTIONS
from tests.service.admin.kit import PASSWORD, headings, page, token
from tests.service.kit import comment_id


def test_reports_page_with_range_sorting_and_csv_links(admin, make_client):
    comment_id(make_client("Ewa"), "Raz")
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


DEFAULT_HEADINGS = ["Tytuł", "Data", "Komentarze", "Reakcje", "Uczestnicy", "Potwierdzenia"]


def test_engagement_table_shows_the_main_columns_and_the_rest_on_request(admin, make_client):
    comment_id(make_client("Ewa"), "Raz")
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

"""The admin pages' layout in Chromium: nothing wider than the window on a phone (375 px)
or a laptop (1280 px), light and dark; the engagement table's columns chosen without
JavaScript and its rows stacked on a phone; the thread selector on a phone; the
newsroom's header and colours."""

from __future__ import annotations

import pytest

from tests.e2e.browser import NewPage, Page, StartService, expect
from tests.e2e.test_admin import ADMIN_PAGES, PASSWORD, SLUG, seed, sign_in
from tests.servers import Server

PHONE = {"width": 375, "height": 800}
DEFAULT_COLUMNS = ["Tytuł", "Data", "Komentarze", "Reakcje", "Uczestnicy", "Potwierdzenia"]


@pytest.fixture
def moderated(start_service: StartService) -> Server:
    server = start_service(admin_password=PASSWORD)
    seed(server)
    return server


def sticking_out(page: Page) -> list[str]:
    """What is wider than the window: the page itself, a table in its box, a control."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth, found = [];
        const page = document.documentElement.scrollWidth;
        if (page > width) found.push(`the page is ${page} px wide in ${width} px`);
        for (const table of document.querySelectorAll("table")) {
            const box = table.parentElement.clientWidth;
            const wide = table.offsetWidth;
            if (wide > box) found.push(`a table of ${wide} px in ${box} px`);
        }
        for (const control of document.querySelectorAll("input, select, button, textarea")) {
            const right = Math.round(control.getBoundingClientRect().right);
            if (right > width) found.push(`${control.tagName} ${control.id} ends at ${right} px`);
        }
        return found;
    }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_admin_pages_fit_the_window(new_page: NewPage, moderated: Server, width: int, scheme: str):
    page = new_page(base_url=moderated.base_url, viewport={"width": width, "height": 800},
                    color_scheme=scheme, locale="pl-PL")  # fmt: skip
    page.goto("/admin/sign-in")
    problems = [f"/admin/sign-in: {problem}" for problem in sticking_out(page)]
    sign_in(page)
    for path in ADMIN_PAGES:
        page.goto(path)
        problems += [f"{path}: {problem}" for problem in sticking_out(page)]
    assert problems == [], "\n".join(problems)


def test_engagement_columns_chosen_without_javascript(new_page: NewPage, moderated: Server):
    page = new_page(base_url=moderated.base_url, java_script_enabled=False, locale="pl-PL")
    sign_in(page)
    page.get_by_role("link", name="Raporty").click()
    columns = page.locator("table.report thead th")
    expect(columns).to_have_text(DEFAULT_COLUMNS)
    page.get_by_text("Kolumny (5 z 16)").click()
    page.get_by_label("Odpowiedzi", exact=True).check()
    page.get_by_label("Reakcja: Lubię to", exact=True).check()
    page.get_by_label("Data", exact=True).uncheck()
    page.get_by_role("button", name="Pokaż").click()
    chosen = ["Tytuł", "Komentarze", "Odpowiedzi", "Reakcja: Lubię to", "Reakcje", "Uczestnicy",
              "Potwierdzenia"]  # fmt: skip
    expect(columns).to_have_text(chosen)
    # Sorting by a column keeps the chosen ones.
    page.locator("table.report thead").get_by_role("link", name="Reakcja: Lubię to").click()
    expect(page.locator("table.report th[aria-sort]")).to_have_text("Reakcja: Lubię to")
    expect(columns).to_have_text(chosen)
    liked = page.locator("table.report tbody tr").first
    expect(liked.locator("code")).to_have_text(SLUG)  # the one the seed reacted to


def test_engagement_rows_stack_into_labelled_cards_on_a_phone(new_page: NewPage, moderated: Server):
    page = new_page(base_url=moderated.base_url, viewport=PHONE, locale="pl-PL")
    sign_in(page)
    page.goto("/admin/reports")
    row = page.locator("table.report tbody tr").filter(has=page.get_by_text(SLUG, exact=True))
    title = row.locator("th").bounding_box()
    left = title["x"]
    assert title["x"] + title["width"] <= PHONE["width"]
    bottom = title["y"] + title["height"]
    for cell, label in zip(row.locator("td").all(), DEFAULT_COLUMNS[1:], strict=True):
        box = cell.bounding_box()
        assert box["x"] == left and box["x"] + box["width"] <= PHONE["width"], label
        assert box["y"] >= bottom - 1, label  # one under another
        bottom = box["y"] + box["height"]
        shown = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert shown == f'"{label}"'
    expect(row.locator("td").nth(1)).to_have_text("1")  # reported, not hidden: it counts


def test_thread_selector_fits_a_phone_and_keeps_whole_titles(new_page: NewPage, moderated: Server):
    page = new_page(base_url=moderated.base_url, viewport=PHONE, locale="pl-PL")
    sign_in(page)
    page.get_by_role("link", name="Komentarze").click()
    select = page.get_by_label("Dyskusja")
    box = select.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    titles = select.locator("option").all_inner_texts()
    longest = max(titles, key=len)
    assert len(longest) > 60 and not longest.endswith("…")  # whole, for the list and readers
    slug = select.evaluate("(s, t) => [...s.options].find(o => o.text === t).value", longest)
    select.select_option(slug)
    page.get_by_role("button", name="Szukaj").click()
    expect(page.get_by_label("Dyskusja")).to_have_value(slug)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_header_wears_the_newsroom_colours(new_page: NewPage, moderated: Server, scheme: str):
    page = new_page(base_url=moderated.base_url, color_scheme=scheme, locale="pl-PL")
    look = """([header, brand]) => {
        const style = (selector) => getComputedStyle(document.querySelector(selector));
        return [style(header).backgroundColor, style(brand).fontFamily, style(brand).color,
                style("body").backgroundColor, style("body").color];
    }"""
    page.goto("/")  # the site the service serves
    site = page.evaluate(look, [".k-header", ".k-brand-name"])
    page.goto("/admin/sign-in")
    assert page.evaluate(look, ["header", ".brand-name"]) == site
    header = page.get_by_role("banner")
    expect(header.locator(".brand-name")).to_have_text("Kurier")
    expect(header.get_by_role("link", name="Wróć do serwisu")).to_be_visible()

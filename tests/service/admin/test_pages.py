"""The admin pages as pages: both languages, landmarks and labels, no scripts, the site's
colours and type, the newsroom's header, and hostile text kept inert."""

from __future__ import annotations

import re

import pytest

from tests.service.admin.kit import PAGES, PASSWORD, act, headings, page
from tests.service.kit import REPO, comment_id, write_articles

HEADINGS = {
    "pl": ["Kolejka moderacji", "Ostatnie komentarze", "Dyskusje", "Dziennik zdarzeń",
           "Wyciszenia", "Raporty", "Potwierdzenia: Obowiązkowe"],
    "en": ["Moderation queue", "Recent comments", "Threads", "Audit log", "Mutes", "Reports",
           "Acknowledgements: Obowiązkowe"],
}  # fmt: skip


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


TOKENS = REPO / "comments_service" / "admin" / "static" / "tokens.css"


def custom_properties(css: str) -> set[str]:
    """The custom properties a stylesheet declares, but for those of its print styles."""
    screen = re.sub(r"@media print\s*\{(?:[^{}]|\{[^{}]*\})*\}", "", css)
    return set(re.findall(r"(?:^|[{;])\s*(--[\w-]+)\s*:", screen, re.MULTILINE))


def test_admin_and_site_share_one_file_of_colours_and_type(admin):
    tokens = TOKENS.read_text(encoding="utf-8")
    served = admin.get("/admin/static/tokens.css")
    assert served.status_code == 200 and served.text == tokens
    # The theme's tokens.css is a link to the service's; every page links it before main.css.
    assert (REPO / "theme" / "static" / "css" / "tokens.css").resolve() == TOKENS.resolve()
    main = (REPO / "theme" / "static" / "css" / "main.css").read_text(encoding="utf-8")
    base = (REPO / "theme" / "templates" / "base.html").read_text(encoding="utf-8")
    assert base.index("css/tokens.css") < base.index("css/main.css")
    declared = custom_properties(tokens)
    assert {"--k-brand", "--k-link", "--k-sans", "--k-nav-link"} <= declared
    for sheet in (main, admin.get("/admin/static/admin.css").text):
        assert not custom_properties(sheet) & declared  # no copy of a token


def test_table_cells_carry_their_column_names_for_narrow_screens(admin, make_client):
    comment_id(make_client("Ewa"), "Raz")
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


def test_hostile_names_and_text_stay_inert(admin, make_client):
    name = '<img src=x onerror="alert(1)">"Zła"'
    evil = make_client(name[:60])
    cid = comment_id(evil, "<script>alert(1)</script> **pogrubione** [x](javascript:alert(1))")
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

"""The article reads in full without JavaScript and without the comments service."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from tests.e2e.browser import NewPage, Page, expect
from tests.servers import Server

ARTICLE = "/news/wybor-benefitow-2027.html"


def assert_reads_in_full(page: Page, site: Path) -> None:
    """Every paragraph, list item and heading of the article's body is there and visible."""
    built = BeautifulSoup((site / ARTICLE.lstrip("/")).read_text(encoding="utf-8"), "html.parser")
    blocks = built.select(".k-body p, .k-body li, .k-body h2, .k-body h3")
    assert len(blocks) > 3
    shown = page.locator(".k-body").locator("p, li, h2, h3")
    expect(shown).to_have_count(len(blocks))
    expect(page.locator(".k-title")).to_have_text(built.select_one(".k-title").get_text())
    last = shown.last
    last.scroll_into_view_if_needed()
    expect(last).to_be_visible()
    expect(last).to_have_text(" ".join(blocks[-1].get_text().split()))


def test_without_javascript_the_article_reads_in_full_and_shows_the_fallback(
    new_page: NewPage, site: Path
):
    page = new_page(java_script_enabled=False)
    page.goto(ARTICLE)
    assert_reads_in_full(page, site)
    fallback = page.locator("#comments .k-comments-fallback")
    expect(fallback).to_be_visible()
    expect(fallback).to_contain_text("Komentarze wymagają włączonego JavaScriptu.")
    expect(fallback.get_by_role("link")).to_have_attribute(
        "href", "/feeds/threads/wybor-benefitow-2027.atom"
    )
    expect(page.locator(".k-widget")).to_have_count(0)
    page.goto("/")
    expect(page.locator("[data-comment-count]").first).to_be_hidden()


def test_with_the_service_stopped_the_article_reads_and_comments_are_unavailable(
    new_page: NewPage, site: Path, static_site: Server
):
    page = new_page(base_url=static_site.base_url)
    page.goto(ARTICLE)
    widget = page.locator("#comments")
    expect(widget.locator(".k-down")).to_have_text(
        "Komentarze są w tej chwili niedostępne. Artykuł możesz czytać dalej."
    )
    expect(widget.get_by_role("button", name="Spróbuj ponownie")).to_be_visible()
    expect(widget.locator(".k-comments-fallback, textarea")).to_have_count(0)
    assert_reads_in_full(page, site)

    page.goto("/en/")
    expect(page.locator("[data-comment-count]").first).to_be_attached()
    expect(page.locator("[data-comment-count]:visible")).to_have_count(0)


def test_comments_come_back_when_the_service_does(new_page: NewPage, site: Path, service: Server):
    page = new_page()
    page.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    page.goto("/en/news/witamy-w-kurierze.html")
    widget = page.locator("#comments")
    expect(widget.locator(".k-down")).to_contain_text("Comments are unavailable right now.")
    page.unroute("**/api/v1/**")
    widget.get_by_role("button", name="Try again").click()
    expect(widget.locator(".k-total")).to_have_text("0 comments")
    expect(widget.get_by_label("Your comment")).to_be_visible()

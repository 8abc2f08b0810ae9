"""Errors inline, in plain words, losing nothing the reader typed."""

from __future__ import annotations

import json
import re

from tests.e2e.browser import NewPage, StartService, expect, open_article


def test_rate_limit_says_how_long_to_wait_and_keeps_the_text(
    new_page: NewPage, start_service: StartService
):
    server = start_service(rate_limit="1/minute")
    page = new_page(base_url=server.base_url)
    widget = open_article(page, "/news/fotowoltaika-gdansk.html")
    widget.get_by_label("Imię i nazwisko").fill("Szybka Pisarka")
    widget.get_by_label("Twój komentarz").fill("Pierwszy")
    widget.get_by_role("button", name="Opublikuj").click()
    expect(widget.locator(".k-comment")).to_have_count(1)
    widget.get_by_label("Twój komentarz").fill("Drugi, za szybko")
    widget.get_by_role("button", name="Opublikuj").click()
    error = widget.locator(".k-form .k-error")
    expect(error).to_have_text(
        re.compile(r"^Za dużo komentarzy naraz\. Spróbuj ponownie za (\d+ sekund|1 minutę)\.$")
    )
    expect(error).to_have_attribute("role", "alert")
    expect(widget.get_by_label("Twój komentarz")).to_have_value("Drugi, za szybko")
    expect(widget.locator(".k-comment")).to_have_count(1)


def test_closed_discussion_shows_comments_without_a_form(new_page: NewPage):
    page = new_page()
    widget = open_article(page, "/news/pozegnanie-stanislaw-borkowski.html")
    expect(widget.locator(".k-comments-closed")).to_be_visible()
    expect(widget.locator("textarea, .k-reply")).to_have_count(0)
    expect(widget.locator(".k-reactions button")).to_have_count(5)


def test_a_thread_locked_meanwhile_takes_the_form_away(new_page: NewPage):
    page = new_page()
    widget = open_article(page, "/en/news/witamy-w-kurierze.html")
    page.route(
        "**/comments",
        lambda route: route.fulfill(
            status=403,
            content_type="application/json",
            body=json.dumps(
                {"error": {"code": "thread_locked", "message": "Closed.", "field": None}}
            ),
        ),
    )
    widget.get_by_label("Your name").fill("Late Writer")
    widget.get_by_label("Your comment").fill("Too late")
    widget.get_by_role("button", name="Post").click()
    note = widget.locator(".k-note")
    expect(note).to_have_text(
        "The discussion is closed: comments can no longer be added or changed."
    )
    expect(note).to_be_focused()
    expect(widget.locator("textarea")).to_have_count(0)


def test_must_read_updated_since_the_reader_confirmed_asks_again(new_page: NewPage):
    page = new_page()

    def as_if_updated(route):
        data = route.fetch().json()
        data["thread"].update(acknowledged=False, acknowledged_at="2026-11-03T08:00:00Z")
        route.fulfill(json=data)

    page.route("**/api/v1/threads/strefy-ruchu-magazyn", as_if_updated)
    widget = open_article(page, "/en/news/strefy-ruchu-magazyn.html")
    ack = widget.locator(".k-ack")
    expect(ack.locator(".k-ack-text")).to_have_text(
        "Updated since you confirmed on 3 November 2026 at 09:00."
        " Please read it again and confirm once more."
    )
    expect(ack.get_by_role("button", name="I have read this")).to_be_visible()

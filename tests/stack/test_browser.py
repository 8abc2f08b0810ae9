"""A person in a real browser (Debian's Chromium) through the real front: sent to the
provider, signed in, back on the article, commenting as themselves; a moderator
sees moderator controls; signing out works; a second browser sees comments live."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Browser,
    Page,
    expect,
    in_ci,
    missing_browser,
    sync_playwright,
)
from tests.stack.kit import Stack

SLUG = "polityka-phishing"
ARTICLE = f"/news/{SLUG}.html"
TIMEOUT_MS = 10_000
AUTHORIZE = re.compile(r"/oauth2/authorize")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    reason = missing_browser()
    if reason is not None:
        if in_ci():
            pytest.fail(f"BROWSER TESTS NOT RUN: {reason} (CI=true)", pytrace=False)
        pytest.skip(f"BROWSER TESTS NOT RUN: {reason}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def person(chromium: Browser, stack: Stack, account: str, path: str = ARTICLE) -> Page:
    """A fresh browser that opens `path`, is sent to the provider and signs in as `account`."""
    context = chromium.new_context(ignore_https_errors=True, locale="pl-PL")
    context.set_default_timeout(TIMEOUT_MS)
    # Only loopback: the provider's page links a stylesheet from a CDN the intranet lacks.
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(("https://127.0.0.1", "http://127.0.0.1"))
                  else route.abort())  # fmt: skip
    page = context.new_page()
    page.goto(stack.url + path)
    expect(page).to_have_url(AUTHORIZE)
    page.get_by_role("button", name=account, exact=True).click()
    page.wait_for_url(stack.url + path)
    return page


def test_sign_in_comment_as_yourself_and_sign_out(chromium: Browser, stack: Stack) -> None:
    page = person(chromium, stack, "alice")
    widget = page.locator("#comments")
    expect(widget.locator(".k-total")).to_be_visible()
    # No name to choose: the company's sign-in said who this is.
    expect(widget.get_by_label("Imię i nazwisko")).to_have_count(0)
    expect(widget.locator(".k-as")).to_contain_text("Alice Kowalska")
    widget.get_by_label("Twój komentarz").fill("Pierwszy komentarz przez logowanie firmowe")
    widget.get_by_role("button", name="Opublikuj").click()
    comment = widget.locator(".k-comment").filter(has_text="przez logowanie firmowe")
    expect(comment.locator(".k-c-name").first).to_have_text("Alice Kowalska")

    # The API (through the same front and session) shows it as alice's.
    thread = page.request.get(f"{stack.url}/api/v1/threads/{SLUG}").json()
    mine = [c for c in thread["comments"] if "logowanie firmowe" in c["body_html"]]
    assert [c["author"] for c in mine] == [{"id": "alice", "name": "Alice Kowalska"}]

    # Signing out ends the session: the site asks for sign-in again.
    widget.get_by_role("link", name="Wyloguj").click()
    page.goto(stack.url + ARTICLE)
    expect(page).to_have_url(AUTHORIZE)
    page.context.close()


def test_a_moderator_sees_moderator_controls_and_a_reader_does_not(
    chromium: Browser, stack: Stack
) -> None:
    with stack.signed_in("bob") as bob:
        posted = bob.post(f"/api/v1/threads/{SLUG}/comments", json={"body": "Do moderacji"},
                          headers={"origin": stack.url})  # fmt: skip
        assert posted.status_code == 201, posted.text
    moderator = person(chromium, stack, "maria")
    widget = moderator.locator("#comments")
    item = widget.locator(f"#comment-{posted.json()['id']}")
    expect(item.get_by_role("button", name="Ukryj")).to_be_visible()
    expect(widget.get_by_role("link", name="Panel moderacji")).to_be_visible()
    reader = person(chromium, stack, "alice")
    seen = reader.locator(f"#comment-{posted.json()['id']}")
    expect(seen).to_be_visible()
    expect(seen.get_by_role("button", name="Ukryj")).to_have_count(0)
    moderator.context.close()
    reader.context.close()


def test_a_comment_reaches_another_browser_live_within_two_seconds(
    chromium: Browser, stack: Stack
) -> None:
    watcher = person(chromium, stack, "bob")
    expect(watcher.locator("#comments .k-total")).to_be_visible()
    watcher.wait_for_timeout(500)  # its live stream is open
    with stack.signed_in("alice") as alice:
        text = f"Na żywo przez nginx {os.getpid()}"
        posted = alice.post(f"/api/v1/threads/{SLUG}/comments", json={"body": text},
                            headers={"origin": stack.url})  # fmt: skip
        assert posted.status_code == 201, posted.text
    expect(watcher.locator("#comments .k-comment").filter(has_text=text)).to_be_visible(
        timeout=2000
    )
    watcher.context.close()

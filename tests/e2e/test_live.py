"""Live updates: what one reader does shows up for another without a reload.

The module's service runs two workers, so the writer's requests and the
reader's event stream are not bound to one process.
"""

from __future__ import annotations

import time

from tests.e2e.browser import NewPage, Page, StartService, expect, open_article
from tests.servers import Server

ARTICLE = "/news/strategia-korona-2030.html"
SLUG = "strategia-korona-2030"
LIVE_WITHIN_MS = 2000


def open_listening(page: Page, path: str):
    """Open an article and wait until its event stream answered."""
    with page.expect_response(lambda r: r.url.endswith("/events")) as stream:
        widget = open_article(page, path)
    assert stream.value.status == 200, f"the event stream answered {stream.value.status}"
    assert stream.value.headers["content-type"].startswith("text/event-stream")
    return widget


def post_through_the_page(page: Page, widget, text: str, name: str | None = None) -> None:
    if name:
        widget.get_by_label("Imię i nazwisko").fill(name)
    widget.locator(".k-text").first.fill(text)
    with page.expect_response(lambda r: r.url.endswith("/comments") and r.status == 201):
        widget.locator(".k-form button:not([type=button])").first.click()


def test_live_comment_appears_in_another_browser_within_two_seconds(new_page: NewPage):
    writer, reader = new_page(), new_page()
    seen = open_listening(reader, ARTICLE)
    written = open_article(writer, ARTICLE)

    for n in range(3):  # a few, so that some cross from one worker to the other
        text = f"Na żywo numer {n} <img src=x onerror=alert(1)>"
        post_through_the_page(writer, written, text, name="Autorka Na Żywo" if n == 0 else None)
        started = time.monotonic()
        arrived = seen.locator(".k-comment").filter(has_text=f"Na żywo numer {n}")
        expect(arrived).to_be_visible(timeout=LIVE_WITHIN_MS)
        assert time.monotonic() - started < LIVE_WITHIN_MS / 1000
        expect(arrived.locator(".k-c-body")).to_have_text(text)
        expect(arrived.locator(".k-c-name")).to_have_text("Autorka Na Żywo")
    expect(seen.locator(".k-total")).to_have_text("3 komentarze")
    expect(seen.locator("[aria-live=polite]")).to_have_text("Nowy komentarz od: Autorka Na Żywo.")
    # The writer's own comments, echoed by the stream, are not doubled.
    expect(written.locator(".k-comment")).to_have_count(3)
    expect(written.locator(".k-total")).to_have_text("3 komentarze")


def test_live_reactions_likes_edits_and_deletions(new_page: NewPage, service: Server):
    slug, path = "zima-na-drodze", "/news/zima-na-drodze.html"
    author = service.client("Olga Zmienna")
    first = author.post(f"/threads/{slug}/comments", json={"body": "Pierwsza wersja"}).json()
    reader = new_page()
    seen = open_listening(reader, path)

    assert author.put(f"/threads/{slug}/reactions/celebrate").status_code == 200
    expect(seen.locator("[data-kind=celebrate] .k-n")).to_have_text("1", timeout=LIVE_WITHIN_MS)

    liked = service.client("Lubiący").put(f"/comments/{first['id']}/reactions/like")
    assert liked.status_code == 200, liked.text
    comment = seen.locator(f"#comment-{first['id']}")
    expect(comment.locator(".k-like .k-n")).to_have_text("1", timeout=LIVE_WITHIN_MS)

    edited = author.patch(f"/comments/{first['id']}", json={"body": "Druga **wersja**"})
    assert edited.status_code == 200, edited.text
    expect(comment.locator(".k-c-body strong")).to_have_text("wersja", timeout=LIVE_WITHIN_MS)
    expect(comment.locator(".k-c-edited")).to_be_visible()

    reply = author.post(
        f"/threads/{slug}/comments", json={"body": "Odpowiedź", "parent": first["id"]}
    ).json()
    expect(seen.locator(f"#comment-{first['id']} #comment-{reply['id']}")).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    assert author.delete(f"/comments/{first['id']}").status_code == 204  # a placeholder stays
    expect(comment.locator(".k-c-gone")).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert author.delete(f"/comments/{reply['id']}").status_code == 204  # the last reply: both go
    expect(seen.locator(".k-comment")).to_have_count(0, timeout=LIVE_WITHIN_MS)
    expect(seen.locator(".k-total")).to_have_text("0 komentarzy")


def test_live_updates_resume_after_the_service_restarts(
    new_page: NewPage, start_service: StartService
):
    server = start_service(workers=2)
    reader = new_page(base_url=server.base_url)
    seen = open_listening(reader, ARTICLE)
    writer = server.client("Po Restarcie")
    writer.post(f"/threads/{SLUG}/comments", json={"body": "Przed restartem"})
    expect(seen.locator(".k-comment")).to_have_count(1, timeout=LIVE_WITHIN_MS)
    server.stop()
    server.start()
    writer.post(f"/threads/{SLUG}/comments", json={"body": "Po restarcie"})
    # The browser reconnects by itself with Last-Event-ID (or, after a few
    # failures, with backoff); either way what happened while it was away shows.
    expect(seen.locator(".k-comment").filter(has_text="Po restarcie")).to_be_visible(timeout=20000)
    expect(seen.locator(".k-comment")).to_have_count(2)
    expect(seen.locator(".k-total")).to_have_text("2 komentarze")

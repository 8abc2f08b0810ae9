"""What readers see of moderation in the widget: a hidden comment's reason instead of its text."""

from __future__ import annotations

from tests.e2e.browser import NewPage, StartService, expect, open_article

ARTICLE, SLUG = "/news/polityka-phishing.html", "polityka-phishing"
PASSWORD = "hasło moderatora e2e"


def test_hidden_comment_shows_the_reason_live_and_after_reload(
    new_page: NewPage, start_service: StartService
):
    server = start_service(admin_password=PASSWORD)
    author = server.client("Ewa Autorka")
    posted = author.post(f"/threads/{SLUG}/comments", json={"body": "Tekst do ukrycia"})
    assert posted.status_code == 201, posted.text
    moderator = server.client()
    signed_in = moderator.post("/admin/session", json={"password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text

    page = new_page(base_url=server.base_url)
    widget = open_article(page, ARTICLE)
    comment = widget.locator(f"#comment-{posted.json()['id']}")
    expect(comment).to_contain_text("Tekst do ukrycia")

    hidden = moderator.put(
        f"/comments/{posted.json()['id']}/hidden", json={"reason": "Poza tematem"}
    )
    assert hidden.status_code == 200, hidden.text
    # The change reaches the open page as a live event.
    expect(comment.locator(".k-c-gone")).to_have_text("Ukryty przez moderatora: Poza tematem")
    expect(comment).not_to_contain_text("Tekst do ukrycia")
    page.reload()
    expect(widget.locator(".k-c-gone")).to_have_text("Ukryty przez moderatora: Poza tematem")
    expect(widget).not_to_contain_text("Tekst do ukrycia")

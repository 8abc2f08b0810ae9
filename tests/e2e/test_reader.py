"""A reader's visit: by mouse, by keyboard only, behind the SSO proxy; counts on listings."""

from __future__ import annotations

from tests.e2e.browser import NewPage, StartService, expect, open_article, tab_to
from tests.servers import Server

MUST_READ = "/news/polityka-phishing.html"


def test_reader_comments_replies_edits_deletes_reacts_and_acknowledges(new_page: NewPage):
    page = new_page()
    widget = open_article(page, MUST_READ)
    expect(widget.locator(".k-comments-fallback")).to_have_count(0)
    expect(widget.locator(".k-total")).to_have_text("0 komentarzy")

    # The first post asks for a display name; Markdown comes back rendered.
    widget.get_by_label("Imię i nazwisko").fill("Ewa Testowa")
    widget.get_by_label("Twój komentarz").fill(
        "Hasło ma **14 znaków**, *co najmniej*.\n\n- klucz\n- PIN"
    )
    widget.get_by_role("button", name="Opublikuj").click()
    comment = widget.locator(".k-list > .k-comment").filter(has_text="Hasło ma")
    expect(comment.locator(".k-c-body strong")).to_have_text("14 znaków")
    expect(comment.locator(".k-c-body em")).to_have_text("co najmniej")
    expect(comment.locator(".k-c-body li")).to_have_count(2)
    expect(comment.locator(".k-c-name").first).to_have_text("Ewa Testowa")
    expect(comment.locator(".k-time").first).to_have_text("przed chwilą")
    expect(widget.locator(".k-total")).to_have_text("1 komentarz")
    expect(widget.get_by_label("Twój komentarz")).to_have_value("")

    # The name is remembered.
    page.reload()
    expect(widget.locator(".k-as")).to_have_text("Piszesz jako Ewa Testowa")
    expect(widget.get_by_label("Imię i nazwisko")).to_have_count(0)

    # Reply, edit the reply, delete it after confirming.
    comment.get_by_role("button", name="Odpowiedz").click()
    comment.get_by_label("Twoja odpowiedź dla: Ewa Testowa").fill("Dopisuję `Ctrl+Enter` działa")
    comment.get_by_label("Twoja odpowiedź dla: Ewa Testowa").press("Control+Enter")
    reply = comment.locator(".k-replies > .k-comment")
    expect(reply.locator(".k-c-body code")).to_have_text("Ctrl+Enter")
    expect(widget.locator(".k-total")).to_have_text("2 komentarze")

    reply.get_by_role("button", name="Edytuj").click()
    editor = reply.get_by_label("Zmień swój komentarz")
    expect(editor).to_have_value("Dopisuję `Ctrl+Enter` działa")
    editor.fill("Poprawiona odpowiedź")
    reply.get_by_role("button", name="Zapisz").click()
    expect(reply.locator(".k-c-body")).to_have_text("Poprawiona odpowiedź")
    expect(reply.locator(".k-c-edited")).to_have_text("edytowano")

    reply.get_by_role("button", name="Usuń").click()
    confirm = reply.get_by_role("group", name="Usunąć ten komentarz?")
    confirm.get_by_role("button", name="Anuluj").click()
    expect(reply).to_have_count(1)
    reply.get_by_role("button", name="Usuń").click()
    confirm.get_by_role("button", name="Tak, usuń").click()
    expect(reply).to_have_count(0)
    expect(widget.locator(".k-total")).to_have_text("1 komentarz")

    # React and un-react; the state survives a reload.
    like = widget.locator(".k-reactions [data-kind=like]")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".k-n")).to_have_text("1")
    page.reload()
    expect(like).to_have_attribute("aria-pressed", "true")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like.locator(".k-n")).to_have_text("")

    # Acknowledge the must-read.
    ack = widget.locator(".k-ack")
    expect(ack).to_contain_text("To obowiązkowa lektura")
    ack.get_by_role("button", name="Potwierdzam zapoznanie się z treścią").click()
    expect(ack.locator(".k-ack-text")).to_contain_text("Potwierdzono zapoznanie się z treścią")
    expect(ack.locator(".k-ack-count")).to_have_text("Potwierdziła 1 osoba.")
    page.reload()
    expect(ack.get_by_role("button")).to_have_count(0)
    expect(ack.locator(".k-ack-text")).to_contain_text("Potwierdzono")

    # The front page shows the count.
    page.goto("/")
    count = page.locator('[data-comment-count="polityka-phishing"]').first
    expect(count).to_be_visible()
    expect(count).to_have_text("1 komentarz")
    page.goto("/en/")
    expect(page.locator('[data-comment-count="polityka-phishing"]').first).to_have_text("1 comment")


def test_keyboard_only_reader_reacts_and_posts_with_tab_enter_and_space(new_page: NewPage):
    page = new_page()
    widget = open_article(page, "/news/witamy-w-kurierze.html")

    tab_to(page, ".k-reactions [data-kind=like]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus outline"
    page.keyboard.press("Space")
    # Signed out in open mode: the name comes first, then the reaction.
    expect(widget.locator(".k-ask input")).to_be_focused()
    page.keyboard.type("Kasia Klawiatura")
    page.keyboard.press("Enter")
    like = widget.locator(".k-reactions [data-kind=like]")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_be_focused()

    tab_to(page, ".k-react[data-kind=celebrate]")
    page.keyboard.press("Enter")
    expect(widget.locator(".k-reactions [data-kind=celebrate]")).to_have_attribute(
        "aria-pressed", "true"
    )

    tab_to(page, "textarea.k-text")
    page.keyboard.type("Napisane **bez myszy**.")
    tab_to(page, ".k-form button:not([type=button])")
    page.keyboard.press("Enter")
    posted = widget.locator(".k-comment").filter(has_text="Napisane")
    expect(posted.locator("strong")).to_have_text("bez myszy")
    expect(posted.locator(".k-c-name")).to_have_text("Kasia Klawiatura")

    # Space opens a reply form; Escape closes it and gives the focus back.
    tab_to(page, ".k-comment .k-reply", back=True)
    page.keyboard.press("Space")
    expect(posted.locator("textarea")).to_be_focused()
    page.keyboard.press("Escape")
    expect(posted.locator("textarea")).to_have_count(0)
    expect(posted.get_by_role("button", name="Odpowiedz")).to_be_focused()


def test_behind_the_sso_proxy_the_name_comes_from_the_proxy(
    new_page: NewPage, start_service: StartService
):
    server = start_service(auth="header")
    sso = {"X-Forwarded-User": "jnowak", "X-Forwarded-Preferred-Username": "Jan Nowak"}
    page = new_page(base_url=server.base_url, extra_http_headers=sso)
    widget = open_article(page, "/en/news/witamy-w-kurierze.html")
    expect(widget.locator(".k-as")).to_have_text("Posting as Jan Nowak")
    expect(widget.locator("input[name=name]")).to_have_count(0)
    widget.get_by_label("Your comment").fill("Signed in by the proxy")
    widget.get_by_role("button", name="Post", exact=True).click()
    expect(widget.locator(".k-comment .k-c-name")).to_have_text("Jan Nowak")
    widget.locator(".k-reactions [data-kind=love]").click()
    expect(widget.locator(".k-reactions [data-kind=love]")).to_have_attribute(
        "aria-pressed", "true"
    )

    stranger = new_page(base_url=server.base_url)  # no identity headers: not signed in
    widget = open_article(stranger, "/en/news/witamy-w-kurierze.html")
    expect(widget.locator(".k-note")).to_have_text("Sign in to the intranet to comment and react.")
    expect(widget.locator("textarea, input, .k-reply, .k-like")).to_have_count(0)
    expect(widget.locator(".k-comment .k-c-body")).to_have_text("Signed in by the proxy")


def test_listing_page_fetches_counts_in_batches_of_at_most_100(new_page: NewPage, service: Server):
    service.client("Licząca").post("/threads/zima-na-drodze/comments", json={"body": "Jeden"})
    page = new_page()
    extra = "".join(f'<span data-comment-count="brak-{n}" hidden></span>' for n in range(230))

    def with_more_teasers(route):
        html = route.fetch().text().replace("</main>", extra + "</main>")
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    page.route("**/channel/bhp.html", with_more_teasers)
    asked: list[int] = []
    page.on(
        "request",
        lambda r: asked.append(r.url.count("slug=")) if "/api/v1/counts" in r.url else None,
    )
    page.goto("/channel/bhp.html")
    expect(page.locator('[data-comment-count="zima-na-drodze"]')).to_have_text("1 komentarz")
    assert len(asked) == 3 and max(asked) <= 100 and sum(asked) > 230, asked

"""What a newcomer to a discussion sees: a comment waiting in a moderated thread counted
for its author with a note (and for no one else), and the widget's icons drawn as inline
SVG in the text's colour, with no emoji font on the machine."""

from __future__ import annotations

import base64
import re

import pytest

from tests.e2e.browser import NewPage, Page, StartService, expect, open_article
from tests.servers import Server

PASSWORD = "hasło moderatora e2e"
MODERATED = "porozumienie-placowe-2027"  # Comments: moderated
MUST_READ = "polityka-phishing"
WAITING_PL = {
    1: "W tym 1 Twój komentarz czekający na akceptację. "
    "Inni zobaczą go, gdy zatwierdzi go moderator.",
    2: "W tym 2 Twoje komentarze czekające na akceptację. "
    "Inni zobaczą je, gdy zatwierdzi je moderator.",
}
WAITING_EN_1 = (
    "Including 1 of yours, awaiting approval. Others will see it once a moderator approves it."
)
REACTIONS = {
    "pl": ["Lubię to 1", "Super", "Gratulacje", "Przydatne", "Ciekawe 1"],
    "en": ["Like 1", "Love", "Celebrate", "Insightful", "Curious 1"],
}
PLAIN_TEXT = re.compile(r"[\w ]*")  # letters, digits, spaces: no emoji, no symbol glyph


@pytest.fixture
def server(start_service: StartService) -> Server:
    return start_service(workers=2, admin_password=PASSWORD)


def moderator_client(server: Server):
    client = server.client()
    signed_in = client.post("/admin/session", json={"password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return client


def post_here(widget, text: str) -> None:
    widget.get_by_label("Twój komentarz").fill(text)
    widget.get_by_role("button", name="Opublikuj", exact=True).click()


def test_a_waiting_comment_counts_for_its_author_with_a_note_and_for_no_one_else(
    new_page: NewPage, server: Server
):
    author = new_page(base_url=server.base_url)
    mine = open_article(author, f"/news/{MODERATED}.html")
    reader = open_article(new_page(base_url=server.base_url), f"/news/{MODERATED}.html")
    total, note, empty = mine.locator(".k-total"), mine.locator(".k-wait"), mine.locator(".k-empty")
    expect(total).to_have_text("0 komentarzy")
    expect(empty).to_have_text("Bądź pierwszą osobą, która skomentuje.")
    expect(note).to_be_hidden()

    mine.get_by_label("Imię i nazwisko").fill("Nowa Osoba")
    post_here(mine, "Kiedy podwyżki?")
    first = mine.locator(".k-comment").filter(has_text="Kiedy podwyżki?")
    expect(first.locator(".k-badge--wait")).to_have_text("Czeka na akceptację")
    expect(total).to_have_text("1 komentarz")
    expect(note).to_have_text(WAITING_PL[1])
    expect(empty).to_be_hidden()
    # Nobody else sees it, nor counts it.
    expect(reader.locator(".k-comment")).to_have_count(0)
    expect(reader.locator(".k-total")).to_have_text("0 komentarzy")
    expect(reader.locator(".k-empty")).to_be_visible()
    expect(reader.locator(".k-wait")).to_be_hidden()

    # The thread read again (it holds the author's waiting comment) says the same.
    author.reload()
    expect(first.locator(".k-badge--wait")).to_be_visible()
    expect(total).to_have_text("1 komentarz")
    expect(note).to_have_text(WAITING_PL[1])
    expect(empty).to_be_hidden()

    post_here(mine, "A dodatek nocny?")
    second = mine.locator(".k-comment").filter(has_text="A dodatek nocny?")
    expect(second.locator(".k-badge--wait")).to_be_visible()
    expect(total).to_have_text("2 komentarze")
    expect(note).to_have_text(WAITING_PL[2])

    # A moderator's comment is public at once: it arrives live and counts on top.
    moderator = moderator_client(server)
    answer = moderator.post(f"/threads/{MODERATED}/comments", json={"body": "Od stycznia."})
    assert answer.status_code == 201, answer.text
    expect(mine.locator(".k-comment").filter(has_text="Od stycznia.")).to_be_visible()
    expect(total).to_have_text("3 komentarze")
    expect(note).to_have_text(WAITING_PL[2])
    expect(reader.locator(".k-total")).to_have_text("1 komentarz")

    # Approved: the mark goes live, the comment now counts for everyone.
    approved = moderator.put(f"/comments/{first.get_attribute('data-id')}/approved")
    assert approved.status_code == 200, approved.text
    expect(first.locator(".k-badge--wait")).to_have_count(0)
    expect(total).to_have_text("3 komentarze")
    expect(note).to_have_text(WAITING_PL[1])
    expect(reader.locator(".k-total")).to_have_text("2 komentarze")
    expect(reader.locator(".k-comment")).to_have_count(2)

    # The English page shares the thread and says the same in English.
    english = open_article(author, f"/en/news/{MODERATED}.html")
    expect(english.locator(".k-total")).to_have_text("3 comments")
    expect(english.locator(".k-wait")).to_have_text(WAITING_EN_1)
    # Listing pages show the public count.
    author.goto("/channel/kadry.html")
    expect(author.locator(f'[data-comment-count="{MODERATED}"]').first).to_have_text("2 komentarze")

    # Deleting the waiting comment takes it out of the author's count only.
    mine = open_article(author, f"/news/{MODERATED}.html")
    second.get_by_role("button", name="Usuń").click()
    mine.get_by_role("button", name="Tak, usuń").click()
    expect(second).to_have_count(0)
    expect(mine.locator(".k-total")).to_have_text("2 komentarze")
    expect(mine.locator(".k-wait")).to_be_hidden()
    expect(reader.locator(".k-total")).to_have_text("2 komentarze")

    # Rejected by a moderator: it leaves the author's open page too, without a reload.
    post_here(mine, "Do odrzucenia")
    third = mine.locator(".k-comment").filter(has_text="Do odrzucenia")
    expect(third.locator(".k-badge--wait")).to_be_visible()
    expect(mine.locator(".k-total")).to_have_text("3 komentarze")
    rejected = moderator.delete(f"/comments/{third.get_attribute('data-id')}/approved")
    assert rejected.status_code == 200, rejected.text
    expect(third).to_have_count(0)
    expect(mine.locator(".k-total")).to_have_text("2 komentarze")
    expect(mine.locator(".k-wait")).to_be_hidden()


def ink(page: Page, locator, color: str) -> int:
    """How many pixels of the element as drawn on screen have (nearly) the CSS `color`."""
    png = base64.b64encode(locator.screenshot()).decode()
    rgb = [int(n) for n in re.findall(r"\d+", color)[:3]]
    return page.evaluate(
        """async ([png, [r, g, b]]) => {
            const img = new Image();
            img.src = "data:image/png;base64," + png;
            await img.decode();
            const canvas = document.createElement("canvas");
            [canvas.width, canvas.height] = [img.width, img.height];
            const context = canvas.getContext("2d");
            context.drawImage(img, 0, 0);
            const d = context.getImageData(0, 0, img.width, img.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                n += Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 60;
            }
            return n;
        }""",
        [png, rgb],
    )


def assert_svg_icon(page: Page, control, name: str) -> None:
    """`control` keeps its accessible name, shows no glyph from a font and draws an SVG
    icon (hidden from assistive technology) that uses the page's own icon set."""
    expect(control).to_have_accessible_name(name)
    assert PLAIN_TEXT.fullmatch(control.text_content()), control.text_content()
    generated = control.evaluate(
        "b => [getComputedStyle(b, '::before').content, getComputedStyle(b, '::after').content]"
    )
    assert generated == ["none", "none"], generated
    icon = control.locator("svg")
    expect(icon).to_have_count(1)
    expect(icon).to_have_attribute("aria-hidden", "true")
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 12 and box["height"] >= 12, box
    shape = icon.evaluate(
        "svg => document.querySelector(svg.querySelector('use').getAttribute('href'))"
        "?.matches('symbol:has(path, circle)')"
    )
    assert shape, f"{name}: the icon's symbol is not on the page"
    color = icon.evaluate("svg => getComputedStyle(svg).color")
    assert ink(page, icon, color) >= 8, f"{name}: the icon is not drawn in {color}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_icons_are_inline_svg_in_the_text_colour_with_the_same_names(
    new_page: NewPage, server: Server, scheme: str
):
    ola, jan = server.client("Ola Nowak"), server.client("Jan Kowal")
    for body in ("Pierwszy", "Drugi"):
        ola.post(f"/threads/{MUST_READ}/comments", json={"body": body})
    for kind in ("like", "curious"):
        jan.put(f"/threads/{MUST_READ}/reactions/{kind}")
    page = new_page(base_url=server.base_url, color_scheme=scheme)

    for lang, path in (("en", f"/en/news/{MUST_READ}.html"), ("pl", f"/news/{MUST_READ}.html")):
        widget = open_article(page, path)
        icons = page.locator("svg.k-icons")  # the page's icon set: takes no room itself
        expect(icons).to_have_count(1)
        expect(icons).to_be_hidden()
        group = widget.get_by_role("group", name=re.compile("Reakcje|Reactions"))
        buttons = group.get_by_role("button")
        expect(buttons).to_have_count(5)
        for button, name in zip(buttons.all(), REACTIONS[lang], strict=True):
            expect(button).to_have_attribute("aria-pressed", "false")
            assert_svg_icon(page, button, name)

    love = widget.locator(".k-reactions [data-kind=love]")
    love.click()
    widget.locator(".k-ask input").fill("Kasia Ikonowa")
    widget.locator(".k-ask input").press("Enter")
    expect(love).to_have_attribute("aria-pressed", "true")
    assert_svg_icon(page, love, "Super 1")

    like = widget.locator(".k-comment .k-like").first
    assert_svg_icon(page, like, "Lubię to")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    assert_svg_icon(page, like, "Lubię to 1")
    assert_svg_icon(page, widget.locator(".k-sort"), "Najnowsze na górze")

    widget.get_by_role("button", name="Potwierdzam zapoznanie się z treścią").click()
    done = widget.locator(".k-ack-text")
    expect(done).to_contain_text("Potwierdzono zapoznanie się z treścią")
    assert PLAIN_TEXT.fullmatch(done.text_content().split(":")[0]), done.text_content()
    assert done.evaluate("p => getComputedStyle(p, '::before').content") == "none"
    expect(done.locator("svg[aria-hidden=true]")).to_have_count(1)

"""Hostile comments and names show as text and run nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.browser import NewPage, expect, open_article
from tests.servers import Server

ARTICLE = "/news/kierowca-roku-2026.html"
SLUG = "kierowca-roku-2026"
PAYLOADS = json.loads(
    (Path(__file__).parents[1] / "service" / "xss_payloads.json").read_text(encoding="utf-8")
)["payloads"]
# Every ninth: script tags, event handlers, SVG and MathML, CSS, iframes,
# meta refresh, javascript:/data: links in Markdown, code spans.
SAMPLE = PAYLOADS[::9][:30]
HOSTILE_NAME = '<img src=x onerror="window.__xss=1">Zła "Osoba"'

# Anything that runs records itself here; dialogs are also caught by new_page.
MARKERS = """
window.__xss = 0;
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = () => { window.__xss += 1; };
}
"""

ALLOWED_TAGS = ["P", "BR", "EM", "STRONG", "A", "UL", "OL", "LI", "BLOCKQUOTE", "CODE", "PRE", "HR"]
INSPECT = """
(allowed) => {
  const found = [];
  for (const body of document.querySelectorAll("#comments .k-c-body")) {
    for (const node of body.querySelectorAll("*")) {
      if (!allowed.includes(node.tagName)) found.push("element " + node.outerHTML);
      for (const { name, value } of node.attributes) {
        const fine = (node.tagName === "A" && ["href", "rel", "title"].includes(name))
          || (node.tagName === "CODE" && name === "class");
        if (!fine) found.push(`attribute ${name}="${value}" on ${node.tagName}`);
        if (name === "href" && !/^(https?:|mailto:)/i.test(value)) found.push("link " + value);
      }
    }
  }
  for (const name of document.querySelectorAll("#comments .k-c-name, #comments .k-as")) {
    if (name.children.length) found.push("markup in a name: " + name.innerHTML);
  }
  if (document.querySelectorAll("script:not([src]):not([type='application/json'])").length) {
    found.push("an inline script");
  }
  return found;
}
"""


def test_hostile_comments_show_as_text_and_run_nothing(new_page: NewPage, service: Server):
    attacker = service.client(HOSTILE_NAME)
    accepted: dict[str, str] = {}  # payload -> comment id
    for payload in SAMPLE[5:]:
        response = attacker.post(f"/threads/{SLUG}/comments", json={"body": payload})
        assert response.status_code in (201, 422), response.text
        if response.status_code == 201:
            accepted[payload] = response.json()["id"]
    assert len(accepted) >= 20

    page = new_page()
    page.add_init_script(MARKERS)
    foreign: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(service.base_url) else foreign.append(r.url)
    )
    widget = open_article(page, ARTICLE)
    # A few more through the form, as the page itself posts and draws them.
    widget.get_by_label("Imię i nazwisko").fill(HOSTILE_NAME)
    for payload in SAMPLE[:5]:
        widget.get_by_label("Twój komentarz").fill(payload)
        with page.expect_response(lambda r: r.url.endswith("/comments")) as posted:
            widget.get_by_role("button", name="Opublikuj").click()
        if posted.value.status == 201:
            accepted[payload] = posted.value.json()["id"]
    for comment_id in accepted.values():
        expect(widget.locator(f"#comment-{comment_id} .k-c-body")).to_be_attached()

    page.reload()  # and once more as a reader of the stored thread
    expect(widget.locator(".k-list > .k-comment")).to_have_count(len(accepted))
    page.mouse.move(400, 400)
    for comment in widget.locator(".k-c-body").all():
        comment.hover()
    page.wait_for_timeout(300)

    assert page.evaluate("window.__xss") == 0
    assert page.evaluate(INSPECT, ALLOWED_TAGS) == []
    assert foreign == []
    expect(widget.locator(".k-c-name").first).to_have_text(HOSTILE_NAME)
    for payload in ("<script>alert(1)</script>", "<input autofocus onfocus=alert(1)>"):
        expect(widget.locator(f"#comment-{accepted[payload]} .k-c-body")).to_have_text(payload)

"""The theme's files in the real browser: pages load each of them once, at its fingerprinted
address (plugins/kurier/assets.py), which the web server lets browsers keep for a year."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from tests.e2e.browser import NewPage, StartService, expect, open_article

PASSWORD = "hasło moderatora e2e"
FINGERPRINT = re.compile(r"v=[0-9a-f]{10}")


def test_a_moderators_article_page_loads_each_theme_file_once_fingerprinted(
    new_page: NewPage, start_service: StartService
):
    server = start_service(workers=1, admin_password=PASSWORD)
    page = new_page(base_url=server.base_url)
    answers: dict[str, list[int]] = {}
    page.on("response", lambda answer: answers.setdefault(answer.url, []).append(answer.status))
    signed_in = page.request.post(
        server.base_url + "/api/v1/admin/session",
        data={"password": PASSWORD},
        headers={"Origin": server.base_url},
    )
    assert signed_in.ok, signed_in.text()
    widget = open_article(page, "/en/news/strefy-ruchu-magazyn.html")
    # moderate.js, loaded from the address the page gives, and its stylesheet
    expect(widget.locator(".k-mod")).to_be_visible()
    expect(widget.locator(".k-mod")).to_have_css("display", "flex")

    theme = {url: urlsplit(url) for url in answers if urlsplit(url).path.startswith("/theme/")}
    assert all(FINGERPRINT.fullmatch(parts.query) for parts in theme.values()), sorted(theme)
    assert all(answers[url] == [200] for url in theme), answers
    # Each once: moderate.js imports comments.js at the very address the page loaded it
    # from, so the widget runs once, with one state.
    loaded = Counter(parts.path for parts in theme.values())
    assert set(loaded.values()) == {1}, loaded
    assert {"/theme/css/tokens.css", "/theme/css/main.css", "/theme/css/comments.css",
            "/theme/js/comments.js", "/theme/js/moderate.js",
            "/theme/css/moderate.css"}.issubset(loaded)  # fmt: skip

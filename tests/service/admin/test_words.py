"""Every word on every admin page is in the page's language: none of the other language,
none of configuration."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from comments_service.config import DEFAULT_REACTIONS
from comments_service.i18n import catalogue
from comments_service.store.audit import ACTIONS
from tests.service.admin.kit import PAGES, PASSWORD, page, token

WORD = re.compile(r"[^\W\d_]+(?:_[^\W\d_]+)*")
# Words of configuration and of stored data, never to be shown to moderators as they are.
CONFIG_WORDS = {
    *DEFAULT_REACTIONS, "open", "moderated", "closed", "hidden",  # COMMENTS_REACTIONS, Comments:
    "modified", "auto", "system", "pending", "review", "yes", "no", "true", "false", "none",
    "asc", "desc", "ascending", "descending", "slug", "langs", "pl", "en", *ACTIONS,
}  # fmt: skip


def _ui_words(lang: str) -> set[str]:
    """Every word of the pages' strings in `lang` (months included), placeholders left out."""
    values = catalogue(lang)["admin"].values()
    texts = [text for value in values for text in ([value] if isinstance(value, str) else value)]
    texts = [re.sub(r"\{\w+\}", " ", text) for text in texts]
    return {word.casefold() for text in texts for word in WORD.findall(text)}


POLISH, ENGLISH = _ui_words("pl"), _ui_words("en")
FOREIGN = {
    "pl": (ENGLISH - POLISH) | CONFIG_WORDS,
    "en": (POLISH - ENGLISH) | (CONFIG_WORDS - ENGLISH),
}
# What people wrote and what the articles are called: the page shows it as it is.
WRITTEN = ["Plan roku", "Year plan", "Zebranie", "Stare sprawy", "Kaski", "Helmets", "Gogle",
           "Moderatorka", "Ewa", "Jan", "Ola", "Piotr", "xq1", "xq2", "xq3", "xq4"]  # fmt: skip


def visible_words(html: BeautifulSoup, lang: str) -> set[str]:
    """The words a moderator reads or hears on the page, but for identifiers (`code`),
    parts in another language (`lang=`), comments' text and `WRITTEN`."""
    for tag in html.select("code, .body"):
        tag.decompose()
    for tag in html.select("body [lang]"):
        if not tag.decomposed and tag["lang"] != lang:
            tag.decompose()
    said = [
        tag[name]
        for tag in html.find_all(True)
        for name in ("aria-label", "title", "placeholder", "alt")
        if tag.get(name)
    ]
    text = " ".join([html.get_text(" "), *said])
    for written in WRITTEN:
        text = text.replace(written, " ")
    return {word.casefold() for word in WORD.findall(text)}


def failed_actions(mod: TestClient) -> list[tuple[str, object]]:
    """The pages after actions that cannot be done, each with its message."""
    second, reply = mod.busy["comment"], mod.busy["reply"]
    far = (datetime.now(UTC) + timedelta(days=800)).date().isoformat()
    attempts = [
        (f"/admin/comments/{second}/hide", {"reason": ""}),
        (f"/admin/comments/{second}/hide", {"reason": "x\x01"}),
        (f"/admin/comments/{second}/hide", {"reason": "x" * 600}),
        (f"/admin/comments/{second}/reject", {}),
        (f"/admin/comments/{reply}/pin", {}),
        ("/admin/comments/999999/delete", {}),
        ("/admin/threads/nope/lock", {}),
        ("/admin/mutes", {"person": "jan", "until": far, "reason": "x"}),
        ("/admin/mutes", {"person": "", "until": far, "reason": "x"}),
    ]
    pages = []
    for path, fields in attempts:
        response = mod.post(path, data={"csrf": token(mod), "back": "/admin/", **fields})
        assert page(response).find(class_="flash-error"), (path, fields)
        pages.append((f"POST {path} {fields}", response))
    pages.append(("no token", mod.post(f"/admin/comments/{second}/hide", data={"reason": "x"})))
    pages.append(("not a form", mod.post(f"/admin/comments/{second}/hide", json={})))
    return pages


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_admin_page_speaks_its_language_only(busy, make_client, lang):
    mod, reader = busy, busy.busy["reader"]
    mod.get(f"/admin/?lang={lang}")
    columns = ["title", "langs", "date", "must_read", "comments", "replies", "reactions",
               "likes", "participants", "acknowledgements", "first_activity", "last_activity",
               *(f"reaction_{kind}" for kind in (*DEFAULT_REACTIONS, "kudos"))]  # fmt: skip
    everything = "&".join(f"col={column}" for column in columns)
    paths = [*PAGES[:-1], "/admin/comments?thread=plan", "/admin/mutes?person=jan",
             f"/admin/reports?{everything}", "/admin/reports?from=2026-02-30",
             "/admin/reports?from=2026-12-01&to=2026-11-01", "/admin/reports?sort=nope",
             "/admin/reports?order=up", "/admin/reports/acknowledgements/kaski",
             "/admin/reports/acknowledgements/gogle", "/admin/reports/acknowledgements/plan",
             "/admin/reports/acknowledgements/nope"]  # fmt: skip
    pages = [(path, mod.get(path)) for path in paths] + failed_actions(mod)
    pages.append(("not a moderator", reader.get(f"/admin/?lang={lang}")))
    signing_in = make_client(admin_password=PASSWORD)
    pages.append(("sign-in", signing_in.get(f"/admin/sign-in?lang={lang}")))
    csrf = token(signing_in, "/admin/sign-in")
    wrong = signing_in.post("/admin/sign-in", data={"csrf": csrf, "password": "x"})
    pages.append(("wrong password", wrong))
    no_password = make_client()
    csrf = token(no_password, f"/admin/sign-in?lang={lang}")
    switched_off = no_password.post("/admin/sign-in", data={"csrf": csrf, "password": "x"})
    pages.append(("sign-in switched off", switched_off))
    foreign = {}
    for name, response in pages:
        html = page(response)
        assert html.html["lang"] == lang, name
        words = visible_words(html, lang)
        found = sorted(w for w in words if w in FOREIGN[lang] or "_" in w)
        if found:
            foreign[name] = found
    assert not foreign, "\n".join(f"{name}: {' '.join(words)}" for name, words in foreign.items())

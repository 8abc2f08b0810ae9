"""The widget's files themselves (no browser needed): weight, strings, no HTML from people.

comments.js is every reader's; moderate.js holds the moderators' controls, which
comments.js imports only for them. Both take their strings from the "widget"
catalogue, so the string checks read them together.
"""

from __future__ import annotations

import json
import re
import string

import pytest

from bench.widget_size import BUDGET_GZIP, MODERATOR_FILES, STATIC, moderator_sizes, widget_sizes
from comments_service.config import DEFAULT_REACTIONS

SCRIPT = (STATIC / "js" / "comments.js").read_text(encoding="utf-8")
MODERATE = (STATIC / "js" / "moderate.js").read_text(encoding="utf-8")
SCRIPTS = {"comments.js": SCRIPT, "moderate.js": MODERATE}
I18N = STATIC.parent / "i18n"
PLURAL_FORMS = {"pl": {"one", "few", "many", "other"}, "en": {"one", "other"}}


def catalogue(lang: str) -> dict:
    return json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))["widget"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_widget_fits_the_budget():
    sizes = widget_sizes()
    assert sizes["total"]["gzip"] <= BUDGET_GZIP, sizes


def test_moderators_controls_load_on_their_own_and_stay_small():
    # Readers never download them: comments.js imports moderate.js only for moderators.
    assert 'import("./moderate.js")' in SCRIPT
    assert re.search(r"^import\b", SCRIPT, re.MULTILINE) is None  # no static import
    assert "../css/moderate.css" in MODERATE
    sizes = moderator_sizes()
    assert set(sizes) == {*MODERATOR_FILES, "total"}
    assert sizes["total"]["gzip"] <= 4 * 1024, sizes


def test_widget_strings_exist_in_both_languages_with_the_same_placeholders():
    pl, en = catalogue("pl"), catalogue("en")
    assert pl.keys() == en.keys()
    for key in pl:
        for lang, value in (("pl", pl[key]), ("en", en[key])):
            if isinstance(value, dict):
                assert set(value) == PLURAL_FORMS[lang], (lang, key)
                assert all(placeholders(form) == {"count"} for form in value.values()), key
        if isinstance(pl[key], str):
            assert placeholders(pl[key]) == placeholders(en[key]), key


def test_widget_uses_every_string_it_ships_and_ships_every_string_it_uses():
    keys = set(catalogue("en"))
    reactions = {key for key in keys if key.startswith("r_")}
    assert reactions == {f"r_{kind}" for kind in DEFAULT_REACTIONS}
    both = SCRIPT + MODERATE
    unused = [key for key in keys - reactions if f'"{key}"' not in both]
    assert unused == []
    missing = set(re.findall(r'\bt\("(\w+)"', both)) - keys
    assert missing == set()
    # Error codes map to strings that exist (the map is extended by moderate.js).
    mapped = set(re.findall(r'\b\w+: "(e_\w+|m_e_\w+|closed)"', both))
    assert mapped and mapped <= keys, mapped - keys


@pytest.mark.parametrize(("name", "allowed"), [("comments.js", ["c.body_html"]),
                                               ("moderate.js", [])])  # fmt: skip
def test_widget_sets_no_html_but_the_services_sanitised_body(name: str, allowed: list[str]):
    script = SCRIPTS[name]
    assert re.findall(r"\.innerHTML\s*\+?=\s*([^;]+);", script) == allowed
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                  "new Function", "setHTML", "createContextualFragment"):  # fmt: skip
        if risky != "innerHTML" or not allowed:
            assert risky not in script, (name, risky)

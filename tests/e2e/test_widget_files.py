"""The widget's files themselves (no browser needed): weight, strings, no HTML from people."""

from __future__ import annotations

import json
import re
import string

from bench.widget_size import BUDGET_GZIP, STATIC, widget_sizes
from comments_service.config import DEFAULT_REACTIONS

SCRIPT = (STATIC / "js" / "comments.js").read_text(encoding="utf-8")
I18N = STATIC.parent / "i18n"
PLURAL_FORMS = {"pl": {"one", "few", "many", "other"}, "en": {"one", "other"}}


def catalogue(lang: str) -> dict:
    return json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))["widget"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_widget_fits_the_budget():
    sizes = widget_sizes()
    assert sizes["total"]["gzip"] <= BUDGET_GZIP, sizes


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
    unused = [key for key in keys - reactions if f'"{key}"' not in SCRIPT]
    assert unused == []
    missing = set(re.findall(r'\bt\("(\w+)"', SCRIPT)) - keys
    assert missing == set()


def test_widget_sets_no_html_but_the_services_sanitised_body():
    assert re.findall(r"\.innerHTML\s*\+?=\s*([^;]+);", SCRIPT) == ["c.body_html"]
    for risky in ("outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert risky not in SCRIPT, risky

"""The widget's files themselves (no browser needed): weight, strings, no HTML from people.

The widget's sources are the ES modules in theme/js/; the site build ships them
bundled and minified (plugins/kurier/widget.py): comments.js, every reader's,
and moderate.js, the moderators' controls, which comments.js imports only for
them. All the modules take their strings from the "widget" catalogue, so the
string checks read them together.
"""

from __future__ import annotations

import json
import re
import string

import pytest

from bench.widget_size import (
    BUDGET_GZIP,
    MODERATOR_FILES,
    THEME,
    moderator_sizes,
    shipped_files,
    widget_sizes,
)
from comments_service.config import DEFAULT_REACTIONS

MODULES = {path.name: path.read_text(encoding="utf-8") for path in (THEME / "js").glob("*.js")}
SOURCE = "\n".join(MODULES.values())
SHIPPED = {name: data.decode("utf-8") for name, data in shipped_files().items()}
I18N = THEME / "i18n"
PLURAL_FORMS = {"pl": {"one", "few", "many", "other"}, "en": {"one", "other"}}
# The one place that sets HTML: a comment's body, which the service sanitised.
SANITISED_HTML = {"thread.js": ["comment.body_html"]}
RISKY = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
         "new Function", "setHTML", "createContextualFragment")  # fmt: skip


def catalogue(lang: str) -> dict:
    return json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))["widget"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_widget_fits_the_budget():
    sizes = widget_sizes()
    assert sizes["total"]["gzip"] <= BUDGET_GZIP, sizes


def test_moderators_controls_load_on_their_own_and_stay_small():
    # Readers never download them: comments.js imports moderate.js only for moderators
    # (from the address the page gives, with its fingerprint), and holds none of their code.
    readers = SHIPPED["js/comments.js"]
    assert "import(new URL(mount.dataset.moderateSrc,document.baseURI).href)" in readers
    assert re.search(r"\bimport\s*\{", readers) is None  # no static import
    assert "function startModeration" not in readers and "m_approve" not in readers
    # moderate.js takes what it shares with the widget from comments.js: nothing twice.
    moderators = SHIPPED["js/moderate.js"]
    assert re.findall(r'\bimport\s*\{[^}]*\}\s*from\s*"([^"]+)"', moderators) == ["./comments.js"]
    assert "function request(" not in moderators and "function request(" in readers
    assert "../css/moderate.css" in MODULES["moderate.js"]
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
    unused = [key for key in keys - reactions if f'"{key}"' not in SOURCE]
    assert unused == []
    used = set(re.findall(r'\btranslate\("(\w+)"', SOURCE))
    assert len(used) > 50 and used - keys == set()
    # Error codes map to strings that exist (moderate.js adds its own codes to the readers').
    mapped = set(re.findall(r'\b\w+: "(e_\w+|m_e_\w+|closed)"', SOURCE))
    assert {"e_gone", "m_e_approved", "closed"} <= mapped <= keys, mapped - keys
    # ...without changing the readers' table: nothing assigns into it.
    changes = r"ERROR_STRINGS(\[[^\]]*\]|\.\w+)\s*=(?!=)|assign\(ERROR_STRINGS"
    assert re.search(changes, SOURCE) is None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_widget_sets_no_html_but_the_services_sanitised_body(name: str):
    module = MODULES[name]
    allowed = SANITISED_HTML.get(name, [])
    assert re.findall(r"\.innerHTML\s*\+?=\s*([^;]+);", module) == allowed
    for risky in RISKY:
        if risky != "innerHTML" or not allowed:
            assert risky not in module, (name, risky)


def test_shipped_widget_sets_html_in_the_one_place_only():
    assert re.findall(r"\.innerHTML=([^;]+);", SHIPPED["js/comments.js"]) == ["comment.body_html"]
    for risky in RISKY:
        assert risky not in SHIPPED["js/moderate.js"], risky


def test_sources_are_not_shipped_as_loose_files_and_the_shipped_ones_are_minified(site):
    shipped = site / "theme"
    assert sorted(p.name for p in (shipped / "js").iterdir()) == ["comments.js", "moderate.js"]
    for name, text in SHIPPED.items():
        # as built, but for the fingerprints of the theme files they name (test_assets.py)
        output = (shipped / name).read_text(encoding="utf-8")
        assert re.sub(r"\?v=[0-9a-f]{10}\b", "", output) == text, name
        assert "\n  " not in text and "/*" not in text, name  # no indentation, no comments

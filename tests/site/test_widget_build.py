"""The widget's build (plugins/kurier/widget.py): ES modules bundled into one file per
entry, refusals that say what is wrong, and the cache that skips an unchanged widget."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kurier import widget
from kurier.widget import BundleError, bundle, cached_widget, mentioned_names, read_sources

from tests.site.build import CONTENT, REPO

THEME = REPO / "theme"
NODE = shutil.which("node")

# A widget in small: an entry, a module both entries use, and a later entry.
SMALL = {
    "page.js": (
        'import { count, bump } from "./state.js";\n'
        'import { label } from "./words.js";\n'
        "bump();\n"
        'export const shown = () => label + ": " + count.value;\n'
        'export const loadExtra = () => import("./extra.js");\n'
    ),
    "state.js": (
        "export const count = { value: 0 };\nexport function bump() {\n  count.value++;\n}\n"
    ),
    "words.js": 'export const label = "count";\n',
    "extra.js": (
        'import { count, bump } from "./state.js";\n'
        "export function more() {\n  bump();\n  return count.value;\n}\n"
    ),
}


def small(**changes: str) -> dict[str, str]:
    return {**SMALL, **changes}


def test_bundle_puts_each_module_after_those_it_imports_without_imports_or_exports():
    text = bundle(SMALL, ("page.js",))["page.js"]
    assert text.index("const count") < text.index("const label") < text.index("bump();")
    assert "import {" not in text and 'import("./extra.js")' in text  # loaded at run time
    assert "export const shown" in text  # the entry's own exports stay
    assert "export function bump" not in text and "function bump" in text


def test_bundle_a_later_entry_takes_shared_modules_from_the_earlier_file():
    bundles = bundle(SMALL, ("page.js", "extra.js"))
    assert bundles["page.js"].rstrip().endswith("export { bump, count };")
    extra = bundles["extra.js"]
    assert extra.startswith('import { bump, count } from "./page.js";')
    assert "const count" not in extra and "export function more" in extra


def test_bundle_lends_only_what_the_later_entry_itself_imports():
    # state.js imports words.js, but page.js holds both: extra.js needs neither's imports.
    state = 'import { label } from "./words.js";\nexport const count = { value: label };\n'
    state += "export function bump() {}\n"
    bundles = bundle(small(**{"state.js": state}), ("page.js", "extra.js"))
    assert "export { bump, count };" in bundles["page.js"]
    assert bundles["extra.js"].startswith('import { bump, count } from "./page.js";')


@pytest.mark.skipif(NODE is None, reason="no node to run the bundles with")
def test_bundles_run_as_their_modules_would_sharing_one_state(tmp_path: Path):
    for name, text in bundle(SMALL, ("page.js", "extra.js")).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    script = 'const page = await import("./page.js");\nconst extra = await page.loadExtra();\n'
    script += "console.log(extra.more(), page.shown());\n"
    (tmp_path / "run.mjs").write_text(script, encoding="utf-8")
    result = subprocess.run([NODE, "run.mjs"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 count: 2"  # bumped by page.js, then by extra.js


def words(code: str, label: str = 'export const label = "x";\n') -> dict[str, str]:
    """words.js with `code` before its export of `label`."""
    return {"words.js": code + label}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(words('import { shown } from "./page.js";\n'),
                     "imports go round in a circle: page.js -> words.js -> page.js", id="cycle"),
        pytest.param(words('import { x } from "./gone.js";\n'),
                     "words.js imports ./gone.js, which is not among", id="missing-module"),
        pytest.param(words('import { bump as up } from "./state.js";\n'),
                     "plain names only, no `as`", id="alias"),
        pytest.param(words('import * as state from "./state.js";\n'),
                     'words.js:1: cannot bundle `import * as state from "./state.js";`',
                     id="namespace-import"),
        pytest.param(words('import { count } from "../state.js";\n'), "cannot bundle",
                     id="outside-the-folder"),
        pytest.param(words("", 'export let label = "x";\n'),
                     "words.js:1: cannot bundle `export let label", id="export-let"),
        pytest.param(words("", 'export default "x";\n'), "cannot bundle `export default",
                     id="export-default"),
        pytest.param(words("", 'const label = "x";\nexport { label };\n'),
                     "cannot bundle `export { label };`", id="export-list"),
        pytest.param(words("", 'export const { label } = { label: "x" };\n'),
                     "cannot bundle `export const { label }", id="destructuring"),
        pytest.param(words('import { count } from "./state.js";\nfunction count() {}\n'),
                     "words.js: declares or imports count more than once", id="import-declared"),
        pytest.param(words("function bump() {}\n"), "state.js and words.js both declare bump",
                     id="same-name"),
        pytest.param(words("", 'export const label = "x" + count.value;\n'),
                     "words.js uses count without importing it, and the bundle declares it in "
                     "state.js", id="unimported-name"),
        pytest.param(words("const show = (count) => count + 1;\n"),
                     "words.js uses count without importing it", id="shadowing-name"),
        pytest.param({"page.js": 'import { shown } from "./words.js";\n'},
                     "page.js imports shown, which words.js does not export", id="not-exported"),
    ],
)  # fmt: skip
def test_bundle_refuses_what_it_cannot_bundle_saying_what(changes: dict, message: str):
    with pytest.raises(BundleError) as refused:
        bundle(small(**changes), ("page.js",))
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("code", "names"),
    [
        pytest.param('a("b, c") + d', {"a", "d"}, id="strings"),
        pytest.param("a // b c\n/* d */ e", {"a", "e"}, id="comments"),
        pytest.param("a.b?.c(...d)", {"a", "d"}, id="properties-and-spread"),
        pytest.param("`x ${a + `y ${b}`} ${ {c}.c } z` + d", {"a", "b", "c", "d"},
                     id="templates"),
        pytest.param("a = /[/]x\\/ y/g.test(b) / c", {"a", "b", "c"}, id="regex"),
        pytest.param("return /x/.test(a)", {"return", "a"}, id="regex-after-return"),
        pytest.param("a = 1.5e3 / b", {"a", "b"}, id="numbers"),
    ],
)  # fmt: skip
def test_mentioned_names_skip_text_and_properties(code: str, names: set[str]):
    assert mentioned_names(code) == names


def test_every_widget_module_ships_in_a_bundle():
    sources = {name: text for name, text in read_sources(THEME).items() if "/" not in name}
    bundles = bundle(sources)
    for name, text in sources.items():
        declarations = re.findall(r"^(?:export )?((?:function|const) \w+)", text, re.MULTILINE)
        assert declarations, name
        assert any(declarations[0] in shipped for shipped in bundles.values()), name


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    """A copy of the theme's widget sources."""
    copy = tmp_path / "theme"
    shutil.copytree(THEME / "js", copy / "js")
    shutil.copytree(THEME / "static" / "css", copy / "static" / "css")
    return copy


def test_cache_keeps_the_widget_until_a_source_changes(theme: Path, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    built = cached_widget(theme, cache)
    assert [p.name for p in cache.iterdir()] == [f"widget-{widget.source_key(read_sources(theme))}"]

    def refuse(sources):
        raise AssertionError("built again with unchanged sources")

    monkeypatch.setattr(widget, "build_widget", refuse)
    assert cached_widget(theme, cache) == built
    monkeypatch.undo()

    with (theme / "js" / "i18n.js").open("a", encoding="utf-8") as module:
        module.write("// changed\n")
    assert cached_widget(theme, cache) == built  # the same files from new sources
    assert len(list(cache.iterdir())) == 1  # the older entry is gone
    (theme / "static" / "css" / "comments.css").write_text(".k-x { color: red; }\n")
    assert cached_widget(theme, cache)["css/comments.css"] == b".k-x{color:red}"


def test_cache_that_cannot_be_written_still_builds(theme: Path, tmp_path, caplog):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    files = cached_widget(theme, blocked / "cache")
    assert set(files) == {"js/comments.js", "js/moderate.js", "css/comments.css",
                          "css/moderate.css"}  # fmt: skip
    assert "Could not keep the comment widget" in caplog.text


def test_site_build_with_a_module_it_cannot_bundle_fails_saying_why(theme: Path, tmp_path):
    for part in ("templates", "i18n", "static"):
        shutil.rmtree(theme / part, ignore_errors=True)
        shutil.copytree(THEME / part, theme / part)
    with (theme / "js" / "dom.js").open("a", encoding="utf-8") as module:
        module.write('export default "x";\n')
    command = [sys.executable, "-m", "pelican", str(CONTENT), "-o", str(tmp_path / "out"),
               "-s", str(REPO / "pelicanconf.py"), "-t", str(theme)]  # fmt: skip
    env = {**os.environ, "COLUMNS": "500"}  # Pelican's log lines unwrapped
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert 'dom.js:89: cannot bundle `export default "x";`' in result.stdout + result.stderr

"""Fingerprinted theme files (plugins/kurier/assets.py): every address the built site gives
for a file of the theme's static output ends in `?v=` and the first ten hex digits of the
SHA-256 of that file as shipped, so the web server may let browsers keep it for a year.

The built site is read with patterns of its own here, not the plugin's: whatever points
into /theme/ (an attribute, or any text, of any page; a CSS `url(...)` or `@import`; a
JavaScript import or `new URL(..., import.meta.url)`) must carry the right fingerprint.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from kurier.assets import AssetError, fingerprint, with_fingerprints

from tests.site.build import CONTENT, PELICANCONF, PUBLISHCONF, REPO, build, run_pelican

THEME = REPO / "theme"
CSS_REFERENCE = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s*["']([^"']+)""")
JS_REFERENCE = re.compile(
    r"""\b(?:from|import\s*\(?)\s*["']([^"']+)["']"""
    r"""|new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url"""
)
# On every page: the stylesheets and the icons; on an article's, the widget's files too.
EVERY_PAGE = {"css/tokens.css", "css/main.css", "favicon.svg", "favicon.ico",
              "apple-touch-icon.png"}  # fmt: skip
ARTICLE = EVERY_PAGE | {"css/comments.css", "js/comments.js", "js/moderate.js"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def theme_links(site: Path) -> dict[str, list[str]]:
    """Where (a page, or a theme file) -> the addresses there that point into /theme/,
    resolved against where they are."""
    found: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        here = "/" + page.relative_to(site).as_posix()
        html = page.read_text(encoding="utf-8")
        values = [
            value
            for tag in BeautifulSoup(html, "html.parser").find_all(True)
            for value in tag.attrs.values()
            if isinstance(value, str)
        ]
        # any mention at all, in text, inline scripts or styles: not one unversioned
        values += re.findall(r"""[^\s"'<>()]*/theme/[^\s"'<>()]*""", html)
        found[here] = [url for value in values if _in_theme(url := urljoin(here, value))]
    for file in sorted((site / "theme").rglob("*")):
        pattern = {".css": CSS_REFERENCE, ".js": JS_REFERENCE}.get(file.suffix)
        if pattern:
            here = "/" + file.relative_to(site).as_posix()
            text = file.read_text(encoding="utf-8")
            refs = [a or b for a, b in pattern.findall(text)]
            found[here] = [urljoin(here, ref) for ref in refs if _in_theme(urljoin(here, ref))]
    return found


def _in_theme(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.path.startswith("/theme/")


def fingerprints(site: Path) -> dict[str, str]:
    """Each theme file linked anywhere in the site -> its fingerprint there (all agree)."""
    seen: dict[str, set[str]] = {}
    for urls in theme_links(site).values():
        for url in urls:
            parts = urlsplit(url)
            seen.setdefault(parts.path.removeprefix("/theme/"), set()).add(parts.query)
    assert all(len(queries) == 1 for queries in seen.values()), seen
    return {name: queries.pop() for name, queries in seen.items()}


def assert_every_theme_link_fingerprinted(site: Path) -> dict[str, list[str]]:
    links = theme_links(site)
    for where, urls in links.items():
        for url in urls:
            parts = urlsplit(url)
            target = site / parts.path.lstrip("/")
            assert target.is_file(), (where, url)
            assert parts.query == f"v={sha(target)}", (where, url)
    return links


def test_every_link_into_the_theme_carries_the_shipped_files_fingerprint(site: Path):
    links = assert_every_theme_link_fingerprinted(site)
    names = {where: {urlsplit(url).path[len("/theme/") :] for url in urls}
             for where, urls in links.items()}  # fmt: skip
    pages = [where for where in names if where.endswith(".html")]
    assert len(pages) > 100
    for page in pages:
        assert EVERY_PAGE.issubset(names[page]), page
    # both languages: articles, listings, pages, the feeds page; the 404 page
    for page in ("/news/zbiorka-bank-zywnosci.html", "/en/news/zbiorka-bank-zywnosci.html"):
        assert names[page] == ARTICLE, page
    pages_of_both = {"/index.html", "/en/index.html", "/pages/about.html", "/en/pages/about.html",
                     "/404.html", "/feeds/index.html", "/en/feeds/index.html"}  # fmt: skip
    assert pages_of_both.issubset(pages)
    assert "js/comments.js" in names["/en/index.html"]  # comment counts
    # moderate.js takes the widget's modules from comments.js, at the page's very address,
    # and its stylesheet; comments.js names no theme file (the page gives moderate.js's).
    assert names["/theme/js/moderate.js"] == {"js/comments.js", "css/moderate.css"}
    assert names["/theme/js/comments.js"] == set()


@pytest.mark.parametrize(
    ("settings", "options", "main_css"),
    [
        (PELICANCONF, ("--relative-urls",), "../../theme/css/main.css"),
        (PUBLISHCONF, (), "https://kurier.example/theme/css/main.css"),  # make publish's
    ],
    ids=["relative", "publish"],
)
def test_theme_files_are_fingerprinted_however_the_site_links(
    site: Path, tmp_path: Path, settings: Path, options: tuple[str, ...], main_css: str
):
    env = {"KURIER_SITEURL": "https://kurier.example"}
    built = build(CONTENT, tmp_path / "out", settings=settings, env=env, options=options)
    page = (built / "en" / "news" / "zbiorka-bank-zywnosci.html").read_text(encoding="utf-8")
    assert f'href="{main_css}?v={sha(built / "theme/css/main.css")}"' in page
    assert fingerprints(built) == fingerprints(site)
    assert_every_theme_link_fingerprinted(built)


def test_two_builds_of_the_same_sources_are_the_same_bytes(site: Path, tmp_path: Path):
    again = build(CONTENT, tmp_path / "out")
    files = sorted(path.relative_to(site) for path in site.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(again) for path in again.rglob("*") if path.is_file())
    for name in files:
        assert (again / name).read_bytes() == (site / name).read_bytes(), name


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    """A copy of the theme (tokens.css, a link into the service, copied as a file)."""
    copy = tmp_path / "theme"
    shutil.copytree(THEME, copy)
    return copy


@pytest.mark.parametrize(
    ("changed", "addition", "also"),
    [
        # a stylesheet that now names an icon: its url() is fingerprinted too
        ("css/main.css", ".k-x { background: url(../favicon.svg); }", set()),
        # moderate.js holds its stylesheet's address: it changes with it, nothing else
        ("css/moderate.css", ".k-x { color: red; }", {"js/moderate.js"}),
    ],
)
def test_a_changed_theme_file_changes_its_fingerprint_and_no_others(
    site: Path, theme: Path, tmp_path: Path, changed: str, addition: str, also: set[str]
):
    with (theme / "static" / changed).open("a", encoding="utf-8") as stylesheet:
        stylesheet.write(f"\n{addition}\n")
    rebuilt = build(CONTENT, tmp_path / "out", options=("-t", str(theme)))
    assert_every_theme_link_fingerprinted(rebuilt)
    before, after = fingerprints(site), fingerprints(rebuilt)
    assert before.keys() == after.keys()
    assert {name for name in before if before[name] != after[name]} == {changed} | also
    if changed == "css/main.css":
        text = (rebuilt / "theme" / changed).read_text(encoding="utf-8")
        assert f"url(../favicon.svg?v={sha(rebuilt / 'theme/favicon.svg')})" in text


def test_a_template_naming_a_file_the_theme_lacks_fails_the_build(theme: Path, tmp_path: Path):
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("css/main.css", "css/mian.css"))
    env = {"COLUMNS": "500"}  # Pelican's log lines unwrapped
    result = run_pelican(CONTENT, tmp_path / "out", env=env, options=("-t", str(theme)))
    assert result.returncode != 0
    assert "asset('css/mian.css'): the theme ships no such file" in result.stdout + result.stderr


# --- with_fingerprints, on its own -------------------------------------------------------

FILES = {
    "fonts/a.woff2": b"font",
    "icons.svg": b"<svg/>",
    "css/base.css": b"@font-face{src:url('../fonts/a.woff2')}",
    "css/site.css": b'@import "base.css";.i{background:url(../icons.svg#x)}'
    b".d{background:url(data:image/png;base64,AA)}.r{background:url(/images/r.png)}",
    "js/lib.js": b"export const a=1;",
    "js/app.js": b'import{a}from"./lib.js";import("./lib.js");'
    b'new URL("../css/site.css",import.meta.url);new URL("./x.js",location.href);',
}


def test_references_to_theme_files_carry_their_fingerprint_and_no_others_do():
    shipped = with_fingerprints(FILES)
    base = f"url('../fonts/a.woff2?v={fingerprint(b'font')}')".encode()
    assert shipped["css/base.css"] == b"@font-face{src:" + base + b"}"
    site = shipped["css/site.css"].decode()
    assert f'@import "base.css?v={fingerprint(shipped["css/base.css"])}";' in site
    assert f"url(../icons.svg?v={fingerprint(b'<svg/>')}#x)" in site
    assert "url(data:image/png;base64,AA)" in site and "url(/images/r.png)" in site
    app = shipped["js/app.js"].decode()
    lib = fingerprint(FILES["js/lib.js"])
    assert f'from"./lib.js?v={lib}";import("./lib.js?v={lib}");' in app
    assert f'new URL("../css/site.css?v={fingerprint(shipped["css/site.css"])}"' in app
    assert 'new URL("./x.js",location.href)' in app  # the page's address, not the module's
    assert with_fingerprints(shipped) == shipped  # fingerprinted once only


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.css": b"@import 'b.css';", "b.css": b".x{background:url(a.css)}"},
         "theme files refer to each other in a circle: a.css -> b.css -> a.css"),
        ({"js/a.js": b'\nimport("./gone.js");'},
         "js/a.js:2: refers to ./gone.js, which the theme does not ship"),
    ],
)  # fmt: skip
def test_references_that_cannot_be_fingerprinted_are_refused(files: dict, message: str):
    with pytest.raises(AssetError) as refused:
        with_fingerprints(files)
    assert str(refused.value) == message

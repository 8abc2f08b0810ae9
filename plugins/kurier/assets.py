"""Fingerprinted theme files, which the web server lets browsers keep for a year.

Every address the site gives for a file of the theme's static output (under
THEME_STATIC_DIR: the stylesheets, the comment widget's scripts, the icons)
ends in `?v=` and the first ten hex digits of the SHA-256 of the file's bytes
as shipped (minified, for the widget's). The web server sends such addresses
with `Cache-Control: immutable`: a file that changes gets a new address, which
the pages (revalidated on every visit) link from then on.

- Templates write `{{ asset("css/main.css") }}` (templating.py): the whole
  address, SITEURL and THEME_STATIC_DIR included. A name the theme does not
  ship fails the build.
- Inside the shipped CSS and JavaScript, relative references to other theme
  files get the fingerprint of the file they name: in CSS `url(...)` and
  `@import "..."`, in JavaScript `from "./x.js"`, `import("./x.js")` and
  `new URL("../x", import.meta.url)`. A file's bytes, and so its fingerprint,
  then hold those of the files it names, which therefore may not name it back:
  references going round in a circle fail the build. (This is why comments.js
  takes moderate.js's address from the page, as moderate.js imports comments.js.)

The files are read once per build, before any page is written: what Pelican
copies from THEME_STATIC_PATHS, with the widget's bundled and minified files
in place (widget.py), fingerprinted in the order they refer to each other. At
the end of the build (`finalized`, once Pelican has copied the theme's static
files) the files whose copy in the output differs are written over, so the
output holds the very bytes the fingerprints were taken of.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.generators import Generator

from .widget import shipped_widget

LENGTH = 10  # hex digits of the SHA-256 in `?v=`
# Where one build's table lives: every generator of a build shares its context,
# which Pelican makes afresh for each build (`make devserver` builds again and again).
CONTEXT_KEY = "theme_assets"

CSS_REFERENCE = re.compile(
    r"""(?:\burl\(\s*["']?|@import\s*["'])(?P<ref>[^"'()\s?#]+)(?=[#"')\s])"""
)
JS_REFERENCE = re.compile(
    r"""(?:\bfrom|\bimport\s*\(?|(?P<url>\bnew\s+URL\())\s*(?P<q>["'])(?P<ref>\.\.?/[^"'?#\\\n]+)"""
    r"""(?=[#"'])(?:#[^"'\\\n]*)?(?P=q)(?(url)\s*,\s*import\.meta\.url\b)"""
)
REFERENCES = {".css": CSS_REFERENCE, ".js": JS_REFERENCE, ".mjs": JS_REFERENCE}


class AssetError(Exception):
    """A theme file the site cannot fingerprint; the message says which and why."""


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:LENGTH]


class ThemeAssets:
    """The theme's static output as shipped (path under THEME_STATIC_DIR -> bytes)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = dict(files)
        self.fingerprints = {name: fingerprint(data) for name, data in self.files.items()}

    def versioned(self, name: str) -> str:
        """`name` with its fingerprint: "css/main.css" -> "css/main.css?v=0123456789"."""
        if name not in self.fingerprints:
            raise AssetError(f"asset({name!r}): the theme ships no such file")
        return f"{name}?v={self.fingerprints[name]}"

    def write(self, static: Path) -> None:
        """Make the files under `static` (the output's THEME_STATIC_DIR) the shipped ones."""
        for name, data in self.files.items():
            target = static / name
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # never write through a link into the sources
            target.write_bytes(data)


def copied_files(theme: Path, settings: Mapping[str, Any]) -> dict[str, bytes]:
    """The theme's static files as Pelican copies them: THEME_STATIC_PATHS, in order,
    into THEME_STATIC_DIR, but for names that IGNORE_FILES matches."""
    ignores: list[str] = list(settings.get("IGNORE_FILES", ()))

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in ignores)

    files: dict[str, bytes] = {}
    for entry in settings.get("THEME_STATIC_PATHS", ["static"]):
        source = theme / entry
        if ignored(source.name):
            continue
        if source.is_file():
            files[source.name] = source.read_bytes()
        for folder, subfolders, names in os.walk(source, followlinks=True):
            subfolders[:] = sorted(name for name in subfolders if not ignored(name))
            for name in sorted(names):
                if not ignored(name):
                    path = Path(folder) / name
                    files[path.relative_to(source).as_posix()] = path.read_bytes()
    return files


def references(name: str, text: str, shipped: Mapping[str, object]) -> Iterator[tuple[int, str]]:
    """Where `text` (the file `name`) names another theme file: (offset just after the
    name, the file's path); references elsewhere (another site, the site root,
    `data:`, outside THEME_STATIC_DIR) are not the theme's and left alone."""
    pattern = REFERENCES.get(posixpath.splitext(name)[1])
    for found in pattern.finditer(text) if pattern else ():
        ref = found["ref"]
        if ":" in ref or ref.startswith("/"):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), ref))
        if target == ".." or target.startswith("../"):
            continue
        if target not in shipped:
            line = text.count("\n", 0, found.start()) + 1
            raise AssetError(f"{name}:{line}: refers to {ref}, which the theme does not ship")
        yield found.end("ref"), target


def with_fingerprints(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files with their references to each other fingerprinted (the module docstring);
    a file referred to is done before those that refer to it."""
    done: dict[str, bytes] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            cycle = " -> ".join((*path[path.index(name) :], name))
            raise AssetError(f"theme files refer to each other in a circle: {cycle}")
        if name in done:
            return
        if posixpath.splitext(name)[1] not in REFERENCES:
            done[name] = files[name]
            return
        text = files[name].decode("utf-8")
        found = list(references(name, text, files))
        for _, target in found:
            visit(target, (*path, name))
        for end, target in reversed(found):
            text = f"{text[:end]}?v={fingerprint(done[target])}{text[end:]}"
        done[name] = text.encode("utf-8")

    for name in sorted(files):
        visit(name, ())
    return {name: done[name] for name in files}


def build_assets(settings: Mapping[str, Any], theme: Path) -> ThemeAssets:
    """The theme's static output as this build ships it (the module docstring)."""
    files = copied_files(theme, settings)
    files.update(shipped_widget(theme, Path(settings["CACHE_PATH"])))
    return ThemeAssets(with_fingerprints(files))


# The builds under way, by their settings: `finalized` hands over the Pelican
# object only, whose settings every generator of its builds shares.
_BUILDS: dict[int, ThemeAssets] = {}


def build_assets_once(generator: Generator) -> ThemeAssets:
    """This build's theme files: read when its first generator starts."""
    assets = generator.context.get(CONTEXT_KEY)
    if not isinstance(assets, ThemeAssets):
        assets = build_assets(generator.settings, Path(generator.theme))
        generator.context[CONTEXT_KEY] = assets
        _BUILDS[id(generator.settings)] = assets
    return assets


def write_assets(pelican: Pelican) -> None:
    """After the build (and Pelican's copy of the theme's static files): the files shipped."""
    assets = _BUILDS.pop(id(pelican.settings), None)
    if assets is None:  # a build that started no generator
        assets = build_assets(pelican.settings, Path(pelican.settings["THEME"]))
    assets.write(Path(pelican.output_path) / pelican.settings["THEME_STATIC_DIR"])

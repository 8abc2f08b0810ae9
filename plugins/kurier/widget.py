"""The comment widget as browsers get it: the theme's ES modules bundled and minified.

The widget's sources are ES modules in the theme's `js/` folder, beside `static/`
so that Pelican does not copy them as loose files. Each build ships, under the
output's THEME_STATIC_DIR, one file per entry module (`js/comments.js`,
`js/moderate.js`) holding that module and every module it imports, minified,
and the widget's stylesheets from `static/css/` minified (assets.py writes
them, their references to each other fingerprinted).
What it made is kept in CACHE_PATH under a hash of its sources: a build with
unchanged sources only copies it.

Why a bundler of our own, with rJSmin and rCSSmin for the minifying: esbuild
(from npm) would need Node on every writer's machine and on the publish server,
for a handful of modules of our own. rJSmin and rCSSmin are Python packages on
PyPI that drop white space and comments (they rename nothing, so they need no
parser). The bundle is the modules' code in one scope, each module after those
it imports, with the import statements and `export` keywords taken out, which
is what the browser would run for them. For that to hold, the modules keep to
a few rules, which `read_graph` checks, refusing loudly otherwise:

- `import { a, b } from "./name.js";` at the start of a line: named imports
  only, without `as`, from a module of the same folder; `import("./x.js")`
  (loaded at run time) stays as it is;
- `export function|async function|const|class name` at the start of a line;
  no `export let`/`var` (importers would not see it change), `default` or `{ }`;
- top-level statements start at the beginning of a line (as the formatter
  writes them), and declare plain names, no destructuring;
- imports flow one way (no cycles);
- no two modules of a bundle declare the same top-level name, and no module
  mentions another's top-level name without importing it (in one scope it would
  find that module's, where the browser finds none).

A later entry takes the modules an earlier one holds from that file at run
time (moderate.js imports their names from comments.js, which the page has
already run), so no module ships twice and both share one state.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import rcssmin  # type: ignore[import-untyped]
import rjsmin  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

SOURCES = "js"  # the theme's folder of ES modules
# The shipped scripts, each named after its entry module; a later one takes
# what an earlier one holds from it.
ENTRIES = ("comments.js", "moderate.js")
STYLES = ("css/comments.css", "css/moderate.css")  # in the theme's static/ folder
# Part of the cache key: raise it when what the bundler writes changes.
FORMAT = "1"

NAME = re.compile(r"[A-Za-z_$][\w$]*")
NUMBER = re.compile(r"\.?\d[\w.]*")
IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([\w-]+\.js)"[ \t]*;?[ \t]*$', re.M)
ANY_IMPORT = re.compile(r"^import\b(?!\s*\()", re.M)
EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?function\b|const\s|class\s)", re.M)
ANY_EXPORT = re.compile(r"^export\b", re.M)
DECLARATION = re.compile(r"^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\b", re.M)
DECLARED = re.compile(
    r"^(?:export\s+)?(?:async\s+function\*?|function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)"
    r"(?=\s*[=;(\s{])",
    re.M,
)
# After these a "/" starts a regular expression, not a division.
BEFORE_REGEX = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw",
                "case", "do", "else", "yield", "await"}  # fmt: skip


class BundleError(Exception):
    """The widget's modules use something the bundler does not do; the message says what."""


@dataclass(frozen=True)
class Module:
    """One ES module: its imports (module -> names), exports, top-level names and code."""

    name: str
    imports: dict[str, tuple[str, ...]]
    exports: tuple[str, ...]
    declared: tuple[str, ...]
    code: str  # the source without its import statements
    mentions: frozenset[str]  # the names its code uses, but for properties after "."

    @property
    def imported(self) -> set[str]:
        return {name for names in self.imports.values() for name in names}

    def without_exports(self) -> str:
        return EXPORT.sub("", self.code)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _refuse_unless(pattern: re.Pattern[str], kinds: re.Pattern[str], name: str, text: str) -> None:
    """Every statement `kinds` finds must be one `pattern` reads, else BundleError."""
    for found in kinds.finditer(text):
        if not pattern.match(text, found.start()):
            statement = text[found.start() :].split("\n", 1)[0]
            raise BundleError(f"{name}:{_line(text, found.start())}: cannot bundle `{statement}`")


def parse_module(name: str, text: str) -> Module:
    """Read one module's imports, exports and top-level names (the rules: module docstring)."""
    _refuse_unless(IMPORT, ANY_IMPORT, name, text)
    _refuse_unless(EXPORT, ANY_EXPORT, name, text)
    _refuse_unless(DECLARED, DECLARATION, name, text)
    imports: dict[str, tuple[str, ...]] = {}
    for found in IMPORT.finditer(text):
        names = tuple(part.strip() for part in found[1].split(",") if part.strip())
        if not names or not all(NAME.fullmatch(part) for part in names):
            raise BundleError(f"{name}: import {{{found[1].strip()}}}: plain names only, no `as`")
        if found[2] in imports:
            raise BundleError(f"{name}: imports ./{found[2]} twice")
        imports[found[2]] = names
    declared = tuple(DECLARED.findall(text))
    imported = {part for names in imports.values() for part in names}
    twice = sorted({n for n in declared if declared.count(n) > 1} | (set(declared) & imported))
    if twice:
        raise BundleError(f"{name}: declares or imports {', '.join(twice)} more than once")
    exports = tuple(found[1] for found in DECLARED.finditer(text) if found[0].startswith("export"))
    code = IMPORT.sub("", text)
    return Module(name, imports, exports, declared, code, frozenset(mentioned_names(code)))


def mentioned_names(code: str) -> set[str]:
    """The names JavaScript `code` uses, but for properties after "." or "?." (the text
    of strings, comments, regular expressions and template literals skipped)."""
    names: set[str] = set()
    previous = ""  # the last token: a name, a punctuation mark, or "" at the start
    depth = 0  # of braces
    templates: list[int] = []  # the depth at which each open `${` closes
    at = 0
    while at < len(code):
        char = code[at]
        if char.isspace():
            at += 1
        elif code.startswith("//", at):
            end = code.find("\n", at)
            at = len(code) if end < 0 else end
        elif code.startswith("/*", at):
            end = code.find("*/", at + 2)
            at = len(code) if end < 0 else end + 2
        elif char in "\"'":
            at, previous = _skip_string(code, at), "text"
        elif char == "`" or (char == "}" and templates and templates[-1] == depth):
            if char == "}":
                templates.pop()
                depth -= 1
            at, opened = _skip_template(code, at + 1)
            if opened:
                depth += 1
                templates.append(depth)
            previous = "(" if opened else "text"
        elif char == "/" and (previous in BEFORE_REGEX or _punctuation(previous)):
            at, previous = _skip_regex(code, at), "text"
        elif found := NAME.match(code, at):
            if previous != ".":
                names.add(found[0])
            at, previous = found.end(), found[0]
        elif found := NUMBER.match(code, at):
            at, previous = found.end(), "text"
        else:
            depth += {"{": 1, "}": -1}.get(char, 0)
            spread = code.startswith("...", at)
            at, previous = at + (3 if spread else 1), "..." if spread else char
    return names


def _punctuation(token: str) -> bool:
    """The token may come before an expression (and so before a regular expression)."""
    return not NAME.fullmatch(token) and token not in (")", "]", "}", "text")


def _skip_string(code: str, at: int) -> int:
    quote, at = code[at], at + 1
    while at < len(code) and code[at] != quote:
        at += 2 if code[at] == "\\" else 1
    return at + 1


def _skip_template(code: str, at: int) -> tuple[int, bool]:
    """Past template text up to its end (False) or to an opening `${` (True)."""
    while at < len(code):
        if code[at] == "\\":
            at += 2
        elif code[at] == "`":
            return at + 1, False
        elif code.startswith("${", at):
            return at + 2, True
        else:
            at += 1
    return at, False


def _skip_regex(code: str, at: int) -> int:
    in_class, at = False, at + 1
    while at < len(code) and (code[at] != "/" or in_class):
        if code[at] == "\\":
            at += 1
        elif code[at] in "[]":
            in_class = code[at] == "["
        at += 1
    at += 1
    while at < len(code) and code[at].isalpha():
        at += 1
    return at


def read_graph(sources: Mapping[str, str], entry: str) -> list[Module]:
    """The entry and every module it imports, each after the modules it imports."""
    ordered: dict[str, Module] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            cycle = " -> ".join((*path[path.index(name) :], name))
            raise BundleError(f"imports go round in a circle: {cycle}")
        if name in ordered:
            return
        if name not in sources:
            where = f"{path[-1]} imports ./{name}" if path else f"entry {name}"
            raise BundleError(f"{where}, which is not among the widget's modules")
        module = parse_module(name, sources[name])
        for imported in module.imports:
            visit(imported, (*path, name))
        ordered[name] = module

    visit(entry, ())
    _check_names(list(ordered.values()))
    return list(ordered.values())


def _check_names(modules: Sequence[Module]) -> None:
    """One scope holds them all: each name is declared once, and used where it is imported."""
    owner: dict[str, str] = {}
    by_name = {module.name: module for module in modules}
    for module in modules:
        for imported, names in module.imports.items():
            missing = sorted(set(names) - set(by_name[imported].exports))
            if missing:
                raise BundleError(
                    f"{module.name} imports {', '.join(missing)}, which {imported} does not export"
                )
        for name in module.declared:
            if name in owner:
                raise BundleError(f"{owner[name]} and {module.name} both declare {name}")
            owner[name] = module.name
    for module in modules:
        foreign = {n for n in module.mentions & owner.keys() if owner[n] != module.name}
        unimported = sorted(foreign - module.imported)
        if unimported:
            raise BundleError(
                f"{module.name} uses {', '.join(unimported)} without importing it, and the bundle "
                f"declares it in {owner[unimported[0]]}: import it, or give it another name"
            )


def bundle(sources: Mapping[str, str], entries: Sequence[str] = ENTRIES) -> dict[str, str]:
    """Each entry with the modules it imports, as the text of one ES module (not minified)."""
    graphs = {entry: read_graph(sources, entry) for entry in entries}
    holder: dict[str, str] = {}  # module -> the first entry's file that holds it
    for entry in entries:
        for module in graphs[entry]:
            holder.setdefault(module.name, entry)
    lent: dict[str, set[str]] = {entry: set() for entry in entries}  # names later files take
    borrowed: dict[str, dict[str, set[str]]] = {entry: {} for entry in entries}
    for entry in entries:
        for module in graphs[entry]:
            if holder[module.name] != entry:
                continue  # the earlier file has what that module needs
            for imported, names in module.imports.items():
                if holder[imported] != entry:
                    lent[holder[imported]].update(names)
                    borrowed[entry].setdefault(holder[imported], set()).update(names)
    return {
        entry: _write_bundle(entry, graphs[entry], holder, lent[entry], borrowed[entry])
        for entry in entries
    }


def _write_bundle(
    entry: str,
    graph: Sequence[Module],
    holder: Mapping[str, str],
    lent: set[str],
    borrowed: Mapping[str, set[str]],
) -> str:
    lines = [
        f'import {{ {", ".join(sorted(names))} }} from "./{source}";'
        for source, names in borrowed.items()
    ]
    for module in graph:
        if holder[module.name] == entry:
            lines.append(module.code if module.name == entry else module.without_exports())
    shared = sorted(lent - set(graph[-1].exports if graph[-1].name == entry else ()))
    if shared:
        lines.append(f"export {{ {', '.join(shared)} }};")
    return "\n".join(line.strip("\n") for line in lines) + "\n"


def read_sources(theme: Path) -> dict[str, str]:
    """The widget's modules ("name.js") and stylesheets ("css/name.css") as text."""
    sources = {
        path.name: path.read_text(encoding="utf-8") for path in (theme / SOURCES).glob("*.js")
    }
    for style in STYLES:
        sources[style] = (theme / "static" / style).read_text(encoding="utf-8")
    return sources


def build_widget(sources: Mapping[str, str]) -> dict[str, bytes]:
    """The shipped files (path under THEME_STATIC_DIR -> content): bundled and minified."""
    scripts = bundle({name: text for name, text in sources.items() if "/" not in name})
    files = {
        f"{SOURCES}/{name}": str(rjsmin.jsmin(text)).encode() for name, text in scripts.items()
    }
    for style in STYLES:
        files[style] = str(rcssmin.cssmin(sources[style])).encode()
    return files


def source_key(sources: Mapping[str, str]) -> str:
    """A hash of the sources and of the tools that make the shipped files from them."""
    digest = hashlib.sha256(f"{FORMAT} {rjsmin.__version__} {rcssmin.__version__}".encode())
    for name in sorted(sources):
        digest.update(f"\0{name}\0{sources[name]}".encode())
    return digest.hexdigest()[:20]


def cached_widget(theme: Path, cache: Path) -> dict[str, bytes]:
    """The shipped files: from the cache when the sources are unchanged, else built (and kept)."""
    sources = read_sources(theme)
    kept = cache / f"widget-{source_key(sources)}"
    names = [f"{SOURCES}/{entry}" for entry in ENTRIES] + list(STYLES)
    try:
        return {name: (kept / name).read_bytes() for name in names}
    except OSError:
        pass
    files = build_widget(sources)
    try:
        _keep(files, kept)
    except OSError as error:  # a read-only checkout still builds, only each time
        logger.warning("Could not keep the comment widget in %s: %s", cache, error)
    return files


def _keep(files: Mapping[str, bytes], kept: Path) -> None:
    """Write the files to `kept` whole (builds may run side by side), dropping older ones."""
    kept.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=kept.parent, prefix=".widget-"))
    for name, data in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    try:
        os.rename(staging, kept)
    except OSError:  # another build kept the same files first
        shutil.rmtree(staging, ignore_errors=True)
    for older in kept.parent.glob("widget-*"):
        if older != kept:
            shutil.rmtree(older, ignore_errors=True)


def shipped_widget(theme: Path, cache: Path) -> dict[str, bytes]:
    """The widget's shipped files (none for a theme without the widget); assets.py
    writes them into the output, over the stylesheets' sources Pelican copied."""
    if not (theme / SOURCES / ENTRIES[0]).is_file():
        return {}
    return cached_widget(theme, cache)

"""`make check`: every mistake in the content's front matter and links, as path:line.

Reads only the Markdown sources (front matter with line numbers, link targets in
the text) and the settings (whose AUTHOR_LOGINS it checks too, at the line that
sets them); it never runs a Pelican build, so it is fast enough for a git
pre-commit hook.

    python -m kurier.check [--settings pelicanconf.py] [CONTENT_DIR ...]
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import posixpath
import re
import string
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from html import unescape
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlparse

from pelican.readers import ensure_metadata_list
from pelican.settings import Settings, read_settings
from pelican.utils import slugify

from . import frontmatter as fm
from . import logins

MARKDOWN_EXTENSIONS = (".md", ".markdown")
SUMMARY_MAX_CHARS = 300
IMAGE_MAX_BYTES = 1024 * 1024
DATE_HINT = "YYYY-MM-DD HH:MM"
# Only these may continue on indented lines; the rest become lists in Pelican.
MULTILINE_FIELDS = {"summary", "tags", "authors"}
FLAGS = ("pinned", "mustread", "shareable")
# Comment threads are keyed by slug, so a slug must be safe in any URL.
SLUG_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Python-Markdown's meta-data extension, line by line (markdown/extensions/meta.py).
META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
META_BEGIN = re.compile(r"^-{3}(\s.*)?")
META_END = re.compile(r"^(-{3}|\.{3})(\s.*)?")

# Link targets: Markdown inline links and images, reference definitions, and
# href/src attributes of raw HTML.
LINK_TARGETS = (
    re.compile(r"\]\(\s*(?:<([^>]*)>|([^\s)]+))"),
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(?:<([^>]*)>|(\S+))"),
    re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I),
)
INTRASITE = re.compile(r"(?:\{(filename|static|attach)\}|\|(filename|static|attach)\|)(.*)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+).+?\1")
# Settings files build on each other (publishconf.py on pelicanconf.py) this way.
STAR_IMPORT = re.compile(r"^from\s+([\w.]+)\s+import\s+\*")


@dataclass(frozen=True)
class Problem:
    """One mistake at one line of one file."""

    path: Path
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {label}{self.message}"


@dataclass
class Field:
    """One front matter field: its name as written, its line and its value lines."""

    name: str
    line: int
    values: list[str]

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass
class Document:
    """An article or page source: where it is, its front matter and its text."""

    rel: str
    path: Path
    kind: str
    lines: list[str]
    fields: dict[str, Field] = field(default_factory=dict)
    body_start: int = 0
    problems: list[Problem] = field(default_factory=list)
    lang: str = ""
    slug: str = ""
    date: datetime | None = None
    status: str = "published"

    def value(self, key: str) -> str | None:
        """The field's (first) value, or None when the field is absent."""
        return self.fields[key].value if key in self.fields else None

    def line_of(self, key: str) -> int:
        """The field's line, or 1 (the top of the file) when it is absent."""
        return self.fields[key].line if key in self.fields else 1

    @property
    def slug_line(self) -> int:
        return self.line_of("slug" if self.value("slug") else "title")

    @property
    def slug_label(self) -> str:
        if self.value("slug"):
            return f"Slug '{self.slug}'"
        return f"slug '{self.slug}' (from Title)"

    @property
    def name_parts(self) -> tuple[str, str | None]:
        """The file name without extension, split into base and language suffix."""
        name = posixpath.splitext(posixpath.basename(self.rel))[0]
        base, dot, suffix = name.rpartition(".")
        return (base, suffix) if dot else (name, None)

    def error(self, line: int, message: str) -> Problem:
        return Problem(self.path, line, message)

    def warning(self, line: int, message: str) -> Problem:
        return Problem(self.path, line, message, "warning")


# --- Reading ------------------------------------------------------------------


def find_sources(content_dir: Path, settings: Settings) -> list[tuple[str, str]]:
    """(path inside content_dir, "article" or "page") of every Markdown source."""
    found: dict[str, str] = {}
    for kind, paths, excludes in (
        ("article", settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"]),
        ("page", settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"]),
    ):
        for rel in _walk(content_dir, paths, excludes, settings["IGNORE_FILES"]):
            found.setdefault(rel, kind)
    return sorted(found.items())


def _walk(
    content_dir: Path, paths: Sequence[str], excludes: Sequence[str], ignores: Sequence[str]
) -> Iterator[str]:
    """Markdown files under `paths`, minus excluded and ignored names, as Pelican."""
    excluded = {posixpath.normpath(path) for path in excludes}

    def ignored(name: str) -> bool:
        return name.startswith(".") or any(fnmatch.fnmatch(name, i) for i in ignores)

    for top in paths:
        root = content_dir / top
        if root.is_file() and root.suffix in MARKDOWN_EXTENSIONS:
            yield posixpath.normpath(top)
        for dirpath, dirs, files in os.walk(root, followlinks=True):
            rel_dir = Path(dirpath).relative_to(content_dir).as_posix()
            dirs[:] = [
                d for d in dirs if not ignored(d) and posixpath.join(rel_dir, d) not in excluded
            ]
            for name in files:
                if name.endswith(MARKDOWN_EXTENSIONS) and not ignored(name):
                    yield posixpath.normpath(posixpath.join(rel_dir, name))


def read_document(content_dir: Path, rel: str, kind: str) -> Document:
    """Read a source file and its front matter; unreadable text is a problem."""
    path = content_dir / rel
    doc = Document(rel=rel, path=path, kind=kind, lines=[])
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        doc.problems.append(doc.error(line, "the file is not UTF-8 text; save it as UTF-8"))
        text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    doc.lines = text.split("\n")
    read_front_matter(doc)
    return doc


def read_front_matter(doc: Document) -> None:
    """Fill doc.fields from the `Key: value` lines at the top, as Markdown does."""
    lines = [line.expandtabs(4) for line in doc.lines]
    index = 1 if lines and META_BEGIN.match(lines[0]) else 0
    current: Field | None = None
    while index < len(lines):
        line, number = lines[index], index + 1
        if not line.strip() or META_END.match(line):
            doc.body_start = index + 1
            return
        if match := META_LINE.match(line):
            current = _add_field(doc, match["key"], match["value"].strip(), number)
        elif (match := META_MORE.match(line)) and current:
            current.values.append(match["value"].strip())
            if current.name.lower() in fm.FIELDS.keys() - MULTILINE_FIELDS:
                doc.problems.append(doc.error(number, f"{current.name} must be on one line"))
        else:
            if doc.fields:
                doc.problems.append(
                    doc.error(
                        number,
                        "not a 'Key: value' line: leave a blank line between "
                        "the front matter and the text",
                    )
                )
            break
        index += 1
    doc.body_start = index


def _add_field(doc: Document, written: str, value: str, number: int) -> Field:
    key = written.lower()
    if key in doc.fields:
        first = doc.fields[key]
        doc.problems.append(
            doc.error(number, f"{first.name} is given twice (first on line {first.line})")
        )
        return first
    doc.fields[key] = Field(fm.FIELDS.get(key, written), number, [value])
    return doc.fields[key]


# --- The site as a whole ------------------------------------------------------


class Site:
    """All sources of one content folder, indexed for slug and link checks."""

    def __init__(self, content_dir: Path, settings: Settings, now: datetime) -> None:
        self.content_dir = content_dir
        self.settings = settings
        self.now = now
        self.default_lang = settings["DEFAULT_LANG"]
        self.languages = tuple(settings.get("LANGUAGES") or (self.default_lang,))
        self.channels = settings.get("CHANNELS") or {}
        # Bad entries are reported against the settings file, once (check_settings).
        self.author_logins = logins.read_setting(settings.get(logins.SETTING))[0]
        self.timezone = settings["TIMEZONE"]
        self.docs = {
            rel: read_document(content_dir, rel, kind)
            for rel, kind in find_sources(content_dir, settings)
        }
        for doc in self.docs.values():
            self._describe(doc)
        self.by_slug: dict[tuple[str, str, str], Document] = {}
        for doc in self.docs.values():
            self.by_slug.setdefault((doc.kind, doc.lang, doc.slug), doc)
        self.url_patterns = [
            (kind, lang_url, pattern)
            for kind, key in (("article", "ARTICLE"), ("page", "PAGE"))
            for lang_url, suffix in ((False, "_URL"), (True, "_LANG_URL"))
            if (pattern := _url_pattern(settings.get(key + suffix) or ""))
        ]

    def _describe(self, doc: Document) -> None:
        """Work out what Pelican will: language, slug, date and status."""
        # A wrong Lang is reported once; the rest of the checks use what the
        # writer evidently meant (the file name's suffix, "en" for "EN").
        lang = doc.value("lang")
        suffix = doc.name_parts[1]
        if suffix is not None and suffix in self.languages:
            doc.lang = suffix
        elif lang:
            doc.lang = _quietly(lambda: fm.resolve_lang(lang, self.languages)) or lang
        else:
            doc.lang = self.default_lang
        doc.slug = (doc.value("slug") or "").strip() or self._derived_slug(doc)
        if (date := doc.value("date")) is not None:
            doc.date = _quietly(partial(self.when, "date", date))
        status = doc.value("status") or "published"
        doc.status = _quietly(lambda: fm.parse_status(status)) or status

    def byline(self, doc: Document) -> list[str]:
        """The author names Pelican gives a document: Authors, else Author, else AUTHOR."""
        if "authors" in doc.fields:
            values = doc.fields["authors"].values
            names: list[str] = ensure_metadata_list(values if len(values) > 1 else values[0])
            if names:
                return names
        if author := (doc.value("author") or "").strip():
            return [author]
        default = self.settings.get("AUTHOR")
        return [default] if default else []

    def _derived_slug(self, doc: Document) -> str:
        """The slug pelican.contents.Content derives when there is no Slug."""
        settings = self.settings
        if settings["SLUGIFY_SOURCE"] == "title":
            source = doc.value("title")
        elif settings["SLUGIFY_SOURCE"] == "basename":
            source = posixpath.splitext(posixpath.basename(doc.rel))[0]
        else:
            source = None
        if source is None:
            return ""
        return slugify(
            source,
            regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
            preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
            use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
        )

    def when(self, key: str, value: str) -> datetime:
        # Pelican reads "2026-01-05_10:00" in Date as "2026-01-05 10:00".
        text = value.replace("_", " ") if key == "date" else value
        return fm.parse_when(key, text, self.timezone)

    def display(self, rel: str) -> Path:
        return self.content_dir / rel

    def is_static(self, rel: str) -> bool:
        """Whether Pelican copies the file at `rel` to the site."""

        def inside(folders: Iterable[str]) -> bool:
            for folder in folders:
                folder = posixpath.normpath(folder)
                if folder == "." or rel == folder or rel.startswith(folder + "/"):
                    return True
            return False

        settings = self.settings
        return inside(settings["STATIC_PATHS"]) and not inside(settings["STATIC_EXCLUDES"])

    @property
    def static_folders(self) -> str:
        return ", ".join(self.settings["STATIC_PATHS"])


T = TypeVar("T")


def _quietly(read: Callable[[], T]) -> T | None:
    """The value `read` returns, or None when the front matter value is bad."""
    try:
        return read()
    except fm.FrontMatterError:
        return None


def _url_pattern(template: str) -> re.Pattern[str] | None:
    """A regex for the site paths a URL setting such as "news/{slug}.html" makes."""
    parts, names = [], set()
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name in ("slug", "lang") and name not in names:
            parts.append(f"(?P<{name}>[^/]+)")
            names.add(name)
        elif name is not None:
            parts.append(".+?")
    if "slug" not in names:
        return None
    if template.endswith("/"):
        parts.append(r"(?:index\.html)?")
    return re.compile("".join(parts))


# --- Checks on one file ---------------------------------------------------------


def check_document(doc: Document, site: Site) -> Iterator[Problem]:
    """Every problem in one file's front matter."""
    yield from doc.problems
    yield from _check_unknown_fields(doc)
    yield from _check_required(doc, site)
    yield from _check_values(doc, site)
    yield from _check_lang(doc, site)
    yield from _check_slug(doc)
    yield from _check_date_order(doc, site)
    yield from _check_image(doc, site)
    yield from _check_summary(doc)
    yield from _check_author_logins(doc, site)


def _check_unknown_fields(doc: Document) -> Iterator[Problem]:
    for key, found in doc.fields.items():
        if key in fm.FIELDS:
            continue
        close = difflib.get_close_matches(key, list(fm.FIELDS), n=1, cutoff=0.6)
        if close:
            hint = f"did you mean {fm.FIELDS[close[0]]}?"
        else:
            hint = "fields: " + ", ".join(fm.FIELDS.values())
        yield doc.error(found.line, f"unknown field '{found.name}' ({hint})")


def _check_required(doc: Document, site: Site) -> Iterator[Problem]:
    channels = ", ".join(names[0] for names in site.channels.values())
    hints = {
        "title": "add a 'Title: ...' line to the front matter",
        "date": f"add a 'Date: {DATE_HINT}' line to the front matter",
        "category": f"add a 'Category: ...' line naming a channel: {channels}",
    }
    required = ["title"]
    if doc.kind == "article":
        # Pelican accepts a draft without a Date; it needs one once published.
        required += ["category"] if doc.status == "draft" else ["date", "category"]
    for key in required:
        name = fm.FIELDS[key]
        if key not in doc.fields:
            yield doc.error(1, f"{name} is missing ({hints[key]})")
        elif key != "date" and not doc.fields[key].value:
            yield doc.error(doc.line_of(key), f"{name} is empty")


def _check_values(doc: Document, site: Site) -> Iterator[Problem]:
    readers: dict[str, Callable[[str], object]] = {
        "date": partial(site.when, "date"),
        "modified": partial(site.when, "modified"),
        "expires": partial(site.when, "expires"),
        "status": fm.parse_status,
        "comments": fm.parse_comments,
        **{flag: partial(fm.parse_flag, flag) for flag in FLAGS},
    }
    for key, read in readers.items():
        if key in doc.fields:
            try:
                read(doc.fields[key].value)
            except fm.FrontMatterError as error:
                yield doc.error(doc.line_of(key), str(error))
    category = doc.value("category")
    if category and site.channels:
        try:
            fm.resolve_channel(category, site.channels)
        except fm.FrontMatterError as error:
            yield doc.error(doc.line_of("category"), f"Category: {error}")


def _check_lang(doc: Document, site: Site) -> Iterator[Problem]:
    lang = doc.value("lang")
    if lang is not None:
        try:
            code = fm.resolve_lang(lang, site.languages)
        except fm.FrontMatterError as error:
            yield doc.error(doc.line_of("lang"), f"Lang: {error}")
            return
        if code != lang:
            yield doc.error(doc.line_of("lang"), f"write Lang as '{code}', not '{lang}'")
            return
    suffix = doc.name_parts[1]
    if suffix not in site.languages or suffix == (lang or site.default_lang):
        return
    name = posixpath.basename(doc.rel)
    if lang is None:
        yield doc.error(1, f"Lang is missing: a file named {name} needs 'Lang: {suffix}'")
    else:
        yield doc.error(
            doc.line_of("lang"),
            f"Lang '{lang}' does not match the file name {name} (write 'Lang: {suffix}')",
        )


def _check_slug(doc: Document) -> Iterator[Problem]:
    written = doc.value("slug")
    if written and not SLUG_FORMAT.fullmatch(written):
        suggestion = slugify(written.replace("_", "-"))
        example = f", e.g. '{suggestion}'" if SLUG_FORMAT.fullmatch(suggestion) else ""
        yield doc.error(
            doc.line_of("slug"),
            f"Slug '{written}' may use only lowercase letters a-z, digits and hyphens{example}",
        )
    elif not doc.slug and doc.value("title"):
        yield doc.error(
            doc.line_of("title"),
            f"Title '{doc.value('title')}' gives an empty slug: add a Slug",
        )


def _check_date_order(doc: Document, site: Site) -> Iterator[Problem]:
    if doc.date is None:
        return
    later: dict[str, datetime | None] = {}
    for key in ("modified", "expires"):
        if value := doc.value(key):
            later[key] = _quietly(partial(site.when, key, value))
    date = _stamp(doc.date)
    expires = later.get("expires")
    if expires is not None and expires <= doc.date:
        yield doc.error(
            doc.line_of("expires"),
            f"Expires {_stamp(expires)} is not after Date {date}: "
            "the article would expire before it appears",
        )
    modified = later.get("modified")
    if modified is not None and modified < doc.date:
        yield doc.error(
            doc.line_of("modified"),
            f"Modified {_stamp(modified)} is earlier than Date {date}",
        )


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def _check_image(doc: Document, site: Site) -> Iterator[Problem]:
    written = doc.value("image")
    if not written:
        return
    line = doc.line_of("image")
    alt = doc.value("imagealt")
    why = "describe the picture for readers who cannot see it"
    if alt is None:
        yield doc.error(line, f"Image needs an ImageAlt: {why}")
    elif not alt:
        yield doc.error(doc.line_of("imagealt"), f"ImageAlt is empty: {why}")
    rel = posixpath.normpath(fm.image_path(written))
    file = site.content_dir / rel
    if not file.is_file():
        yield doc.error(line, f"Image '{written}' not found: there is no {file}")
    elif not site.is_static(rel):
        yield doc.error(
            line,
            f"Image '{written}' is outside the static folders ({site.static_folders}), "
            "so it is not copied to the site",
        )
    elif (size := file.stat().st_size) > IMAGE_MAX_BYTES:
        yield doc.warning(
            line,
            f"Image '{written}' is {size / 1024 / 1024:.1f} MB: "
            "over 1 MB loads slowly on phones, make it smaller",
        )


def _check_summary(doc: Document) -> Iterator[Problem]:
    if doc.kind != "article":
        return
    if "summary" not in doc.fields:
        yield doc.warning(
            1,
            "Summary is missing: listings and feeds will show the first words instead",
        )
        return
    length = len(" ".join(doc.fields["summary"].values))
    if length > SUMMARY_MAX_CHARS:
        yield doc.warning(
            doc.line_of("summary"),
            f"Summary is {length} characters long: keep it under {SUMMARY_MAX_CHARS} "
            "so it fits in listings",
        )


def _check_author_logins(doc: Document, site: Site) -> Iterator[Problem]:
    """Logins that can never match a sign-in, and lists that give the badge to the wrong people."""
    found = doc.fields.get("authorlogins")
    if found is None or len(found.values) > 1:  # on more lines: reported on reading
        return
    try:
        own = logins.parse_logins(found.value)
    except fm.FrontMatterError as error:
        yield doc.error(found.line, str(error))
        return
    authors = site.byline(doc)
    if extra := _logins_beyond_byline(authors, own):
        yield doc.warning(found.line, extra)
    for author, login in zip(authors, own, strict=False):
        known = site.author_logins.get(author)
        if known and known != login:
            # One person has one login: a difference is a slip in the order or a
            # setting gone stale, and either takes the badge from someone.
            yield doc.warning(
                found.line,
                f"AuthorLogins: '{login}' replaces '{known}', the login {logins.SETTING} "
                f"gives {author} (logins follow the order of Authors; "
                f"if '{known}' is wrong, correct it in {logins.SETTING})",
            )


def _logins_beyond_byline(authors: list[str], own: list[str]) -> str | None:
    """A warning when AuthorLogins names more people than the byline does."""
    extra = own[len(authors) :]
    if not extra:
        return None
    byline = f" ({', '.join(authors)})" if authors else ""
    names = ", ".join(f"'{login}'" for login in extra)
    verb = "matches" if len(extra) == 1 else "match"
    return (
        f"AuthorLogins lists {_count(len(own), 'login')} for "
        f"{_count(len(authors), 'author')}{byline}: {names} {verb} no one in the byline; "
        "logins follow the order of Authors"
    )


# --- Checks of the settings -----------------------------------------------------


def check_settings(path: Path, settings: Settings) -> list[Problem]:
    """Bad AUTHOR_LOGINS entries, at the line of the settings file that sets them."""
    problems = logins.read_setting(settings.get(logins.SETTING))[1]
    if not problems:
        return []
    where, line = find_setting(path, logins.SETTING) or (path, 1)
    lines = _read_lines(where)
    return [
        Problem(_shown(where), _entry_line(lines, line, name), message)
        for name, message in problems
    ]


def find_setting(
    path: Path, name: str, seen: frozenset[Path] = frozenset()
) -> tuple[Path, int] | None:
    """The file and line that set `name` last: the file itself or one it imports with *."""
    lines = _read_lines(path)
    assigned = re.compile(rf"{re.escape(name)}\s*(?::[^=]*)?=(?!=)")
    if numbers := [n for n, line in enumerate(lines, 1) if assigned.match(line)]:
        return path, numbers[-1]
    seen = seen | {path.resolve()}
    for line in reversed(lines):  # the last import wins
        module = STAR_IMPORT.match(line)
        source = module and path.parent / (module[1].replace(".", "/") + ".py")
        if not source or not source.is_file() or source.resolve() in seen:
            continue
        if found := find_setting(source, name, seen):
            return found
    return None


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _entry_line(lines: list[str], start: int, key: object) -> int:
    """The line of `key` in the dict literal opened at `start`, else `start`."""
    if not isinstance(key, str):
        return start
    quoted = (f'"{key}"', f"'{key}'")
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and line[:1] not in ("", " ", "\t", "}"):
            break  # the next top-level statement: the literal has ended
        if any(text in line for text in quoted):
            return number
    return start


# --- Checks across files --------------------------------------------------------


def check_translations(site: Site) -> Iterator[Problem]:
    """Translations (foo.md, foo.en.md) must share one slug."""
    groups: dict[tuple[str, str, str], list[Document]] = defaultdict(list)
    for doc in site.docs.values():
        base, suffix = doc.name_parts
        if suffix not in site.languages:
            base = posixpath.splitext(posixpath.basename(doc.rel))[0]
        groups[(doc.kind, posixpath.dirname(doc.rel), base)].append(doc)
    for group in groups.values():
        original = min(group, key=lambda doc: _translation_rank(doc, site))
        for doc in group:
            if doc.slug and original.slug and doc.slug != original.slug:
                yield doc.error(
                    doc.slug_line,
                    f"{doc.slug_label} differs from the slug '{original.slug}' of "
                    f"{original.path}: translations share one slug "
                    f"(add 'Slug: {original.slug}')",
                )


def _translation_rank(doc: Document, site: Site) -> tuple[bool, str]:
    """The original sorts first: no language suffix, or the default language's."""
    suffix = doc.name_parts[1]
    return (suffix in site.languages and suffix != site.default_lang, doc.rel)


def check_duplicate_slugs(site: Site) -> Iterator[Problem]:
    """Two articles (or pages) in one language cannot share a slug."""
    for doc in site.docs.values():
        first = site.by_slug[(doc.kind, doc.lang, doc.slug)]  # every document is there
        if doc.slug and first is not doc:
            yield doc.error(
                doc.slug_line,
                f"{doc.slug_label} is already used by {first.path} (Lang {doc.lang}): "
                f"give this {doc.kind} a different Slug",
            )


def check_links(doc: Document, site: Site) -> Iterator[Problem]:
    """Links to other articles, pages and files that will not be on the site."""
    for number, target in link_targets(doc):
        if match := INTRASITE.fullmatch(target):
            message = _check_intrasite(doc, site, target, match[1] or match[2], match[3])
        elif target.startswith("/") and not target.startswith("//"):
            message = _check_site_link(doc, site, target)
        else:
            continue
        if message:
            yield doc.error(number, message)


def link_targets(doc: Document) -> Iterator[tuple[int, str]]:
    """(line, target) of each link in the text, skipping code."""
    fence = ""
    for index in range(doc.body_start, len(doc.lines)):
        line = doc.lines[index]
        if match := FENCE.match(line):
            mark = match[1]
            if not fence:
                fence = mark
                continue
            if mark[0] == fence[0] and len(mark) >= len(fence):
                fence = ""
                continue
        if fence:
            continue
        text = CODE_SPAN.sub("", line)
        for pattern in LINK_TARGETS:
            for match in pattern.finditer(text):
                target = next(group for group in match.groups() if group is not None)
                yield index + 1, target.strip()


def _check_intrasite(doc: Document, site: Site, target: str, what: str, value: str) -> str | None:
    """A {filename}, {static} or {attach} link, resolved as Pelican resolves it."""
    url = urlparse(value)
    if not url.path:
        return None
    tried = (url.path, unquote(url.path), urlparse(unescape(value)).path)
    for path in tried:
        rel = _resolve(doc, path)
        if rel is None:
            continue
        if what == "filename" and rel in site.docs:
            return _check_published(doc, site, target, site.docs[rel])
        if site.is_static(rel) and (site.content_dir / rel).is_file():
            return None
    rel = _resolve(doc, tried[1])
    if rel is None:
        return f"broken link {target}: it points outside the content folder"
    if what == "filename":
        return f"broken link {target}: there is no article or page {site.display(rel)}"
    if (site.content_dir / rel).is_file():
        return (
            f"link {target}: {site.display(rel)} is outside the static folders "
            f"({site.static_folders}), so it is not copied to the site"
        )
    return f"broken link {target}: there is no file {site.display(rel)}"


def _resolve(doc: Document, path: str) -> str | None:
    """The linked path inside the content folder; a leading / means its root."""
    if path.startswith("/"):
        joined = path[1:]
    else:
        joined = posixpath.join(posixpath.dirname(doc.rel), path)
    rel = posixpath.normpath(joined)
    return None if rel == ".." or rel.startswith("../") else rel


def _check_site_link(doc: Document, site: Site, target: str) -> str | None:
    """A root-relative link such as /news/slug.html or /en/pages/slug.html."""
    path = unquote(urlparse(target).path).lstrip("/")
    missing = None
    for kind, lang_url, pattern in site.url_patterns:
        match = pattern.fullmatch(path)
        if not match:
            continue
        slug = match["slug"]
        lang = match.groupdict().get("lang") or site.default_lang
        if lang_url and lang == site.default_lang:
            missing = missing or (
                f"broken link {target}: {kind}s in {lang} have no /{lang}/ in their address"
            )
            continue
        linked = site.by_slug.get((kind, lang, slug))
        if linked:
            return _check_published(doc, site, target, linked)
        missing = missing or (
            f"broken link {target}: there is no {kind} with slug '{slug}' in language {lang}"
        )
    return missing


def _check_published(doc: Document, site: Site, target: str, linked: Document) -> str | None:
    """A link must not lead to a draft or to an article scheduled after this one."""
    if doc.status == "draft" or linked is doc:
        return None
    appears = max(doc.date, site.now) if doc.kind == "article" and doc.date else site.now
    if linked.status == "draft":
        reason = "Status: draft"
    elif linked.kind == "article" and linked.date and linked.date > appears:
        reason = f"scheduled for {_stamp(linked.date)}"
    else:
        return None
    return f"link {target}: {linked.path} will not be on the site when this one is ({reason})"


# --- Entry points -----------------------------------------------------------------


def check(content_dir: Path, settings: Settings, now: datetime | None = None) -> list[Problem]:
    """Every problem in the Markdown sources under content_dir, by path and line."""
    site = Site(Path(content_dir), settings, now or datetime.now(UTC))
    problems: list[Problem] = []
    for doc in site.docs.values():
        problems += check_document(doc, site)
        problems += check_links(doc, site)
    problems += check_translations(site)
    problems += check_duplicate_slugs(site)
    return sorted(problems, key=lambda problem: (str(problem.path), problem.line))


def main(argv: list[str] | None = None) -> int:
    """Check the content folders; print problems and a summary; 1 if any error."""
    parser = argparse.ArgumentParser(
        prog="python -m kurier.check",
        description="Report every front matter and link problem as path:line: message.",
    )
    parser.add_argument("--settings", default="pelicanconf.py", help="Pelican settings")
    parser.add_argument("content", nargs="*", type=Path, help="content folders (PATH)")
    args = parser.parse_args(argv)
    try:
        settings = read_settings(args.settings)
    except Exception as error:  # a settings file is Python: it can raise anything
        print(
            f"make check: cannot read settings {args.settings}: {error}",
            file=sys.stderr,
        )
        return 2
    problems = check_settings(Path(args.settings), settings)
    files = 1 if problems else 0  # the settings file counts once it has problems
    for folder in args.content or [Path(settings["PATH"])]:
        if not folder.is_dir():
            print(f"make check: no content folder {folder}", file=sys.stderr)
            return 2
        shown = _shown(folder)
        files += len(find_sources(shown, settings))
        problems += check(shown, settings)
    for problem in problems:
        print(problem)
    print(summary(problems, files), file=sys.stderr)
    return 1 if any(problem.severity == "error" for problem in problems) else 0


def _shown(folder: Path) -> Path:
    """The folder relative to the current directory when it is inside it."""
    absolute = Path(os.path.normpath(folder.absolute()))
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute


def summary(problems: list[Problem], files: int) -> str:
    """One line: how many errors and warnings in how many files."""
    if not problems:
        return f"make check: {_count(files, 'file')}, no problems"
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    counts = [_count(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    touched = len({problem.path for problem in problems})
    return f"make check: {', '.join(counts)} in {touched} of {_count(files, 'file')}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())

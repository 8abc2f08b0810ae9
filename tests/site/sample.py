"""The sample content as a writer sees it: front matter read straight from the files.

Tests derive what the site must contain from here, independently of the
plugin and of `make check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.site.build import CONTENT

WARSAW = ZoneInfo("Europe/Warsaw")
_FIELD = re.compile(r"^([A-Za-z_]+):\s*(.*)$")


@dataclass
class Source:
    path: Path
    meta: dict[str, str]
    body: str

    @property
    def lang(self) -> str:
        return self.meta.get("lang", "pl")

    @property
    def slug(self) -> str:
        return self.meta["slug"]

    def when(self, field: str) -> datetime | None:
        text = self.meta.get(field)
        if not text:
            return None
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=WARSAW)
            except ValueError:
                continue
        raise AssertionError(f"{self.path}: unexpected {field} format {text!r}")

    def flag(self, field: str) -> bool:
        return self.meta.get(field, "no").lower() in ("yes", "true", "tak", "1", "on")

    @property
    def published(self) -> bool:
        if self.meta.get("status", "published").lower() == "draft":
            return False
        return self.when("date") <= datetime.now(UTC)

    @property
    def expired(self) -> bool:
        expires = self.when("expires")
        return bool(expires and expires <= datetime.now(UTC))


def read(path: Path) -> Source:
    meta: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        match = _FIELD.match(line)
        if not line.strip() or not match:
            return Source(path, meta, "\n".join(lines[index:]))
        meta[match[1].lower()] = match[2].strip()
    return Source(path, meta, "")


def articles(content: Path = CONTENT) -> list[Source]:
    return [read(path) for path in sorted((content / "news").rglob("*.md"))]


def pages(content: Path = CONTENT) -> list[Source]:
    return [read(path) for path in sorted((content / "pages").rglob("*.md"))]

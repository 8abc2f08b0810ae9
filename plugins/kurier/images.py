"""Image dimensions for `<img width height>`, read from the file's header."""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path

_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_ATTR = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']+)["']""")


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height of an SVG, PNG, GIF or JPEG file, or None if unknown.

    Templates write them into `<img width height>` so the page keeps its
    layout while images load; Pillow would be a dependency for four headers.
    """
    try:
        # The modification time is part of the cache key: `make devserver`
        # keeps one process while a writer replaces an image.
        return _image_size(path, path.stat().st_mtime_ns)
    except OSError:
        return None


@lru_cache(maxsize=1024)
def _image_size(path: Path, mtime_ns: int) -> tuple[int, int] | None:
    with path.open("rb") as image:
        head = image.read(65536)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(head)
    return _svg_size(head)


def _svg_size(head: bytes) -> tuple[int, int] | None:
    """The size an SVG's root element declares: width and height, else viewBox."""
    tag = _SVG_TAG.search(head)
    attrs = dict(_SVG_ATTR.findall(tag.group())) if tag else {}
    try:
        return round(float(attrs[b"width"].removesuffix(b"px"))), round(
            float(attrs[b"height"].removesuffix(b"px"))
        )
    except (KeyError, ValueError):
        pass
    box = attrs.get(b"viewBox", b"").replace(b",", b" ").split()
    try:
        return round(float(box[2])), round(float(box[3]))
    except (ValueError, IndexError):
        return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The size in a JPEG's first start-of-frame segment."""
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None

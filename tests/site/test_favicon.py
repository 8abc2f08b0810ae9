"""The site's icon: an SVG, an ICO and an Apple touch icon at the root, and linked from
every page as the theme's files, with their fingerprints (plugins/kurier/assets.py)."""

from __future__ import annotations

import hashlib
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ICON_LINKS = [
    ("icon", "favicon.svg", {"type": "image/svg+xml"}),
    ("icon", "favicon.ico", {"sizes": "32x32"}),
    ("apple-touch-icon", "apple-touch-icon.png", {}),
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_MAGIC)
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_icon_is_a_square_svg(site):
    root = ET.fromstring((site / "favicon.svg").read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(n) for n in root.attrib["viewBox"].split())
    assert width == height
    # Drawn with shapes, not text: a font is not there at 16 px in every browser.
    assert not root.findall(".//{http://www.w3.org/2000/svg}text")


def test_ico_holds_16_and_32_pixel_images(site):
    data = (site / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 2
    sizes = set()
    for index in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        image = data[offset : offset + length]
        assert len(image) == length
        if image.startswith(PNG_MAGIC):
            assert _png_size(image) == (width or 256, height or 256)
        else:  # a BMP without its file header: BITMAPINFOHEADER, twice the height
            size, bmp_width, bmp_height = struct.unpack("<Iii", image[:12])
            assert (size, bmp_width, bmp_height) == (40, width, 2 * height)
        sizes.add((width, height))
    assert {(16, 16), (32, 32)} <= sizes


def test_apple_touch_icon_is_a_180_pixel_png(site):
    assert _png_size((site / "apple-touch-icon.png").read_bytes()) == (180, 180)


@pytest.mark.parametrize(("rel", "icon", "attributes"), ICON_LINKS, ids=lambda v: str(v))
def test_every_page_links_the_icons(site, rel, icon, attributes):
    pages = sorted(site.rglob("*.html"))
    assert pages
    # The theme's copy, which browsers may keep (the root's is for those that ask unlinked).
    version = hashlib.sha256((site / "theme" / icon).read_bytes()).hexdigest()[:10]
    href = f"/theme/{icon}?v={version}"
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [
            link
            for link in soup.select("head link[rel][href]")
            if link["rel"] == [rel] and link["href"] == href
        ]
        assert len(links) == 1, (page, href)
        for name, value in attributes.items():
            assert links[0].get(name) == value, (page, href, name)
        assert (site / icon).read_bytes() == (site / "theme" / icon).read_bytes()


def test_icons_are_part_of_the_theme(site):
    """Any content built with the theme gets them, not only Kurier's own."""
    theme = Path(__file__).resolve().parents[2] / "theme" / "static"
    for name in ("favicon.svg", "favicon.ico", "apple-touch-icon.png"):
        assert (site / name).read_bytes() == (theme / name).read_bytes()

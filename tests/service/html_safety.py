"""Whether stored comment HTML is harmless: the check shared by the render and API tests."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from comments_service.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, sanitize_html

XSS_PAYLOADS_FILE = Path(__file__).with_name("xss_payloads.json")
XSS_PAYLOADS: list[str] = json.loads(XSS_PAYLOADS_FILE.read_text("utf-8"))["payloads"]

# Named so that a failure says which kind of element got through, even though
# the allow-list check below would catch them all.
DANGEROUS_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "img", "image", "form", "input", "button", "textarea", "select",
    "meta", "base", "link", "body", "html", "video", "audio", "source", "template",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "background", "dynsrc",
    "lowsrc", "poster", "srcset", "srcdoc", "xlink:href",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
_URL_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


class _Elements(HTMLParser):
    """Collects every start tag with its (entity-decoded) attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: controls and spaces trimmed, tabs and
    newlines inside removed (as the URL standard does), lowercased."""
    url = re.sub(r"[\t\n\r]", "", url.strip(_C0_AND_SPACE))
    match = _URL_SCHEME_RE.match(url)
    return match.group(1).lower() if match else None


def html_problems(fragment: str) -> list[str]:
    """Everything in `fragment` that would let a comment run code or restyle."""
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    problems = []
    for tag, attrs in parser.found:
        if tag in DANGEROUS_TAGS:
            problems.append(f"dangerous element <{tag}>")
        elif tag not in ALLOWED_TAGS:
            problems.append(f"element <{tag}> outside the allow-list")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name} on <{tag}>")
            elif name == "style":
                problems.append(f"style attribute on <{tag}>")
            elif name not in allowed:
                problems.append(f"attribute {name} on <{tag}> outside the allow-list")
            if name in URL_ATTRIBUTES and url_scheme(value or "") not in SAFE_SCHEMES:
                problems.append(f"{name}={value!r} on <{tag}> is not http(s)/mailto")
            if name == "class" and not re.fullmatch(r"language-[\w+#.-]+", value or ""):
                problems.append(f"class {value!r} on <{tag}>")
        if tag == "a":
            rels = [value for name, value in attrs if name == "rel"]
            if rels != [LINK_REL]:
                problems.append(f"<a> with rel {rels!r}")
    return problems


def assert_safe(fragment: str) -> None:
    """`fragment` passes `html_problems` and is already sanitiser-clean."""
    assert html_problems(fragment) == [], fragment
    assert sanitize_html(fragment) == fragment

"""The headers every response carries: no sniffing, no framing, a referrer policy, a CSP.

The site's pages may load their own scripts, styles and images; API answers,
feeds and the health check may load nothing at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
SITE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def security_headers(path: str) -> Mapping[str, str]:
    """The headers every response to `path` carries (shared: an open event stream holds
    its request's for as long as it lasts, so no copy each)."""
    is_site = not path.startswith(("/api/", "/healthz", "/feeds/"))
    return _SITE_HEADERS if is_site else _API_HEADERS


_SITE_HEADERS: Mapping[str, str] = MappingProxyType(
    {**COMMON_HEADERS, "content-security-policy": SITE_CSP}
)
_API_HEADERS: Mapping[str, str] = MappingProxyType(
    {**COMMON_HEADERS, "content-security-policy": API_CSP}
)


def _encoded(headers: Mapping[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple(
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    )


_SITE_LINES = _encoded(_SITE_HEADERS)
_API_LINES = _encoded(_API_HEADERS)


def security_header_lines(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """`security_headers(path)` as ASGI header lines (names in lower case)."""
    return _SITE_LINES if security_headers(path) is _SITE_HEADERS else _API_LINES

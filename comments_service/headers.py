"""The headers every response carries: no sniffing, no framing, a referrer policy, a CSP.

The site's pages may load their own scripts, styles and images; API answers,
feeds and the health check may load nothing at all.
"""

from __future__ import annotations

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


def security_headers(path: str) -> dict[str, str]:
    """The headers every response to `path` carries."""
    is_site = not path.startswith(("/api/", "/healthz", "/feeds/"))
    return {
        **COMMON_HEADERS,
        "content-security-policy": SITE_CSP if is_site else API_CSP,
    }

"""Feeds with absolute links, whatever SITEURL the pages use.

Kurier's pages link root-relatively ("/news/x.html") so the site works on any
host; a feed is read outside the site, so its links must be absolute.
"""

from __future__ import annotations

import re

from pelican.writers import Writer

_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


class FeedWriter(Writer):
    """Pelican's writer, writing feeds as if SITEURL were FEED_DOMAIN."""

    def write_feed(self, elements, context, *args, **kwargs):
        domain = (context.get("FEED_DOMAIN") or "").rstrip("/")
        if domain and not context.get("SITEURL"):
            context = {**context, "SITEURL": domain}
        return super().write_feed(elements, context, *args, **kwargs)

    def _add_item_to_the_feed(self, feed, item):
        super()._add_item_to_the_feed(feed, item)
        # Links a writer typed as "/news/x.html" are made absolute too.
        entry = feed.items[-1]
        for key in ("content", "description"):
            if entry.get(key):
                entry[key] = _ROOT_RELATIVE.sub(rf"\1{self.site_url}/", entry[key])

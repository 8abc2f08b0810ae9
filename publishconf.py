"""Kurier's settings for the live site (`make publish`).

Set KURIER_SITEURL to the address readers use (for example
https://kurier.intranet.example); feeds and the sitemap carry it.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("KURIER_SITEURL", "").rstrip("/")
FEED_DOMAIN = SITEURL or FEED_DOMAIN  # noqa: F405
RELATIVE_URLS = False

# Drafts and scheduled articles are not written to the live site at all:
# their pages would be reachable by anyone who guesses the address.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""

DELETE_OUTPUT_DIRECTORY = True

"""Kurier's Pelican settings for writing and previewing (`make html`, `make devserver`).

`publishconf.py` builds on these for the live site.
"""

import os

AUTHOR = "Zespół Komunikacji"
SITENAME = "Kurier"
SITESUBTITLE = "Wiadomości Korona Logistyka"
COMPANY = "Korona Logistyka S.A."

# Root-relative links ("/news/x.html") work on any host and port the site is
# served from; feeds need absolute links, so they use FEED_DOMAIN instead.
SITEURL = ""
RELATIVE_URLS = False
FEED_DOMAIN = os.environ.get("KURIER_SITEURL", "http://127.0.0.1:8000").rstrip("/")

PATH = "content"
THEME = "theme"
TIMEZONE = "Europe/Warsaw"

# --- Languages --------------------------------------------------------------
# The first is the site's default: its pages live at the root, the others
# under "/<lang>/". A translation shares the original's Slug.
DEFAULT_LANG = "pl"
LANGUAGES = ("pl", "en")

# --- Channels ---------------------------------------------------------------
# The fixed list writers choose a Category from: slug -> (Polish, English).
# Front matter may name a channel by its slug or either name.
CHANNELS = {
    "firma": ("Firma", "Company"),
    "ludzie": ("Ludzie", "People"),
    "kadry": ("Kadry i benefity", "HR & Benefits"),
    "bhp": ("Bezpieczeństwo pracy", "Workplace Safety"),
    "it": ("IT i cyberbezpieczeństwo", "IT & Security"),
    "oddzialy": ("Z oddziałów", "Our Sites"),
    "srodowisko": ("Zrównoważony rozwój", "Sustainability"),
}

# --- Authors' logins ----------------------------------------------------------
# Byline name -> company sign-in login. Comments signed in with one of an
# article's author logins are marked as the author's (articles.json:
# author_logins); a display name alone proves nothing. An article's own
# `AuthorLogins:` adds to these. A team byline has no login.
AUTHOR_LOGINS = {
    "Agnieszka Wójcik": "a.wojcik",
    "Andrzej Jabłoński": "a.jablonski",
    "Ewa Pawlak": "e.pawlak",
    "Jacek Wróbel": "j.wrobel",
    "Joanna Kamińska": "j.kaminska",
    "Katarzyna Nowicka": "k.nowicka",
    "Krzysztof Mazur": "k.mazur",
    "Marek Kaczmarek": "m.kaczmarek",
    "Michał Lewandowski": "m.lewandowski",
    "Natalia Król": "n.krol",
    "Paulina Dąbrowska": "p.dabrowska",
    "Piotr Szymański": "p.szymanski",
    "Rafał Górski": "r.gorski",
    "Zofia Adamczyk": "z.adamczyk",
}

# --- Content ----------------------------------------------------------------
ARTICLE_PATHS = ["news"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra/robots.txt"]
EXTRA_PATH_METADATA = {"extra/robots.txt": {"path": "robots.txt"}}
# Files of the theme's static folder that browsers ask for at the site root,
# linked or not; the kurier plugin copies them there. Pages link the theme's
# copies, fingerprinted as every theme file (plugins/kurier/assets.py).
THEME_ROOT_FILES = ["favicon.svg", "favicon.ico", "apple-touch-icon.png"]
# Dates come from front matter only, never from file names: a missing Date is
# an error the checker reports, not something to guess.
FILENAME_METADATA = ""
USE_FOLDER_AS_CATEGORY = False
DEFAULT_DATE = None
# Scheduled articles: an article dated in the future is a draft until its
# date. Pelican's content cache would keep such an article a draft after its
# date has come, so the cache stays off (CACHE_CONTENT defaults to False).
WITH_FUTURE_DATES = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.sane_lists": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}
SUMMARY_MAX_LENGTH = 40
TYPOGRIFY = False

# --- URLs -------------------------------------------------------------------
ARTICLE_URL = "news/{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
ARTICLE_LANG_URL = "{lang}/news/{slug}.html"
ARTICLE_LANG_SAVE_AS = ARTICLE_LANG_URL
DRAFT_URL = "drafts/{slug}.html"
DRAFT_SAVE_AS = DRAFT_URL
DRAFT_LANG_URL = "drafts/{lang}/{slug}.html"
DRAFT_LANG_SAVE_AS = DRAFT_LANG_URL
PAGE_URL = "pages/{slug}.html"
PAGE_SAVE_AS = PAGE_URL
PAGE_LANG_URL = "{lang}/pages/{slug}.html"
PAGE_LANG_SAVE_AS = PAGE_LANG_URL
# Listing pages (front page, channels, tags, authors, archives) are written by
# the kurier plugin once per language, at these URLs (under "/<lang>/" for
# languages other than the default); Pelican itself writes none of them.
CATEGORY_URL = "channel/{slug}.html"
TAG_URL = "tag/{slug}.html"
AUTHOR_URL = "author/{slug}.html"
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
DIRECT_TEMPLATES = ["404"]
FRONT_PAGE_PER_CHANNEL = 4
DEFAULT_PAGINATION = 12
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}.html", "{base_name}/page/{number}.html"),
)

# --- Feeds ------------------------------------------------------------------
# Every feed has a path of its own: Pelican's defaults put category and author
# feeds in one folder, where a channel and an author with one slug collide.
# Every story, and every story written in or translated into one language:
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
TRANSLATION_FEED_RSS = "feeds/all-{lang}.rss.xml"
# A channel's, tag's or author's feed lists what its page lists, once per
# language edition (each story once, translated where it can be): the kurier
# plugin writes them, the default language's here...
CATEGORY_FEED_ATOM = "feeds/channel/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/channel/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tag/{slug}.rss.xml"
AUTHOR_FEED_ATOM = "feeds/author/{slug}.atom.xml"
AUTHOR_FEED_RSS = "feeds/author/{slug}.rss.xml"
# ...and the other languages' here. One only those list (a tag of English
# stories alone) keeps its old address above too, with their stories.
CATEGORY_LANG_FEED_ATOM = "feeds/{lang}/channel/{slug}.atom.xml"
CATEGORY_LANG_FEED_RSS = "feeds/{lang}/channel/{slug}.rss.xml"
TAG_LANG_FEED_ATOM = "feeds/{lang}/tag/{slug}.atom.xml"
TAG_LANG_FEED_RSS = "feeds/{lang}/tag/{slug}.rss.xml"
AUTHOR_LANG_FEED_ATOM = "feeds/{lang}/author/{slug}.atom.xml"
AUTHOR_LANG_FEED_RSS = "feeds/{lang}/author/{slug}.rss.xml"
RSS_FEED_SUMMARY_ONLY = False
FEED_MAX_ITEMS = 20

# Templates do not change during one build (`make devserver` starts a new
# build with a new environment), so Jinja need not stat them on every include.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "auto_reload": False}

# --- Plugins ----------------------------------------------------------------
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["kurier", "pelican.plugins.neighbors"]

# Where article pages find the comments service (same origin by default).
COMMENTS_API = "/api/v1"
# Articles that share this many tags or more count as related.
RELATED_MAX = 3

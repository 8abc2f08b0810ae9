"""GET /feeds/comments.{atom,rss} and /feeds/threads/{slug}.{atom,rss}.

The latest public comments (not deleted, not waiting for approval, not
hidden) of every visible thread or of one, newest first. Titles and links
come from the articles manifest; the language is `?lang=pl|en`, else the
best of Accept-Language, else Polish.

Reading is cheap: the comments are read newest first through the index on
`created`, a page at a time, until FEED_SIZE public ones are found. The
ETag is a hash of everything the feed shows, so it is strong, the same in
every worker and after a restart, and new whenever the feed changes; a
matching If-None-Match (or, without one, an If-Modified-Since not older than
the newest change) is answered 304 before any XML is built, and the XML of
recent answers is kept per process.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import feedgen
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tinydb.table import Document

from .. import feeds
from ..articles import Article
from ..errors import invalid, not_found
from ..i18n import LANGS, choose_lang
from ..state import app_state
from ..store import Store
from ..store.feed import EPOCH

FEED_SIZE = 50
MAX_AGE = 60  # seconds a reader or proxy may reuse a feed without asking
CACHED_FEEDS = 64  # built feeds kept per process, by ETag
TAG_YEAR = 2026  # the date in the entries' tag: URIs; never change it, ids would change

_built: OrderedDict[tuple[str, str], bytes] = OrderedDict()


# --- choosing -----------------------------------------------------------------


def feed_lang(request: Request) -> str:
    """The feed's language as comments_service/i18n.py chooses it; a `?lang=` other than
    pl or en is refused."""
    asked = request.query_params.get("lang")
    if asked is not None and asked not in LANGS:
        raise invalid("lang", "The feed's language is pl or en.")
    return choose_lang(request)


def _service_root(request: Request) -> str:
    """The service's own address: COMMENTS_PUBLIC_URL, else (development) the one asked."""
    public_url = app_state(request).settings.public_url
    return public_url + "/" if public_url else str(request.base_url)


def _self_link(request: Request) -> str:
    """This feed's address as readers use it; a forged Host header cannot change it."""
    query = f"?{request.url.query}" if request.url.query else ""
    return urljoin(_service_root(request), request.url.path.lstrip("/")) + query


def _site_root(request: Request) -> str:
    """The site's address: from the manifest's absolute URLs, else the service's own."""
    return app_state(request).articles.site_root() or _service_root(request)


def _article_url(article: Article, lang: str, root: str) -> str:
    lang = lang if lang in article.urls else next(iter(article.urls), "")
    absolute = article.absolute_urls.get(lang, "")
    if absolute.startswith(("http://", "https://")):
        return absolute
    return urljoin(root, article.urls.get(lang, ""))


def _tag(root: str, specific: str) -> str:
    """A tag: URI (RFC 4151) under the site's host name."""
    return f"tag:{urlsplit(root).hostname or 'localhost'},{TAG_YEAR}:{specific}"


def _when(value: str | datetime) -> datetime:
    """A stored or manifest time as aware UTC (a time without an offset is taken as UTC)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _entries(
    rows: list[Document], articles: dict[str, Article], lang: str, root: str
) -> tuple[feeds.Entry, ...]:
    entries = []
    for row in rows:
        article = articles.get(row["thread"])
        if article is None:  # gone from a manifest published this very moment
            continue
        created = _when(row["created"])
        entries.append(
            feeds.Entry(
                id=_tag(root, f"comment:{row.doc_id}"),
                title=feeds.words(
                    lang, "entry", author=row["author_name"], title=article.title(lang)
                ),
                link=f"{_article_url(article, lang, root)}#comment-{row.doc_id}",
                author=row["author_name"],
                html=row["body_html"],
                published=created,
                updated=_when(row["edited"]) if row.get("edited") else created,
            )
        )
    return tuple(entries)


# --- answering ----------------------------------------------------------------


def _etag(feed: feeds.Feed, kind: str) -> str:
    # The feed's fields and entries are all it shows; feedgen's version
    # changes its <generator> element, so it takes part too.
    data = repr((kind, feedgen.version.version_str, feed)).encode("utf-8", "surrogatepass")
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        return False
    return modified.replace(microsecond=0) <= when


def _answer(request: Request, feed: feeds.Feed, kind: str, changed: datetime) -> Response:
    """200 with the feed, or 304 when the reader's copy is current."""
    etag = _etag(feed, kind)
    modified = max(feed.updated, changed)
    headers = {
        "etag": etag,
        "last-modified": format_datetime(modified.astimezone(UTC), usegmt=True),
        "cache-control": f"public, max-age={MAX_AGE}",
        "vary": "Accept-Language",
    }
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    key = (etag, kind)
    body = _built.get(key)
    if body is None:
        body = feeds.render(feed, kind)
        _built[key] = body
        if len(_built) > CACHED_FEEDS:
            _built.popitem(last=False)
    else:
        _built.move_to_end(key)
    return Response(body, headers=headers, media_type=f"{feeds.KINDS[kind]}; charset=utf-8")


def _kind(request: Request) -> str:
    kind: str = request.path_params["kind"]
    if kind not in feeds.KINDS:
        raise not_found("feed")
    return kind


async def comments_feed(request: Request) -> Response:
    """The latest public comments of every visible thread."""
    kind = _kind(request)
    lang = feed_lang(request)
    store: Store = app_state(request).store
    articles = app_state(request).articles.articles()
    root = _site_root(request)

    rows, changed = store.feed.latest(FEED_SIZE)
    entries = _entries(rows, articles, lang, root)
    published = [a.published for a in articles.values() if a.published]
    feed = feeds.Feed(
        id=_tag(root, "comments"),
        title=feeds.words(lang, "site_title"),
        subtitle=feeds.words(lang, "site_subtitle"),
        link=root,
        self_link=_self_link(request),
        lang=lang,
        updated=max(e.updated for e in entries) if entries else _newest(published),
        entries=entries,
    )
    return _answer(request, feed, kind, changed)


async def thread_feed(request: Request) -> Response:
    """The latest public comments of one thread; 404 for unknown and hidden threads."""
    kind = _kind(request)
    slug = request.path_params["slug"]
    articles = app_state(request).articles.articles()
    article = articles.get(slug)
    if article is None or article.hidden:
        raise not_found("thread")
    lang = feed_lang(request)
    store: Store = app_state(request).store
    root = _site_root(request)
    rows, changed = store.feed.latest(FEED_SIZE, slug)
    entries = _entries(rows, articles, lang, root)
    title = article.title(lang)
    feed = feeds.Feed(
        id=_tag(root, f"thread:{slug}"),
        title=feeds.words(lang, "thread_title", title=title),
        subtitle=feeds.words(lang, "thread_subtitle", title=title),
        link=_article_url(article, lang, root),
        self_link=_self_link(request),
        lang=lang,
        updated=max(e.updated for e in entries) if entries else _newest([article.published]),
        entries=entries,
    )
    return _answer(request, feed, kind, changed)


def _newest(dates: Iterable[datetime | None]) -> datetime:
    """The latest of some manifest dates as UTC (EPOCH if none): an empty feed's date."""
    known = [_when(d) for d in dates if d is not None]
    return max(known, default=EPOCH)


ROUTES = [
    Route("/feeds/comments.{kind}", comments_feed, methods=["GET"]),
    Route("/feeds/threads/{slug}.{kind}", thread_feed, methods=["GET"]),
]

"""The comment feeds: /feeds/comments.{atom,rss} and /feeds/threads/{slug}.{atom,rss}."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from comments_service import feeds
from comments_service.user import User
from tests.service.kit import (
    ARTICLES,
    THREAD,
    XSS_PAYLOADS,
    assert_api_error,
    html_problems,
    write_articles,
)

FEEDS = [
    ("/feeds/comments.atom", "application/atom+xml"),
    ("/feeds/comments.rss", "application/rss+xml"),
    ("/feeds/threads/open-news.atom", "application/atom+xml"),
    ("/feeds/threads/open-news.rss", "application/rss+xml"),
]
ATOM = "{http://www.w3.org/2005/Atom}"


def post(client, body: str, parent: str | None = None, thread: str = THREAD) -> dict:
    response = client.post(thread + "/comments", json={"body": body, "parent": parent})
    assert response.status_code == 201, response.text
    return response.json()


def parse(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.text
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def raw_contents(response) -> list[str]:
    """The entries' HTML exactly as sent, before any reader cleans it."""
    root = ET.fromstring(response.content)
    if root.tag == "rss":
        return [item.findtext("description") for item in root.iter("item")]
    return [entry.findtext(f"{ATOM}content") for entry in root.iter(f"{ATOM}entry")]


def set_fields(client, comment_id: str, **fields) -> None:
    """Change a stored comment the way the moderation operations leave it."""
    client.app.state.store.ctx.tables.comments.update(fields, doc_ids=[int(comment_id)])


@pytest.mark.parametrize(("path", "media_type"), FEEDS)
def test_every_feed_parses_and_shows_the_comment(client, path, media_type):
    post(client, "Pierwszy *komentarz*")
    response = client.get(path)
    parsed = parse(response)
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert parsed.version.startswith("atom" if "atom" in media_type else "rss")
    [entry] = parsed.entries
    assert entry.title == "Ewa — komentarz do artykułu „Otwarte”"
    assert entry.link == "http://testserver/news/open-news.html#comment-1"
    assert "<em>komentarz</em>" in raw_contents(response)[0]
    assert entry.id.startswith("tag:testserver,2026:comment:1")


@pytest.mark.parametrize(("path", "media_type"), FEEDS)
def test_feeds_of_an_empty_thread_are_valid(anonymous, path, media_type):
    parsed = parse(anonymous.get(path))
    assert parsed.entries == []
    assert parsed.feed.title


def test_english_by_query_or_accept_language(client):
    post(client, "Hello")
    english = parse(client.get("/feeds/threads/open-news.atom?lang=en"))
    assert english.feed.title == "Comments on “Open”"
    assert english.entries[0].title == "Ewa — comment on “Open”"
    assert english.entries[0].link == "http://testserver/en/news/open-news.html#comment-1"
    preferred = client.get(
        "/feeds/comments.rss", headers={"accept-language": "de-DE, en-GB;q=0.8, pl;q=0.5"}
    )
    assert parse(preferred).entries[0].title == "Ewa — comment on “Open”"
    assert preferred.headers["vary"] == "Accept-Language"
    polish = client.get("/feeds/comments.rss", headers={"accept-language": "en;q=0.4, pl"})
    assert parse(polish).entries[0].title == "Ewa — komentarz do artykułu „Otwarte”"
    spaced = client.get("/feeds/comments.rss", headers={"accept-language": "pl;q=0.3 , en;q=0.9 "})
    assert parse(spaced).entries[0].title == "Ewa — comment on “Open”"
    refused = client.get("/feeds/comments.rss", headers={"accept-language": "en;q=0, de"})
    assert parse(refused).entries[0].title == "Ewa — komentarz do artykułu „Otwarte”"
    # The query wins over the header; no preference at all means Polish.
    asked = client.get("/feeds/comments.atom?lang=pl", headers={"accept-language": "en"})
    assert parse(asked).feed.title == "Kurier — komentarze"
    assert parse(client.get("/feeds/comments.atom")).feed.title == "Kurier — komentarze"


def test_titles_and_links_come_from_the_manifest(make_client, settings):
    """The manifest's absolute URLs are the links; they follow a rebuilt manifest."""
    entries = [
        {**entry, "absolute_url": f"https://intranet.example/kurier/{entry['url']}"}
        for entry in ARTICLES
    ]
    write_articles(settings.articles, entries)
    client = make_client("Ewa")
    post(client, "Hello")
    parsed = parse(client.get("/feeds/comments.atom?lang=en"))
    [entry] = parsed.entries
    assert entry.link == "https://intranet.example/kurier/en/news/open-news.html#comment-1"
    assert entry.id == "tag:intranet.example,2026:comment:1"
    assert parsed.feed.link == "https://intranet.example/kurier/"

    renamed = [{**e, "title": "Nowy tytuł"} if e["lang"] == "pl" else e for e in entries]
    write_articles(settings.articles, renamed)
    fresh = make_client()  # a worker that reads the new manifest at once
    assert (
        parse(fresh.get("/feeds/comments.atom")).entries[0].title
        == "Ewa — komentarz do artykułu „Nowy tytuł”"
    )


QUOTED_TITLES = {
    "pl": "Strategia „Korona 2030”: bezpieczeństwo i magazyny",
    "en": 'The "Korona 2030" strategy: safety and warehouses',
}


@pytest.fixture
def quoted(make_client, settings):
    """Ewa's client, with article titles that hold quotation marks of their own."""
    entries = [{**entry, "title": QUOTED_TITLES[entry["lang"]]} for entry in ARTICLES]
    write_articles(settings.articles, entries)
    client = make_client("Ewa")
    post(client, "Dobry plan")
    return client


def test_titles_quote_article_titles_with_inner_quotes(quoted):
    polish = parse(quoted.get("/feeds/threads/open-news.atom?lang=pl"))
    inner = "Strategia «Korona 2030»: bezpieczeństwo i magazyny"
    assert polish.feed.title == f"Komentarze do artykułu „{inner}”"
    assert polish.entries[0].title == f"Ewa — komentarz do artykułu „{inner}”"
    english = parse(quoted.get("/feeds/threads/open-news.rss?lang=en"))
    inner = "The ‘Korona 2030’ strategy: safety and warehouses"
    assert english.feed.title == f"Comments on “{inner}”"
    assert english.entries[0].title == f"Ewa — comment on “{inner}”"


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_site_feed_titles_name_kurier_and_quote_entries(quoted, lang):
    parsed = parse(quoted.get(f"/feeds/comments.atom?lang={lang}"))
    assert parsed.feed.title == {"pl": "Kurier — komentarze", "en": "Kurier — comments"}[lang]
    [entry] = parsed.entries
    outer = {"pl": ("„", "”"), "en": ("“", "”")}[lang]
    assert entry.title.startswith("Ewa — ") and entry.title.endswith(outer[1])
    quoted_title = entry.title[entry.title.index(outer[0]) + 1 : -1]
    assert outer[0] not in quoted_title and outer[1] not in quoted_title


@pytest.mark.parametrize(
    ("lang", "title", "inner"),
    [
        pytest.param("pl", "Bez cudzysłowów", "Bez cudzysłowów", id="pl-plain"),
        pytest.param("pl", "Plan „Korona”", "Plan «Korona»", id="pl-polish-quotes"),
        pytest.param("pl", "Plan “Korona”", "Plan «Korona»", id="pl-english-quotes"),
        pytest.param("pl", 'Plan "Korona"', "Plan «Korona»", id="pl-straight-quotes"),
        pytest.param("pl", "Plan «Korona»", "Plan «Korona»", id="pl-already-inner"),
        pytest.param("pl", "„Plan „Korona” na lata”", "«Plan „Korona” na lata»", id="pl-nested"),
        pytest.param("pl", "Plan „Korona i tyle", "Plan „Korona i tyle", id="pl-unpaired"),
        pytest.param("en", "The “Korona” plan", "The ‘Korona’ plan", id="en-curly"),
        pytest.param("en", 'The "Korona" plan', "The ‘Korona’ plan", id="en-straight"),
        pytest.param("en", "Plan „Korona”", "Plan ‘Korona’", id="en-polish-quotes"),
        pytest.param("en", "Kurier’s “new” look", "Kurier’s ‘new’ look", id="en-apostrophe"),
        pytest.param("en", 'A "B “C” D" E', "A ‘B “C” D’ E", id="en-nested"),
    ],
)
def test_quotes_inside_feed_quotes_alternate(lang, title, inner):
    assert feeds.inner_quotes(title, lang) == inner


def test_hostile_comments_appear_sanitised(client):
    payloads = [p for p in XSS_PAYLOADS if "script" in p.lower() or "javascript" in p.lower()]
    payloads += [p for p in XSS_PAYLOADS if " on" in p.lower()][:10]
    accepted = 0
    for payload in payloads[:45]:
        response = client.post(THREAD + "/comments", json={"body": payload})
        assert response.status_code in (201, 422), response.text
        accepted += response.status_code == 201
    assert accepted >= 30
    for path, _ in FEEDS:
        response = client.get(path)
        parsed = parse(response)
        assert len(parsed.entries) == accepted
        for html in raw_contents(response):
            assert html_problems(html) == [], html
        assert b"<script" not in response.content.lower()


def test_stored_html_is_cleaned_again_on_the_way_out(client):
    """Even a row written by some other tool with raw HTML goes out inert."""
    comment = post(client, "harmless")
    set_fields(
        client,
        comment["id"],
        body_html='<p onclick="x()">hi</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a>',
    )
    for path, _ in FEEDS:
        [html] = raw_contents(client.get(path))
        assert html_problems(html) == [], html
        assert "alert" not in html


def test_matching_etag_gives_304_and_a_change_a_new_etag(client):
    comment = post(client, "one")
    first = client.get("/feeds/threads/open-news.atom")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=60"

    again = client.get("/feeds/threads/open-news.atom", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    listed = client.get("/feeds/threads/open-news.atom", headers={"if-none-match": f'"x", {etag}'})
    assert listed.status_code == 304
    other = client.get("/feeds/threads/open-news.atom", headers={"if-none-match": '"other"'})
    assert other.status_code == 200 and other.content == first.content

    # The same feed in another format or language is another representation.
    assert client.get("/feeds/threads/open-news.rss").headers["etag"] != etag
    assert client.get("/feeds/threads/open-news.atom?lang=en").headers["etag"] != etag

    post(client, "two")
    changed = client.get("/feeds/threads/open-news.atom", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    edited = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "one, edited"})
    assert edited.status_code == 200
    after_edit = client.get("/feeds/threads/open-news.atom")
    assert after_edit.headers["etag"] not in (etag, changed.headers["etag"])


def test_if_modified_since(client):
    post(client, "one")
    first = client.get("/feeds/comments.rss")
    modified = first.headers["last-modified"]
    assert modified.endswith(" GMT")
    cached = client.get("/feeds/comments.rss", headers={"if-modified-since": modified})
    assert cached.status_code == 304 and cached.content == b""
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/feeds/comments.rss", headers={"if-modified-since": old}).status_code == 200
    garbage = client.get("/feeds/comments.rss", headers={"if-modified-since": "yesterday"})
    assert garbage.status_code == 200
    # If-None-Match decides when both are sent.
    both = client.get(
        "/feeds/comments.rss", headers={"if-modified-since": modified, "if-none-match": '"x"'}
    )
    assert both.status_code == 200


def test_hidden_pending_and_deleted_comments_never_appear(client, make_client):
    store = client.app.state.store
    moderator = User(id="mod", name="Moderator", moderator=True)
    kept = post(client, "kept")
    hidden = post(client, "HIDDEN TEXT")
    deleted = post(client, "DELETED TEXT")
    post(client, "a reply keeps the deleted comment as a placeholder", parent=deleted["id"])
    waiting = make_client("Jan", premoderation=True)
    pending = post(waiting, "PENDING TEXT")
    assert store.ctx.tables.comments.get(doc_id=int(pending["id"]))["approved"] is False
    store.moderation.hide(hidden["id"], moderator, "Off topic")
    assert client.delete(f"/api/v1/comments/{deleted['id']}").status_code == 204

    for path, _ in FEEDS:
        response = client.get(path)
        ids = {entry.id for entry in parse(response).entries}
        assert f"tag:testserver,2026:comment:{kept['id']}" in ids
        assert len(ids) == 2  # kept and the reply
        for secret in (b"HIDDEN", b"PENDING", b"DELETED", b"Off topic"):
            assert secret not in response.content

    # Approving and unhiding bring them back.
    store.moderation.approve(pending["id"], moderator)
    store.moderation.unhide(hidden["id"], moderator)
    assert len(parse(client.get("/feeds/comments.atom")).entries) == 4


def test_comments_of_hidden_or_unknown_threads_stay_out_of_the_site_feed(
    client, make_client, settings
):
    post(client, "visible")
    store = client.app.state.store
    for slug in ("hidden-news", "removed-article"):
        store.ctx.tables.comments.insert(
            {"thread": slug, "parent": None, "author_id": "x", "author_name": "X",
             "body": "SECRET", "body_html": "<p>SECRET</p>", "created": "2030-01-01T00:00:00Z",
             "edited": None, "deleted": False, "pinned": False, "likes": 0}
        )  # fmt: skip
    response = client.get("/feeds/comments.atom")
    assert len(parse(response).entries) == 1
    assert b"SECRET" not in response.content


def test_ids_are_stable_across_requests_and_restarts(client, make_client):
    for n in range(3):
        post(client, f"comment {n}")
    first = client.get("/feeds/comments.atom")
    second = client.get("/feeds/comments.atom")
    ids = [entry.id for entry in parse(first).entries]
    assert ids == [entry.id for entry in parse(second).entries]
    assert ids == [f"tag:testserver,2026:comment:{n}" for n in (3, 2, 1)]
    assert len(set(ids)) == 3
    thread_ids = [entry.id for entry in parse(client.get("/feeds/threads/open-news.rss")).entries]
    assert thread_ids == ids  # the same comment has one id in every feed

    restarted = make_client()  # a new app on the same database file
    again = restarted.get("/feeds/comments.atom")
    assert [entry.id for entry in parse(again).entries] == ids
    assert again.headers["etag"] == first.headers["etag"]
    assert again.content == first.content


def test_dates_are_utc(client):
    comment = post(client, "when?")
    for path, _ in FEEDS:
        response = client.get(path)
        entry = parse(response).entries[0]
        created = datetime.fromisoformat(comment["created"])
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == created
        text = response.text
        assert ("+00:00" in text) if "atom" in path else ("+0000" in text)
    atom = ET.fromstring(client.get("/feeds/comments.atom").content)
    for updated in atom.iter(f"{ATOM}updated"):
        assert datetime.fromisoformat(updated.text).utcoffset() == timedelta(0)


def test_at_most_50_entries_newest_first(client, make_client):
    writers = [make_client(f"Osoba {n}") for n in range(3)]
    made = [post(writers[n % 3], f"comment {n}")["id"] for n in range(55)]
    # Same-second comments are ordered by id; make creation times differ too.
    for n, comment_id in enumerate(made):
        stamp = (datetime(2026, 5, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat()
        set_fields(client, comment_id, created=stamp.replace("+00:00", "Z"))
    for path, _ in FEEDS:
        entries = parse(client.get(path)).entries
        assert len(entries) == 50
        wanted = [f"tag:testserver,2026:comment:{i}" for i in reversed(made[5:])]
        assert [entry.id for entry in entries] == wanted


def test_order_follows_creation_time_not_id(client):
    """Imported comments get new ids but keep their old dates."""
    newer = post(client, "written today")
    older = post(client, "imported, from 2020")
    set_fields(client, older["id"], created="2020-01-01T00:00:00Z")
    entries = parse(client.get("/feeds/comments.atom")).entries
    assert [e.id.rsplit(":", 1)[1] for e in entries] == [newer["id"], older["id"]]


@pytest.mark.sqlite_only
def test_feeds_read_through_the_indexes(client, settings):
    """No feed request scans the comments table."""
    for n in range(5):
        post(client, f"comment {n}")
    statements: list[str] = []
    conn = client.app.state.db.storage._conn
    conn.set_trace_callback(statements.append)
    try:
        for path, _ in FEEDS:
            assert client.get(path).status_code == 200
    finally:
        conn.set_trace_callback(None)
    reads = [s for s in statements if s.startswith("SELECT") and "docs:comments" in s]
    assert reads
    with sqlite3.connect(settings.db) as db:
        for sql in reads:
            plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING INDEX" in plan and "idx:comments:" in plan, (sql, plan)
            if "$.thread" not in sql:
                # Across threads: read backwards along `created`, nothing sorted.
                # (One thread's comments may be found by thread and then sorted.)
                assert "idx:comments:created" in plan and "TEMP B-TREE" not in plan, plan


def test_unknown_and_hidden_threads_and_bad_requests(anonymous):
    assert_api_error(anonymous.get("/feeds/threads/no-such.atom"), 404, "thread_not_found")
    assert_api_error(anonymous.get("/feeds/threads/hidden-news.rss"), 404, "thread_not_found")
    assert_api_error(anonymous.get("/feeds/comments.json"), 404, "not_found")
    assert_api_error(anonymous.get("/feeds/threads/open-news.xml"), 404, "not_found")
    assert_api_error(anonymous.get("/feeds/comments.atom?lang=de"), 422, "invalid_field", "lang")
    head = anonymous.head("/feeds/comments.atom")
    assert head.status_code == 200 and head.content == b""


def test_closed_threads_keep_their_feed(anonymous):
    parse(anonymous.get("/feeds/threads/closed-news.atom"))


def test_feed_links_use_the_public_url_not_the_host_header(make_client):
    """A forged Host must not end up in a feed that proxies may cache for everyone."""
    public = "https://kurier.intranet.example"
    post(make_client("Ewa"), "Komentarz")
    client = make_client(public_url=public)
    for path in ("/feeds/comments.atom", "/feeds/threads/open-news.atom?lang=en"):
        forged = client.get(path, headers={"host": "evil.example"})
        honest = client.get(path)
        assert forged.content == honest.content and forged.headers["etag"] == honest.headers["etag"]
        assert b"evil.example" not in forged.content
        self_link = [link for link in parse(forged).feed.links if link.rel == "self"][0].href
        assert self_link == public + path

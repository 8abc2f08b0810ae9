"""What the service tests share: the sample articles, the one error check, people and
comments over the API, a clock that moves when told, the check that comment HTML is
harmless, and event streams driven through the app's ASGI interface."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import orjson
import pytest
from starlette.testclient import TestClient

from comments_service.app import create_app
from comments_service.config import Settings
from comments_service.events import ChangeFeed
from comments_service.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, sanitize_html
from comments_service.storage import Database
from comments_service.store.changelog import ChangeLog

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "http://testserver"
API = "/api/v1"
OPEN, MUST_READ = "open-news", "must-read"
THREAD = f"{API}/threads/{OPEN}"
COMMENTS = f"{THREAD}/comments"
PASSWORD = "correct horse battery staple"

ARTICLES = [
    {"slug": "open-news", "lang": "pl", "title": "Otwarte", "url": "news/open-news.html",
     "date": "2026-11-01T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "authors": ["Anna Nowak"], "author_logins": ["anowak"],
     "translations": [{"lang": "en", "url": "en/news/open-news.html"}]},
    {"slug": "open-news", "lang": "en", "title": "Open", "url": "en/news/open-news.html",
     "date": "2026-11-01T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "authors": ["Anna Nowak"], "translations": [
         {"lang": "pl", "url": "news/open-news.html"}]},
    {"slug": "closed-news", "lang": "pl", "title": "Zamknięte", "url": "news/closed-news.html",
     "date": "2026-11-02T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "closed", "translations": []},
    {"slug": "hidden-news", "lang": "pl", "title": "Bez dyskusji", "url": "news/hidden-news.html",
     "date": "2026-11-03T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "hidden", "translations": []},
    {"slug": "must-read", "lang": "pl", "title": "Obowiązkowe", "url": "news/must-read.html",
     "date": "2026-11-04T09:00:00+01:00", "category": "bhp", "must_read": True,
     "comments": "open", "translations": []},
]  # fmt: skip


def write_articles(path: Path, entries: list[dict]) -> None:
    """Write the manifest so that the service sees a new file at its next look: the file's
    modification time moves on even when the file system's clock has not ticked since."""
    before = path.stat().st_mtime_ns if path.exists() else None
    path.write_text(json.dumps(entries), encoding="utf-8")
    written = path.stat()
    if before is not None and written.st_mtime_ns <= before:
        os.utime(path, ns=(written.st_atime_ns, before + 1_000_000_000))


def assert_api_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The response is the one error shape of API.md with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    extra = {"until"} if code == "muted" else set()  # a mute says until when
    assert set(error) == {"code", "message", "field"} | extra
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        assert error["field"] == field
    return error


class ManualClock:
    """A clock for `comments_service.times` that stands still until `advance` moves it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock on, e.g. `advance(minutes=5)`."""
        self.now += timedelta(**delta)


# --- people and comments over the API ---------------------------------------------------


def send_comment(client: TestClient, body: object = "Dzień dobry", slug: str = OPEN, **extra):
    """POST a comment (a reply with `parent=`) and return the response, whatever it is."""
    return client.post(f"{API}/threads/{slug}/comments", json={"body": body, **extra})


def post(client: TestClient, body: str = "Dzień dobry", slug: str = OPEN, **extra) -> dict:
    """A comment (a reply with `parent=`) that the service accepts."""
    response = send_comment(client, body, slug, **extra)
    assert response.status_code == 201, response.text
    return response.json()


def comment_id(client: TestClient, body: str = "Dzień dobry", slug: str = OPEN, **extra) -> str:
    """The id of a new comment, as `post` writes it."""
    return post(client, body, slug, **extra)["id"]


def thread(client: TestClient, slug: str = OPEN) -> dict:
    response = client.get(f"{API}/threads/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


def flat(comments: list[dict]) -> list[dict]:
    """Every comment of a thread's tree, parents before their replies."""
    found = []
    for comment in comments:
        found.append(comment)
        found += flat(comment["replies"])
    return found


def find(client: TestClient, comment_id: str, slug: str = OPEN) -> dict | None:
    """The comment as `client` sees it in the thread, or None if it is not there."""
    return next((c for c in flat(thread(client, slug)["comments"]) if c["id"] == comment_id), None)


def admin(make_client, name: str | None = None, **changes) -> TestClient:
    """An open-mode moderator signed in with the admin password."""
    client = make_client(name, admin_password=PASSWORD, **changes)
    response = client.post(f"{API}/admin/session", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["moderator"] is True
    return client


def audit(client: TestClient, **filters) -> list[dict]:
    response = client.get(f"{API}/moderation/log", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def events(location: Path | str, slug: str = OPEN) -> list[tuple[str, dict]]:
    """The thread's changes as live readers get them, read from the database's change log."""
    db = Database(location)
    try:
        return [(c.event, c.data) for c in ChangeLog(db).after(0, 10_000, thread=slug)]
    finally:
        db.close()


def iso(delta: timedelta) -> str:
    """Now plus `delta`, ISO 8601 UTC."""
    moment = datetime.now(UTC) + delta
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def recent(at: str, seconds: float = 30) -> bool:
    """`at` (ISO 8601) lies within the last `seconds`."""
    moment = datetime.fromisoformat(at)
    return timedelta(0) <= datetime.now(UTC) - moment <= timedelta(seconds=seconds)


# --- whether comment HTML is harmless ---------------------------------------------------

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


# --- live event streams, driven through the app's ASGI interface ------------------------
#
# A test sees each chunk as it is sent, can disconnect like a browser does and
# can hold back a slow reader. Every scenario runs under one overall timeout and
# every read under its own, so a broken stream fails a test instead of hanging
# the suite.

SCENARIO_TIMEOUT = 30.0
READ_TIMEOUT = 3.0
EVENTS = f"{THREAD}/events"


@dataclass
class Event:
    """One Server-Sent Event as a browser's EventSource would see it."""

    id: int | None
    name: str
    data: dict


@dataclass
class Stream:
    """One GET of an event stream, driven through the app's ASGI interface."""

    app: object
    path: str
    headers: dict[str, str]
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    pings: int = 0
    retry: int | None = None
    ended: bool = False
    _chunks: asyncio.Queue = field(default_factory=asyncio.Queue)
    _buffer: str = ""
    _disconnect: asyncio.Event = field(default_factory=asyncio.Event)
    _reading: asyncio.Event = field(default_factory=asyncio.Event)
    _stalled: asyncio.Event = field(default_factory=asyncio.Event)
    _requested: bool = False
    _task: asyncio.Task | None = None

    async def open(self) -> Stream:
        url = urlsplit(self.path)
        headers = [(b"host", b"testserver")]
        headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": url.path,
            "raw_path": url.path.encode(),
            "query_string": url.query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self._reading.set()
        self._task = asyncio.create_task(self.app(scope, self._receive, self._send))
        start = await asyncio.wait_for(self._chunks.get(), READ_TIMEOUT)
        self.status = start["status"]
        self.response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
        return self

    async def _receive(self) -> dict:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:
        if not self._reading.is_set():
            self._stalled.set()
        await self._reading.wait()  # a paused reader: like a full TCP window
        await self._chunks.put(message)

    def pause(self) -> None:
        self._stalled.clear()
        self._reading.clear()

    def resume(self) -> None:
        self._reading.set()

    async def stalled(self) -> None:
        """Until the server is stuck sending to this paused reader (within READ_TIMEOUT)."""
        await asyncio.wait_for(self._stalled.wait(), READ_TIMEOUT)

    async def body(self) -> bytes:
        """The whole body of a response that ends by itself (an error)."""
        parts = []
        while True:
            message = await asyncio.wait_for(self._chunks.get(), READ_TIMEOUT)
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(parts)

    async def next_event(self, timeout: float = READ_TIMEOUT) -> Event:
        """The next event (pings and retry lines are counted, not returned)."""
        deadline = time.monotonic() + timeout
        while True:
            block = await self._next_block(deadline)
            event = self._parse(block)
            if event is not None:
                return event

    async def expect_nothing(self, wait: float = 0.4) -> None:
        """No event arrives within `wait` seconds: a quiet period is what is checked."""
        with contextlib.suppress(TimeoutError):
            event = await self.next_event(wait)
            pytest.fail(f"unexpected event {event}")

    async def _next_block(self, deadline: float) -> str:
        while "\n\n" not in self._buffer:
            if self.ended:
                raise EOFError("the stream ended")
            message = await asyncio.wait_for(
                self._chunks.get(), max(0.0, deadline - time.monotonic())
            )
            self._buffer += message.get("body", b"").decode()
            self.ended = not message.get("more_body", False)
        block, self._buffer = self._buffer.split("\n\n", 1)
        return block

    def _parse(self, block: str) -> Event | None:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line == ": ping":
                self.pings += 1
            elif line.startswith("retry: "):
                self.retry = int(line.removeprefix("retry: "))
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                assert name in ("id", "event", "data") and name not in fields, block
                fields[name] = value
        if not fields:
            return None
        assert "\n" not in fields["data"]
        event_id = int(fields["id"]) if "id" in fields else None
        return Event(event_id, fields["event"], orjson.loads(fields["data"]))

    async def wait_ended(self) -> None:
        """The server ends the stream (within READ_TIMEOUT)."""
        deadline = time.monotonic() + READ_TIMEOUT
        with contextlib.suppress(EOFError):
            while True:
                await self._next_block(deadline)

    async def close(self) -> None:
        """Disconnect, as a browser closing the tab."""
        self._disconnect.set()
        self.resume()
        if self._task is not None:
            await asyncio.wait_for(self._task, READ_TIMEOUT)


@dataclass
class Worker:
    """One app (as one worker process would have) and its people."""

    app: object
    clients: list[httpx.AsyncClient] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)

    @property
    def feed(self) -> ChangeFeed:
        return self.app.state.events

    async def person(self, name: str | None = None) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=ORIGIN,
            headers={"origin": ORIGIN},
        )
        self.clients.append(client)
        if name is not None:
            response = await client.post(f"{API}/me", json={"name": name})
            assert response.status_code == 200, response.text
        return client

    async def stream(
        self,
        path: str = EVENTS,
        person: httpx.AsyncClient | None = None,
        headers: dict[str, str] | None = None,
    ) -> Stream:
        headers = dict(headers or {})
        if person is not None and person.cookies.get("kurier_user"):
            headers["cookie"] = f"kurier_user={person.cookies.get('kurier_user')}"
        stream = await Stream(self.app, path, headers).open()
        self.streams.append(stream)
        return stream

    async def caught_up(self) -> None:
        """Until this worker's feed has handed every change in the log to its streams."""
        last = self.app.state.store.log.last_id()
        # The feed's own record of the last change it read and handed on.
        await until(lambda: self.feed.position >= last, f"the feed to reach change {last}")


async def until(condition: Callable[[], bool], what: str) -> None:
    """Look at `condition` every few milliseconds until it holds; fail after READ_TIMEOUT."""
    deadline = time.monotonic() + READ_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {READ_TIMEOUT} s for {what}")
        await asyncio.sleep(0.005)  # a turn for the app's tasks, then look again


Scenario = Callable[..., Awaitable[None]]


def run(settings: Settings, scenario: Scenario, workers: int = 1, **changes) -> None:
    """Run `scenario(*workers)` with apps started on one database, under a timeout."""

    async def main() -> None:
        async with contextlib.AsyncExitStack() as stack:
            started = []
            for _ in range(workers):
                app = create_app(replace(settings, **changes))
                await stack.enter_async_context(app.router.lifespan_context(app))
                worker = Worker(app)
                stack.push_async_callback(_close, worker)
                started.append(worker)
            await scenario(*started)

    asyncio.run(asyncio.wait_for(main(), SCENARIO_TIMEOUT))


async def _close(worker: Worker) -> None:
    for stream in worker.streams:
        await stream.close()
    for client in worker.clients:
        await client.aclose()


async def post_async(person: httpx.AsyncClient, body: str, parent=None, slug: str = OPEN) -> dict:
    """`post` for a person of a `Worker`."""
    data = {"body": body} if parent is None else {"body": body, "parent": parent}
    response = await person.post(f"{API}/threads/{slug}/comments", json=data)
    assert response.status_code == 201, response.text
    return response.json()


async def events_until(stream: Stream, count: int) -> list[Event]:
    return [await stream.next_event() for _ in range(count)]

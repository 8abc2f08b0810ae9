"""Live events (GET /threads/{slug}/events) against the ASGI app, in asyncio.

A stream is driven through the app's ASGI interface directly, so the test
sees each chunk as it is sent, can disconnect like a browser does and can
hold back a slow reader. Every scenario runs under one overall timeout and
every read under its own, so a broken stream fails a test instead of hanging
the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpx2 as httpx
import orjson
import pytest

from comments_service import events
from comments_service.app import create_app
from comments_service.config import Settings
from comments_service.store import changelog
from tests.service.conftest import ORIGIN, assert_api_error

SCENARIO_TIMEOUT = 30.0
READ_TIMEOUT = 3.0
OPEN, MUST_READ = "open-news", "must-read"
EVENTS = f"/api/v1/threads/{OPEN}/events"
COMMENT_KEYS = {
    "id", "parent", "author", "article_author", "body_html", "created", "edited",
    "deleted", "pinned", "approved", "hidden", "reactions", "mine", "my_reactions", "replies",
}  # fmt: skip


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
        await self._reading.wait()  # a paused reader: like a full TCP window
        await self._chunks.put(message)

    def pause(self) -> None:
        self._reading.clear()

    def resume(self) -> None:
        self._reading.set()

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
        """No event arrives within `wait` seconds."""
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
    def feed(self) -> events.ChangeFeed:
        return self.app.state.events

    async def person(self, name: str | None = None) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=ORIGIN,
            headers={"origin": ORIGIN},
        )
        self.clients.append(client)
        if name is not None:
            response = await client.post("/api/v1/me", json={"name": name})
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


async def post(person: httpx.AsyncClient, body: str, parent=None, slug: str = OPEN) -> dict:
    data = {"body": body} if parent is None else {"body": body, "parent": parent}
    response = await person.post(f"/api/v1/threads/{slug}/comments", json=data)
    assert response.status_code == 201, response.text
    return response.json()


async def events_until(stream: Stream, count: int) -> list[Event]:
    return [await stream.next_event() for _ in range(count)]


# --- the stream ---------------------------------------------------------------------


def test_events_stream_headers_and_retry(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        assert stream.status == 200
        assert stream.response_headers["content-type"].startswith("text/event-stream")
        assert stream.response_headers["cache-control"] == "no-cache"
        assert stream.response_headers["x-accel-buffering"] == "no"
        assert stream.response_headers["x-content-type-options"] == "nosniff"
        await post(await worker.person("Ewa"), "Pierwszy")
        await stream.next_event()
        assert stream.retry == 3000

    run(settings, scenario)


def test_events_comment_posted_arrives_as_a_reader_sees_it(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        ewa = await worker.person("Ewa")
        posted = await post(ewa, "**Witam** wszystkich")
        event = await stream.next_event()
        assert event.name == "comment" and event.id >= 1
        assert set(event.data) == {"comment", "comment_count"}
        assert event.data["comment_count"] == 1
        comment = event.data["comment"]
        assert set(comment) == COMMENT_KEYS, "no Markdown source, nothing personal"
        assert comment["id"] == posted["id"] and comment["parent"] is None
        assert comment["author"] == posted["author"]
        assert comment["body_html"] == "<p><strong>Witam</strong> wszystkich</p>"
        assert comment["mine"] is False and comment["my_reactions"] == []
        assert comment["replies"] == [] and comment["edited"] is None
        assert comment["reactions"] == {"like": 0} and comment["deleted"] is False
        reply = await post(ewa, "Odpowiedź", parent=posted["id"])
        second = await stream.next_event()
        assert second.id > event.id and second.data["comment_count"] == 2
        assert second.data["comment"]["id"] == reply["id"]
        assert second.data["comment"]["parent"] == posted["id"]

    run(settings, scenario)


def test_events_comment_edited_is_sent_again_with_edited_set(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        posted = await post(ewa, "Pierwsza wersja")
        stream = await worker.stream()
        response = await ewa.patch(f"/api/v1/comments/{posted['id']}", json={"body": "Druga"})
        assert response.status_code == 200
        event = await stream.next_event()
        assert event.name == "comment" and event.data["comment_count"] == 1
        assert event.data["comment"]["id"] == posted["id"]
        assert event.data["comment"]["edited"] is not None
        assert event.data["comment"]["body_html"] == "<p>Druga</p>"
        assert "body" not in event.data["comment"]

    run(settings, scenario)


def test_events_comment_deleted_with_and_without_placeholder(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        alone = await post(ewa, "Sam")
        question = await post(ewa, "Pytanie")
        answer = await post(jan, "Odpowiedź", parent=question["id"])
        stream = await worker.stream()

        assert (await ewa.delete(f"/api/v1/comments/{alone['id']}")).status_code == 204
        event = await stream.next_event()
        assert event.name == "comment_deleted"
        assert event.data == {"id": alone["id"], "placeholder": False, "comment_count": 2}

        assert (await ewa.delete(f"/api/v1/comments/{question['id']}")).status_code == 204
        event = await stream.next_event()
        assert event.data == {"id": question["id"], "placeholder": True, "comment_count": 1}

        # The last reply goes, and the placeholder with it: one event each.
        assert (await jan.delete(f"/api/v1/comments/{answer['id']}")).status_code == 204
        first, second = await events_until(stream, 2)
        assert first.data == {"id": answer["id"], "placeholder": False, "comment_count": 0}
        assert second.data == {"id": question["id"], "placeholder": False, "comment_count": 0}
        assert first.name == second.name == "comment_deleted" and second.id > first.id

    run(settings, scenario)


def test_events_likes_reactions_and_acknowledgements(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        posted = await post(ewa, "Do polubienia")
        stream = await worker.stream()
        must_read = await worker.stream(f"/api/v1/threads/{MUST_READ}/events")

        like = f"/api/v1/comments/{posted['id']}/reactions/like"
        assert (await jan.put(like)).status_code == 200
        assert (await jan.put(like)).status_code == 200  # changes nothing: no event
        assert (await jan.delete(like)).status_code == 200
        liked, unliked = await events_until(stream, 2)
        assert liked.name == unliked.name == "like"
        assert liked.data == {"id": posted["id"], "likes": 1}
        assert unliked.data == {"id": posted["id"], "likes": 0}

        assert (await jan.put(f"/api/v1/threads/{OPEN}/reactions/celebrate")).status_code == 200
        event = await stream.next_event()
        assert event.name == "reactions"
        assert event.data == {
            "reactions": {"like": 0, "love": 0, "celebrate": 1, "insightful": 0, "curious": 0}
        }

        ack = f"/api/v1/threads/{MUST_READ}/acknowledgement"
        assert (await jan.put(ack)).status_code == 200
        assert (await jan.put(ack)).status_code == 200  # counted once: no second event
        assert (await ewa.put(ack)).status_code == 200
        first, second = await events_until(must_read, 2)
        assert first.name == second.name == "acknowledgements"
        assert (first.data, second.data) == ({"ack_count": 1}, {"ack_count": 2})
        await stream.expect_nothing()

    run(settings, scenario)


def test_events_of_one_thread_do_not_reach_another(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        open_news = await worker.stream()
        must_read = await worker.stream(f"/api/v1/threads/{MUST_READ}/events")
        await post(ewa, "Tylko tutaj", slug=MUST_READ)
        assert (await must_read.next_event()).data["comment"]["body_html"] == "<p>Tylko tutaj</p>"
        await post(ewa, "A to tam")
        event = await open_news.next_event()
        assert event.data["comment"]["body_html"] == "<p>A to tam</p>"
        await must_read.expect_nothing()

    run(settings, scenario)


def test_events_reach_readers_of_another_worker(settings):
    async def scenario(posting: Worker, reading: Worker) -> None:
        stream = await reading.stream()
        ewa = await posting.person("Ewa")
        started = time.monotonic()
        posted = await post(ewa, "Przez innego workera")
        event = await stream.next_event()
        assert event.data["comment"]["id"] == posted["id"]
        assert time.monotonic() - started < 1.0

    run(settings, scenario, workers=2)


def test_events_heartbeat(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        await stream.expect_nothing(wait=0.5)
        assert stream.pings >= 2

    run(settings, scenario, events_heartbeat=0.1)


# --- resuming -----------------------------------------------------------------------


def test_events_resume_replays_exactly_the_missed_events_in_order(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        stream = await worker.stream()
        first = await post(ewa, "Jeden")
        seen = await stream.next_event()
        await stream.close()

        second = await post(ewa, "Dwa")
        await post(ewa, "Gdzie indziej", slug=MUST_READ)
        assert (await jan.put(f"/api/v1/comments/{first['id']}/reactions/like")).status_code == 200
        assert (await ewa.delete(f"/api/v1/comments/{second['id']}")).status_code == 204

        by_header = await worker.stream(headers={"last-event-id": str(seen.id)})
        by_query = await worker.stream(f"{EVENTS}?last_event_id={seen.id}")
        for resumed in (by_header, by_query):
            missed = await events_until(resumed, 3)
            # The second comment was deleted since: replayed as it is now, a removal.
            assert [e.name for e in missed] == ["comment_deleted", "like", "comment_deleted"]
            assert missed[0].data["id"] == second["id"]
            assert missed[1].data == {"id": first["id"], "likes": 1}
            assert missed[2].data["id"] == second["id"]
            assert [e.id for e in missed] == sorted(e.id for e in missed)
            assert missed[0].id > seen.id
        # Then live, with nothing sent twice.
        third = await post(ewa, "Trzy")
        for resumed in (by_header, by_query):
            live = await resumed.next_event()
            assert live.data["comment"]["id"] == third["id"] and live.id > missed[-1].id
            await resumed.expect_nothing(wait=0.3)

    run(settings, scenario)


def test_events_resume_from_the_threads_last_event_id(settings):
    """The thread's JSON names its latest event: a reader resumes right after it."""

    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        assert (await ewa.get(f"/api/v1/threads/{OPEN}")).json()["thread"]["last_event_id"] == 0
        await post(ewa, "Jeden")
        thread = (await ewa.get(f"/api/v1/threads/{OPEN}")).json()["thread"]
        await post(ewa, "Dwa")  # after the reader fetched the thread
        stream = await worker.stream(f"{EVENTS}?last_event_id={thread['last_event_id']}")
        event = await stream.next_event()
        assert event.data["comment"]["body_html"] == "<p>Dwa</p>"
        await stream.expect_nothing(wait=0.3)

    run(settings, scenario)


def test_events_resume_from_an_id_no_longer_kept_is_reset(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        await post(ewa, "Stary")
        await post(ewa, "Też stary")
        store = worker.app.state.store
        assert store.log.trim(now=time.time() + 2 * changelog.KEEP_SECONDS) == 2
        stream = await worker.stream(headers={"last-event-id": "1"})
        event = await stream.next_event()
        assert event.name == "reset" and event.data == {} and event.id == 2
        fresh = await post(ewa, "Nowy")
        live = await stream.next_event()
        assert live.data["comment"]["id"] == fresh["id"] and live.id == 3

    run(settings, scenario)


def test_events_resume_from_an_unknown_future_id_is_reset(settings):
    async def scenario(worker: Worker) -> None:
        await post(await worker.person("Ewa"), "Jeden")
        stream = await worker.stream(headers={"last-event-id": "999"})
        event = await stream.next_event()
        assert (event.name, event.id) == ("reset", 1)

    run(settings, scenario)


def test_events_resume_with_nothing_missed_sends_nothing(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        await post(ewa, "Tutaj")
        await post(ewa, "Gdzie indziej", slug=MUST_READ)
        stream = await worker.stream(headers={"last-event-id": "1"})
        await stream.expect_nothing(wait=0.3)

    run(settings, scenario)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("abc", id="word"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="fraction"),
        pytest.param("9" * 30, id="huge"),
    ],
)
def test_events_bad_last_event_id_is_422(settings, value):
    async def scenario(worker: Worker) -> None:
        anonymous = await worker.person()
        response = await anonymous.get(EVENTS, headers={"last-event-id": value})
        assert_api_error(response, 422, "invalid_field", "last_event_id")
        assert worker.feed.open_streams == 0

    run(settings, scenario)


# --- which streams ------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["no-such-article", "hidden-news"])
def test_events_unknown_or_hidden_thread_is_404(settings, slug):
    async def scenario(worker: Worker) -> None:
        anonymous = await worker.person()
        response = await anonymous.get(f"/api/v1/threads/{slug}/events")
        assert_api_error(response, 404, "thread_not_found")

    run(settings, scenario)


def test_events_streams_per_person_are_bounded(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        first = await worker.stream(person=ewa)
        await worker.stream(f"/api/v1/threads/{MUST_READ}/events", person=ewa)
        refused = await worker.stream(person=ewa)
        assert refused.status == 429
        body = orjson.loads(await refused.body())
        assert body["error"]["code"] == "too_many_streams"
        assert int(refused.response_headers["retry-after"]) > 0
        assert (await worker.stream(person=jan)).status == 200  # someone else

        await first.close()  # a closed tab frees its place at once
        assert (await worker.stream(person=ewa)).status == 200

    run(settings, scenario, max_streams_per_person=2)


def test_events_anonymous_readers_share_one_bound(settings):
    async def scenario(worker: Worker) -> None:
        assert (await worker.stream()).status == 200
        assert (await worker.stream()).status == 200
        assert (await worker.stream()).status == 429
        assert (await worker.stream(person=await worker.person("Ewa"))).status == 200

    run(settings, scenario, max_anonymous_streams=2)


def test_events_anonymous_streams_are_bounded_per_client_address(settings):
    async def scenario(worker: Worker) -> None:
        first = await worker.stream()
        assert first.status == 200 and (await worker.stream()).status == 200
        refused = await worker.stream()
        assert refused.status == 429
        assert_api_error_body(await refused.body(), "too_many_streams")
        # Another reader behind the trusted proxy has an allowance of their own.
        elsewhere = {"x-forwarded-for": "203.0.113.5"}
        assert (await worker.stream(headers=elsewhere)).status == 200
        # People are counted as people, whatever their address.
        assert (await worker.stream(person=await worker.person("Ewa"))).status == 200
        # A closed stream frees its place.
        await first.close()
        assert (await worker.stream()).status == 200

    run(settings, scenario, max_anonymous_streams_per_address=2)


def assert_api_error_body(body: bytes, code: str) -> None:
    assert orjson.loads(body)["error"]["code"] == code


def test_events_disconnect_unsubscribes(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        waiting = await worker.stream()
        blocked = await worker.stream()
        other = await worker.stream(f"/api/v1/threads/{MUST_READ}/events")
        assert worker.feed.open_streams == 3
        blocked.pause()
        await post(ewa, "Czeka na wysłanie")
        await asyncio.sleep(0.2)  # `blocked` is stuck sending it
        for stream in (waiting, blocked, other):
            await stream.close()
        assert worker.feed.open_streams == 0
        await post(ewa, "Nikt nie słucha")

    run(settings, scenario)


def test_events_own_commits_are_sent_at_once(settings):
    """A worker does not wait for its next look at the log to send its own changes."""

    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        posted = await post(await worker.person("Ewa"), "Od razu")
        event = await stream.next_event(timeout=1.0)
        assert event.data["comment"]["id"] == posted["id"]

    run(settings, scenario, events_poll_interval=60.0)


def test_events_slow_reader_gets_reset_instead_of_a_growing_queue(settings, monkeypatch):
    monkeypatch.setattr(events, "QUEUE_LIMIT", 3)

    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        stream = await worker.stream()
        stream.pause()  # the reader takes nothing more: the stream's queue fills up
        await post(ewa, "Numer 1")
        await asyncio.sleep(0.2)  # taken from the queue; sending it blocks
        for n in range(2, 7):
            await post(ewa, f"Numer {n}")
        await asyncio.sleep(0.3)
        stream.resume()
        received = await events_until(stream, 3)
        # 2-4 filled the queue; 5 did not fit: a reset (refetch, then resume after 5).
        assert [(event.name, event.id) for event in received] == [
            ("comment", 1),
            ("reset", 5),
            ("comment", 6),
        ]
        last = await post(ewa, "Po nadrobieniu")
        assert (await stream.next_event()).data["comment"]["id"] == last["id"]

    run(settings, scenario)


def test_events_streams_end_when_the_server_stops(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        worker.feed.end_streams()  # what SIGTERM and SIGINT do
        await stream.wait_ended()
        assert worker.feed.open_streams == 0
        late = await worker.stream()
        assert late.status == 503

    run(settings, scenario)


# --- the change log -----------------------------------------------------------------


def test_changelog_trim_keeps_a_day_and_at_most_keep_rows(settings, monkeypatch):
    async def scenario(worker: Worker) -> None:
        log = worker.app.state.store.log
        now = time.time()
        with worker.app.state.db.transaction():
            for n in range(10):
                log.append(OPEN, "like", {"id": "1", "likes": n})
        assert log.trim(now=now) == 0
        monkeypatch.setattr(changelog, "KEEP_ROWS", 6)
        assert log.trim(now=now) == 4
        assert [c.id for c in log.after(0, 100)] == [5, 6, 7, 8, 9, 10]
        assert log.kept_after() == 4
        # Later than a day after them, everything goes.
        assert log.trim(now=now + changelog.KEEP_SECONDS + 60) == 6
        assert log.after(0, 100) == [] and log.last_id() == 10 and log.kept_after() == 10

    run(settings, scenario)


def test_changelog_change_is_written_with_the_change_or_not_at_all(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        await post(ewa, "Jest")
        response = await ewa.post("/api/v1/threads/closed-news/comments", json={"body": "Nie"})
        assert response.status_code == 403
        log = worker.app.state.store.log
        assert [(c.thread, c.event) for c in log.after(0, 10)] == [(OPEN, "comment")]

    run(settings, scenario)

"""Live events: each worker follows the change log and streams a thread's changes (SSE).

One ChangeFeed per worker process watches the shared change log. On SQLite,
every 100 ms (Settings.events_poll_interval) it asks whether another
connection committed: `PRAGMA data_version`, some 10 µs and no table read
(the wake-up itself costs more, about 0.2 % of a core). On PostgreSQL the
storage's listener hears other workers' commits on every host (LISTEN/NOTIFY)
and wakes it at once; data_version there counts what it heard, no query.
This process's own commits wake it at once on both. Then it reads
the changes after the last one it saw, by id through the primary key, and
hands each, serialised once, to the streams of its thread. A stream's queue
is bounded: a reader too slow to keep up gets `reset` (refetch the thread)
instead of making the queue grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from types import FrameType
from typing import Any, TypeVar

import orjson
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from .config import Settings
from .errors import ApiError
from .store import Store
from .store.changelog import Change

logger = logging.getLogger("comments_service")

READ_BATCH = 500  # changes read per query; more follow in the next turn of the loop
REPLAY_LIMIT = 1000  # a reader who missed more than this refetches the thread instead
QUEUE_LIMIT = 1000  # changes waiting for one stream before it gets a reset instead
TRIM_INTERVAL = 600.0  # seconds between this worker's trims of the change log
RETRY_AFTER = 30  # seconds, for a reader over the bound on open streams
RETRY = b"retry: 3000\n\n"
PING = b": ping\n\n"
HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}

K = TypeVar("K")
#: What signal.signal installs: called with the signal's number and the current frame.
SignalHandler = Callable[[int, FrameType | None], Any]


def event_frame(change: Change) -> bytes:
    """A change as one Server-Sent Event: its id, its name, its data on one line."""
    data = orjson.dumps(change.data)
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (change.id, change.event.encode(), data)


def reset_frame(change_id: int) -> bytes:
    """Tell the reader to refetch the thread; it resumes after `change_id`."""
    return b"id: %d\nevent: reset\ndata: {}\n\n" % change_id


class Subscriber:
    """One open stream: the frames waiting for it and whether it must end."""

    __slots__ = ("thread", "owner", "address", "frames", "ready", "ended")

    def __init__(self, thread: str, owner: str | None, address: str | None = None):
        self.thread = thread
        self.owner = owner
        self.address = address  # an anonymous reader's address; None for a person
        self.frames: deque[tuple[int, bytes, bool]] = deque()
        self.ready = asyncio.Event()
        self.ended = False

    def push(self, change_id: int, frame: bytes) -> None:
        if len(self.frames) >= QUEUE_LIMIT:
            self.frames.clear()
            self.frames.append((change_id, reset_frame(change_id), True))
        else:
            self.frames.append((change_id, frame, False))
        self.ready.set()

    def end(self) -> None:
        self.ended = True
        self.ready.set()

    async def wait(self, timeout: float) -> None:
        """Until there is something to send, the stream must end, or `timeout` passed."""
        if self.frames or self.ended:
            return
        self.ready.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.ready.wait()


class ChangeFeed:
    """This worker's follower of the change log and its open streams."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.log = store.log
        self.db = store.db
        self.heartbeat = settings.events_heartbeat
        self.poll_interval = settings.events_poll_interval
        self.max_per_person = settings.max_streams_per_person
        self.max_anonymous = settings.max_anonymous_streams
        self.max_per_address = settings.max_anonymous_streams_per_address
        self.ending = False
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._open: dict[str | None, int] = {}  # streams per person; None: anonymous readers
        self._anonymous_from: dict[str, int] = {}  # anonymous streams per client address
        self._position = 0
        self._version = 0
        self._woken = False  # this process committed since the last look
        self._waiting: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0

    # --- lifetime -------------------------------------------------------------

    async def start(self) -> None:
        """Start following the log from its current end."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._version = self.db.data_version()
        self._position = self.log.last_id()
        self.db.storage.on_commit = self.wake
        self.db.storage.on_change = self.wake  # PostgreSQL: other workers' commits
        self._task = asyncio.create_task(self._follow(), name="kurier-change-feed")

    async def close(self) -> None:
        """End every stream and stop following."""
        self.end_streams()
        if self.db.storage.on_commit == self.wake:
            self.db.storage.on_commit = None
        if self.db.storage.on_change == self.wake:
            self.db.storage.on_change = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def end_streams(self) -> None:
        """The server is stopping: end open streams now and refuse new ones."""
        self.ending = True
        for subscribers in self._subscribers.values():
            for subscriber in subscribers:
                subscriber.end()

    def wake(self) -> None:
        """Look for new changes now (this process just committed some)."""
        if threading.get_ident() == self._thread:
            self._end_wait(True)
        elif self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nothing to wake
                self._loop.call_soon_threadsafe(self._end_wait, True)

    def _end_wait(self, woken: bool) -> None:
        self._woken = self._woken or woken
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)

    async def _wait(self) -> None:
        """Until the next look at the log is due, or this process commits."""
        if self._woken:
            return
        # A future and a timer rather than asyncio.timeout(): no exception per
        # wait, which at ten waits a second is most of what an idle worker does.
        loop = asyncio.get_running_loop()
        self._waiting = loop.create_future()
        timer = loop.call_later(self.poll_interval, self._end_wait, False)
        try:
            await self._waiting
        finally:
            timer.cancel()
            self._waiting = None

    # --- following the log ----------------------------------------------------

    async def _follow(self) -> None:
        # Workers start together; spread their trims apart.
        next_trim = time.monotonic() + random.uniform(5, 60)
        while True:
            woken, self._woken = self._woken, False
            try:
                await self._read_new(woken)
                if time.monotonic() >= next_trim:
                    next_trim = time.monotonic() + TRIM_INTERVAL * random.uniform(0.8, 1.2)
                    self.log.trim()
            except Exception:  # noqa: BLE001 - e.g. the database busy: try again later
                logger.exception("live events: reading the change log failed")
                await asyncio.sleep(1.0)
            await self._wait()

    async def _read_new(self, woken: bool) -> None:
        version = self.db.data_version()  # before reading: a commit after it is seen next time
        if version == self._version and not woken:
            return
        self._version = version
        if not self._subscribers:
            self._position = self.log.last_id()
            return
        while True:
            changes = self.log.after(self._position, READ_BATCH)
            for change in self._shown(changes):
                self._publish(change)
            if changes:
                self._position = changes[-1].id
            if len(changes) < READ_BATCH:
                return
            await asyncio.sleep(0)  # let requests in between long batches

    def _publish(self, change: Change) -> None:
        subscribers = self._subscribers.get(change.thread)
        if subscribers:
            frame = event_frame(change)
            for subscriber in subscribers:
                subscriber.push(change.id, frame)

    # --- streams --------------------------------------------------------------

    def stream(
        self, thread: str, owner: str | None, resume: int | None, address: str = ""
    ) -> StreamingResponse:
        """The event stream of `thread` for `owner` (a person's id; None: anonymous).

        With `resume` (the last event id the reader saw), the thread's changes
        after it are sent first, or `reset` if some of them are no longer kept.
        `address` is the client's, which bounds the streams of anonymous readers.
        """
        subscriber = self._subscribe(thread, owner, address if owner is None else None)
        try:
            first, position = [RETRY], 0
            if resume is not None:
                frames, position = self._replay(thread, resume)
                first += frames
        except BaseException:
            self._unsubscribe(subscriber)
            raise
        return EventStreamResponse(self._events(subscriber, b"".join(first), position))

    def _subscribe(self, thread: str, owner: str | None, address: str | None) -> Subscriber:
        if self.ending:
            raise ApiError(
                503, "shutting_down", "The server is restarting.", headers={"Retry-After": "3"}
            )
        limit = self.max_anonymous if owner is None else self.max_per_person
        over = self._open.get(owner, 0) >= limit
        if address is not None:
            over = over or self._anonymous_from.get(address, 0) >= self.max_per_address
        if over:
            raise ApiError(
                429,
                "too_many_streams",
                "Too many live views are open; close a tab with comments or try again later.",
                headers={"Retry-After": str(RETRY_AFTER)},
            )
        subscriber = Subscriber(thread, owner, address)
        self._subscribers.setdefault(thread, set()).add(subscriber)
        self._open[owner] = self._open.get(owner, 0) + 1
        if address is not None:
            self._anonymous_from[address] = self._anonymous_from.get(address, 0) + 1
        return subscriber

    def _unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(subscriber.thread)
        if subscribers is None or subscriber not in subscribers:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._subscribers[subscriber.thread]
        _count_down(self._open, subscriber.owner)
        if subscriber.address is not None:
            _count_down(self._anonymous_from, subscriber.address)

    @property
    def position(self) -> int:
        """The id of the last change this worker handed to its streams."""
        return self._position

    @property
    def open_streams(self) -> int:
        """How many streams this worker has open."""
        return sum(self._open.values())

    def _replay(self, thread: str, resume: int) -> tuple[list[bytes], int]:
        """Frames for the thread's changes after `resume`, and the id they reach."""
        thread_last = self.store.threads.last_event_id(thread)
        last = self.log.last_id()
        if resume > last:  # an id this database never gave (restored from a backup?)
            return [reset_frame(last)], last
        if thread_last <= resume:
            return [], resume
        if resume < self.log.kept_after():
            return [reset_frame(last)], last
        changes = self.log.after(resume, REPLAY_LIMIT + 1, thread=thread)
        if len(changes) > REPLAY_LIMIT:
            return [reset_frame(last)], last
        frames = [event_frame(change) for change in self._shown(changes)]
        return frames, changes[-1].id if changes else resume

    def _shown(self, changes: list[Change]) -> list[Change]:
        """Changes of threads someone follows, each comment as readers see it now."""
        followed = [change for change in changes if change.thread in self._subscribers]
        return self.store.views.as_shown_now(followed)

    async def _events(
        self, subscriber: Subscriber, first: bytes, position: int
    ) -> AsyncGenerator[bytes, None]:
        """The body of a stream: what was missed, then live changes and heartbeats."""
        try:
            yield first
            next_ping = time.monotonic() + self.heartbeat
            while not subscriber.ended:
                await subscriber.wait(next_ping - time.monotonic())
                chunk = []
                while subscriber.frames:
                    change_id, frame, reset = subscriber.frames.popleft()
                    if reset or change_id > position:  # else sent in the replay already
                        chunk.append(frame)
                        position = max(position, change_id)
                if time.monotonic() >= next_ping:
                    chunk.append(PING)
                    next_ping = time.monotonic() + self.heartbeat
                if chunk and not subscriber.ended:
                    yield b"".join(chunk)
        finally:
            self._unsubscribe(subscriber)


def _count_down(counts: dict[K, int], key: K) -> None:
    counts[key] -= 1
    if not counts[key]:
        del counts[key]


class EventStreamResponse(StreamingResponse):
    """A text/event-stream that unsubscribes as soon as the response ends, however it ends.

    Starlette cancels the response when the client goes away but does not
    close the body's generator; closing it here runs its clean-up now
    rather than whenever the generator is collected.
    """

    media_type = "text/event-stream"

    def __init__(self, content: AsyncGenerator[bytes, None]):
        super().__init__(content, headers=HEADERS)
        self._content = content  # body_iterator, typed as the generator it is

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._content.aclose()


def end_streams_on_exit_signals(feed: ChangeFeed) -> Callable[[], None]:
    """Make SIGINT and SIGTERM end the open streams, then do what they did before.

    uvicorn waits for open responses to finish before it stops the
    application, and a stream never finishes by itself: without this every
    stop would wait out the graceful-shutdown timeout. Returns a function
    that puts the previous handlers back.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signal handlers live in the main thread only
    loop = asyncio.get_running_loop()
    installed: dict[int, tuple[SignalHandler, SignalHandler]] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue  # the default action or ignored: nothing of the server's to chain

        def handler(
            number: int, frame: FrameType | None, previous: SignalHandler = previous
        ) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(feed.end_streams)
            previous(number, frame)

        signal.signal(signum, handler)
        installed[signum] = (handler, previous)

    def restore() -> None:
        for signum, (handler, previous) in installed.items():
            if signal.getsignal(signum) is handler:
                signal.signal(signum, previous)

    return restore

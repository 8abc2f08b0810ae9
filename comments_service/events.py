"""Live events: each worker follows the change log and streams a thread's changes (SSE).

One ChangeFeed per worker process watches the shared change log. On SQLite,
every 100 ms (Settings.events_poll_interval) it asks whether another
connection committed (`PRAGMA data_version`, some 10 µs); on PostgreSQL the
storage's listener hears other workers' commits (LISTEN/NOTIFY) and wakes it
at once, as this process's own commits do on both. Then it reads the changes
after the last one it saw, by id, and hands each, serialised once, to the
streams of its thread. A stream's queue is bounded: a reader too slow to keep
up gets `reset` (refetch the thread). An idle stream costs its open request
only: frames are written as they come, heartbeats from the feed's one loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import ApiError
from .store import Store
from .store.changelog import Change
from .streams import PING, RETRY, Subscriber, event_frame, reset_frame

if TYPE_CHECKING:
    from prometheus_client import Gauge

logger = logging.getLogger("comments_service")

READ_BATCH = 500  # changes read per query; more follow in the next turn of the loop
REPLAY_LIMIT = 1000  # a reader who missed more than this refetches the thread instead
TRIM_INTERVAL = 600.0  # seconds between this worker's trims of the change log
RETRY_AFTER = 30  # seconds, for a reader over the bound on open streams
PING_BATCH = 500  # streams pinged between two looks at other work
SHARE_INTERVAL = 1.0  # seconds between telling other workers who holds streams here

#: What signal.signal installs: called with the signal's number and the current frame.
SignalHandler = Callable[[int, FrameType | None], Any]


class ChangeFeed:
    """This worker's follower of the change log and its open streams."""

    def __init__(self, store: Store, settings: Settings, gauge: Gauge | None = None):
        self.store, self.log, self.db = store, store.log, store.db
        self.gauge = gauge  # the open streams metric, moved as streams open and close
        self.heartbeat = settings.events_heartbeat  # also how often the feed pings every stream
        self.poll_interval = settings.events_poll_interval
        self.max_per_person, self.max_anonymous = (settings.max_streams_per_person,
                                                   settings.max_anonymous_streams)  # fmt: skip
        self.max_per_address = settings.max_anonymous_streams_per_address
        self.ending = False
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._open: dict[str | None, int] = {}  # streams per person; None: anonymous readers
        self._anonymous_from: dict[str, int] = {}  # anonymous streams per client address
        self._position = self._version = 0
        self._passed_over = False  # changes may have come while nobody followed: _position is old
        self._woken = False  # this process committed since the last look
        self._waiting: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0

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
        storage = self.db.storage
        storage.on_commit = None if storage.on_commit == self.wake else storage.on_commit
        storage.on_change = None if storage.on_change == self.wake else storage.on_change
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            self.store.stream_counts.leave()  # its streams are gone
        except Exception:  # noqa: BLE001 - stopping anyway; the others stop counting them soon
            logger.exception("live events: withdrawing this worker's stream counts failed")

    def end_streams(self) -> None:
        """The server is stopping: end open streams now, each with a retry hint of its
        own (streams.farewell), and refuse new ones."""
        self.ending = True
        for subscriber in [s for group in self._subscribers.values() for s in group]:
            subscriber.end(self.unsubscribe)

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
        """Until the next look at the log is due, or this process commits (a future and
        a timer, not asyncio.timeout(): no exception per wait)."""
        if self._woken:
            return
        loop = asyncio.get_running_loop()
        self._waiting = loop.create_future()
        timer = loop.call_later(self.poll_interval, self._end_wait, False)
        try:
            await self._waiting
        finally:
            timer.cancel()
            self._waiting = None

    async def _follow(self) -> None:
        # Workers start together; spread their trims apart.
        next_trim = time.monotonic() + random.uniform(5, 60)
        next_ping = time.monotonic() + self.heartbeat
        next_share = time.monotonic()
        while True:
            woken, self._woken = self._woken, False
            try:
                await self._read_new(woken)
                if time.monotonic() >= next_ping:
                    next_ping = time.monotonic() + self.heartbeat
                    await self._ping()
                if time.monotonic() >= next_share:
                    next_share = time.monotonic() + SHARE_INTERVAL
                    self.store.stream_counts.share(self._open, time.time())
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
            # Nobody to tell: the log's end is read when someone subscribes, not at
            # every commit.
            self._passed_over = True
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

    async def _ping(self) -> None:
        """A heartbeat to every stream, a batch at a time."""
        everyone = [s for subscribers in self._subscribers.values() for s in subscribers]
        for start in range(0, len(everyone), PING_BATCH):
            for subscriber in everyone[start : start + PING_BATCH]:
                if not subscriber.frames:  # else something is on its way already
                    subscriber.push(0, PING, always=True)
            await asyncio.sleep(0)

    def _publish(self, change: Change) -> None:
        subscribers = self._subscribers.get(change.thread)
        if subscribers:
            frame = event_frame(change)
            for subscriber in subscribers:
                subscriber.push(change.id, frame)

    def subscribe(
        self, thread: str, owner: str | None, resume: int | None, address: str = ""
    ) -> tuple[Subscriber, bytes]:
        """A stream of `thread` for `owner` (a person's id; None: anonymous), and its start.

        With `resume` (the last event id the reader saw), the thread's changes
        after it come first, or `reset` if some of them are no longer kept.
        `address` is the client's, which bounds the streams of anonymous readers.
        """
        subscriber = self._subscribe(thread, owner, address if owner is None else None)
        try:
            first = [RETRY]
            if resume is not None:
                frames, subscriber.position = self._replay(thread, resume)
                first += frames
        except BaseException:
            self.unsubscribe(subscriber)
            raise
        return subscriber, b"".join(first)

    def _subscribe(self, thread: str, owner: str | None, address: str | None) -> Subscriber:
        if self.ending:
            raise ApiError(
                503, "shutting_down", "The server is restarting.", headers={"Retry-After": "3"}
            )
        if owner is None:
            over = self._open.get(owner, 0) >= self.max_anonymous
        else:  # the person's streams on every worker, as last shared
            elsewhere = self.store.stream_counts.elsewhere.get(owner, 0)
            over = self._open.get(owner, 0) + elsewhere >= self.max_per_person
        if address is not None:
            over = over or self._anonymous_from.get(address, 0) >= self.max_per_address
        if over:
            raise ApiError(429, "too_many_streams", "Too many live views are open; close a tab "
                           "with comments or try again later.",
                           headers={"Retry-After": str(RETRY_AFTER)})  # fmt: skip
        if not self._subscribers:
            self._catch_up_position()
        subscriber = Subscriber(thread, owner, address)
        self._subscribers.setdefault(thread, set()).add(subscriber)
        self._open[owner] = self._open.get(owner, 0) + 1
        if address is not None:
            self._anonymous_from[address] = self._anonymous_from.get(address, 0) + 1
        if self.gauge is not None:
            self.gauge.inc()
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(subscriber.thread)
        if subscribers is None or subscriber not in subscribers:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._subscribers[subscriber.thread]
        _count_down(self._open, subscriber.owner)
        if subscriber.address is not None:
            _count_down(self._anonymous_from, subscriber.address)
        if self.gauge is not None:
            self.gauge.dec()

    def _catch_up_position(self) -> None:
        if self._passed_over:
            self._position = self.log.last_id()
            self._passed_over = False

    @property
    def position(self) -> int:
        """The id of the last change this worker handed to its streams (or passed over,
        having none)."""
        if not self._subscribers:
            self._catch_up_position()
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


def _count_down(counts: dict[Any, int], key: Any) -> None:
    counts[key] -= 1
    if not counts[key]:
        del counts[key]


def end_streams_on_exit_signals(feed: ChangeFeed) -> Callable[[], None]:
    """Make SIGINT and SIGTERM end the open streams, then do what they did before
    (uvicorn waits for open responses, which never end by themselves, before
    it stops). Returns a function that puts the previous handlers back."""
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

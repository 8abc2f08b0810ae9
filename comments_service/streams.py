"""One open event stream (SSE): its frames, its queue, and writing them as they come.

A stream holds no task, timer or generator while idle: the worker's change
feed (events.py) pushes frames, which are written at once unless the reader
is slow (then a task finishes the write), and a reader too slow to keep up
gets `reset` (refetch the thread) instead of a growing queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from starlette.types import Message, Send

from .store.changelog import Change

QUEUE_LIMIT = 1000  # changes waiting for one stream before it gets a reset instead
RETRY = b"retry: 3000\n\n"
PING = b": ping\n\n"
# Milliseconds a reader waits before coming back to a server that ended its stream.
FAREWELL_RETRY = (1000, 5000)
HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


def event_frame(change: Change) -> bytes:
    """A change as one Server-Sent Event: its id, its name, its data on one line."""
    data = orjson.dumps(change.data)
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (change.id, change.event.encode(), data)


def farewell() -> Message:
    """The end of a stream the server closes (it is stopping): come back in 1 to 5 s,
    each reader at a moment of its own, so that thousands do not reconnect at once."""
    retry = b"retry: %d\n\n" % random.randint(*FAREWELL_RETRY)
    return {"type": "http.response.body", "body": retry, "more_body": False}


def reset_frame(change_id: int) -> bytes:
    """Tell the reader to refetch the thread; it resumes after `change_id`."""
    return b"id: %d\nevent: reset\ndata: {}\n\n" % change_id


class Subscriber:
    """One open stream: the frames waiting for it, and the task sending them, if any."""

    __slots__ = ("thread", "owner", "address", "frames", "ended", "send", "position", "task")

    def __init__(self, thread: str, owner: str | None, address: str | None = None):
        self.thread, self.owner, self.address = thread, owner, address  # address: if anonymous
        self.frames: list[tuple[int, bytes, bool]] = []  # (change id, frame, always send)
        self.ended, self.position = False, 0  # position: the last change id sent or replayed
        self.send: Send | None = None  # once the response has started
        self.task: asyncio.Task[None] | None = None

    def push(self, change_id: int, frame: bytes, always: bool = False) -> None:
        if len(self.frames) >= QUEUE_LIMIT:  # too slow a reader: a reset instead
            self.frames = [(change_id, reset_frame(change_id), True)]
        else:
            self.frames.append((change_id, frame, always))
        self._start(self._flush)

    def end(self, unsubscribe: Callable[[Subscriber], None]) -> None:
        """End the response (the server is stopping)."""
        if not self.ended:
            self.ended = True
            unsubscribe(self)
            self._start(self._finish)

    def started(self, send: Send) -> None:
        self.send = send
        self._start(self._finish if self.ended else self._flush)

    def _start(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if self.send is not None and self.task is None:
            self.task = run_eagerly(work()) or self.task  # it may have started the next

    async def _flush(self) -> None:
        """Send the queued frames, and what is queued meanwhile, then stop."""
        try:
            while self.frames and not self.ended and self.send is not None:
                frames, self.frames, chunk = self.frames, [], []
                for change_id, frame, always in frames:
                    if always or change_id > self.position:  # else sent in the replay
                        chunk.append(frame)
                        self.position = max(self.position, change_id)
                await self.send({"type": "http.response.body", "body": b"".join(chunk),
                                 "more_body": True})  # fmt: skip
        except OSError:  # the reader left: its request ends the stream
            self.frames.clear()
        finally:
            self.task = None
        if self.ended:
            self._start(self._finish)

    async def _finish(self) -> None:
        with contextlib.suppress(OSError):
            await self.send(farewell()) if self.send is not None else None

    def stop(self) -> None:
        """The request ended: nothing more to send."""
        self.ended, self.send = True, None
        if self.task is not None:
            self.task.cancel()


def run_eagerly(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coro` now up to its first wait, and a task for the rest if it must wait:
    a frame is written at once unless the reader is slow, no task per stream and event."""
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_go_on(coro, waiting))


async def _go_on(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Drive `coro` on from the future it waits for (None: a bare yield), as a task would."""
    while True:
        try:
            if waiting is not None:
                waiting._asyncio_future_blocking = False  # a task's, to await in its turn
            await (asyncio.sleep(0) if waiting is None else waiting)
            waiting = coro.send(None)
        except StopIteration:
            return
        except BaseException as error:  # cancelled, say: so is the coroutine
            try:
                waiting = coro.throw(error)
            except StopIteration:
                return

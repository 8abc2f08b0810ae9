"""A thread's changes as they happen: Server-Sent Events (the feed behind them is events.py)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from ..errors import invalid
from ..state import app_state
from ..streams import HEADERS, Subscriber
from .endpoint import ANYONE, EVENTS, IDENTITY, Endpoint, Param
from .http import article, current_user


async def get_events(request: Request) -> Response:
    """The thread's changes as Server-Sent Events, resuming after Last-Event-ID if given."""
    found = article(request)
    user = current_user(request)
    resume = _last_event_id(request)
    events, address = app_state(request).events, app_state(request).identity.address(request)
    subscriber, first = events.subscribe(found.slug, user.id if user else None, resume, address)
    return EventStreamResponse(subscriber, first, events.unsubscribe)


class EventStreamResponse(StreamingResponse):
    """A text/event-stream its subscriber feeds; unsubscribed however the response ends.

    The request itself only waits for the reader to leave: an open stream
    keeps no task, timer or copy of what was sent.
    """

    media_type = "text/event-stream"
    # Held for as long as the reader stays: slots, not a __dict__ per stream.
    __slots__ = ("subscriber", "first", "unsubscribe")

    def __init__(
        self, subscriber: Subscriber, first: bytes, unsubscribe: Callable[[Subscriber], None]
    ):
        self.status_code, self.background = 200, None
        self.init_headers(HEADERS)
        self.subscriber, self.first, self.unsubscribe = subscriber, first, unsubscribe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscriber, headers, self.raw_headers = self.subscriber, self.raw_headers, []
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            del headers
            await send({"type": "http.response.body", "body": self.first, "more_body": True})
            self.first = b""
            subscriber.started(send)
            while (await receive())["type"] != "http.disconnect":
                pass
        finally:
            self.unsubscribe(subscriber)
            subscriber.stop()


def _last_event_id(request: Request) -> int | None:
    """The last event the reader saw: the browser's header on reconnecting, else ?last_event_id."""
    value = request.headers.get("last-event-id", request.query_params.get("last_event_id"))
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise invalid("last_event_id", "last_event_id is the id of an event of this stream.")
    return int(value)


RESUME = (
    Param("Last-Event-ID", int, "the last event seen: its thread's later changes come first",
          where="header"),
    Param("last_event_id", int, "the same, where a header cannot be set (the header wins)"),
)  # fmt: skip

ENDPOINTS = [
    Endpoint("GET", "/threads/{slug}/events", get_events, "The thread's changes as they happen "
             "(see Live events)", ANYONE, str, media_type=EVENTS,
             errors=(IDENTITY, 404, 422, 429, 503), params=RESUME,
             description="Events, each with an id, a name and one line of JSON: comment, "
             "comment_deleted, like, reactions, thread, acknowledgements, and reset when missed "
             "changes are no longer kept (refetch the thread). A ': ping' comment every 15 s. "
             "At most COMMENTS_MAX_STREAMS open streams per person on all workers, and "
             "COMMENTS_MAX_STREAMS_PER_ADDRESS for readers without a name, per worker process."),
]  # fmt: skip

"""A thread's changes as they happen: Server-Sent Events (the stream itself is events.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..errors import invalid
from ..state import app_state
from .endpoint import ANYONE, EVENTS, IDENTITY, Endpoint, Param
from .http import article, current_user


async def get_events(request: Request) -> Response:
    """The thread's changes as Server-Sent Events, resuming after Last-Event-ID if given."""
    found = article(request)
    user = current_user(request)
    resume = _last_event_id(request)
    events, address = app_state(request).events, app_state(request).identity.address(request)
    return events.stream(found.slug, user.id if user else None, resume, address)


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
             "At most COMMENTS_MAX_STREAMS open streams per person, and "
             "COMMENTS_MAX_STREAMS_PER_ADDRESS for readers without a name, per worker process."),
]  # fmt: skip

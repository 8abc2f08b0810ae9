"""Muting a person until a day, with a reason, and lifting a mute."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError
from ..state import app_state
from ..user import User
from ..validation import parse_reason, parse_until
from .queries import PERSON_MAX, query_value
from .render import act, page


def _mutes(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    mutes = app_state(request).store.people.active_mutes(user)
    person = query_value(request, "person", PERSON_MAX)
    return "mutes.html", {"mutes": mutes["items"], "person": person}


async def mutes_page(request: Request) -> Response:
    return await page(request, "mutes", _mutes)


def _person(form: dict[str, str]) -> str:
    person = form.get("person", "").strip()
    if not person or len(person) > PERSON_MAX:
        raise ApiError(422, "person", "Give the person's id.", "person")
    return person


def _until(request: Request, form: dict[str, str]) -> str:
    """The end of a mute: a day from the date field ends it as that day begins in the
    moderators' time zone (COMMENTS_TIMEZONE); parse_until says what is wrong with it."""
    day = form.get("until", "").strip()
    if len(day) == 10:
        zone = ZoneInfo(app_state(request).settings.timezone)
        with contextlib.suppress(ValueError):
            day = datetime.fromisoformat(day).replace(tzinfo=zone).isoformat()
    return parse_until(day)


async def mute(request: Request) -> Response:
    def operation(form: dict[str, str], user: User) -> str:
        person = _person(form)
        until = _until(request, form)
        reason = parse_reason(form.get("reason") or None, required=True)
        app_state(request).store.people.mute(person, user, until, reason)
        return "mute"

    return await act(request, operation)


async def unmute(request: Request) -> Response:
    def operation(form: dict[str, str], user: User) -> str:
        reason = parse_reason(form.get("reason") or None, required=False)
        app_state(request).store.people.unmute(_person(form), user, reason)
        return "unmute"

    return await act(request, operation)

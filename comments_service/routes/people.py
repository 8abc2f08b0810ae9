"""People: who is asking (/me), the moderators' session in open mode, mutes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError, invalid
from ..identity import me_body, parse_name
from ..schemas.answers import Me, Mute, Unmuted
from ..schemas.requests import AdminSignIn, NewMute, NewName, OptionalReason
from ..state import app_state
from ..validation import parse_reason, parse_until
from .endpoint import ANYONE, IDENTITY, MODERATOR, MODERATORS, Endpoint
from .http import current_user, json_response, moderator, read_body, read_reason, store, write

PERSON_ID_MAX = 200
OPEN_MODE = "open mode"


async def get_me(request: Request) -> Response:
    return json_response(me_body(current_user(request), app_state(request).settings))


async def post_me(request: Request) -> Response:
    """Open mode: choose a display name (kept in a signed cookie)."""
    settings = app_state(request).settings
    if settings.auth != "open":
        raise ApiError(409, "managed_identity", "Your name comes from the company sign-in here.")
    data = await read_body(request, NewName)
    name, identity = parse_name(data.name), app_state(request).identity
    if identity.cookie_user(request) is None:  # a new identity: limited per address
        store(request).limits.take_identity(identity.address(request))
    user, cookie = identity.sign_in(request, name)
    response = json_response(me_body(user, settings))
    response.set_cookie(**cookie)
    return response


async def post_admin_session(request: Request) -> Response:
    """Open mode: a moderator signs in with the admin password."""
    data = await read_body(request, AdminSignIn)
    identity = app_state(request).identity
    user, cookie = await identity.admin_sign_in(request, data.password)
    response = json_response(me_body(user, app_state(request).settings))
    response.set_cookie(**cookie)
    return response


async def delete_admin_session(request: Request) -> Response:
    """Sign the moderator out (their display name, if any, stays)."""
    cookie = app_state(request).identity.admin_sign_out(request)
    response = json_response(me_body(current_user(request), app_state(request).settings))
    response.delete_cookie(**cookie)
    return response


def _person_id(request: Request) -> str:
    person: str = request.path_params["user_id"]
    if not person or len(person) > PERSON_ID_MAX:
        raise invalid("user_id", "That is not a person's id.")
    return person


async def put_mute(request: Request) -> Response:
    user = moderator(request)
    person = _person_id(request)
    data = await read_body(request, NewMute)
    until, reason = parse_until(data.until), parse_reason(data.reason, required=True)
    people = store(request).people
    return json_response(await write(request, lambda: people.mute(person, user, until, reason)))


async def delete_mute(request: Request) -> Response:
    user = moderator(request)
    person = _person_id(request)
    reason = await read_reason(request)
    people = store(request).people
    return json_response(await write(request, lambda: people.unmute(person, user, reason)))


ENDPOINTS = [
    Endpoint("GET", "/me", get_me, "Who is asking", ANYONE, Me, errors=(IDENTITY,)),
    Endpoint("POST", "/me", post_me, "Choose a display name (kept in a signed cookie); "
             "renaming keeps the person", OPEN_MODE, Me, body=NewName, errors=(409, 429),
             description="A new identity from an address over COMMENTS_IDENTITY_RATE_LIMIT "
             "is 429 rate_limited; in header mode 409 managed_identity."),
    Endpoint("POST", "/admin/session", post_admin_session, "A moderator signs in with "
             "COMMENTS_ADMIN_PASSWORD (see Moderation)", OPEN_MODE, Me, body=AdminSignIn,
             errors=(401, 409, 429),
             description="Sets the kurier_admin cookie for 12 hours. 401 wrong_password, "
             "403 admin_disabled, 409 managed_identity in header mode, 429 rate_limited "
             "after too many wrong passwords from one address."),
    Endpoint("DELETE", "/admin/session", delete_admin_session, "End the moderator session, "
             "in every worker", ANYONE, Me, errors=(IDENTITY,)),
    Endpoint("PUT", "/people/{user_id}/mute", put_mute, "Mute a person until a time (at most "
             "a year ahead)", MODERATORS, Mute, body=NewMute, errors=MODERATOR),
    Endpoint("DELETE", "/people/{user_id}/mute", delete_mute, "Let a muted person write again",
             MODERATORS, Unmuted, body=OptionalReason, errors=MODERATOR),
]  # fmt: skip

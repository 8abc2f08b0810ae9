"""Signing in with the moderator password (open mode) and signing out.

In header mode the company's sign-in in front of Kurier says who is a
moderator; these pages then only send moderators on and refuse everyone else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import ApiError
from ..state import app_state
from ..user import User
from . import forms
from .render import NO_STORE, current_user, message, posted_form, render

# What answers a genuine form: the request, the form, who posted it.
Answer = Callable[[Request, dict[str, str], User | None], Awaitable[Response]]


async def sign_in_page(request: Request) -> Response:
    user = current_user(request)
    if app_state(request).settings.auth != "open":
        if user is not None and user.moderator:
            return RedirectResponse("/admin/", status_code=303, headers=NO_STORE)
        return render(request, "forbidden.html", user, status=403)
    return render(request, "sign_in.html", user)


async def _posted(request: Request, answer: Answer) -> Response:
    """A sign-in or sign-out form, answered unless it is refused (see posted_form)."""
    user = current_user(request)
    form = await posted_form(request, user, moderators_only=False)
    if isinstance(form, Response):
        return form
    return await answer(request, form, user)


def _done(request: Request, target: str, flash: str) -> Response:
    """On to `target`, which says `flash` (a key of the catalogue)."""
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    forms.set_flash(request, response, "ok", flash)
    return response


async def _check_password(request: Request, form: dict[str, str], user: User | None) -> Response:
    """Open mode: the moderator password (rate-limited per address by identity.py)."""
    try:
        identity = app_state(request).identity
        _, cookie = await identity.admin_sign_in(request, form.get("password", ""))
    except ApiError as error:
        status = error.status if error.status != 409 else 403
        refusal = render(
            request, "sign_in.html", user, status=status, error=message(request, error)
        )
        refusal.headers.update(error.headers)
        return refusal
    response = _done(request, "/admin/", "ok_signed_in")
    response.set_cookie(**cookie)
    return response


async def _end_session(request: Request, form: dict[str, str], user: User | None) -> Response:
    if app_state(request).settings.auth != "open":
        return _done(request, "/admin/", "ok_signed_out")
    response = _done(request, "/admin/sign-in", "ok_signed_out")
    response.delete_cookie(**app_state(request).identity.admin_sign_out(request))
    return response


async def sign_in(request: Request) -> Response:
    return await _posted(request, _check_password)


async def sign_out(request: Request) -> Response:
    return await _posted(request, _end_session)

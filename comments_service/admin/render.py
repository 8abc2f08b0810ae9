"""A moderators' page from its template, and the two shapes every handler takes.

`page` shows a moderator a page built from the request (anyone else is sent to
sign in, or refused); `act` carries out a moderator's form post and redirects
(303) back with a flash message. Every page works without JavaScript. Comment
text appears only as the sanitised `body_html`; the templates escape the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..errors import ApiError
from ..i18n import asked_lang
from ..identity import secure_cookies
from ..state import app_state
from ..store.audit import SYSTEM_ID
from ..store.moderation import AUTO_HIDE_REASON
from ..user import User
from . import forms
from .words import (
    LANG_COOKIE,
    column_name,
    error_message,
    local_day,
    markup_translator,
    other_lang,
    page_lang,
    translator,
)

HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
NO_STORE = {"cache-control": "private, no-store"}
LANG_COOKIE_AGE = 365 * 86400

# What a page's handler gives: its template and the template's data (or it raises ApiError).
Build = Callable[[Request, User], tuple[str, dict[str, Any]]]
# What a form post does: the operation's name for the flash message (or it raises ApiError).
Operation = Callable[[dict[str, str], User], str]


def current_user(request: Request) -> User | None:
    """Who is asking, or nobody."""
    try:
        user: User | None = app_state(request).identity.user(request)
    except ApiError:  # e.g. an identity header sent twice: nobody
        return None
    return user


def here(request: Request) -> str:
    """This page's address without ?lang=, for `back` fields and the language switch."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + ("?" + urlencode(query) if query else "")


def render(
    request: Request, template: str, user: User | None, status: int = 200, **data: Any
) -> HTMLResponse:
    """A page in the chosen language, with the layout's shared values."""
    lang = page_lang(request)
    flash = forms.take_flash(request)
    html = ENV.get_template(template).render(**_layout(request, lang, user), flash=flash, **data)
    response = HTMLResponse(html, status_code=status, headers=NO_STORE)
    if asked_lang(request) is not None:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, samesite="lax", path="/admin",
            secure=secure_cookies(request),
        )  # fmt: skip
    if flash is not None:
        response.delete_cookie(forms.FLASH_COOKIE, path="/admin")
    forms.set_browser_key(request, response)
    return response


def _layout(request: Request, lang: str, user: User | None) -> dict[str, Any]:
    """What base.html and the macros use on every page."""
    settings = app_state(request).settings
    t = translator(lang)
    address = here(request)
    switch_to = other_lang(lang)
    joiner = "&" if "?" in address else "?"
    return {
        "t": t,
        "tm": markup_translator(lang),
        "lang": lang,
        "other_lang": switch_to,
        "switch_url": f"{address}{joiner}lang={switch_to}",
        "here": address,
        "user": user,
        "auth": settings.auth,
        "csrf": forms.csrf_token(request, user),
        "local": local_time(settings.timezone),
        "day": lambda value: local_day(settings.timezone, t, value),
        "column_name": lambda column: column_name(t, column),
        "site_url": site_address(request),
        "system_id": SYSTEM_ID,
        "auto_hide_reason": AUTO_HIDE_REASON,
    }


@lru_cache(maxsize=4)
def local_time(zone_name: str) -> Callable[[str], str]:
    """A formatter of the service's ISO UTC times in the moderators' time zone."""
    zone = ZoneInfo(zone_name)

    def local(value: str) -> str:
        try:
            moment = datetime.fromisoformat(value).astimezone(zone)
        except (TypeError, ValueError):
            return str(value)
        return moment.strftime("%Y-%m-%d %H:%M ") + (moment.tzname() or zone_name)

    return local


def site_address(request: Request) -> str:
    """The newsroom's address, for the link back to it: from the articles' absolute
    addresses in articles.json, else COMMENTS_PUBLIC_URL, else this server's root."""
    public_url = app_state(request).settings.public_url
    return app_state(request).articles.site_root() or (public_url + "/" if public_url else "/")


def message(request: Request, error: ApiError) -> str:
    """An error in the page's language."""
    return error_message(translator(page_lang(request)), error)


def refused(request: Request, user: User | None, key: str, status: int) -> HTMLResponse:
    """A page that says the request was refused (an unreadable or forged form)."""
    return render(request, "refused.html", user, status=status, message_key=key)


def not_moderator(request: Request, user: User | None) -> Response:
    """Open mode: to the sign-in form; header mode: a 403 page (the proxy decides who)."""
    if app_state(request).settings.auth == "open":
        return RedirectResponse("/admin/sign-in", status_code=303, headers=NO_STORE)
    return render(request, "forbidden.html", user, status=403)


async def page(request: Request, current: str, build: Build) -> Response:
    """A moderator's page: `build` gives the template and its data (or raises ApiError);
    `current` is the section the navigation marks."""
    user = current_user(request)
    if user is None or not user.moderator:
        return not_moderator(request, user)
    try:
        template, data = build(request, user)
        status = 200
    except ApiError as error:
        template, status = "error.html", error.status
        data = {"message": message(request, error)}
    return render(request, template, user, status=status, current=current, **data)


async def posted_form(
    request: Request, user: User | None, moderators_only: bool = True
) -> dict[str, str] | Response:
    """The form posted, or the answer that refuses it: unreadable (400), not from a
    moderator (when `moderators_only`), or not from our own page in this browser (403)."""
    try:
        form = await forms.read_form(request)
    except forms.FormError:
        return refused(request, user, "refused_form", 400)
    if moderators_only and (user is None or not user.moderator):
        return not_moderator(request, user)
    if not forms.genuine(request, form, user):
        return refused(request, user, "refused_csrf", 403)
    return form


async def act(request: Request, operation: Operation) -> Response:
    """A moderator's form post: checked, done, and back with a flash message."""
    user = current_user(request)
    form = await posted_form(request, user)
    if isinstance(form, Response):
        return form
    assert user is not None  # posted_form let only a moderator through
    response = RedirectResponse(forms.back_to(form), status_code=303, headers=NO_STORE)
    try:
        done = operation(form, user)
    except ApiError as error:
        forms.set_flash(request, response, "error", "error", message(request, error))
    else:
        forms.set_flash(request, response, "ok", f"ok_{done}")
    return response
